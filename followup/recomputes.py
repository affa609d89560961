"""A recompute of the snapshots by hand: started by a region admin, run by a Celery
worker (in-process in the embedded default), with its progress on the row the page
reads. One is under way at a time (``Recompute.under_way`` is unique): two would only
replace each other's rows."""

import logging
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from clinics import access
from clinics.models import User
from followup import tasks
from followup.models import Recompute, RecomputeState
from followup.periods import Period, PeriodError
from followup.snapshots import take_snapshots
from halland_utbud.errors import ApplicationError, NotAllowed

logger = logging.getLogger(__name__)

_FINISHED = {"under_way": None}


@transaction.atomic
def start_recompute(*, actor: User, period: str = "") -> Recompute:
    """Queue a recompute of ``period`` (empty: yesterday's year, quarter and month); the
    worker starts once this is committed."""
    if not access.is_region_admin(actor):
        raise NotAllowed(_("Only region administrators start a recompute."))
    code = ""
    if period.strip():
        try:
            parsed = Period.parse(period)
            parsed.as_of(timezone.localdate())
        except PeriodError as error:
            raise ApplicationError(str(error), extra={"errors": {"period": str(error)}}) from None
        code = parsed.code
    _give_up_lost()
    try:
        with transaction.atomic():
            recompute = Recompute.objects.create(
                requested_by=actor, requested_at=timezone.now(), period=code
            )
    except IntegrityError:
        raise ApplicationError(
            _("A recompute is already under way; wait until it has finished.")
        ) from None
    # Robust: a queue that is down, or a recompute that fails in-process (the embedded
    # default), is recorded on the row and logged, not shown as an error page.
    transaction.on_commit(lambda: tasks.run_recompute.delay(recompute.pk), robust=True)
    return recompute


def _give_up_lost() -> None:
    """A recompute running longer than the task's time limit, or queued as long without
    starting, has lost its worker (killed, or the message lost): it is marked failed, so
    that a new one may start."""
    limit = timezone.now() - timedelta(seconds=tasks.RECOMPUTE_TIME_LIMIT_S)
    started_before = Q(started_at__lt=limit) | Q(started_at__isnull=True, requested_at__lt=limit)
    Recompute.objects.filter(started_before, under_way=True).update(
        state=RecomputeState.FAILED,
        finished_at=timezone.now(),
        error=_("The worker stopped before the recompute had finished."),
        **_FINISHED,
    )


def run_recompute(recompute_id: int) -> None:
    """Claim the queued recompute (a conditional update: a second delivery of the same
    message finds nothing to claim), compute, and record the result or the failure, each
    only on a recompute still running (one given up meanwhile stays given up)."""
    claimed = Recompute.objects.filter(pk=recompute_id, state=RecomputeState.QUEUED).update(
        state=RecomputeState.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return
    recompute = Recompute.objects.get(pk=recompute_id)
    running = Recompute.objects.filter(pk=recompute_id, state=RecomputeState.RUNNING)

    def progress(done: int, total: int) -> None:
        # Outside the snapshot's transaction: the page sees each step as it is done.
        running.update(done=done, total=total)

    try:
        periods = [Period.parse(recompute.period)] if recompute.period else None
        result = take_snapshots(periods=periods, progress=progress)
    except Exception as error:
        # The page says only that it failed; the operators have the log and the row.
        logger.exception("recompute %s failed", recompute_id)
        running.update(
            state=RecomputeState.FAILED,
            finished_at=timezone.now(),
            error=str(error)[:2000],
            **_FINISHED,
        )
        raise
    running.update(
        state=RecomputeState.DONE,
        finished_at=timezone.now(),
        as_of=result.as_of,
        periods=", ".join(result.periods),
        rows=result.rows,
        **_FINISHED,
    )
