"""The reviewers' daily digest: one mail a day to each reviewer listing the reports and
exemption cases submitted since their last digest, instead of a mail for each."""

from datetime import date, timedelta

from django.db.models import Max
from django.utils import timezone

from clinics.models import (
    CaseEvent,
    CaseState,
    Notification,
    NotificationKind,
    ReportEvent,
    ReportState,
)
from clinics.notifications.delivery import compose, deliver, reviewers, site_url

# A reviewer's first digest looks back one day.
FIRST_DIGEST_SINCE = timedelta(days=1)


def send_review_digests(today: date) -> int:
    """Today's digest to each reviewer who has something new to review, once a day; the
    number of mails. Five queries however many reports were submitted."""
    now = timezone.now()
    people = reviewers()
    last = dict(
        Notification.objects.filter(
            recipient__in=[user.pk for user in people], kind=NotificationKind.REVIEW_DIGEST
        )
        .values("recipient_id")
        .annotate(at=Max("created_at"))
        .values_list("recipient_id", "at")
    )
    since = {user.pk: last.get(user.pk, now - FIRST_DIGEST_SINCE) for user in people}
    if not people:
        return 0
    earliest = min(since.values())
    reports = list(
        ReportEvent.objects.filter(to_state=ReportState.SUBMITTED, at__gt=earliest, at__lte=now)
        .select_related("report__clinic")
        .order_by("at", "pk")
    )
    cases = list(
        CaseEvent.objects.filter(to_state=CaseState.SUBMITTED, at__gt=earliest, at__lte=now)
        .select_related("case__clinic", "case__requirement")
        .order_by("at", "pk")
    )
    link = site_url("review_queue")
    mails = []
    for user in people:
        new_reports = [event for event in reports if event.at > since[user.pk]]
        new_cases = [event for event in cases if event.at > since[user.pk]]
        if new_reports or new_cases:
            mails.append(
                compose(
                    "review_digest",
                    {
                        "reports": new_reports,
                        "cases": new_cases,
                        "count": len(new_reports) + len(new_cases),
                        "case_link": site_url("case_queue"),
                    },
                    recipient=user,
                    kind=NotificationKind.REVIEW_DIGEST,
                    key=f"digest:{today.isoformat()}",
                    link=link,
                )
            )
    # Recorded as of ``now``: the next digest starts where this one's events ended.
    return deliver(mails, at=now)
