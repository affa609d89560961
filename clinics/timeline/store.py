"""Writing the compliance timelines: the affected clinics' after each write that changes
their inputs, in the writer's own transaction, or every clinic's at once.

A clinic's rows are replaced whole: its inputs are read, ``requirements.timeline`` derives
its intervals, and the old rows give way to the new. The clinic's row in the register is
the lock: a writer locks the clinics it rewrites before it reads anything, and a full
rebuild locks them all, so two writers of the same clinic take turns and the second reads
what the first committed (the catalogue included). Readers never wait: they see the old
rows until the writer commits. On PostgreSQL the rows go in with ``COPY``; a full rebuild
of 20,000 clinics is bound by reading the answers, not by writing a million rows.
"""

import gc
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection, transaction

from clinics.models import AreaStatusPeriod, Clinic, ClinicStatusPeriod, RequirementStatusPeriod
from clinics.models.timeline import encode_area_statuses
from clinics.timeline.inputs import ClinicScope, read_inputs
from halland_utbud.batches import batched
from requirements.selectors import catalogue_editions
from requirements.timeline import (
    AreaInterval,
    CatalogueEdition,
    RequirementInterval,
    Timeline,
    derive_timeline,
)

# Clinics read and written together: large enough that the queries per batch vanish in
# the rows, small enough that a batch of answers (about 40 a clinic) stays in memory.
BATCH = 2000
# Clinics locked and rewritten together by a service (an import may touch thousands).
_REWRITE_BATCH = 500

_CLINIC_COLUMNS = (
    "clinic_id",
    "valid_from",
    "valid_to",
    "catalogue_version_id",
    "name",
    "kind",
    "care_type",
    "municipality_code",
    "contract_form",
    "provider_id",
    "provider_kind",
    "active",
    "meets_baseline",
    "met",
    "applicable",
    "report_id",
    "exemptions_in_force",
    "area_statuses",
    "meets_general",
)
# The area and requirement intervals are written as they are, after their clinic: their
# columns are named after the intervals' own fields, so the two cannot fall out of step.
_COLUMN_OF_FIELD = {"version_id": "catalogue_version_id"}
_AREA_COLUMNS = (
    "clinic_id",
    *(_COLUMN_OF_FIELD.get(f, "area_code" if f == "code" else f) for f in AreaInterval._fields),
)
_REQUIREMENT_COLUMNS = (
    "clinic_id",
    *(
        _COLUMN_OF_FIELD.get(f, "requirement_code" if f == "code" else f)
        for f in RequirementInterval._fields
    ),
)
_TABLES = (
    (ClinicStatusPeriod, _CLINIC_COLUMNS),
    (AreaStatusPeriod, _AREA_COLUMNS),
    (RequirementStatusPeriod, _REQUIREMENT_COLUMNS),
)


@dataclass(frozen=True)
class WrittenRows:
    clinics: int = 0
    clinic_rows: int = 0
    area_rows: int = 0
    requirement_rows: int = 0

    def __add__(self, other: "WrittenRows") -> "WrittenRows":
        return WrittenRows(
            self.clinics + other.clinics,
            self.clinic_rows + other.clinic_rows,
            self.area_rows + other.area_rows,
            self.requirement_rows + other.requirement_rows,
        )


def _clinic_rows(timeline: Timeline) -> Iterator[tuple]:
    for interval in timeline.clinic:
        attributes = interval.attributes
        yield (
            timeline.clinic_id,
            interval.valid_from,
            interval.valid_to,
            interval.version_id,
            attributes.name,
            attributes.kind,
            attributes.care_type,
            attributes.municipality_code,
            attributes.contract_form,
            attributes.provider_id,
            attributes.provider_kind,
            interval.active,
            interval.meets_baseline,
            interval.met,
            interval.applicable,
            interval.report_id,
            interval.exemptions_in_force,
            encode_area_statuses(interval.area_statuses),
            interval.meets_general,
        )


def _area_rows(timeline: Timeline) -> Iterator[tuple]:
    return ((timeline.clinic_id, *interval) for interval in timeline.areas)


def _requirement_rows(timeline: Timeline) -> Iterator[tuple]:
    return ((timeline.clinic_id, *interval) for interval in timeline.requirements)


_ROWS = (_clinic_rows, _area_rows, _requirement_rows)


def _insert(model, columns: Sequence[str], rows: list[tuple]) -> None:
    if not rows:
        return
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(model._meta.db_table)
        names = ", ".join(connection.ops.quote_name(column) for column in columns)
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    model.objects.bulk_create(
        (model(**dict(zip(columns, row, strict=True))) for row in rows), batch_size=500
    )


def _write(timelines: list[Timeline]) -> WrittenRows:
    counts = []
    for (model, columns), rows_of in zip(_TABLES, _ROWS, strict=True):
        rows = [row for timeline in timelines for row in rows_of(timeline)]
        _insert(model, columns, rows)
        counts.append(len(rows))
    return WrittenRows(len(timelines), *counts)


def _derive(scope: ClinicScope, catalogue: tuple[CatalogueEdition, ...]) -> list[Timeline]:
    return [derive_timeline(inputs) for inputs in read_inputs(scope, catalogue).values()]


@contextmanager
def _without_cycle_collection():
    """A bulk derivation allocates millions of small tuples and frees them by reference
    counting; Python's cycle collector, run every few hundred allocations, only walks them.
    Paused, a full rebuild of 20,000 clinics took 8 s less (measured)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _lock(clinic_ids: Sequence[int] | None = None) -> None:
    """Lock the clinics' register rows, in id order so that two writers cannot deadlock;
    all of them when no ids are given."""
    clinics = Clinic.objects.select_for_update().order_by("pk")
    if clinic_ids is not None:
        clinics = clinics.filter(pk__in=clinic_ids)
    list(clinics.values_list("pk", flat=True))


@transaction.atomic
def rewrite_timelines(clinic_ids: Iterable[int]) -> WrittenRows:
    """Rewrite the timelines of these clinics from their sources.

    Call it inside the transaction of the write that changed their inputs: the new rows
    commit with it or not at all, so no read ever sees a stale timeline.
    """
    ids = sorted(set(clinic_ids))
    written = WrittenRows()
    catalogue = None
    for chunk in batched(ids, _REWRITE_BATCH):
        _lock(chunk)
        # Read under the lock: a rebuild for a new catalogue version may have just
        # committed while this writer waited for it.
        catalogue = catalogue if catalogue is not None else catalogue_editions()
        for model, _columns in _TABLES:
            model.objects.filter(clinic_id__in=chunk).delete()
        written += _write(_derive(ClinicScope(ids=tuple(chunk)), catalogue))
    return written


@transaction.atomic
def rebuild_all(*, batch: int = BATCH) -> WrittenRows:
    """Every clinic's timeline anew from the sources, in one transaction: readers see the
    old rows until it commits, writers wait for it, and a rebuild that fails half-way
    leaves the timeline as it was."""
    _lock()
    catalogue = catalogue_editions()
    for model, _columns in _TABLES:
        model.objects.all().delete()
    ids = list(Clinic.objects.order_by("pk").values_list("pk", flat=True))
    written = WrittenRows()
    with _without_cycle_collection():
        for chunk in batched(ids, batch):
            written += _write(_derive(ClinicScope(first=chunk[0], last=chunk[-1]), catalogue))
    _analyze()
    return written


def vacuum() -> None:
    """After a full rebuild, outside its transaction: PostgreSQL marks the reloaded pages
    all-visible and sets their hint bits now, instead of during the first requests that
    read them (which measured 1.5-2 times slower until autovacuum came round)."""
    # VACUUM cannot run inside a transaction (a caller's, or a test's): autovacuum will.
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        for model, _columns in _TABLES:
            cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def _analyze() -> None:
    """Fresh planner statistics for the reloaded tables: with those of the emptied ones,
    PostgreSQL planned the overview's totals for a tenth of the rows, sorted them on disk
    and took three times as long (measured at 20,000 clinics)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model, _columns in _TABLES:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
