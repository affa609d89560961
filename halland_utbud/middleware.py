"""Response headers the app sets on its own (the Content-Security-Policy is django-csp's)."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

Middleware = Callable[[HttpRequest], HttpResponse]


def permissions_policy_header(policy: dict[str, list[str]]) -> str:
    """``{"camera": [], "geolocation": ["self"]}`` as ``camera=(), geolocation=(self)``."""
    return ", ".join(f"{feature}=({' '.join(allowed)})" for feature, allowed in policy.items())


class PermissionsPolicyMiddleware:
    """Switches off the browser features in ``settings.PERMISSIONS_POLICY``."""

    def __init__(self, get_response: Middleware):
        self.get_response = get_response
        self.header = permissions_policy_header(settings.PERMISSIONS_POLICY)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", self.header)
        return response


class NoStoreForSignedInMiddleware:
    """``Cache-Control: no-store`` on everything shown to someone signed in, and on every
    API answer: a report, an export or a token must not stay in a shared computer's cache
    or a proxy's. DRF sets ``request.user`` for a token too, so this is asked after the
    view. Static files never reach here (WhiteNoise answers them earlier) and keep their
    long cache."""

    def __init__(self, get_response: Middleware):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        match = request.resolver_match
        if (user is not None and user.is_authenticated) or (
            match is not None and "api" in match.namespaces
        ):
            patch_cache_control(response, no_store=True, private=True)
        return response
