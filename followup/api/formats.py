"""The formats of the region-wide lists: JSON, or CSV and XLSX written from the same
records, asked for with ``?format=`` or the Accept header."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request

from followup.exports import XLSX_CONTENT_TYPE

FORMATS = {"json": "application/json", "csv": "text/csv", "xlsx": XLSX_CONTENT_TYPE}

FORMAT_PARAMETER = OpenApiParameter(
    "format",
    OpenApiTypes.STR,
    enum=list(FORMATS),
    description="json (default), csv or xlsx; or ask through the Accept header.",
)


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
    if kind := request.query_params.get("format"):
        if kind not in FORMATS:
            raise ValidationError({"format": ["json, csv or xlsx."]})
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
