"""The nightly work: expire exemptions that have ended, remind before the end, and send
the mails of the day (round reminders and late notices, the reviewers' digest, and any
decision mail whose queued task never ran).

Run by Celery beat (clinics.tasks.run_daily_case_jobs) and by
``manage.py run_daily_jobs``. Every step is idempotent and safe to rerun or kill half-way:
expiry is the cases' own service (``clinics.services.cases.expire_case``), which re-checks
each case under a row lock, and each e-mail is recorded by a row whose
unique constraint lets it be sent only once (clinics.notifications). A night the job did
not run is caught up the next: expiry takes every case whose period ended before today,
and reminders follow the rule in ``due_reminder_kind``.

Compliance does not wait for this job: the timeline (clinics.timeline) already changes on
the day after an approved period's last day, so it is right even before expiry.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from clinics.models import CaseEvent, CaseState, ExemptionCase, Notification, NotificationKind
from clinics.notifications.action_plans import send_overdue_plan_reminders
from clinics.notifications.cases import (
    reminder_key,
    send_decision_notice,
    send_expiry_notice,
    send_reminder,
)
from clinics.notifications.delivery import notified
from clinics.notifications.digest import send_review_digests
from clinics.notifications.reports import send_pending_report_decision_notices
from clinics.notifications.rounds import send_due_round_notices
from clinics.services.cases import expire_due_cases

# An expiry mail is not worth sending for a period that ended long ago (e.g. cases
# imported or restored after the fact); neither is a decision mail a week late.
EXPIRY_NOTICE_WITHIN = timedelta(days=30)
DECISION_NOTICE_WITHIN = timedelta(days=7)


@dataclass(frozen=True)
class DailyJobCounts:
    expired: int = 0
    expiry_notices: int = 0
    reminders: int = 0
    decision_notices: int = 0
    round_notices: int = 0
    report_decision_notices: int = 0
    review_digests: int = 0
    action_plan_reminders: int = 0


def due_reminder_kind(days_left: int) -> str | None:
    """The one reminder due when the approved period ends in ``days_left`` days.

    30_days for 8-30 days left, 7_days for 2-7, 1_day for 0-1 (0 = today is the last day).
    Each is sent once per case. A reminder whose day was missed (the job did not run) goes
    out on the next run that still falls in its window; when the window too has passed,
    only the nearer reminder is sent: a clinic is never told "30 days" with 5 days left.
    """
    if days_left < 0 or days_left > 30:
        return None
    if days_left <= 1:
        return NotificationKind.CASE_1_DAY
    if days_left <= 7:
        return NotificationKind.CASE_7_DAYS
    return NotificationKind.CASE_30_DAYS


def send_expiry_notices(today: date | None = None) -> int:
    """Tell each recently expired case's clinic and the reviewers, once; the count sent."""
    today = today or timezone.localdate()
    cases = ExemptionCase.objects.filter(
        state=CaseState.EXPIRED, valid_until__gte=today - EXPIRY_NOTICE_WITHIN
    ).exclude(notified("case:", f":{NotificationKind.CASE_EXPIRED}"))
    return sum(send_expiry_notice(case) for case in cases)


def send_due_reminders(today: date | None = None) -> int:
    """Send the reminders due ``today`` (see ``due_reminder_kind``); the count sent."""
    today = today or timezone.localdate()
    cases = ExemptionCase.objects.filter(
        state=CaseState.APPROVED,
        valid_until__gte=today,
        valid_until__lte=today + timedelta(days=30),
    )
    due = [(case, due_reminder_kind((case.valid_until - today).days)) for case in cases]
    due = [(case, kind) for case, kind in due if kind is not None]
    sent = set(
        Notification.objects.filter(
            key__in=[reminder_key(case.pk, kind) for case, kind in due]
        ).values_list("key", flat=True)
    )
    count = 0
    for case, kind in due:
        # The insert in send_reminder decides; skipping known ones only saves the attempt.
        if reminder_key(case.pk, kind) not in sent:
            count += send_reminder(case, kind, today)
    return count


def send_pending_decision_notices(today: date | None = None) -> int:
    """Catch up the decision mails that were never sent (e.g. the queue was down when the
    decision was committed); the count sent."""
    today = today or timezone.localdate()
    since = timezone.make_aware(datetime.combine(today - DECISION_NOTICE_WITHIN, time.min))
    events = (
        CaseEvent.objects.filter(
            to_state__in=[
                CaseState.APPROVED,
                CaseState.REJECTED,
                CaseState.RETURNED,
                CaseState.REVOKED,
            ],
            actor__isnull=False,
            at__gte=since,
        )
        .exclude(notified("case-event:"))
        .values_list("pk", flat=True)
    )
    return sum(send_decision_notice(event_id) for event_id in events)


def run_daily_jobs(today: date | None = None) -> DailyJobCounts:
    """Everything the night does, in order: expire first, so no expired case is reminded."""
    today = today or timezone.localdate()
    return DailyJobCounts(
        expired=expire_due_cases(today),
        expiry_notices=send_expiry_notices(today),
        reminders=send_due_reminders(today),
        decision_notices=send_pending_decision_notices(today),
        round_notices=send_due_round_notices(today),
        report_decision_notices=send_pending_report_decision_notices(today),
        review_digests=send_review_digests(today),
        action_plan_reminders=send_overdue_plan_reminders(today),
    )
