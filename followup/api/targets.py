"""The yearly targets over REST, beside the snapshots they are measured against."""

from django import forms
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from clinics import access
from followup.api.formats import FORMAT_PARAMETER, FileFormats, file_responses
from followup.indicators import INDICATORS, stored_indicator
from followup.models import Target
from followup.vocabulary import Dimension, Unit
from halland_utbud.api import allowed

# The fields of a target record, in this order in every format.
FIELDS = (
    "indicator",
    "indicator_name",
    "year",
    "dimension",
    "dimension_value",
    "value",
    "unit",
    "document",
    "document_date",
)


class TargetFilterForm(forms.Form):
    year = forms.IntegerField(required=False, min_value=2000, max_value=2100, help_text="A year.")
    indicator = forms.ChoiceField(
        choices=[("", ""), *((i.id, i.id) for i in INDICATORS)],
        required=False,
        help_text="An indicator id (see /api/v1/indicators/).",
    )


class TargetSerializer(serializers.Serializer):
    indicator = serializers.CharField(help_text=_("The indicator's id."))
    indicator_name = serializers.CharField(help_text=_("The indicator's name."))
    year = serializers.IntegerField(help_text=_("The year the target is for."))
    dimension = serializers.ChoiceField(
        choices=Dimension.choices,
        help_text=_("region for the whole region, or the dimension of dimension_value."),
    )
    dimension_value = serializers.CharField(
        help_text=_("The dimension's value the target is for; empty for the whole region.")
    )
    value = serializers.FloatField(
        help_text=_(
            "The target, as the snapshots hold the value: a share from 0 to 1, or a count."
        )
    )
    unit = serializers.ChoiceField(choices=Unit.choices, help_text=_("share or count."))
    document = serializers.CharField(help_text=_("The document the target is decided in."))
    document_date = serializers.DateField(help_text=_("The date of the decision."))


def _record(target: Target) -> dict:
    definition = stored_indicator(target.indicator)
    return {
        "indicator": target.indicator,
        "indicator_name": str(definition.name),
        "year": target.year,
        "dimension": target.dimension,
        "dimension_value": target.dimension_value,
        "value": target.value,
        "unit": definition.unit.value,
        "document": target.document,
        "document_date": target.document_date,
    }


class TargetListView(FileFormats, APIView):
    permission_classes = [IsAuthenticated, allowed(access.sees_everything)]

    @extend_schema(
        parameters=[
            OpenApiParameter("year", OpenApiTypes.INT, description="A year."),
            OpenApiParameter(
                "indicator",
                OpenApiTypes.STR,
                description="An indicator id (see /api/v1/indicators/).",
            ),
            FORMAT_PARAMETER,
        ],
        responses=file_responses("Every target the filters select.", TargetSerializer(many=True)),
        description=(
            "The yearly targets of the region's plan and budget (mål och budget), for the "
            "whole region or one value of a dimension, each with the document it is decided in."
        ),
    )
    def get(self, request: Request):
        form = self.filtered(request, TargetFilterForm)
        rows = Target.objects.order_by("year", "indicator", "dimension", "dimension_value")
        if form.cleaned_data.get("year"):
            rows = rows.filter(year=form.cleaned_data["year"])
        if form.cleaned_data.get("indicator"):
            rows = rows.filter(indicator=form.cleaned_data["indicator"])
        records = [_record(target) for target in rows]
        return self.files(request, "digitalt-utbud-mal", "Mål", FIELDS, records) or Response(
            TargetSerializer(records, many=True).data
        )
