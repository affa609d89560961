"""Measured usage over REST: the monthly figures per clinic, as JSON, CSV or XLSX. Regional
staff read every clinic's; a clinic reporter their own clinics'."""

import re
from datetime import date

from django import forms
from django.db.models import F, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.views import APIView

from clinics import access
from followup.api.formats import FORMAT_PARAMETER, FileFormats, file_responses, page_parameters
from followup.models import Usage
from followup.vocabulary import UsageMeasure
from halland_utbud.api import PageSizePagination

# The fields of a usage record, in this order in every format; a contract with the budget
# follow-up.
FIELDS = ("clinic", "hsa_id", "clinic_name", "month", "measure", "value")

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


class MonthField(forms.CharField):
    def to_python(self, value) -> date | None:
        value = super().to_python(value)
        if not value:
            return None
        if match := _MONTH.match(value):
            return date(int(match[1]), int(match[2]), 1)
        raise forms.ValidationError(_("Write the month as YYYY-MM, e.g. 2026-10."))


class UsageFilterForm(forms.Form):
    month = MonthField(required=False, help_text="One month: 2026-10.")
    month_from = MonthField(required=False, help_text="Months from this one on.")
    month_to = MonthField(required=False, help_text="Months up to and including this one.")
    measure = forms.ChoiceField(
        choices=[("", ""), *UsageMeasure.choices], required=False, help_text="One measure."
    )
    hsa_id = forms.CharField(required=False, max_length=40, help_text="One clinic's HSA-id.")

    def rows(self, user) -> QuerySet[Usage]:
        data = self.cleaned_data
        rows = access.only_visible(Usage.objects.current(), user)
        if data.get("month"):
            rows = rows.filter(month=data["month"])
        if data.get("month_from"):
            rows = rows.filter(month__gte=data["month_from"])
        if data.get("month_to"):
            rows = rows.filter(month__lte=data["month_to"])
        if data.get("measure"):
            rows = rows.filter(measure=data["measure"])
        if data.get("hsa_id"):
            rows = rows.filter(clinic__hsa_id=data["hsa_id"])
        return rows.order_by("month", "measure", "clinic_id").values(
            "value",
            "measure",
            clinic_pk=F("clinic_id"),
            hsa_id=F("clinic__hsa_id"),
            clinic_name=F("clinic__name"),
            month_start=F("month"),
        )


class UsageSerializer(serializers.Serializer):
    clinic = serializers.IntegerField(help_text=_("The clinic's id."))
    hsa_id = serializers.CharField(help_text=_("The clinic's HSA-id."))
    clinic_name = serializers.CharField(help_text=_("The clinic's name."))
    month = serializers.CharField(help_text=_("The month, as YYYY-MM."))
    measure = serializers.ChoiceField(
        choices=UsageMeasure.choices, help_text=_("What was counted.")
    )
    value = serializers.IntegerField(
        help_text=_("How many times, from the national e-service statistics.")
    )


def _record(row: dict) -> dict:
    return {
        "clinic": row["clinic_pk"],
        "hsa_id": row["hsa_id"],
        "clinic_name": row["clinic_name"],
        "month": f"{row['month_start']:%Y-%m}",
        "measure": row["measure"],
        "value": row["value"],
    }


class UsageListView(FileFormats, APIView):
    permission_classes = [IsAuthenticated]
    pagination_class = PageSizePagination

    @extend_schema(
        parameters=[
            *(
                OpenApiParameter(name, OpenApiTypes.STR, description=str(field.help_text))
                for name, field in UsageFilterForm.base_fields.items()
            ),
            FORMAT_PARAMETER,
            *page_parameters(),
        ],
        responses=file_responses(
            "Every row the filters select, in one file.", UsageSerializer(many=True)
        ),
        description=(
            "Measured usage per clinic and month, as imported from the national e-service "
            "statistics. A clinic without a row for an imported month used the measure zero "
            "times. Clinic reporters see their own clinics only."
        ),
    )
    def get(self, request: Request):
        rows = self.filtered(request, UsageFilterForm).rows(request.user)
        records = (_record(row) for row in rows.iterator(chunk_size=2000))
        name, title = "digitalt-utbud-anvandning", "Användning"
        return self.files(request, name, title, FIELDS, records) or self.paged(
            request, rows, UsageSerializer, _record
        )
