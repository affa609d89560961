"""API plumbing shared by every app: errors as JSON with field details."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

from halland_utbud.errors import ApplicationError


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    if isinstance(exc, ApplicationError):
        return Response({"detail": exc.message, **exc.extra}, status=exc.status_code)
    return drf_exception_handler(exc, context)


class PageSizePagination(PageNumberPagination):
    """``?page=N&page_size=M``; a follow-up system may fetch up to 500 rows a page."""

    page_size_query_param = "page_size"
    max_page_size = 500
