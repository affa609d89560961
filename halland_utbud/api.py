"""API plumbing shared by every app: one error body for every refusal, the query
parameters read strictly, pages.

Every error is answered as drf-standardized-errors formats it::

    {"type": "validation_error", "errors": [{"code": "invalid", "detail": "…", "attr": "on_date"}]}

``type`` is ``validation_error`` (400, one entry per problem, ``attr`` naming the field or
parameter, null for the request as a whole), ``client_error`` (any other 4xx, one entry)
or ``server_error``. The project's ``ApplicationError`` keeps its status: a business rule's
refusal is a 400 naming the fields it found wrong, ``NotAllowed`` a 403 and
``InvalidTransition`` a 409, each with the service's message as ``detail``.
"""

from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import register_converter
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_standardized_errors.formatter import ExceptionFormatter
from drf_standardized_errors.handler import ExceptionHandler
from drf_standardized_errors.types import Error
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.routers import SimpleRouter
from rest_framework.serializers import as_serializer_error

from halland_utbud.errors import ApplicationError
from halland_utbud.signin import throttle_refused_sign_in


class Conflict(exceptions.APIException):
    """The object's state does not allow the action now (``InvalidTransition``)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The object's state does not allow this now.")
    default_code = "conflict"


def _as_api_exception(error: ApplicationError) -> exceptions.APIException:
    if error.status_code == status.HTTP_403_FORBIDDEN:
        return exceptions.PermissionDenied(error.message)
    if error.status_code == status.HTTP_409_CONFLICT:
        return Conflict(error.message)
    # A refused input: the fields the service found wrong, or the message for the whole.
    return exceptions.ValidationError(error.extra.get("errors") or [error.message])


class ApiExceptionHandler(ExceptionHandler):
    """drf-standardized-errors' handler, knowing the project's own errors, and counting a
    refused sign-in against the address's allowance (``throttle_refused_sign_in``)."""

    def convert_known_exceptions(self, exc: Exception) -> Exception:
        # Before the package's own conversion: NotAllowed is a PermissionDenied too, whose
        # message it would drop.
        if isinstance(exc, ApplicationError):
            return _as_api_exception(exc)
        if isinstance(exc, DjangoValidationError):
            return exceptions.ValidationError(as_serializer_error(exc))
        if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
            return throttle_refused_sign_in(self.context["request"], self.context["view"]) or exc
        return super().convert_known_exceptions(exc)


class ApiExceptionFormatter(ExceptionFormatter):
    """Every error has a code: a form's error raised without one is ``invalid``."""

    def get_errors(self) -> list[Error]:
        return [
            Error(error.code or "invalid", error.detail, error.attr)
            for error in super().get_errors()
        ]


# Query parameters


def empty_parameter_errors(params, names) -> dict[str, list[str]]:
    """An error for each of ``names`` that the query string gives without a value
    (``?on_date=``): a parameter is either left out or given a value, never both at once,
    so that ``?on_date=`` cannot silently mean today."""
    return {
        name: [_("This parameter is empty: leave it out or give it a value.")]
        for name in names
        if name in params and not any(value.strip() for value in params.getlist(name))
    }


def read_query(request: Request, form_class: type[forms.Form], **kwargs) -> forms.Form:
    """The request's query parameters through ``form_class``: the valid form, or a 400
    naming every bad parameter, an empty one among them."""
    form = form_class(request.query_params, **kwargs)
    errors = empty_parameter_errors(request.query_params, form.fields)
    if not form.is_valid():
        errors = {**form.errors, **errors}
    if errors:
        raise exceptions.ValidationError(errors)
    return form


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, with an empty filter refused as the forms refuse it."""

    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None and (
            errors := empty_parameter_errors(request.query_params, filterset.form.fields)
        ):
            raise exceptions.ValidationError(errors)
        return filterset


def whole_number(params, name: str, *, default: int, maximum: int | None = None) -> int:
    """The query parameter ``name`` as a whole number from 1 (to ``maximum``, if given);
    ``default`` when it is left out; a 400 when it is anything else (``null``, empty,
    ``0``)."""
    if name not in params:
        return default
    raw = params[name]
    if raw.isascii() and raw.isdigit() and 1 <= int(raw) <= (maximum or int(raw)):
        return int(raw)
    if maximum is None:
        message = _("Give a whole number from 1.")
    else:
        message = _("Give a whole number from 1 to %(maximum)s.") % {"maximum": maximum}
    raise exceptions.ValidationError({name: [message]})


class PageSizePagination(PageNumberPagination):
    """``?page=N&page_size=M``; a follow-up system may fetch up to 500 rows a page. A page
    or page size that is not a whole number in range is a 400 (DRF would answer 404 for
    the one and quietly use the default for the other); a page past the last one a 404."""

    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request: Request) -> int:
        return whole_number(
            request.query_params,
            self.page_size_query_param,
            default=self.page_size,
            maximum=self.max_page_size,
        )

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["maximum"] = self.max_page_size
        return parameters

    def get_page_number(self, request: Request, paginator) -> int:
        # A page past the last one is the paginator's 404.
        return whole_number(request.query_params, self.page_query_param, default=1)


# Ids in paths


class IdConverter:
    """``<id:pk>``: an object's id in a path, a whole number of at most 18 digits, so that
    every id a path lets through fits the database's integers (a longer one is a 404, as
    any other id that names nothing)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(value)


register_converter(IdConverter, "id")


class Router(SimpleRouter):
    """DRF's router, with the ids of its detail paths read by ``IdConverter`` (DRF's own
    pattern takes any text, which reaches the database as it is)."""

    def __init__(self) -> None:
        super().__init__(use_regex_path=False)

    def get_lookup_regex(self, viewset, lookup_prefix: str = "") -> str:
        if not hasattr(viewset, "lookup_value_converter"):
            viewset.lookup_value_converter = "id"
        return super().get_lookup_regex(viewset, lookup_prefix)


def allowed(rule) -> type[BasePermission]:
    """A DRF permission that asks one of the rules of ``clinics.access`` (passed in, so
    that the project's plumbing does not import an app), as the pages do."""

    class Allowed(BasePermission):
        def has_permission(self, request, view) -> bool:
            return rule(request.user)

    Allowed.__name__ = f"Allowed({rule.__name__})"
    return Allowed
