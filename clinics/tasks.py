"""Celery tasks: thin interfaces over the services, nothing more.

Each task imports its service inside its body, so the services may enqueue tasks without
an import cycle between the two.
"""

from dataclasses import asdict
from smtplib import SMTPException

from celery import shared_task


@shared_task
def run_daily_case_jobs() -> dict[str, int]:
    """The nightly job (see halland_utbud/celery.py for when): expiry, reminders, notices
    and the reviewers' digest."""
    from clinics.services.case_jobs import run_daily_jobs

    return asdict(run_daily_jobs())


# A mail server that is briefly away is retried; the notification records keep a retry
# from sending twice, and the nightly job catches up what the retries did not.
_MAIL_RETRIES = {
    "autoretry_for": (OSError, SMTPException),
    "retry_backoff": True,
    "max_retries": 5,
}


@shared_task(**_MAIL_RETRIES)
def send_case_decision_notice(event_id: int) -> bool:
    from clinics.notifications.cases import send_decision_notice

    return send_decision_notice(event_id)


@shared_task(**_MAIL_RETRIES)
def send_report_decision_notice(event_id: int) -> int:
    from clinics.notifications.reports import send_report_decision_notice

    return send_report_decision_notice(event_id)


@shared_task(**_MAIL_RETRIES)
def send_round_opened(round_id: int) -> int:
    from clinics.notifications.rounds import send_round_opened

    return send_round_opened(round_id)


@shared_task(**_MAIL_RETRIES)
def send_manual_round_reminder(round_id: int, press: str, sent_by_id: int) -> int:
    from clinics.notifications.rounds import send_manual_reminder

    return send_manual_reminder(round_id, press, sent_by_id)
