"""The region overview: every clinic a user may see, judged against the seven areas of the
baseline, with totals over the whole filtered set. The page and its CSV and XLSX downloads
all read through here, so a download is exactly the view on screen.

Filtering reuses the REST API's ``ClinicFilter`` (same parameters, same validation, same
results) and adds only what the API lacks: the state of the clinic's latest report.
Everything runs in a constant number of queries, whatever the number of clinics.
"""

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from types import SimpleNamespace

from django import forms
from django.db.models import Case, CharField, Count, F, OuterRef, QuerySet, Subquery, Value, When
from django.http import HttpRequest, QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from clinics import access
from clinics.api.filters import ClinicFilter, ClinicFilterForm
from clinics.models import Clinic, Report, ReportState
from clinics.selectors import approved_exemptions, compliance_for_clinics
from requirements.compliance import AreaResult, ClinicCompliance
from requirements.models import Area, CatalogueVersion
from requirements.selectors import catalogue_in_force, catalogue_rules
from requirements.vocabulary import AnswerStatus, ComplianceStatus, Municipality

PAGE_SIZE = 50

# The value of the report state filter for clinics that have never had a report.
NO_REPORT = "none"


def latest_report_state() -> Subquery:
    """The state of the clinic's latest report, None if it has none; as the API defines it."""
    latest = Report.objects.filter(clinic=OuterRef("pk")).order_by("-created_at", "-pk")
    return Subquery(latest.values("state")[:1])


# Filters


class OverviewFilterForm(ClinicFilterForm):
    """The API's filter form with labels and widgets for people rather than programs."""

    labels = {
        "municipality": _("Municipality"),
        "kind": _("Type of clinic"),
        "provider": _("Care provider"),
        "contract_form": _("Contract form"),
        "meets_baseline": _("Meets the whole baseline"),
        "report_state": _("Report status"),
        "q": _("Name or HSA-id"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in self.labels.items():
            field = self.fields[name]
            field.label = label
            field.help_text = ""
            if hasattr(field, "empty_label"):
                field.empty_label = _("All")
                # The widget holds a shallow copy of the choices, bound to the field the
                # form was copied from; give it this field's.
                field.widget.choices = field.choices
        # A select instead of the API's text box; the field behind it stays strict, so a
        # hand-made ?meets_baseline=maybe is an error, never a silently unfiltered list.
        self.fields["meets_baseline"].widget = forms.Select(
            choices=[("", _("All")), ("true", _("Yes")), ("false", _("No"))]
        )
        self.fields["q"].widget = forms.TextInput(attrs={"type": "search"})


class OverviewFilter(ClinicFilter):
    report_state = filters.ChoiceFilter(
        choices=[(NO_REPORT, _("No report")), *ReportState.choices],
        method="filter_report_state",
    )

    class Meta(ClinicFilter.Meta):
        form = OverviewFilterForm

    def filter_report_state(self, queryset, name, value: str):
        queryset = queryset.alias(latest_report_state=latest_report_state())
        if value == NO_REPORT:
            return queryset.filter(latest_report_state__isnull=True)
        return queryset.filter(latest_report_state=value)


def overview_filter(request: HttpRequest) -> OverviewFilter:
    """The filter bound to the request's query string, over the clinics the user may see."""
    clinics = access.visible_clinics(request.user).annotate(report_state=latest_report_state())
    # ClinicFilter was written for REST framework requests: it reads the user (for the
    # providers one may filter by) and ``query_params`` (for ``on_date``). The overview is
    # always as of today, as is the API without ``on_date``.
    api_request = SimpleNamespace(user=request.user, query_params=QueryDict())
    return OverviewFilter(request.GET, queryset=clinics, request=api_request)


# Sorting


@dataclass(frozen=True)
class Sort:
    key: str = "name"
    descending: bool = False

    KEYS = ("name", "municipality", "provider", "share")

    @classmethod
    def parse(cls, value: str | None) -> "Sort":
        """``name``, ``-share``...; anything else sorts by name, as the header links never
        produce it."""
        value = (value or "").strip()
        descending = value.startswith("-")
        key = value.removeprefix("-")
        return cls(key, descending) if key in cls.KEYS else cls()

    def __str__(self) -> str:
        return f"-{self.key}" if self.descending else self.key

    def link_for(self, key: str) -> str:
        """The ``sort`` value a column header links to: the other direction if the table
        is sorted by that column, else ascending."""
        return str(Sort(key, not self.descending)) if key == self.key else key

    def aria_sort(self, key: str) -> str | None:
        if key != self.key:
            return None
        return "descending" if self.descending else "ascending"


_MUNICIPALITY_NAME = Case(
    *(When(municipality_code=code, then=Value(name)) for code, name in Municipality.choices),
    default=F("municipality_code"),
    output_field=CharField(),
)


def _ordered_ids(
    clinics: QuerySet[Clinic], sort: Sort, compliance: dict[int, ClinicCompliance]
) -> list[int]:
    primary = {"municipality": F("municipality_name"), "provider": F("provider__name")}.get(
        sort.key
    )
    ordering = [F("name").asc(), F("pk").asc()]
    if primary is not None:
        ordering.insert(0, primary.desc() if sort.descending else primary.asc())
    elif sort.key == "name" and sort.descending:
        ordering = [F("name").desc(), F("pk").asc()]
    ids = list(
        clinics.alias(municipality_name=_MUNICIPALITY_NAME)
        .order_by(*ordering)
        .values_list("pk", flat=True)
    )
    if sort.key == "share":
        # The share is computed, not stored, so it is sorted here; the sort is stable, so
        # clinics with the same share stay in name order (both directions). A clinic to
        # which nothing applies has no share and counts as the lowest.
        def share(pk: int) -> float:
            result = compliance.get(pk)
            return -1.0 if result is None or result.share is None else result.share

        ids.sort(key=share, reverse=sort.descending)
    return ids


# Cells and rows


class CellStatus(StrEnum):
    """What a cell of the table says about one area of one clinic."""

    MET = "met"
    NOT_MET = "not_met"
    NOT_APPLICABLE = "not_applicable"
    NOT_REPORTED = "not_reported"

    @property
    def label(self) -> str:
        return str(
            {
                CellStatus.MET: AnswerStatus.MET.label,
                CellStatus.NOT_MET: AnswerStatus.NOT_MET.label,
                CellStatus.NOT_APPLICABLE: ComplianceStatus.NOT_APPLICABLE.label,
                CellStatus.NOT_REPORTED: ComplianceStatus.NOT_REPORTED.label,
            }[self]
        )


def area_cell(area: AreaResult) -> CellStatus:
    """Not applicable when no requirement of the area applies to the clinic; not reported
    when none of those that apply has an answer in force (no approved report, or one from
    before the area was in the catalogue); otherwise met or not."""
    applicable = [r for r in area.results if r.status != ComplianceStatus.NOT_APPLICABLE]
    if not applicable:
        return CellStatus.NOT_APPLICABLE
    if all(r.status == ComplianceStatus.NOT_REPORTED for r in applicable):
        return CellStatus.NOT_REPORTED
    return CellStatus.MET if area.meets else CellStatus.NOT_MET


@dataclass(frozen=True)
class AreaColumn:
    code: str
    name: str


@dataclass(frozen=True)
class OverviewRow:
    clinic: Clinic
    report_state: str | None
    compliance: ClinicCompliance | None
    cells: tuple[CellStatus, ...]

    @property
    def meets_baseline(self) -> bool | None:
        return None if self.compliance is None else self.compliance.meets_baseline

    @property
    def share(self) -> float | None:
        return None if self.compliance is None else self.compliance.share

    @property
    def report_state_label(self) -> str:
        if self.report_state is None:
            return str(_("No report"))
        return str(ReportState(self.report_state).label)


# Totals


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
    meets_baseline: int
    areas: tuple[AreaTotal, ...]
    report_states: tuple[ReportStateTotal, ...]
    # Clinics with at least one approved exemption or platform approval in force.
    with_exemption: int = 0

    @property
    def fails_baseline(self) -> int:
        return self.clinics - self.meets_baseline


def _report_state_totals(clinics: QuerySet[Clinic]) -> tuple[ReportStateTotal, ...]:
    """Clinics by their latest report's state, counted by the database in one query."""
    counts = {
        row["report_state"]: row["count"]
        for row in clinics.order_by().values("report_state").annotate(count=Count("pk"))
    }
    return (
        ReportStateTotal(NO_REPORT, str(_("No report")), counts.get(None, 0)),
        *(
            ReportStateTotal(state, str(label), counts.get(state, 0))
            for state, label in ReportState.choices
        ),
    )


# The overview


@dataclass(frozen=True)
class Overview:
    catalogue: CatalogueVersion | None
    areas: tuple[AreaColumn, ...]
    clinic_ids: list[int]  # the whole filtered set, in the chosen order
    compliance: dict[int, ClinicCompliance]
    totals: Totals

    def rows(self, clinics: Iterable[Clinic]) -> list[OverviewRow]:
        """Rows for ``clinics`` (annotated with ``report_state``), in the overview's order."""
        position = {pk: index for index, pk in enumerate(self.clinic_ids)}
        # A clinic added since the overview was built is left out, not half shown.
        known = [clinic for clinic in clinics if clinic.pk in position]
        rows = []
        for clinic in sorted(known, key=lambda clinic: position[clinic.pk]):
            result = self.compliance.get(clinic.pk)
            cells = (
                tuple(area_cell(result.area(column.code)) for column in self.areas)
                if result is not None
                else ()
            )
            rows.append(OverviewRow(clinic, clinic.report_state, result, cells))
        return rows

    def page_rows(self, clinic_ids: Sequence[int]) -> list[OverviewRow]:
        """The rows of one page, in one query."""
        clinics = (
            Clinic.objects.filter(pk__in=list(clinic_ids))
            .select_related("provider")
            .annotate(report_state=latest_report_state())
        )
        return self.rows(clinics)


def build_overview(clinics: QuerySet[Clinic], sort: Sort, on_date: date | None = None) -> Overview:
    """The overview of ``clinics`` (a filtered ``overview_filter(...).qs``).

    Totals and sorting by share need every filtered clinic's compliance, which is computed,
    not stored: it is evaluated here once, for the whole set, in a constant number of
    queries (but every answer in force is read and evaluated in Python). The rows of the
    page reuse it rather than evaluating their clinics a second time. When the nightly
    follow-up snapshots store compliance per clinic, the totals and the share sort should
    read them, and the rows go back to ``compliance_for_clinics`` on the page's clinics.
    """
    on_date = on_date or timezone.localdate()
    version = catalogue_in_force(on_date)
    areas: tuple[AreaColumn, ...] = ()
    compliance: dict[int, ClinicCompliance] = {}
    if version is not None:
        areas = tuple(
            AreaColumn(area.code, area.name)
            for area in Area.objects.filter(version=version, in_baseline=True).order_by("position")
        )
        compliance = compliance_for_clinics(clinics, on_date, catalogue_rules(version))
    clinic_ids = _ordered_ids(clinics, sort, compliance)

    area_counts = {column.code: Counter() for column in areas}
    for result in compliance.values():
        for column in areas:
            area_counts[column.code][area_cell(result.area(column.code))] += 1
    totals = Totals(
        clinics=len(clinic_ids),
        meets_baseline=sum(1 for result in compliance.values() if result.meets_baseline),
        areas=tuple(
            AreaTotal(column, **{str(status): n for status, n in area_counts[column.code].items()})
            for column in areas
        ),
        report_states=_report_state_totals(clinics),
        # One more query, whatever the number of clinics.
        with_exemption=len(approved_exemptions(clinics, on_date)),
    )
    return Overview(version, areas, clinic_ids, compliance, totals)
