"""Celery tasks of the follow-up: thin interfaces over its services."""

from dataclasses import asdict

from celery import shared_task

RECOMPUTE_TIME_LIMIT_S = 30 * 60


# acks_late (with CELERY_TASK_REJECT_ON_WORKER_LOST): a worker that dies mid-way leaves
# the message for the next one, and the rerun replaces the period's rows whole. The time
# limit stops a computation stuck on a lock before the next night's begins; at 20,000
# clinics it takes seconds.
@shared_task(acks_late=True, time_limit=RECOMPUTE_TIME_LIMIT_S, soft_time_limit=25 * 60)
def take_nightly_snapshots() -> list[dict]:
    """The nightly job (halland_utbud/celery.py): yesterday's figures for its year,
    quarter and month, after any ended period left short of its last day."""
    from followup.snapshots import take_nightly_snapshots as take

    return [asdict(result) | {"as_of": result.as_of.isoformat()} for result in take()]


@shared_task(acks_late=True, time_limit=RECOMPUTE_TIME_LIMIT_S, soft_time_limit=25 * 60)
def run_recompute(recompute_id: int) -> None:
    """A recompute started from the follow-up page (followup.recomputes)."""
    from followup.recomputes import run_recompute as run

    run(recompute_id)
