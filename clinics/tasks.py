"""Celery tasks: thin interfaces over the services, nothing more.

Each task imports its service inside its body, so the services may enqueue tasks without
an import cycle between the two.
"""

from dataclasses import asdict
from smtplib import SMTPException

from celery import shared_task


@shared_task
def run_daily_case_jobs() -> dict[str, int]:
    """The nightly job (see halland_utbud/celery.py for when): expiry and reminders."""
    from clinics.services.case_jobs import run_daily_jobs

    return asdict(run_daily_jobs())


# A mail server that is briefly away is retried; the notification record keeps a retry
# from sending twice, and the nightly job catches up what the retries did not.
@shared_task(autoretry_for=(OSError, SMTPException), retry_backoff=True, max_retries=5)
def send_case_decision_notice(event_id: int) -> bool:
    from clinics.notifications import send_decision_notice

    return send_decision_notice(event_id)
