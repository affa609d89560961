"""The budget follow-up's reads: the indicator definitions and their snapshots, as JSON,
CSV or XLSX (``?format=`` or the Accept header). A viewer's token is how a budget system
reads; clinic reporters see only their own clinics and are refused the region's figures.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from clinics import access
from followup.api.formats import FORMAT_PARAMETER, FileFormats, file_responses, page_parameters
from followup.api.serializers import IndicatorSerializer, SnapshotSerializer
from followup.indicators import INDICATORS
from followup.selectors import FIELDS, SnapshotFilterForm, record, records
from halland_utbud.api import PageSizePagination, allowed


class IndicatorListView(FileFormats, APIView):
    permission_classes = [IsAuthenticated, allowed(access.sees_everything)]

    @extend_schema(
        parameters=[FORMAT_PARAMETER],
        responses=file_responses("The definitions, one a row.", IndicatorSerializer(many=True)),
        description=(
            "Every indicator the region follows up: what it counts and which way is better, "
            "in the language of the request (Accept-Language: sv or en)."
        ),
    )
    def get(self, request: Request):
        rows = IndicatorSerializer(INDICATORS, many=True).data
        columns = list(IndicatorSerializer().fields)
        return self.files(request, "indikatorer", "Indikatorer", columns, rows) or Response(rows)


def _snapshot_parameters() -> list[OpenApiParameter]:
    return [
        OpenApiParameter(
            name,
            OpenApiTypes.STR,
            description=str(field.help_text),
            enum=[v for v, _ in field.choices if v] if hasattr(field, "choices") else None,
        )
        for name, field in SnapshotFilterForm.base_fields.items()
    ]


class SnapshotListView(FileFormats, APIView):
    permission_classes = [IsAuthenticated, allowed(access.sees_everything)]
    pagination_class = PageSizePagination

    @extend_schema(
        parameters=[
            *_snapshot_parameters(),
            FORMAT_PARAMETER,
            *page_parameters(),
        ],
        responses=file_responses(
            "Every row the filters select, in one file.", SnapshotSerializer(many=True)
        ),
        description=(
            "The indicators' snapshots: one row per indicator, period and dimension value, "
            "the figure as it stood at the end of as_of (the period's last day, or the last "
            "complete day of a running period). A period's rows are always from one "
            "computation. JSON is paged; CSV and XLSX hold every row, streamed."
        ),
    )
    def get(self, request: Request):
        form = self.filtered(request, SnapshotFilterForm)
        rows = form.snapshots()
        period = form.cleaned_data["period"]
        name = f"digitalt-utbud-indikatorer-{period.code if period else 'alla'}"
        return self.files(request, name, "Indikatorer", FIELDS, records(rows)) or self.paged(
            request, rows, SnapshotSerializer, lambda row: record(_values(row))
        )


def _values(snapshot) -> dict:
    return {f.attname: getattr(snapshot, f.attname) for f in snapshot._meta.concrete_fields}
