"""The region overview: every clinic a user may see, judged against the seven areas of the
baseline on a day, with totals over the whole filtered view. The page and its downloads
read through here, so a download is exactly the view on screen.

Everything is read from the stored timeline in a fixed number of queries: the totals are
``GROUP BY`` over the day's rows, a row's area cells are joins on the day's area rows,
and sorting by any column happens in the database. Nothing is evaluated in Python, so the
page costs about the same for 20,000 clinics as for 200.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from clinics.models import AreaStatusPeriod, ClinicStatusPeriod, ReportState
from followup.filters import (
    NO_REPORT,
    ClinicSelection,
    Sort,
    area_on,
    latest_report_state,
    selected_clinics,
    sorted_clinics,
)
from requirements.models import Area, CatalogueVersion
from requirements.selectors import catalogue_in_force
from requirements.vocabulary import AreaStatus

PAGE_SIZE = 50


@dataclass(frozen=True)
class AreaColumn:
    code: str
    name: str

    @property
    def alias(self) -> str:
        return f"area_{self.code}"


@dataclass(frozen=True)
class OverviewRow:
    """One clinic on the day: its status row (with the clinic and its provider then)."""

    period: ClinicStatusPeriod
    cells: tuple[AreaStatus | None, ...]

    @property
    def clinic(self):
        return self.period.clinic

    @property
    def report_state(self) -> str | None:
        return self.period.report_state

    @property
    def judged(self) -> bool:
        return self.period.catalogue_version_id is not None

    @property
    def meets_baseline(self) -> bool | None:
        return self.period.meets_baseline

    @property
    def met(self) -> int | None:
        return self.period.met

    @property
    def applicable(self) -> int | None:
        return self.period.applicable

    @property
    def share(self) -> float | None:
        return self.met / self.applicable if self.applicable else None

    @property
    def report_state_label(self) -> str:
        if self.report_state is None:
            return str(_("No report"))
        return str(ReportState(self.report_state).label)


@dataclass(frozen=True)
class AreaTotal:
    """How many clinics of the view have each status in one area."""

    area: AreaColumn
    met: int = 0
    not_met: int = 0
    not_reported: int = 0
    not_applicable: int = 0


@dataclass(frozen=True)
class ReportStateTotal:
    state: str  # a ReportState value, or NO_REPORT
    label: str
    count: int


@dataclass(frozen=True)
class Totals:
    clinics: int
    # Clinics judged against a catalogue (all of them, unless none was in force).
    judged: int
    meets_baseline: int
    areas: tuple[AreaTotal, ...]
    report_states: tuple[ReportStateTotal, ...]
    # Clinics with at least one approved exemption or platform approval in force.
    with_exemption: int = 0

    @property
    def fails_baseline(self) -> int:
        return self.judged - self.meets_baseline


def _report_state_totals(rows: QuerySet[ClinicStatusPeriod]) -> tuple[ReportStateTotal, ...]:
    counts = {
        row["state"]: row["count"]
        for row in rows.order_by()
        .annotate(state=latest_report_state())
        .values("state")
        .annotate(count=Count("pk"))
    }
    return (
        ReportStateTotal(NO_REPORT, str(_("No report")), counts.get(None, 0)),
        *(
            ReportStateTotal(state, str(label), counts.get(state, 0))
            for state, label in ReportState.choices
        ),
    )


def _area_totals(
    rows: QuerySet[ClinicStatusPeriod], day: date, areas: tuple[AreaColumn, ...]
) -> tuple[AreaTotal, ...]:
    counts = {
        (row["area_code"], row["status"]): row["count"]
        for row in AreaStatusPeriod.objects.on(day)
        .filter(in_baseline=True, clinic_id__in=rows.order_by().values("clinic_id"))
        .values("area_code", "status")
        .annotate(count=Count("pk"))
    }
    return tuple(
        AreaTotal(area, **{status: counts.get((area.code, status), 0) for status in AreaStatus})
        for area in areas
    )


def totals(rows: QuerySet[ClinicStatusPeriod], day: date, areas) -> Totals:
    """The view's totals in three queries: the clinics, the areas, the reports."""
    figures = rows.order_by().aggregate(
        clinics=Count("pk"),
        judged=Count("pk", filter=Q(catalogue_version__isnull=False)),
        meets_baseline=Count("pk", filter=Q(meets_baseline=True)),
        with_exemption=Count("pk", filter=Q(exemptions_in_force__gt=0)),
    )
    return Totals(
        **figures,
        areas=_area_totals(rows, day, areas),
        report_states=_report_state_totals(rows),
    )


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

    def totals(self) -> Totals:
        return totals(self.clinics, self.on_date, self.areas)

    def _with_cells(self, rows: QuerySet[ClinicStatusPeriod]) -> QuerySet[ClinicStatusPeriod]:
        for area in self.areas:
            rows = rows.annotate(**{area.alias: area_on(self.on_date, area.code)})
        return rows.select_related("clinic", "provider").annotate(
            report_state=latest_report_state(),
            **{f"{area.alias}_status": F(f"{area.alias}__status") for area in self.areas},
        )

    def _row(self, period: ClinicStatusPeriod) -> OverviewRow:
        statuses = (getattr(period, f"{area.alias}_status") for area in self.areas)
        return OverviewRow(period, tuple(AreaStatus(s) if s else None for s in statuses))

    def page(self, number) -> tuple[Page, list[OverviewRow]]:
        """One page of the table: the paginator counts, then one query reads its rows with
        their cells (the page's own object list is never read)."""
        page = Paginator(self.clinics, PAGE_SIZE).get_page(number)
        if not page.paginator.count:
            return page, []
        start = (page.number - 1) * PAGE_SIZE
        rows = self._with_cells(self.clinics)[start : start + PAGE_SIZE]
        return page, [self._row(period) for period in rows]

    def all_rows(self) -> Iterator[OverviewRow]:
        """Every row, in order, streamed from the database in one query."""
        for period in self._with_cells(self.clinics).iterator(chunk_size=2000):
            yield self._row(period)


def build_overview(selection: ClinicSelection, sort: Sort) -> Overview:
    version = catalogue_in_force(selection.on_date)
    areas: tuple[AreaColumn, ...] = ()
    if version is not None:
        areas = tuple(
            AreaColumn(area.code, area.name)
            for area in Area.objects.filter(version=version, in_baseline=True).order_by("position")
        )
    clinics = sorted_clinics(selected_clinics(selection), sort, selection.on_date)
    return Overview(selection, sort, version, areas, clinics)
