"""The project's own pages: the error pages and the admin's sign-in.

Every error page is in the page frame, in the user's language, and leads back to the start
page. The server error page is drawn without the context processors: it must render when
the database is down, and they would ask it who the user is.

Under the API's prefix an error that never reached a view of the API (a path that matches
none, a server error outside a view) is answered in the API's own error body instead
(``halland_utbud.api``), as JSON, so that a client never has to read a page.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token


def _reason(exception: BaseException | None) -> str:
    """The message a ``PermissionDenied`` was raised with (``NotAllowed`` carries one)."""
    message = getattr(exception, "message", None) or next(iter(getattr(exception, "args", ())), "")
    return str(message)


API_PREFIX = "/api/"


def _api_error(request: HttpRequest, status: int, code: str, detail: str) -> JsonResponse | None:
    """The API's error body, for a request under the API's prefix; None for a page."""
    if not request.path.startswith(API_PREFIX):
        return None
    kind = "server_error" if status >= 500 else "client_error"
    body = {"type": kind, "errors": [{"code": code, "detail": detail, "attr": None}]}
    return JsonResponse(body, status=status)


@requires_csrf_token
def bad_request(request: HttpRequest, exception: BaseException | None = None) -> HttpResponse:
    if isinstance(exception, RequestDataTooBig):
        # Django refuses to read a body above DATA_UPLOAD_MAX_MEMORY_SIZE: nothing of it
        # was read, so nothing was saved; the browser still holds the text.
        return render(request, "errors/too_long.html", status=413)
    return _api_error(request, 400, "parse_error", _("Bad request.")) or render(
        request, "errors/400.html", status=400
    )


@requires_csrf_token
def permission_denied(
    request: HttpRequest, exception: BaseException | None = None
) -> HttpResponse:
    reason = _reason(exception)
    return _api_error(
        request, 403, "permission_denied", reason or _("You may not do this.")
    ) or render(request, "errors/403.html", {"reason": reason}, status=403)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: BaseException | None = None) -> HttpResponse:
    return _api_error(request, 404, "not_found", _("Not found.")) or render(
        request, "errors/404.html", status=404
    )


def server_error(request: HttpRequest) -> HttpResponse:
    if api_error := _api_error(request, 500, "error", _("Server error.")):
        return api_error
    # A plain context: no user, no navigation, no messages, so not a single query. The
    # CSRF token comes from the cookie, so that the language switch still works.
    context = {"request": request, "csrf_token": get_token(request)}
    return HttpResponse(loader.get_template("errors/500.html").render(context), status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "errors/403_csrf.html", status=403)


def admin_login(request: HttpRequest) -> HttpResponse:
    """Where the admin sends whoever it does not let in. Anonymous users sign in on the
    app's own page; a signed-in user without admin access gets the 403 page, instead of
    being sent back to the admin, which would send them here again (a redirect loop)."""
    if not request.user.is_authenticated:
        query = request.META.get("QUERY_STRING", "")
        return HttpResponseRedirect(reverse("login") + (f"?{query}" if query else ""))
    if not admin.site.has_permission(request):
        raise PermissionDenied(_("The administration is only for region administrators."))
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("admin:index")
    return HttpResponseRedirect(next_url)
