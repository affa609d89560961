import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import task_postrun, task_prerun

from halland_utbud import logs

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "halland_utbud.settings")

app = Celery("halland_utbud")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Every periodic job, in one place. Times are Europe/Stockholm (CELERY_TIMEZONE). On the
# night clocks go forward 02:15 does not occur, and on the night they go back it occurs
# twice: the job catches up a missed night and is idempotent, so both are harmless.
app.conf.beat_schedule = {
    "daily-case-jobs": {
        "task": "clinics.tasks.run_daily_case_jobs",
        "schedule": crontab(hour=2, minute=15),
    },
    # A mail the server refused, once its retry delay is over (clinics.notifications).
    "send-pending-mails": {
        "task": "clinics.tasks.send_pending_mails",
        "schedule": crontab(minute="*/5"),
    },
    # Yesterday is complete by now; a quiet half hour after the case jobs.
    "nightly-indicator-snapshots": {
        "task": "followup.tasks.take_nightly_snapshots",
        "schedule": crontab(hour=2, minute=45),
    },
}


# Every line a task logs names the task (halland_utbud.logs).
@task_prerun.connect
def _name_task_in_logs(task_id=None, task=None, **kwargs) -> None:
    logs.task.set((task_id, task.name))


@task_postrun.connect
def _forget_task_in_logs(**kwargs) -> None:
    logs.task.set(None)
