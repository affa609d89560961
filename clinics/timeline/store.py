"""Writing the compliance timelines: the affected clinics' after each write that changes
their inputs, in the writer's own transaction, or every clinic's at once.

A clinic's rows are replaced whole: its inputs are read, ``requirements.timeline`` derives
its intervals, and the old rows give way to the new. The clinic's row is locked first, so
two writers changing the same clinic take turns and the second reads what the first
committed. On PostgreSQL the rows go in with ``COPY``; a full rebuild of 20,000 clinics is
bound by reading the answers, not by writing a million rows.
"""

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from django.db import connection, transaction

from clinics.models import AreaStatusPeriod, Clinic, ClinicStatusPeriod, RequirementStatusPeriod
from clinics.timeline.inputs import ClinicScope, read_inputs
from requirements.selectors import catalogue_editions
from requirements.timeline import CatalogueEdition, Timeline, derive_timeline

# Clinics read and written together: large enough that the queries per batch vanish in
# the rows, small enough that a batch of answers (about 40 a clinic) stays in memory.
BATCH = 2000

_CLINIC_COLUMNS = (
    "clinic_id",
    "valid_from",
    "valid_to",
    "catalogue_version_id",
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
)
_AREA_COLUMNS = (
    "clinic_id",
    "valid_from",
    "valid_to",
    "catalogue_version_id",
    "area_id",
    "area_code",
    "in_baseline",
    "status",
    "met",
    "applicable",
)
_REQUIREMENT_COLUMNS = (
    "clinic_id",
    "valid_from",
    "valid_to",
    "catalogue_version_id",
    "requirement_id",
    "requirement_code",
    "area_code",
    "status",
    "answer_id",
    "answer_status",
    "channel",
    "case_id",
    "exemption_kind",
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
        )


# The area and requirement intervals hold their columns in the tables' order.
def _area_rows(timeline: Timeline) -> Iterator[tuple]:
    return ((timeline.clinic_id, *interval) for interval in timeline.areas)


def _requirement_rows(timeline: Timeline) -> Iterator[tuple]:
    return ((timeline.clinic_id, *interval) for interval in timeline.requirements)


_ROWS = (_clinic_rows, _area_rows, _requirement_rows)


def batched(items: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


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


@transaction.atomic
def rewrite_timelines(clinic_ids: Iterable[int]) -> WrittenRows:
    """Rewrite the timelines of these clinics from their sources.

    Call it inside the transaction of the write that changed their inputs: the new rows
    commit with it or not at all, so no read ever sees a stale timeline.
    """
    ids = sorted(set(clinic_ids))
    written = WrittenRows()
    if not ids:
        return written
    catalogue = catalogue_editions()
    for chunk in batched(ids, 500):
        # In id order, so two writers locking overlapping sets cannot deadlock.
        list(Clinic.objects.select_for_update().filter(pk__in=chunk).order_by("pk").values("pk"))
        scope = ClinicScope(ids=tuple(chunk))
        for model, _columns in _TABLES:
            model.objects.filter(clinic_id__in=chunk).delete()
        written += _write(_derive(scope, catalogue))
    return written


def _delete_all() -> None:
    if connection.vendor == "postgresql":
        tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m, _c in _TABLES)
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {tables}")
        return
    for model, _columns in _TABLES:
        model.objects.all().delete()


@transaction.atomic
def rebuild_all(*, batch: int = BATCH) -> WrittenRows:
    """Every clinic's timeline anew from the sources, in one transaction: a rebuild that
    fails half-way leaves the timeline as it was."""
    _delete_all()
    catalogue = catalogue_editions()
    ids = list(Clinic.objects.order_by("pk").values_list("pk", flat=True))
    written = WrittenRows()
    for chunk in batched(ids, batch):
        written += _write(_derive(ClinicScope(first=chunk[0], last=chunk[-1]), catalogue))
    return written
