"""A clinic's own indicators over the API: each definition with every value reported, as
JSON, or one row per value as CSV or XLSX (``?format=`` or the Accept header).

Who may read them is ``access.get_clinic_for_user``: regional staff see every clinic's, a
clinic reporter their own clinics'; any other clinic does not exist (404).
"""

from django.db.models import Prefetch
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
from followup.models import ClinicIndicator, ClinicIndicatorValue
from followup.vocabulary import Direction, ReportingFrequency


class ClinicIndicatorValueSerializer(serializers.Serializer):
    """One period's value of a clinic's own indicator."""

    period = serializers.CharField(
        help_text=_("The period: a month (2026-11) or a quarter (2026-Q4).")
    )
    period_start = serializers.DateField(help_text=_("The period's first day."))
    value = serializers.FloatField(help_text=_("The value, in the indicator's unit."))
    comment = serializers.CharField(
        help_text=_("The clinic's comment on the value; may be empty.")
    )
    reported_at = serializers.DateTimeField(
        help_text=_("When the value was last reported or corrected.")
    )


class ClinicIndicatorSerializer(serializers.Serializer):
    """A clinic's own indicator and every value reported for it, the oldest first."""

    id = serializers.IntegerField(help_text=_("The indicator's id; it does not change."))
    clinic_id = serializers.IntegerField(help_text=_("The clinic's id."))
    name = serializers.CharField(help_text=_("The indicator's name, as the clinic gave it."))
    description = serializers.CharField(
        help_text=_("What is counted, and where it comes from; may be empty.")
    )
    unit = serializers.CharField(
        help_text=_("What a value is counted in, as the clinic wrote it (e.g. percent or visits).")
    )
    direction = serializers.ChoiceField(
        choices=Direction.choices, help_text=_("Whether a higher or a lower value is better.")
    )
    frequency = serializers.ChoiceField(
        choices=ReportingFrequency.choices,
        help_text=_("month: a value a month; quarter: a value a quarter."),
    )
    target = serializers.FloatField(
        allow_null=True, help_text=_("The value the clinic aims for; null if none.")
    )
    active = serializers.BooleanField(
        help_text=_("False once the clinic no longer follows the indicator up.")
    )
    created_at = serializers.DateTimeField(help_text=_("When the indicator was defined."))
    values = ClinicIndicatorValueSerializer(many=True)


# The columns of the files: one row per value, with its indicator's definition.
COLUMNS = [
    "indicator_id",
    "clinic_id",
    "hsa_id",
    "name",
    "unit",
    "direction",
    "frequency",
    "target",
    "active",
    "period",
    "period_start",
    "value",
    "comment",
    "reported_at",
]


def _row(indicator: ClinicIndicator, value: ClinicIndicatorValue, hsa_id: str) -> dict:
    return {
        "indicator_id": indicator.pk,
        "clinic_id": indicator.clinic_id,
        "hsa_id": hsa_id,
        "name": indicator.name,
        "unit": indicator.unit,
        "direction": indicator.direction,
        "frequency": indicator.frequency,
        "target": indicator.target,
        "active": int(indicator.active),
        "period": value.period,
        "period_start": value.period_start,
        "value": value.value,
        "comment": value.comment,
        "reported_at": value.reported_at,
    }


class ClinicIndicatorListView(FileFormats, APIView):
    # Whoever may see the clinic (get_clinic_for_user: another clinic is a 404).
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Clinic id."
            ),
            FORMAT_PARAMETER,
        ],
        responses=file_responses(
            "One row per value reported, with its indicator; columns: "
            + ", ".join(COLUMNS)
            + " (active: 1 or 0).",
            ClinicIndicatorSerializer(many=True),
        ),
        description=(
            "The clinic's own indicators (verksamhetsspecifika indikatorer), defined and "
            "reported by its reporters: those still followed up first, by name, each with "
            "every value reported, the oldest first. 404 when the clinic is not yours to see."
        ),
    )
    def get(self, request: Request, pk: int):
        clinic = access.get_clinic_for_user(request.user, pk)
        indicators = list(
            ClinicIndicator.objects.filter(clinic=clinic)
            .order_by("-active", "name", "pk")
            .prefetch_related(
                Prefetch("values", ClinicIndicatorValue.objects.order_by("period_start"))
            )
        )
        rows = [
            _row(indicator, value, clinic.hsa_id)
            for indicator in indicators
            for value in indicator.values.all()
        ]
        filename = f"mottagning-{clinic.hsa_id}-indikatorer"
        files = self.files(request, filename, "Indikatorer", COLUMNS, rows)
        if files is not None:
            return files
        return Response(ClinicIndicatorSerializer(indicators, many=True).data)
