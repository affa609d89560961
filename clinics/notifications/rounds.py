"""E-mail about reporting rounds, to the reporters of the clinics concerned: the round
opened, the reminders 14 and 3 days before the deadline, the notice the day after it, and
the reminder a region admin sends by hand.

A reporter gets one mail for all the clinics of theirs it concerns (a coordinator reports
for many), and each mail once: the key names the round and the occasion, a manual
reminder the press of the button. Each function is a constant number of queries however
many clinics the round covers.
"""

from dataclasses import replace
from datetime import date, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from clinics.models import Clinic, NotificationKind, ReportingRound, ReportState, User
from clinics.notifications.delivery import compose, deliver, notified, reporters_of, site_url

# The reports whose clinic has not yet submitted: reminded before, late after, the deadline.
NOT_SUBMITTED = [ReportState.DRAFT, ReportState.RETURNED]
# A notice the job did not send on its day is still worth sending this long after it.
LATE_NOTICE_WITHIN = timedelta(days=7)


def not_submitted_clinics(round: ReportingRound) -> QuerySet[Clinic]:
    """The clinics of the round whose report is neither submitted nor decided."""
    return Clinic.objects.filter(reports__round=round, reports__state__in=NOT_SUBMITTED)


def due_round_notice(round: ReportingRound, today: date) -> str | None:
    """The one notice due ``today`` for an open round, if any.

    14 days before the deadline, the 14-day reminder (until 4 days before); 3 days before,
    the 3-day reminder (until the deadline); from the day after the deadline, the late
    notice (for a week). A reminder whose day came before the round was opened is not sent:
    the mail that opened the round said as much. A missed night is caught up on the next.
    """
    days_left = (round.deadline - today).days
    if days_left < 0:
        return NotificationKind.ROUND_LATE if -days_left <= LATE_NOTICE_WITHIN.days else None
    if 4 <= days_left <= 14:
        kind, days = NotificationKind.ROUND_REMINDER_14, 14
    elif days_left <= 3:
        kind, days = NotificationKind.ROUND_REMINDER_3, 3
    else:
        return None
    opened = timezone.localdate(round.opened_at)
    return kind if opened < round.deadline - timedelta(days=days) else None


def _mail_reporters(
    round: ReportingRound,
    clinics: QuerySet[Clinic],
    *,
    kind: str,
    key: str,
    template: str,
    sent_by: User | None = None,
) -> int:
    link = site_url("my_clinics")
    return deliver(
        replace(
            compose(
                template,
                {"round": round, "clinics": theirs, "kind": kind},
                recipient=user,
                kind=kind,
                key=key,
                link=link,
            ),
            sent_by=sent_by,
        )
        for user, theirs in reporters_of(clinics).items()
    )


def send_round_opened(round_id: int) -> int:
    """Tell every reporter of the round's clinics that it is open; the number of mails."""
    round = ReportingRound.objects.get(pk=round_id)
    return _mail_reporters(
        round,
        Clinic.objects.filter(reports__round=round),
        kind=NotificationKind.ROUND_OPENED,
        key=f"round:{round.pk}:opened",
        template="round_opened",
    )


def manual_reminder_key(round: ReportingRound, press: str) -> str:
    return f"round:{round.pk}:manual:{press}"


def send_manual_reminder(round_id: int, press: str, sent_by_id: int) -> int:
    """The reminder a region admin sent by hand, to the clinics that have not submitted;
    once for each press of the button (``press``), however often it is retried."""
    round = ReportingRound.objects.get(pk=round_id)
    return _mail_reporters(
        round,
        not_submitted_clinics(round),
        kind=NotificationKind.ROUND_MANUAL,
        key=manual_reminder_key(round, press),
        template="round_reminder",
        sent_by=User.objects.get(pk=sent_by_id),
    )


def send_due_round_notices(today: date) -> int:
    """The reminders and late notices due ``today`` in every open round (see
    ``due_round_notice``), and the opening mails never sent; the number of mails."""
    rounds = ReportingRound.objects.filter(
        closed_at__isnull=True, deadline__gte=today - LATE_NOTICE_WITHIN
    )
    count = sum(
        send_round_opened(round.pk) for round in rounds.exclude(notified("round:", ":opened"))
    )
    for round in rounds:
        kind = due_round_notice(round, today)
        if kind is None:
            continue
        late = kind == NotificationKind.ROUND_LATE
        count += _mail_reporters(
            round,
            not_submitted_clinics(round),
            kind=kind,
            key=f"round:{round.pk}:{kind}",
            template="round_late" if late else "round_reminder",
        )
    return count
