"""The API's own pages: its root, which lists the endpoints, and its documentation.

Apart from ``halland_utbud.api``, which the REST framework's settings import: these import
drf-spectacular's views, which read those settings.
"""

from csp.constants import SELF
from csp.decorators import csp_update
from django.shortcuts import render
from django.urls import get_resolver
from django.utils.decorators import method_decorator
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView


def _endpoints_without_arguments(namespace: str) -> list[tuple[str, str]]:
    """(path, url name) of every URL in ``namespace`` that takes no argument: the lists,
    the schema and the docs. Read from the URL patterns, so a new endpoint is listed."""
    _prefix, resolver = get_resolver().namespace_dict[namespace]
    found = {}
    for name, entries in resolver.reverse_dict.lists():
        if not isinstance(name, str):
            continue
        for possibilities, *_rest in entries:
            for path, parameters in possibilities:
                if not parameters and path:
                    found[path.rstrip("/")] = name
    return sorted(found.items())


@extend_schema(exclude=True)
class ApiRootView(APIView):
    """``/api/v1/``: where each endpoint is, as DRF's browsable root shows it."""

    def get(self, request, *args, **kwargs) -> Response:
        namespace = request.resolver_match.namespace
        return Response(
            {
                path: reverse(f"{namespace}:{name}", request=request)
                for path, name in _endpoints_without_arguments(namespace)
            }
        )


# What Swagger UI needs beyond the app's policy (settings.CONTENT_SECURITY_POLICY).
API_DOCS_CSP = {"img-src": [SELF, "data:"]}


@extend_schema(exclude=True)
class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI for whoever is signed in or sends a token; to anyone else a page in the
    app's frame that says how to authorize, instead of a bare 401. The schema itself stays
    behind SERVE_PERMISSIONS.

    The split view serves Swagger UI's start script from this same URL (``?script``), so
    the page has no inline script; its own policy adds only the icons Swagger UI's
    stylesheet draws as ``data:`` images."""

    permission_classes = [AllowAny]

    @method_decorator(csp_update(API_DOCS_CSP))
    def get(self, request, *args, **kwargs):
        if request.user and request.user.is_authenticated:
            return super().get(request, *args, **kwargs)
        response = render(
            request._request,
            "api/docs_authorize.html",
            {"schema_url": reverse("api:schema")},
            status=401,
        )
        response["WWW-Authenticate"] = "Token"
        return response
