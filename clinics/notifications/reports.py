"""E-mail to a clinic's reporters when a reviewer returns or approves its report."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from clinics.models import Clinic, NotificationKind, ReportEvent, ReportState
from clinics.notifications.delivery import compose, deliver, notified, reporters_of, site_url

_KINDS = {
    ReportState.RETURNED: NotificationKind.REPORT_RETURNED,
    ReportState.APPROVED: NotificationKind.REPORT_APPROVED,
}
# As for exemption decisions: a week late, the mail is no longer worth sending.
DECISION_NOTICE_WITHIN = timedelta(days=7)


def send_report_decision_notice(event_id: int) -> int:
    """Tell the clinic's reporters that its report was returned or approved (the event
    ``event_id``), once each; the number of mails."""
    event = ReportEvent.objects.select_related("report__clinic", "report__round").get(pk=event_id)
    kind = _KINDS.get(event.to_state)
    if kind is None:
        return 0
    report = event.report
    # A returned report is corrected in its form; an approved one is read on the clinic page.
    link = (
        site_url("report_edit", report.pk)
        if kind == NotificationKind.REPORT_RETURNED
        else site_url("clinic_detail", report.clinic_id)
    )
    return deliver(
        compose(
            "report_decision",
            {
                "report": report,
                "event": event,
                # Approved, or else returned: the templates choose their text by it.
                "approved": kind == NotificationKind.REPORT_APPROVED,
            },
            recipient=user,
            kind=kind,
            key=f"report-event:{event.pk}",
            link=link,
        )
        for user in reporters_of(Clinic.objects.filter(pk=report.clinic_id))
    )


def send_pending_report_decision_notices(today: date) -> int:
    """Catch up the mails of decisions whose queued task never ran; the number of mails."""
    since = timezone.make_aware(datetime.combine(today - DECISION_NOTICE_WITHIN, time.min))
    events = (
        ReportEvent.objects.filter(to_state__in=list(_KINDS), at__gte=since)
        .exclude(notified("report-event:"))
        .values_list("pk", flat=True)
    )
    return sum(send_report_decision_notice(event_id) for event_id in events)
