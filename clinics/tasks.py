"""Celery tasks: thin interfaces over the services, nothing more.

Each task imports its service inside its body, so the services may enqueue tasks without
an import cycle between the two.
"""

from dataclasses import asdict

from celery import shared_task

# The nightly job may take longer than the default limits (settings: CELERY_TASK_*) allow
# at 20,000 clinics; it still ends before the next night's, and a rerun picks up the rest.
NIGHTLY_TIME_LIMIT_S = 30 * 60


@shared_task(time_limit=NIGHTLY_TIME_LIMIT_S, soft_time_limit=25 * 60)
def run_daily_case_jobs() -> dict[str, int]:
    """The nightly job (see halland_utbud/celery.py for when): expiry, reminders, notices
    and the reviewers' digest."""
    from clinics.services.case_jobs import run_daily_jobs

    return asdict(run_daily_jobs())


@shared_task
def send_pending_mails() -> int:
    """Every few minutes (halland_utbud/celery.py): the mails a mail server refused, once
    their retry delay is over, and any a killed worker left; each still sent once."""
    from clinics.notifications.delivery import send_pending

    return send_pending()


# The mail tasks need no retries of their own: a mail the server refuses stays recorded and
# send_pending_mails tries it again with a growing delay; a rerun of the task records
# nothing new and sends nothing.
@shared_task
def send_case_decision_notice(event_id: int) -> bool:
    from clinics.notifications.cases import send_decision_notice

    return send_decision_notice(event_id)


@shared_task
def send_report_decision_notice(event_id: int) -> int:
    from clinics.notifications.reports import send_report_decision_notice

    return send_report_decision_notice(event_id)


@shared_task
def send_round_opened(round_id: int) -> int:
    from clinics.notifications.rounds import send_round_opened

    return send_round_opened(round_id)


@shared_task
def send_manual_round_reminder(round_id: int, press: str, sent_by_id: int) -> int:
    from clinics.notifications.rounds import send_manual_reminder

    return send_manual_reminder(round_id, press, sent_by_id)
