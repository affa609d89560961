"""Measured usage: the monthly figures per HSA unit from the national e-service statistics,
imported all or nothing, and read beside the clinics' own answers.

A file has the columns ``hsa_id;month;measure;value`` (one row per clinic, month and
measure). Importing a month of a measure replaces everything the region had for it, so a
corrected file is simply imported again; what it replaced is kept, marked replaced. A
clinic without a row for a month that was imported used the measure zero times.
"""

import re
from dataclasses import dataclass
from datetime import date
from typing import IO

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from clinics import access
from clinics.clinic_page import AreaSection, ClinicPage, RequirementRow
from clinics.models import Clinic, User
from clinics.services.clinics_csv import ImportProblem, ImportRejected, read_table, read_text
from followup.models import ImportedVia, Usage, UsageImport, UsageMonth
from followup.vocabulary import UsageMeasure
from halland_utbud.errors import ApplicationError
from requirements.identifiers import hsa_id_error
from requirements.vocabulary import ComplianceStatus

COLUMNS = ("hsa_id", "month", "measure", "value")
# Columns the national statistics carry beside the figures; read past, never stored.
IGNORED_COLUMNS = ("name", "unit_name")

_MONTH = re.compile(r"^(?P<year>\d{4})-(?P<month>0[1-9]|1[0-2])$")
# Digits, optionally grouped by spaces (also no-break spaces) as Swedish files write them.
_COUNT = re.compile(r"^\d{1,3}(?:[ \u00a0\u202f]?\d{3})*$")
# What the database's count column holds (a bigint), with room to spare.
_MAX_DIGITS = 15
_BATCH = 2000


@dataclass(frozen=True)
class UsageRow:
    line: int
    hsa_id: str
    month: date
    measure: str
    value: int


def parse_usage_csv(text: str, *, today: date) -> list[UsageRow]:
    """Every row of the file, checked; raises ImportRejected listing every problem."""
    table = read_table(text, required=COLUMNS, optional=IGNORED_COLUMNS)
    problems = list(table.problems)
    rows: list[UsageRow] = []
    first_lines: dict[tuple[str, date, str], int] = {}
    for line, cells in table.rows:
        row, row_problems = _check_row(line, cells, today)
        if row is not None:
            key = (row.hsa_id, row.month, row.measure)
            first = first_lines.setdefault(key, line)
            if first != line:
                reason = _("%(hsa_id)s has a value for %(measure)s in %(month)s on line %(line)d.")
                params = {**cells, "line": first}
                row_problems.append(ImportProblem(line, "hsa_id", reason % params))
                row = None
        problems.extend(row_problems)
        if row is not None:
            rows.append(row)
    if problems:
        raise ImportRejected(sorted(problems, key=lambda problem: problem.line))
    return rows


def _check_row(
    line: int, cells: dict[str, str], today: date
) -> tuple[UsageRow | None, list[ImportProblem]]:
    problems: list[ImportProblem] = []

    def problem(column: str, reason: str) -> None:
        problems.append(ImportProblem(line, column, reason))

    for column in COLUMNS:
        if not cells[column]:
            problem(column, _("Value missing."))
    hsa_id, measure, value = cells["hsa_id"], cells["measure"], cells["value"]
    if hsa_id and (error := hsa_id_error(hsa_id)):
        problem("hsa_id", str(error))
    month = _month(cells["month"])
    if cells["month"] and month is None:
        problem("month", _("Invalid month “%(month)s”; write YYYY-MM.") % cells)
    elif month is not None and month > today:
        problem("month", _("The month %(month)s has not begun.") % cells)
    if measure and measure not in UsageMeasure.values:
        reason = _("Unknown measure “%(value)s”; allowed values: %(allowed)s.")
        problem("measure", reason % {"value": measure, "allowed": ", ".join(UsageMeasure.values)})
    if value and (not _COUNT.match(value) or len(re.sub(r"\D", "", value)) > _MAX_DIGITS):
        reason = _("“%(value)s” is not a count; write a whole number of 0 or more.")
        problem("value", reason % {"value": value})
    if problems:
        return None, problems
    return UsageRow(line, hsa_id, month, measure, int(re.sub(r"\D", "", value))), []


def _month(value: str) -> date | None:
    match = _MONTH.match(value)
    return date(int(match["year"]), int(match["month"]), 1) if match else None


@transaction.atomic
def import_usage(
    stream_or_text: str | bytes | IO,
    *,
    actor: User | None,
    file_name: str,
    operator: str = "",
) -> UsageImport:
    """Import a usage file, all or nothing: every month and measure in it replaces what
    the region had for that month and measure. ``actor`` is the region admin who uploaded
    it, or None for the command (``operator`` then names who ran it)."""
    if actor is not None:
        access.check_may_import_usage(actor)
    rows = parse_usage_csv(read_text(stream_or_text), today=timezone.localdate())
    if not rows:
        raise ImportRejected([ImportProblem(2, "", _("The file has no rows of usage."))])
    clinics = dict(
        Clinic.objects.filter(hsa_id__in={row.hsa_id for row in rows}).values_list("hsa_id", "pk")
    )
    unknown = [
        ImportProblem(
            row.line,
            "hsa_id",
            _("No clinic in the register has the HSA-id %(hsa_id)s.") % {"hsa_id": row.hsa_id},
        )
        for row in rows
        if row.hsa_id not in clinics
    ]
    if unknown:
        raise ImportRejected(unknown)

    months = sorted({(row.month, row.measure) for row in rows})
    covered = _covering(months)
    usage_import = UsageImport.objects.create(
        imported_by=actor,
        via=ImportedVia.UPLOAD if actor is not None else ImportedVia.COMMAND,
        operator=operator,
        imported_at=timezone.now(),
        file_name=file_name[:255],
        rows=len(rows),
        months=", ".join(f"{month:%Y-%m} {measure}" for month, measure in months),
    )
    try:
        with transaction.atomic():
            replaced = Usage.objects.current().filter(covered).update(replaced_by=usage_import)
            UsageMonth.objects.filter(covered).delete()
            UsageMonth.objects.bulk_create(
                UsageMonth(month=month, measure=measure, usage_import=usage_import)
                for month, measure in months
            )
            Usage.objects.bulk_create(
                (
                    Usage(
                        clinic_id=clinics[row.hsa_id],
                        month=row.month,
                        measure=row.measure,
                        value=row.value,
                        usage_import=usage_import,
                    )
                    for row in rows
                ),
                batch_size=_BATCH,
            )
    except IntegrityError:
        # Another import of the same month committed between our delete and our insert.
        raise ApplicationError(
            _(
                "Someone else imported usage for the same months at the same time. Nothing "
                "was imported; import the file again."
            )
        ) from None
    usage_import.replaced = replaced
    usage_import.save(update_fields=["replaced"])
    return usage_import


def _covering(months: list[tuple[date, str]]) -> Q:
    """The rows of these months and measures: one condition per measure."""
    by_measure: dict[str, list[date]] = {}
    for month, measure in months:
        by_measure.setdefault(measure, []).append(month)
    condition = Q(pk__in=[])
    for measure, measure_months in by_measure.items():
        condition |= Q(measure=measure, month__in=measure_months)
    return condition


# Reading a clinic's usage.

# The months of usage the clinic page shows, the latest first.
SHOWN_MONTHS = 3


@dataclass(frozen=True)
class MeasureUsage:
    measure: UsageMeasure
    # (month, count) for the latest months the region has figures for, the latest first;
    # the count is 0 for a month imported without a row for the clinic.
    months: tuple[tuple[date, int], ...]

    @property
    def latest(self) -> int | None:
        return self.months[0][1] if self.months else None


def clinic_usage(clinic_id: int, *, up_to: date) -> list[MeasureUsage]:
    """Each measure's latest months with figures, up to ``up_to``'s month, in two queries
    whatever the number of months or measures."""
    covered: dict[str, list[date]] = {}
    imported = UsageMonth.objects.filter(month__lte=up_to).order_by("-month")
    for month, measure in imported.values_list("month", "measure"):
        if len(covered.setdefault(measure, [])) < SHOWN_MONTHS:
            covered[measure].append(month)
    counts = {
        (measure, month): value
        for measure, month, value in Usage.objects.current()
        .filter(clinic_id=clinic_id, month__in={m for months in covered.values() for m in months})
        .values_list("measure", "month", "value")
    }
    return [
        MeasureUsage(
            measure=measure,
            months=tuple(
                (month, counts.get((measure.value, month), 0))
                for month in covered.get(measure.value, [])
            ),
        )
        for measure in UsageMeasure
    ]


@dataclass(frozen=True)
class UsageBesideAnswer:
    """A measure's usage at a clinic beside what the clinic answered about the service."""

    usage: MeasureUsage
    # The requirement or area the usage bears out, as the clinic page has it; None if the
    # catalogue in force does not have it.
    requirement_row: RequirementRow | None
    area_section: AreaSection | None

    @property
    def claims_service(self) -> bool:
        """The clinic says it offers the service: the requirement met by its own answer,
        or at least one of the area's services met (as the usage indicators count)."""
        if self.requirement_row is not None:
            return self.requirement_row.result.status == ComplianceStatus.COMPLIANT
        return self.area_section is not None and self.area_section.result.met > 0

    @property
    def mismatch(self) -> bool:
        """Answered met, used zero times in the latest month with figures."""
        return self.claims_service and self.usage.latest == 0


def usage_beside_answers(page: ClinicPage) -> list[UsageBesideAnswer] | None:
    """The clinic's usage beside its answers on the page's day; None when the region has
    no usage figures up to that day."""
    usages = clinic_usage(page.clinic.pk, up_to=page.on_date)
    if not any(usage.months for usage in usages):
        return None
    rows = {row.requirement.code: row for section in page.sections for row in section.rows}
    areas = {section.area.code: section for section in page.sections}
    return [
        UsageBesideAnswer(
            usage=usage,
            requirement_row=rows.get(usage.measure.evidences),
            area_section=areas.get(usage.measure.evidences),
        )
        for usage in usages
    ]
