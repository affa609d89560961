"""Taking the snapshots: every indicator of a day, written for the periods it closes or
brings up to date.

A rerun replaces a period's rows in one transaction, so a job killed half-way leaves the
previous complete set; the unique constraint on (indicator, period, dimension, value)
makes a second writer of the same period fail rather than mix its rows in. The rows are
written in one statement, however many there are (``insert_figures``), so the job's
number of queries does not grow with the register either.
"""

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import connection, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from followup.figures import Figures, figures_on
from followup.models import Snapshot
from followup.periods import Period, PeriodError

# The advisory lock of the snapshot writers ("snapshot" in ASCII, as a bigint).
_LOCK_KEY = int.from_bytes(b"snapshot", "big") & 0x7FFF_FFFF_FFFF_FFFF


@dataclass(frozen=True)
class SnapshotResult:
    as_of: date
    periods: tuple[str, ...]
    rows: int  # written per period


def take_snapshots(
    *,
    periods: Iterable[Period] | None = None,
    as_of: date | None = None,
    today: date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> SnapshotResult:
    """Compute every indicator as of one day and replace the snapshots of ``periods``.

    By default the day is the last complete one (yesterday) and the periods are the
    year, quarter and month that hold it: what the nightly job does. Given periods
    without a day, the day is the one they share (``Period.as_of``); every period must
    hold the day, or PeriodError says which does not.
    """
    today = today or timezone.localdate()
    periods = tuple(periods or ())
    if as_of is None:
        days = {period.as_of(today) for period in periods} or {today - timedelta(days=1)}
        if len(days) > 1:
            raise PeriodError(
                _("Periods that are read on different days are computed one at a time.")
            )
        (as_of,) = days
    if as_of >= today:
        # The figures are the state at the end of a day: today's is not known yet.
        raise PeriodError(_("%(day)s has not ended yet.") % {"day": as_of.isoformat()})
    periods = periods or Period.containing(as_of)
    for period in periods:
        if as_of not in period:
            raise PeriodError(
                _("%(day)s is not in the period %(period)s.")
                % {"day": as_of.isoformat(), "period": period.code}
            )
    # The queries run one after the other, outside a transaction, so that a recompute's
    # progress is seen as it goes: a write committed meanwhile (a report approved in the
    # seconds the job runs) may be counted by one source and not yet by another. The
    # figures are of a day that has ended; the timeline of an ended day changes only
    # when a decision is dated back, and the next night's run counts it everywhere.
    figures = figures_on(as_of, progress=progress)
    with transaction.atomic():
        _lock_snapshots()
        for period in periods:
            replace_period(period, figures)
    return SnapshotResult(as_of, tuple(period.code for period in periods), len(figures))


def incomplete_periods(today: date) -> list[Period]:
    """Ended periods whose snapshot is not of their last day: a night the job did not
    run (or failed) on the first day after a period. One query."""
    rows = (
        Snapshot.objects.region()
        .filter(period_end__lt=today)
        .values("period")
        .annotate(as_of=Max("as_of"), period_end=Max("period_end"))
        .filter(as_of__lt=F("period_end"))
        .values_list("period", flat=True)
    )
    return sorted(Period.parse(code) for code in rows)


def take_nightly_snapshots(today: date | None = None) -> list[SnapshotResult]:
    """Yesterday's figures for its year, quarter and month; and, first, the last day of
    any ended period whose snapshot stopped short of it."""
    today = today or timezone.localdate()
    results = []
    by_day: dict[date, list[Period]] = {}
    yesterday = today - timedelta(days=1)
    for period in incomplete_periods(today):
        if yesterday not in period:
            by_day.setdefault(period.end, []).append(period)
    for day, periods in sorted(by_day.items()):
        results.append(take_snapshots(periods=periods, as_of=day, today=today))
    results.append(take_snapshots(today=today))
    return results


def _lock_snapshots() -> None:
    """One writer of snapshots at a time (the nightly job and a recompute by hand):
    without it the second's delete would miss the first's new rows and its insert would
    break the unique constraint. SQLite allows one writer anyway."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])


def replace_period(period: Period, figures: Figures) -> None:
    """Replace the period's snapshot with ``figures``: its old rows go in the same
    transaction as the new ones come."""
    with transaction.atomic():
        Snapshot.objects.of_period(period).delete()
        insert_figures(period, figures, computed_at=timezone.now())


# Each figure's own values, in the order insert_figures sends them (the period's are the
# same for every row and travel as parameters), and the types PostgreSQL reads them as.
_FIGURE_COLUMNS = (
    ("indicator", ""),
    ("dimension", ""),
    ("dimension_value", ""),
    ("dimension_label", ""),
    ("numerator", "::float8"),
    ("denominator", "::float8"),
    ("value", "::float8"),
    ("unit", ""),
)


def insert_figures(period: Period, figures: Figures, *, computed_at: datetime) -> None:
    """Insert the period's rows in one statement, however many there are: the figures
    travel as one JSON document, which the database unpacks. A national register has
    some 70,000 figures a period (most of them by care provider): building model
    instances for ``bulk_create`` took longer than computing them, and on SQLite it
    would take one statement per 999 parameters."""
    if not figures:
        return
    document = json.dumps(
        [
            [
                row.indicator.id,
                row.dimension.value,
                row.dimension_value,
                row.dimension_label,
                row.numerator,
                row.denominator,
                row.value,
                row.indicator.unit.value,
            ]
            for row in figures
        ]
    )
    ops = connection.ops
    constants = {
        "period": period.code,
        "period_kind": period.kind.value,
        "period_start": ops.adapt_datefield_value(period.start),
        "period_end": ops.adapt_datefield_value(period.end),
        "as_of": ops.adapt_datefield_value(figures.as_of),
        "computed_at": ops.adapt_datetimefield_value(computed_at),
        "catalogue_version_id": figures.catalogue_version.pk
        if figures.catalogue_version
        else None,
        "round_id": figures.round.pk if figures.round else None,
    }
    if connection.vendor == "postgresql":
        values = [f"(e ->> {i}){cast}" for i, (_name, cast) in enumerate(_FIGURE_COLUMNS)]
        source = "json_array_elements(%s::json) AS e"
    else:
        values = [f"json_extract(e.value, '$[{i}]')" for i in range(len(_FIGURE_COLUMNS))]
        source = "json_each(%s) AS e"
    columns = [name for name, _cast in _FIGURE_COLUMNS] + list(constants)
    table = ops.quote_name(Snapshot._meta.db_table)
    sql = (
        f"INSERT INTO {table} ({', '.join(ops.quote_name(c) for c in columns)}) "
        f"SELECT {', '.join(values)}, {', '.join(['%s'] * len(constants))} FROM {source}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*constants.values(), document])
