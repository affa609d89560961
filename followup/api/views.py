"""The region-wide reads over the API: the clinic list with each clinic's compliance, and
the compliance matrix (one row per clinic and requirement) as JSON, CSV or XLSX.

Both choose their clinics with the overview's filter (``followup.filters``) and read the
stored timeline, so a page of 500 clinics costs the same number of queries as a page of 5,
and the API, the overview and its downloads always give the same counts.
"""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from clinics.api.serializers import ComplianceCatalogue
from clinics.api.views import ON_DATE_PARAMETER, compliance_date
from clinics.models import AreaStatusPeriod, Clinic, ClinicStatusPeriod, ReportingStatus
from followup.api.formats import (
    FORMAT_PARAMETER,
    JsonNegotiation,
    file_responses,
    requested_format,
)
from followup.api.serializers import ClinicSerializer, MatrixPageSerializer
from followup.exports import csv_response, xlsx_response
from followup.filters import (
    ClinicFilterForm,
    ClinicSelection,
    Sort,
    rows_in_order,
    selected_clinics,
    sorted_clinics,
)
from followup.matrix import COLUMNS, BadCursor, Cursor, matrix_csv, matrix_page, matrix_records
from halland_utbud.api import read_query, whole_number
from requirements.compliance import share_of
from requirements.selectors import catalogue_in_force

# Page sizes of the matrix: rows, not clinics (a clinic has about forty).
MATRIX_PAGE_SIZE = 1000
MATRIX_MAX_PAGE_SIZE = 10_000


def _filter_parameters(*, exclude: tuple[str, ...] = ()) -> list[OpenApiParameter]:
    """The filter's fields as query parameters, documented from the form itself."""
    types = {"on_date": OpenApiTypes.DATE, "provider": OpenApiTypes.INT}
    parameters = []
    for name, field in ClinicFilterForm.base_fields.items():
        if name in exclude:
            continue
        enum = None
        choices = getattr(field, "choices", None)
        if choices and name != "provider":
            enum = [value for value, _label in choices if value != ""]
        boolean = name in ("active", "meets_baseline", "meets_general")
        parameters.append(
            OpenApiParameter(
                name,
                OpenApiTypes.BOOL if boolean else types.get(name, OpenApiTypes.STR),
                description=str(field.help_text),
                enum=enum,
            )
        )
    return parameters


def parse_selection(request: Request) -> ClinicSelection:
    """The request's filter, or a 400 naming every bad parameter."""
    return read_query(request, ClinicFilterForm, user=request.user).selection()


@dataclass(frozen=True)
class AreaSummary:
    code: str
    in_baseline: bool
    met: int
    applicable: int

    @property
    def meets(self) -> bool:
        return self.met == self.applicable

    @property
    def share(self) -> float | None:
        return share_of(self.met, self.applicable)


@dataclass(frozen=True)
class ComplianceSummary:
    """A clinic's stored compliance on a day, shaped as ``ClinicCompliance`` is."""

    on_date: date
    meets_baseline: bool
    meets_general: bool | None
    met: int
    applicable: int
    areas: list[AreaSummary]

    @property
    def share(self) -> float | None:
        return share_of(self.met, self.applicable)


def _compliance_context(periods: list[ClinicStatusPeriod], on_date: date) -> dict:
    """The summaries of these clinics on the day, in three queries whatever their number."""
    version = catalogue_in_force(on_date)
    if version is None:
        return {"catalogue": None, "compliance": {}}
    areas: dict[int, list[AreaSummary]] = {period.clinic_id: [] for period in periods}
    for row in (
        AreaStatusPeriod.objects.on(on_date)
        .filter(clinic_id__in=list(areas))
        .order_by("clinic_id", "area_id")
        .values_list("clinic_id", "area_code", "in_baseline", "met", "applicable")
    ):
        areas[row[0]].append(AreaSummary(*row[1:]))
    catalogue = ComplianceCatalogue.for_version(version)
    compliance = {
        period.clinic_id: ComplianceSummary(
            on_date,
            period.meets_baseline,
            period.meets_general,
            period.met,
            period.applicable,
            areas[period.clinic_id],
        )
        for period in periods
        if period.catalogue_version_id is not None
    }
    return {"catalogue": catalogue, "compliance": compliance}


def _clinics(periods: list[ClinicStatusPeriod]) -> list:
    clinics = []
    for period in periods:
        period.clinic.approved_report_on = (
            None if period.approved_on is None else timezone.localdate(period.approved_on)
        )
        period.clinic.reporting = period.reporting or ReportingStatus.NONE
        clinics.append(period.clinic)
    return clinics


class ClinicViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ClinicSerializer
    # For the schema (the path's id is a clinic's); the rows come from the timeline.
    queryset = Clinic.objects.none()

    # The register entry as it is now, with its provider now.
    related = ("clinic__provider",)

    def _respond(self, periods: list[ClinicStatusPeriod], on_date: date, *, many: bool):
        context = {**self.get_serializer_context(), **_compliance_context(periods, on_date)}
        clinics = _clinics(periods)
        return ClinicSerializer(clinics if many else clinics[0], many=many, context=context)

    @extend_schema(parameters=_filter_parameters())
    def list(self, request: Request, *args, **kwargs) -> Response:
        """The clinics you may see, by name, with their compliance on on_date. Filters on
        the clinic's attributes select them as they were on on_date."""
        selection = parse_selection(request)
        ordered = sorted_clinics(selected_clinics(selection), Sort("name"))
        ids = self.paginate_queryset(ordered.values_list("pk", flat=True))
        periods = rows_in_order(ids, *self.related)
        return self.get_paginated_response(
            self._respond(periods, selection.on_date, many=True).data
        )

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Clinic id."
            ),
            ON_DATE_PARAMETER,
        ]
    )
    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        # The list's filters do not apply to one clinic: only its day does.
        selection = ClinicSelection(request.user, compliance_date(request), {})
        rows = (
            selected_clinics(selection).filter(clinic_id=kwargs["pk"]).values_list("pk", flat=True)
        )
        periods = rows_in_order(list(rows), *self.related)
        if not periods:
            raise NotFound
        period = periods[0]
        return Response(self._respond([period], selection.on_date, many=False).data)


class ComplianceMatrixView(APIView):
    content_negotiation_class = JsonNegotiation

    @extend_schema(
        parameters=[
            *_filter_parameters(),
            FORMAT_PARAMETER,
            OpenApiParameter("cursor", OpenApiTypes.STR, description="From a page's next."),
            OpenApiParameter(
                "page_size",
                {"type": "integer", "minimum": 1, "maximum": MATRIX_MAX_PAGE_SIZE},
                description=f"Rows a page (JSON); default {MATRIX_PAGE_SIZE}, "
                f"at most {MATRIX_MAX_PAGE_SIZE}.",
            ),
        ],
        responses=file_responses(
            "Every row, columns as the JSON rows: " + ", ".join(COLUMNS) + ".",
            MatrixPageSerializer,
        ),
        description=(
            "One row per clinic and requirement of the catalogue in force on on_date, for "
            "the clinics the filters select, in clinic and catalogue order. JSON is read "
            "page by page (follow next); CSV and XLSX hold every row, streamed."
        ),
    )
    def get(self, request: Request):
        selection = parse_selection(request)
        kind = requested_format(request)
        filename = f"digitalt-utbud-matris-{selection.on_date:%Y-%m-%d}"
        if kind == "csv":
            return csv_response(f"{filename}.csv", matrix_csv(selection))
        if kind == "xlsx":
            title = str(_("Matrix"))
            return xlsx_response(f"{filename}.xlsx", title, COLUMNS, matrix_records(selection))
        return self._page(request, selection)

    def _page(self, request: Request, selection: ClinicSelection) -> Response:
        after = None
        if "cursor" in request.query_params:
            try:
                after = Cursor.decode(request.query_params["cursor"])
            except BadCursor:
                raise ValidationError(
                    {"cursor": [_("Not a cursor from this endpoint.")]}
                ) from None
        size = whole_number(
            request.query_params,
            "page_size",
            default=MATRIX_PAGE_SIZE,
            maximum=MATRIX_MAX_PAGE_SIZE,
        )
        rows, next_cursor = matrix_page(selection, after=after, size=size)
        next_url = None
        if next_cursor is not None:
            params = request.query_params.copy()
            params["cursor"] = next_cursor.encode()
            next_url = request.build_absolute_uri(f"{request.path}?{params.urlencode()}")
        return Response({"on_date": selection.on_date, "next": next_url, "results": rows})
