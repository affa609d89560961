"""Which clinics a region-wide read is about, decided in one place for the overview page,
its downloads, the clinics API and the compliance matrix.

``ClinicFilterForm`` parses the parameters strictly: a value it does not know is an error
naming the parameter, never a silently unfiltered list. ``selected_clinics`` turns a valid
form into the clinics' status rows on the day asked (``on_date``, default today), with the
attributes they had that day: a filter on municipality or provider for a past date selects
the clinics as they were then. Everything is one query over the timeline, whatever the
number of clinics; nothing is evaluated in Python.
"""

from dataclasses import dataclass
from datetime import date

from django import forms
from django.db.models import (
    Case,
    CharField,
    F,
    FloatField,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast, NullIf
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinics import access
from clinics.action_plans import NO_PLAN, plan_of_report_in_force
from clinics.forms.fields import on_date_field
from clinics.models import ActionPlanState, ClinicStatusPeriod, Provider, ReportingStatus, User
from clinics.models.timeline import in_area
from clinics.selectors import reporting_status
from requirements.identifiers import normalize_organisation_number, organisation_number_error
from requirements.models import Area
from requirements.selectors import catalogue_in_force
from requirements.vocabulary import AreaStatus, CareType, ClinicKind, ContractForm, Municipality


class StrictBooleanField(forms.NullBooleanField):
    """``true``/``false`` (or 1/0); Django's NullBooleanField would read ``maybe`` as
    "no filter" and return every clinic."""

    _values = {"true": True, "1": True, "false": False, "0": False}
    # NullBooleanSelect would turn "maybe" into None before to_python sees it.
    widget = forms.TextInput

    def to_python(self, value):
        if value in (None, ""):
            return None
        try:
            return self._values[str(value).strip().lower()]
        except KeyError:
            raise forms.ValidationError(_("Enter true or false."), code="invalid") from None


def _choice(choices, help_text: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        choices=[("", ""), *list(choices)], required=False, help_text=help_text
    )


class ClinicFilterForm(forms.Form):
    """The parameters, with the API's names; the help texts document them in the schema."""

    on_date = on_date_field(help_text="Status on this day (YYYY-MM-DD); default today.")
    q = forms.CharField(
        required=False, max_length=200, help_text="Part of the clinic's name or HSA-id."
    )
    municipality = _choice(Municipality.by_name(), "Municipality code, e.g. 1380 (Halmstad).")
    kind = _choice(ClinicKind.choices, "Kind of clinic.")
    care_type = _choice(CareType.choices, "Kind of care.")
    provider = forms.ModelChoiceField(
        queryset=Provider.objects.none(), required=False, help_text="Care provider id."
    )
    provider_org_nr = forms.CharField(
        required=False,
        max_length=20,
        help_text="The care provider's organisation number, with or without hyphen.",
    )
    provider_q = forms.CharField(
        required=False,
        max_length=200,
        help_text="Part of the care provider's name, or its organisation number.",
    )
    contract_form = _choice(ContractForm.choices, "Contract form.")
    active = StrictBooleanField(
        required=False,
        help_text="Open on on_date (true), or closed or not yet open then (false).",
    )
    meets_baseline = StrictBooleanField(
        required=False, help_text="Meets the whole baseline (grundutbud) on on_date."
    )
    meets_general = StrictBooleanField(
        required=False,
        help_text="Meets the general requirements (followed up beside the baseline) on on_date.",
    )
    area = forms.SlugField(
        required=False,
        max_length=40,
        help_text="An area of the catalogue in force on on_date, with area_status.",
    )
    area_status = _choice(AreaStatus.choices, "The area's status on on_date, with area.")
    # Two states, kept apart: what counts, and where the reporting under way stands.
    approved_report = StrictBooleanField(
        required=False,
        help_text="Has an approved report in force on on_date (the one its compliance rests on).",
    )
    reporting = _choice(
        ReportingStatus.choices,
        "Where the clinic's reporting under way stands, as it is now: its report in an open "
        "round (not started, draft, submitted, returned, approved in the round) or started "
        "outside one; none when nothing is under way.",
    )
    action_plan = _choice(
        [(NO_PLAN, _("No action plan")), *ActionPlanState.choices],
        "State of the action plan for the approved report in force on on_date (none: no "
        "plan); with meets_baseline=false, e.g. not met with an accepted plan.",
    )

    def __init__(self, data=None, *, user: User, **kwargs):
        super().__init__(data, **kwargs)
        self.user = user
        self.fields["provider"].queryset = access.visible_providers(user)

    def clean_provider_org_nr(self) -> str:
        value = self.cleaned_data.get("provider_org_nr")
        if not value:
            return value
        error = organisation_number_error(value)
        if error:
            raise forms.ValidationError(error, code="invalid")
        return normalize_organisation_number(value)

    def clean(self) -> dict:
        data = super().clean()
        area, area_status = data.get("area"), data.get("area_status")
        if bool(area) != bool(area_status):
            missing = "area_status" if area else "area"
            self.add_error(missing, _("Give both an area and its status, or neither."))
        elif area and "on_date" not in self.errors:
            version = catalogue_in_force(data.get("on_date") or timezone.localdate())
            if not Area.objects.filter(version=version, code=area).exists():
                self.add_error(
                    "area", _("The requirement catalogue in force on the day has no such area.")
                )
        return data

    def selection(self) -> "ClinicSelection":
        """The valid form as a selection; call after ``is_valid()``."""
        data = self.cleaned_data
        return ClinicSelection(
            user=self.user,
            on_date=data.get("on_date") or timezone.localdate(),
            criteria={
                name: value
                for name, value in data.items()
                if name != "on_date" and value not in (None, "")
            },
        )


@dataclass(frozen=True)
class ClinicSelection:
    """A checked filter: whose view it is, the day, and the criteria that were given."""

    user: User
    on_date: date
    criteria: dict

    def get(self, name: str, default=None):
        return self.criteria.get(name, default)


def with_report_states(rows: QuerySet[ClinicStatusPeriod]) -> QuerySet[ClinicStatusPeriod]:
    """The status rows with the two states of the clinic's reporting: ``approved_on``, when
    the approved report in force on the day (the one that counts) was approved, None if
    there is none; and ``reporting``, the ``ReportingStatus`` of its latest report as it
    is now, None for ``NONE``. Two joins, whatever the number of clinics."""
    return rows.annotate(
        approved_on=F("report__decided_at"), reporting=reporting_status("latest_report")
    )


def rows_in_order(ids: list[int], *related: str) -> list[ClinicStatusPeriod]:
    """The status rows with these ids, in this order, with their report states and
    ``related`` rows: a page is its ids first (an index walk in the chosen order) and then
    this one query, rather than the chosen order sorted again over every joined row."""
    rows = with_report_states(ClinicStatusPeriod.objects.filter(pk__in=ids)).select_related(
        *related
    )
    found = {row.pk: row for row in rows}
    return [found[pk] for pk in ids if pk in found]


# Field lookups on the status row for the criteria that are simple equalities.
_EQUALS = {
    "municipality": "municipality_code",
    "kind": "kind",
    "care_type": "care_type",
    "contract_form": "contract_form",
    "provider": "provider",
    "provider_org_nr": "provider__organisation_number",
    "active": "active",
    "meets_baseline": "meets_baseline",
    "meets_general": "meets_general",
}


def selected_clinics(selection: ClinicSelection) -> QuerySet[ClinicStatusPeriod]:
    """The status rows on the selection's day of every clinic it selects."""
    rows = access.only_visible(ClinicStatusPeriod.objects.on(selection.on_date), selection.user)
    rows = rows.filter(
        **{
            field: selection.get(name)
            for name, field in _EQUALS.items()
            if name in selection.criteria
        }
    )
    if text := selection.get("q", "").strip():
        rows = rows.filter(Q(name__icontains=text) | Q(clinic__hsa_id__icontains=text))
    if text := selection.get("provider_q", "").strip():
        rows = rows.filter(provider_matching(text))
    if area := selection.get("area"):
        rows = rows.filter(in_area(area, selection.get("area_status")))
    if "approved_report" in selection.criteria:
        rows = rows.filter(report__isnull=not selection.get("approved_report"))
    if status := selection.get("reporting"):
        rows = rows.alias(reporting_now=reporting_status("latest_report"))
        if status == ReportingStatus.NONE:
            rows = rows.filter(reporting_now__isnull=True)
        else:
            rows = rows.filter(reporting_now=status)
    if plan := selection.get("action_plan"):
        rows = rows.filter(plan_of_report_in_force(plan))
    return rows


def provider_matching(text: str, prefix: str = "provider__") -> Q:
    """A provider whose name holds ``text``, or whose organisation number it is."""
    match = Q(**{f"{prefix}name__icontains": text})
    if not organisation_number_error(text):
        match |= Q(**{f"{prefix}organisation_number": normalize_organisation_number(text)})
    return match


# Sorting


@dataclass(frozen=True)
class Sort:
    """``name``, ``-share``, ``area:webbtidbok``...: a column, ascending unless ``-``."""

    key: str = "name"
    descending: bool = False

    KEYS = ("name", "municipality", "provider", "share")
    AREA_PREFIX = "area:"

    @classmethod
    def parse(cls, value: str | None, area_codes=()) -> "Sort":
        """Anything unknown sorts by name, as the header links never produce it."""
        value = (value or "").strip()
        descending = value.startswith("-")
        key = value.removeprefix("-")
        area = key.removeprefix(cls.AREA_PREFIX)
        known = key in cls.KEYS or (key.startswith(cls.AREA_PREFIX) and area in area_codes)
        return cls(key, descending) if known else cls()

    @property
    def is_default(self) -> bool:
        return self == Sort()

    @property
    def area(self) -> str | None:
        return (
            self.key.removeprefix(self.AREA_PREFIX)
            if self.key.startswith(self.AREA_PREFIX)
            else None
        )

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


def _share(met: str, applicable: str):
    return Cast(F(met), FloatField()) / NullIf(F(applicable), 0)


# An area's column sorts the clinics that fall short first (ascending); a clinic to which
# the area does not apply has no rank and sorts last both ways.
_AREA_RANK = {AreaStatus.NOT_MET: 0, AreaStatus.NOT_REPORTED: 1, AreaStatus.MET: 2}


def sorted_clinics(rows: QuerySet[ClinicStatusPeriod], sort: Sort) -> QuerySet[ClinicStatusPeriod]:
    """``rows`` in the order ``sort`` asks for, ties broken by name (then id), in SQL.

    A clinic without a share (nothing applies, or no catalogue) sorts last both ways.
    """
    tie = [F("name").asc(), F("clinic_id").asc()]
    if sort.key == "name":
        name = F("name")
        return rows.order_by(name.desc() if sort.descending else name.asc(), "clinic_id")
    if sort.key == "municipality":
        primary = F("municipality_name")
        rows = rows.alias(municipality_name=_MUNICIPALITY_NAME)
    elif sort.key == "provider":
        primary = F("provider__name")
    elif sort.key == "share":
        primary = F("share")
        rows = rows.alias(share=_share("met", "applicable"))
    else:
        ranks = (When(in_area(sort.area, code), then=Value(n)) for code, n in _AREA_RANK.items())
        rows = rows.alias(area_rank=Case(*ranks, default=None, output_field=IntegerField()))
        primary = F("area_rank")
    ordered = primary.desc(nulls_last=True) if sort.descending else primary.asc(nulls_last=True)
    return rows.order_by(ordered, *tie)
