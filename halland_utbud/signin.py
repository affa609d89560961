"""Who must wait: the sign-in lockout and the API throttles, which see the client's
address as ``halland_utbud.client_address`` does."""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from rest_framework import throttling
from rest_framework.exceptions import Throttled
from rest_framework.settings import api_settings

from halland_utbud.client_address import client_address


class SignInLockoutHandler(AxesDatabaseHandler):
    """django-axes with a limit of its own for each lockout parameter.

    Axes counts failures per parameter of ``AXES_LOCKOUT_PARAMETERS`` (here the username,
    and the address) but compares the worst count with one limit, ``AXES_FAILURE_LIMIT``.
    A username must lock after 5 failures from anywhere, an address only after 20 across
    usernames (many people share one address in a hospital). So the count reported to axes
    is each parameter's count moved onto ``AXES_FAILURE_LIMIT``'s scale: it reaches the
    limit exactly when one parameter reaches its own (``SIGN_IN_FAILURE_LIMITS``).
    """

    def get_failures(self, request, credentials=None) -> int:
        limit = settings.AXES_FAILURE_LIMIT
        parameters = settings.AXES_LOCKOUT_PARAMETERS
        counts = [
            sum(attempts.values_list("failures_since_start", flat=True))
            for attempts in self.get_user_attempts(request, credentials)
        ]
        return max(
            limit + count - settings.SIGN_IN_FAILURE_LIMITS.get(parameter, limit)
            for parameter, count in zip(parameters, counts, strict=True)
        )

    def reset_user_attempts(self, request, credentials=None) -> int:
        """A successful sign-in clears that username's failures only: clearing the
        address's too would let someone with an account of their own reset, by signing
        in, the count of everything they tried against other accounts."""
        username = get_client_username(request, credentials)
        if username is None:
            return 0
        count, _deleted = AccessAttempt.objects.filter(username=username).delete()
        return count


class LocalAccountBackend(ModelBackend):
    """Passwords, for everyone while ``LOCAL_SIGN_IN`` is on (the embedded default); off
    (production with SITHS), for superusers only: the emergency way in when the identity
    provider cannot be reached. Sessions of other local accounts end with it too."""

    def user_can_authenticate(self, user) -> bool:
        return super().user_can_authenticate(user) and (
            settings.LOCAL_SIGN_IN or user.is_superuser
        )


class _ClientAddressMixin:
    def get_ident(self, request) -> str | None:
        return client_address(request)

    def get_rate(self):
        # Read per request, not once at import as DRF does, so that a rate set by
        # settings (and by a test's override) is the one used.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class AnonRateThrottle(_ClientAddressMixin, throttling.AnonRateThrottle):
    """Requests without a valid sign-in, per client address (``API_THROTTLE_ANON_RATE``)."""


class UserRateThrottle(_ClientAddressMixin, throttling.UserRateThrottle):
    """Requests per signed-in user, whether by token or session (``API_THROTTLE_USER_RATE``)."""


class _RefusedSignInThrottle(AnonRateThrottle):
    """The address's anonymous bucket, whoever ``request.user`` turned out to be."""

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def throttle_refused_sign_in(request, view) -> Throttled | None:
    """Count a request refused for want of a valid sign-in (no token, a wrong one) in the
    address's anonymous bucket; past the rate, the 429 to answer instead of the 401.

    DRF checks permissions before throttles, so such a request never reaches them: without
    this, guessing tokens would be limited by nothing."""
    throttle = _RefusedSignInThrottle()
    if throttle.allow_request(request, view):
        return None
    return Throttled(wait=throttle.wait())
