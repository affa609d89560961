"""The OpenAPI schema's account of the errors: drf-standardized-errors' AutoSchema, which
adds to each operation the error responses it can give (401, 403, 404, 405, 406, 415,
429, 500, as the view's authentication, permissions, paths, pages and throttles allow),
told what the services add to a write, and one body for every 400.

Apart from ``halland_utbud.api``: the REST framework's settings import that module, and
this one imports drf-spectacular, which reads them.
"""

from drf_standardized_errors.openapi import AutoSchema as StandardizedErrorsAutoSchema
from drf_standardized_errors.openapi_serializers import ClientErrorEnum, ValidationErrorEnum
from rest_framework import serializers
from rest_framework.permissions import SAFE_METHODS


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="What went wrong, for a program: e.g. invalid.")
    detail = serializers.CharField(
        help_text="What went wrong, for a person, in the request's language."
    )
    attr = serializers.CharField(
        allow_null=True,
        help_text="The field or query parameter at fault; null for the request as a whole.",
    )


class ValidationErrorResponseSerializer(serializers.Serializer):
    """Every 400: the request's fields or query parameters are refused, one error for each
    problem (validation_error), or its body is not JSON (client_error, parse_error)."""

    type = serializers.ChoiceField(
        choices=[*ValidationErrorEnum.choices, *ClientErrorEnum.choices]
    )
    errors = ErrorSerializer(many=True)


class ConflictErrorSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=[("conflict", "conflict")])
    detail = serializers.CharField(help_text="Why the object's state does not allow it.")
    attr = serializers.CharField(allow_null=True)


class ConflictResponseSerializer(serializers.Serializer):
    """409: the object is not in a state from which the action is possible."""

    type = serializers.ChoiceField(choices=ClientErrorEnum.choices)
    errors = ConflictErrorSerializer(many=True)


class AutoSchema(StandardizedErrorsAutoSchema):
    """Every write goes through a service, which may refuse the actor (403: role, clinic,
    four eyes), not find what it names (404: a clinic or case not yours) or find the
    object in the wrong state (409), whatever the view's own permissions say."""

    def _is_write(self) -> bool:
        return self.method not in SAFE_METHODS

    def _should_add_http403_error_response(self) -> bool:
        return self._is_write() or super()._should_add_http403_error_response()

    def _should_add_http404_error_response(self) -> bool:
        return self._is_write() or super()._should_add_http404_error_response()

    def _should_add_error_response(self, responses: dict, status_code: str) -> bool:
        if status_code == "409":
            return self._is_write() and status_code not in responses
        return super()._should_add_error_response(responses, status_code)
