"""Reads of the snapshots, shared by the follow-up page and the budget API: which rows a
request asks for, decided by one strict form, and each row as one record with stable
field names, for JSON, CSV and XLSX alike."""

from collections.abc import Iterator

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from followup.indicators import INDICATORS, stored_indicator
from followup.models import Snapshot
from followup.periods import Period, PeriodError, PeriodKind
from followup.vocabulary import Dimension, dimension_choices

# The fields of a snapshot record, in this order in every format; the names are a
# contract with the budget follow-up and do not change.
FIELDS = (
    "indicator",
    "indicator_name",
    "period",
    "period_kind",
    "period_start",
    "period_end",
    "as_of",
    "dimension",
    "dimension_value",
    "dimension_label",
    "numerator",
    "denominator",
    "value",
    "unit",
    "direction",
    "catalogue_version",
    "round",
    "computed_at",
)


class PeriodField(forms.CharField):
    def to_python(self, value) -> Period | None:
        value = super().to_python(value)
        if not value:
            return None
        try:
            return Period.parse(value)
        except PeriodError as error:
            raise forms.ValidationError(str(error), code="invalid") from None


class SnapshotFilterForm(forms.Form):
    """The parameters, with the API's names; the help texts document them in the schema."""

    indicator = forms.ChoiceField(
        choices=[("", "")] + [(i.id, i.id) for i in INDICATORS],
        required=False,
        help_text="An indicator id (see /api/v1/indicators/).",
    )
    period = PeriodField(required=False, help_text="One period: 2026, 2026-Q4 or 2026-11.")
    period_from = PeriodField(
        required=False, help_text="Periods that start on or after this one's start."
    )
    period_to = PeriodField(
        required=False, help_text="Periods that end on or before this one's end."
    )
    period_kind = forms.ChoiceField(
        choices=[("", ""), *PeriodKind.choices],
        required=False,
        help_text="Only years, quarters or months.",
    )
    dimension = forms.ChoiceField(
        choices=[("", ""), *Dimension.choices],
        required=False,
        help_text="What the figures are broken down by; region for the whole region.",
    )
    dimension_value = forms.CharField(
        required=False,
        max_length=40,
        help_text="A value of the dimension: a municipality code, a provider id, a kind...",
    )

    def clean(self):
        data = super().clean()
        first, last = data.get("period_from"), data.get("period_to")
        if first and last and first.start > last.end:
            self.add_error("period_to", _("The last period comes before the first."))
        if data.get("dimension_value") and not data.get("dimension"):
            self.add_error("dimension_value", _("Give the dimension the value belongs to."))
        return data

    def snapshots(self) -> QuerySet[Snapshot]:
        """The rows asked for, in the order of the unique index: period code, dimension,
        indicator, value."""
        data = self.cleaned_data
        rows = Snapshot.objects.all()
        if data.get("indicator"):
            rows = rows.filter(indicator=data["indicator"])
        if data.get("period"):
            rows = rows.filter(period=data["period"].code)
        if data.get("period_from"):
            rows = rows.filter(period_start__gte=data["period_from"].start)
        if data.get("period_to"):
            rows = rows.filter(period_end__lte=data["period_to"].end)
        if data.get("period_kind"):
            rows = rows.filter(period_kind=data["period_kind"])
        if data.get("dimension"):
            rows = rows.filter(dimension=data["dimension"])
        if data.get("dimension_value"):
            rows = rows.filter(dimension_value=data["dimension_value"])
        return rows.order_by(*Snapshot._meta.ordering)


def value_label(dimension: str, value: str, stored: str) -> str:
    """The name of a dimension's value for the reader: a care provider by the name it had
    when the figure was computed (``stored``), the rest in the reader's language."""
    if dimension == Dimension.REGION:
        return str(Dimension.REGION.label)
    if dimension == Dimension.PROVIDER:
        return stored or value
    return str(dict(dimension_choices(Dimension(dimension))).get(value, stored or value))


def record(snapshot: dict) -> dict:
    """One snapshot row (as ``values()`` gives it) as the API and the files show it."""
    definition = stored_indicator(snapshot["indicator"])
    return {
        "indicator": snapshot["indicator"],
        "indicator_name": str(definition.name),
        "period": snapshot["period"],
        "period_kind": snapshot["period_kind"],
        "period_start": snapshot["period_start"],
        "period_end": snapshot["period_end"],
        "as_of": snapshot["as_of"],
        "dimension": snapshot["dimension"],
        "dimension_value": snapshot["dimension_value"],
        "dimension_label": value_label(
            snapshot["dimension"], snapshot["dimension_value"], snapshot["dimension_label"]
        ),
        "numerator": _number(snapshot["numerator"]),
        "denominator": _number(snapshot["denominator"]),
        "value": snapshot["value"],
        "unit": snapshot["unit"],
        "direction": definition.direction.value,
        "catalogue_version": snapshot["catalogue_version_id"],
        "round": snapshot["round_id"],
        "computed_at": snapshot["computed_at"],
    }


def _number(value: float | None) -> int | float | None:
    """A count as a whole number (12, not 12.0); a sum of shares as it is."""
    return int(value) if value is not None and value.is_integer() else value


# What record() reads of a row: the fields that are stored, references by their ids.
_DERIVED = {"indicator_name", "direction", "catalogue_version", "round"}
_VALUES = [f for f in FIELDS if f not in _DERIVED] + ["catalogue_version_id", "round_id"]


def records(rows: QuerySet[Snapshot], *, chunk_size: int = 2000) -> Iterator[dict]:
    """Every row as a record, read in chunks (an export of every period stays small)."""
    for row in rows.values(*_VALUES).iterator(chunk_size=chunk_size):
        yield record(row)
