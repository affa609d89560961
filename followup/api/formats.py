"""The formats of the region-wide lists: JSON, or CSV and XLSX written from the same
records, asked for with ``?format=`` or the Accept header."""

from datetime import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from followup.exports import XLSX_CONTENT_TYPE, csv_lines, csv_response, xlsx_response
from halland_utbud.api import PageSizePagination, read_query

FORMATS = {"json": "application/json", "csv": "text/csv", "xlsx": XLSX_CONTENT_TYPE}

FORMAT_PARAMETER = OpenApiParameter(
    "format",
    OpenApiTypes.STR,
    enum=list(FORMATS),
    description="json (default), csv or xlsx; or ask through the Accept header.",
)


def page_parameters(*, maximum: int = PageSizePagination.max_page_size) -> list[OpenApiParameter]:
    """``page`` and ``page_size`` of a JSON list, as the views read them (whole numbers;
    halland_utbud.api.whole_number)."""
    return [
        OpenApiParameter("page", {"type": "integer", "minimum": 1}, description="JSON only."),
        OpenApiParameter(
            "page_size",
            {"type": "integer", "minimum": 1, "maximum": maximum},
            description=f"JSON only; at most {maximum}.",
        ),
    ]


class JsonNegotiation(BaseContentNegotiation):
    """The views read the format themselves (``requested_format``) and write the files;
    everything else, errors included, is answered as JSON."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        renderer = JSONRenderer()
        return renderer, renderer.media_type


def requested_format(request: Request) -> str:
    """``?format=`` if given, else CSV or XLSX if the Accept header names one, else JSON;
    an unknown ``format`` is a 400."""
    if "format" in request.query_params:
        kind = request.query_params["format"]
        if kind not in FORMATS:
            raise ValidationError({"format": [_("Give json, csv or xlsx.")]})
        return kind
    accept = request.headers.get("Accept", "")
    for kind in ("csv", "xlsx"):
        if FORMATS[kind] in accept:
            return kind
    return "json"


def file_responses(description: str, json) -> dict:
    """The schema's responses of a list in the three formats."""
    return {
        (200, "application/json"): json,
        (200, "text/csv"): OpenApiResponse(
            OpenApiTypes.STR, description=f"{description} Semicolon-separated UTF-8 with BOM."
        ),
        (200, XLSX_CONTENT_TYPE): OpenApiResponse(OpenApiTypes.BINARY, description=description),
    }


class FileFormats:
    """JSON through DRF; CSV and XLSX written here, streamed, from the same records."""

    content_negotiation_class = JsonNegotiation

    def filtered(self, request: Request, form_class: type[forms.Form]) -> forms.Form:
        """The request's filters, checked: a 400 naming every bad parameter, the format
        among them."""
        requested_format(request)
        return read_query(request, form_class)

    def paged(self, request: Request, rows, serializer_class, record) -> Response:
        """A page of ``rows`` as JSON, each made a record by ``record``."""
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(rows, request, view=self)
        data = serializer_class([record(row) for row in page], many=True).data
        return paginator.get_paginated_response(data)

    def files(self, request: Request, filename: str, title: str, columns, rows):
        """The rows as CSV or XLSX if the request asks for one; None for JSON."""
        kind = requested_format(request)
        if kind == "csv":
            lines = ([_cell(row[c]) for c in columns] for row in rows)
            return csv_response(f"{filename}.csv", csv_lines(columns, lines))
        if kind == "xlsx":
            lines = ([_cell(row[c]) for c in columns] for row in rows)
            return xlsx_response(f"{filename}.xlsx", title, columns, lines)
        return None


def _cell(value):
    """Dates and times in ISO 8601 (local time), numbers as numbers, the rest as text."""
    if value is None or isinstance(value, int | float | str):
        return value
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    return value.isoformat() if hasattr(value, "isoformat") else str(value)
