"""One application error type for business rules, mapped to HTTP in one place.

Services raise these; views, the API and commands turn them into a message for the user.
"""

from django.core.exceptions import PermissionDenied


class ApplicationError(Exception):
    """A business rule refused the action; ``message`` is for the user, in their language."""

    status_code = 400

    def __init__(self, message: str, *, extra: dict | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra or {}


class NotAllowed(ApplicationError, PermissionDenied):
    """The actor may not do this (role, clinic or four-eyes rule).

    Also a ``PermissionDenied``: one that no view catches becomes the 403 page, with this
    message as its reason, instead of a server error.
    """

    status_code = 403


class InvalidTransition(ApplicationError):
    """The object is not in a state from which this action is possible."""

    status_code = 409
