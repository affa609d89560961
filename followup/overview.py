"""The region overview: every clinic a user may see, judged against the seven areas of the
baseline on a day, with totals over the whole filtered view. The page and its downloads
read through here, so a download is exactly the view on screen.

Everything is read from the clinics' status rows on the day, which hold each area's status
too: the totals are one ``GROUP BY`` over them (its groups are the combinations of
statuses that occur, a few hundred however many clinics there are), a page is its ids in
the chosen order and then its rows, and sorting by any column happens in the database.
Nothing is evaluated in Python, so the page costs about the same for 20,000 clinics as for
200.
"""

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property

from django.core.paginator import Page, Paginator
from django.db.models import BooleanField, Count, ExpressionWrapper, Q, QuerySet

from clinics.models import ClinicStatusPeriod, ReportingStatus
from clinics.models.timeline import decode_area_statuses
from clinics.selectors import reporting_status
from followup.filters import (
    ClinicSelection,
    Sort,
    rows_in_order,
    selected_clinics,
    sorted_clinics,
    with_report_states,
)
from requirements.compliance import share_of
from requirements.models import Area, CatalogueVersion
from requirements.selectors import catalogue_in_force
from requirements.vocabulary import AreaStatus

PAGE_SIZE = 50
# A row shows the clinic (its HSA-id and page) and its provider on the day.
_RELATED = ("clinic", "provider")


@dataclass(frozen=True)
class AreaColumn:
    code: str
    name: str


@dataclass(frozen=True)
class OverviewRow:
    """One clinic on the day: its status row (with the clinic and its provider then)."""

    period: ClinicStatusPeriod
    cells: tuple[AreaStatus | None, ...]

    @property
    def clinic(self):
        return self.period.clinic

    @property
    def approved_on(self) -> datetime | None:
        """When the approved report that counts on the day was approved; None if none."""
        return self.period.approved_on

    @property
    def reporting(self) -> ReportingStatus:
        """Where the clinic's reporting under way stands, as it is now."""
        return ReportingStatus(self.period.reporting or ReportingStatus.NONE)

    @property
    def judged(self) -> bool:
        return self.period.catalogue_version_id is not None

    @property
    def meets_baseline(self) -> bool | None:
        return self.period.meets_baseline

    @property
    def meets_general(self) -> bool | None:
        return self.period.meets_general

    @property
    def met(self) -> int | None:
        return self.period.met

    @property
    def applicable(self) -> int | None:
        return self.period.applicable

    @property
    def share(self) -> float | None:
        return share_of(self.met, self.applicable)


@dataclass(frozen=True)
class AreaTotal:
    """How many clinics of the view have each status in one area."""

    area: AreaColumn
    met: int = 0
    not_met: int = 0
    not_reported: int = 0
    not_applicable: int = 0


@dataclass(frozen=True)
class ReportingTotal:
    status: ReportingStatus
    count: int

    @property
    def label(self) -> str:
        return str(self.status.label)


@dataclass(frozen=True)
class Totals:
    clinics: int
    # Clinics judged against a catalogue (all of them, unless none was in force).
    judged: int
    meets_baseline: int
    areas: tuple[AreaTotal, ...]
    # What counts: clinics with an approved report in force on the day.
    with_approved_report: int
    # Where the reporting under way stands, as it is now.
    reporting: tuple[ReportingTotal, ...]
    # Clinics with at least one approved exemption or platform approval in force.
    with_exemption: int = 0

    @property
    def fails_baseline(self) -> int:
        return self.judged - self.meets_baseline


def totals(rows: QuerySet[ClinicStatusPeriod], areas: tuple[AreaColumn, ...]) -> Totals:
    """The view's totals in one query: the day's rows grouped by what is counted, both
    states of the clinic's reporting included.

    The groups are the combinations of statuses that occur, not the clinics: some seven
    hundred for the 20,000 clinics of the national demo, so the sums here cost nothing
    beside the query.
    """
    groups = (
        rows.order_by()
        .annotate(
            judged=ExpressionWrapper(Q(catalogue_version__isnull=False), BooleanField()),
            exempted=ExpressionWrapper(Q(exemptions_in_force__gt=0), BooleanField()),
            approved=ExpressionWrapper(Q(report__isnull=False), BooleanField()),
            # Joined only where it may be under way (see LatestReportUnderWay).
            reporting=reporting_status("latest_report_under_way"),
        )
        .values("judged", "meets_baseline", "exempted", "approved", "area_statuses", "reporting")
        .annotate(count=Count("pk"))
    )
    clinics = judged = meets = exempted = approved = 0
    by_area: dict[str, Counter] = {area.code: Counter() for area in areas}
    by_state: Counter = Counter()
    # A combination of area statuses recurs in several groups: each is decoded once.
    by_statuses: Counter = Counter()
    for group in groups:
        count = group["count"]
        clinics += count
        judged += count if group["judged"] else 0
        meets += count if group["meets_baseline"] else 0
        exempted += count if group["exempted"] else 0
        approved += count if group["approved"] else 0
        by_state[group["reporting"] or ReportingStatus.NONE] += count
        by_statuses[group["area_statuses"]] += count
    for text, count in by_statuses.items():
        for code, status in decode_area_statuses(text).items():
            if code in by_area:
                by_area[code][status] += count
    return Totals(
        clinics=clinics,
        judged=judged,
        meets_baseline=meets,
        with_exemption=exempted,
        areas=tuple(
            AreaTotal(area, **{status: by_area[area.code][status] for status in AreaStatus})
            for area in areas
        ),
        with_approved_report=approved,
        reporting=tuple(ReportingTotal(status, by_state[status]) for status in ReportingStatus),
    )


class _CountedPaginator(Paginator):
    """A paginator told the count (from the totals) rather than asking the database."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self.__dict__["count"] = count


@dataclass(frozen=True)
class Overview:
    selection: ClinicSelection
    sort: Sort
    catalogue: CatalogueVersion | None
    areas: tuple[AreaColumn, ...]
    # Every selected clinic's row on the day, in the chosen order.
    clinics: QuerySet[ClinicStatusPeriod]

    @property
    def on_date(self) -> date:
        return self.selection.on_date

    @cached_property
    def totals(self) -> Totals:
        return totals(self.clinics, self.areas)

    def _row(self, period: ClinicStatusPeriod) -> OverviewRow:
        statuses = period.statuses
        return OverviewRow(
            period,
            tuple(
                AreaStatus(statuses[area.code]) if area.code in statuses else None
                for area in self.areas
            ),
        )

    def page(self, number) -> tuple[Page, list[OverviewRow]]:
        """One page of the table: its clinics' ids in order, then their rows (the count
        comes from the totals)."""
        page = _CountedPaginator(self.clinics, PAGE_SIZE, count=self.totals.clinics).get_page(
            number
        )
        if not page.paginator.count:
            return page, []
        start = (page.number - 1) * PAGE_SIZE
        ids = list(self.clinics.values_list("pk", flat=True)[start : start + PAGE_SIZE])
        return page, [self._row(row) for row in rows_in_order(ids, *_RELATED)]

    def all_rows(self) -> Iterator[OverviewRow]:
        """Every row, in order, streamed from the database in one query."""
        rows = with_report_states(self.clinics).select_related(*_RELATED)
        for period in rows.iterator(chunk_size=2000):
            yield self._row(period)


Columns = tuple[CatalogueVersion | None, tuple[AreaColumn, ...]]


def baseline_columns(day: date) -> Columns:
    """The catalogue version in force on ``day`` and its baseline areas, in order."""
    version = catalogue_in_force(day)
    if version is None:
        return None, ()
    areas = Area.objects.filter(version=version, in_baseline=True).order_by("position")
    return version, tuple(AreaColumn(area.code, area.name) for area in areas)


def build_overview(
    selection: ClinicSelection, sort: str | None, *, columns: Columns | None = None
) -> Overview:
    """The overview of the selection, sorted as ``sort`` says (``-share``, ``area:npo``...;
    an unknown sort sorts by name). ``columns`` are ``baseline_columns`` of the day, if the
    caller has read them already."""
    version, areas = columns if columns is not None else baseline_columns(selection.on_date)
    order = Sort.parse(sort, [area.code for area in areas])
    return Overview(
        selection, order, version, areas, sorted_clinics(selected_clinics(selection), order)
    )
