"""API plumbing shared by every app: errors as JSON with field details."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

from halland_utbud.errors import ApplicationError
from halland_utbud.signin import throttle_refused_sign_in


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        exc = throttle_refused_sign_in(context["request"], context["view"]) or exc
    if isinstance(exc, ApplicationError):
        return Response({"detail": exc.message, **exc.extra}, status=exc.status_code)
    return drf_exception_handler(exc, context)


class PageSizePagination(PageNumberPagination):
    """``?page=N&page_size=M``; a follow-up system may fetch up to 500 rows a page."""

    page_size_query_param = "page_size"
    max_page_size = 500


def allowed(rule) -> type[BasePermission]:
    """A DRF permission that asks one of the rules of ``clinics.access`` (passed in, so
    that the project's plumbing does not import an app), as the pages do."""

    class Allowed(BasePermission):
        def has_permission(self, request, view) -> bool:
            return rule(request.user)

    Allowed.__name__ = f"Allowed({rule.__name__})"
    return Allowed
