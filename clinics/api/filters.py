"""Query parameters of the clinic list. Every filter is strict: a value it does not know
gives 400 with the parameter named, never a silently unfiltered list."""

from datetime import date

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from rest_framework import serializers

from clinics import access
from clinics.models import Clinic
from clinics.selectors import compliance_for_clinics
from requirements.identifiers import normalize_organisation_number, organisation_number_error
from requirements.vocabulary import CareType, ClinicKind, ContractForm, Municipality


class OnDateQuerySerializer(serializers.Serializer):
    on_date = serializers.DateField(
        required=False,
        input_formats=["%Y-%m-%d"],
        help_text="Compliance as of this date (YYYY-MM-DD); default today.",
    )


def compliance_date(request) -> date:
    """The ``on_date`` query parameter, or today; a malformed date is a 400."""
    params = OnDateQuerySerializer(data=request.query_params)
    params.is_valid(raise_exception=True)
    return params.validated_data.get("on_date") or timezone.localdate()


class StrictBooleanField(forms.NullBooleanField):
    """``true``/``false`` (or 1/0); Django's NullBooleanField would read ``maybe`` as
    "no filter" and return every clinic."""

    _values = {"true": True, "1": True, "false": False, "0": False}

    def to_python(self, value):
        if value in (None, ""):
            return None
        try:
            return self._values[str(value).strip().lower()]
        except KeyError:
            raise forms.ValidationError(_("Enter true or false."), code="invalid") from None


class StrictBooleanFilter(filters.BooleanFilter):
    field_class = StrictBooleanField

    def __init__(self, *args, **kwargs):
        # The REST framework flavour's BooleanWidget would also turn "maybe" into None.
        kwargs.setdefault("widget", forms.TextInput)
        super().__init__(*args, **kwargs)


class ClinicFilterForm(forms.Form):
    def clean_provider_org_nr(self) -> str:
        value = self.cleaned_data.get("provider_org_nr")
        if not value:
            return value
        error = organisation_number_error(value)
        if error:
            raise forms.ValidationError(error, code="invalid")
        return normalize_organisation_number(value)


class ClinicFilter(filters.FilterSet):
    municipality = filters.ChoiceFilter(
        field_name="municipality_code",
        choices=Municipality.choices,
        help_text="Municipality code, e.g. 1380 (Halmstad).",
    )
    kind = filters.ChoiceFilter(choices=ClinicKind.choices, help_text="Kind of clinic.")
    care_type = filters.ChoiceFilter(choices=CareType.choices, help_text="Kind of care.")
    provider = filters.ModelChoiceFilter(
        queryset=lambda request: access.visible_providers(request.user if request else None),
        help_text="Care provider id.",
    )
    provider_org_nr = filters.CharFilter(
        method="filter_provider_org_nr",
        help_text="The care provider's organisation number, with or without hyphen.",
    )
    contract_form = filters.ChoiceFilter(choices=ContractForm.choices, help_text="Contract form.")
    active = StrictBooleanFilter(
        method="filter_active", help_text="Open today (true) or closed or not yet open (false)."
    )
    q = filters.CharFilter(method="filter_q", help_text="Part of the name or the HSA-id.")
    meets_baseline = StrictBooleanFilter(
        method="filter_nothing",
        help_text="Meets the whole baseline (grundutbud) on on_date (default today).",
    )

    class Meta:
        model = Clinic
        fields = []
        form = ClinicFilterForm

    def filter_provider_org_nr(self, queryset, name, value: str):
        # The form normalised it to NNNNNN-NNNN, the only spelling the database allows.
        return queryset.filter(provider__organisation_number=value)

    def filter_active(self, queryset, name, value: bool):
        active = queryset.active_on(timezone.localdate())
        return active if value else queryset.exclude(pk__in=active.values("pk"))

    def filter_q(self, queryset, name, value: str):
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(hsa_id__icontains=value))

    def filter_nothing(self, queryset, name, value: bool):
        # meets_baseline is applied in filter_queryset, after every other filter.
        return queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        meets_baseline = self.form.cleaned_data.get("meets_baseline")
        if meets_baseline is None:
            return queryset
        # Compliance is computed, not stored: evaluate the whole filtered set in one go
        # (a constant number of queries, but every clinic's answers are read and evaluated
        # in Python, and the matching ids go back to the database as a list). Fine for a
        # register of a few hundred clinics; the nightly follow-up snapshots will store the
        # result and this filter should read them instead once they exist.
        compliance = compliance_for_clinics(queryset, compliance_date(self.request))
        matching = [
            pk for pk, result in compliance.items() if result.meets_baseline == meets_baseline
        ]
        return queryset.filter(pk__in=matching)
