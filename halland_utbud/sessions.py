"""A signed-in session ends after a time without activity and after a longest age.

The middleware keeps two times in the session, as seconds since the epoch: when the user
signed in and when they were last active. A request that comes after either limit
(``SESSION_IDLE_TIMEOUT_SECONDS``, ``SESSION_MAX_AGE_SECONDS``) signs the user out and
sends a page to the sign-in page with a message saying why; an API call is answered as
not signed in. The cookie's own age is the longest age too (``SESSION_COOKIE_AGE``).
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.utils.translation import ngettext

SIGNED_IN_AT = "halland_utbud.signed_in_at"
LAST_ACTIVE_AT = "halland_utbud.last_active_at"
# Writing the session on every request would cost a write each page; the last activity is
# kept to this precision instead (a minute on a 30-minute timeout).
ACTIVITY_PRECISION_SECONDS = 60


def _expiry_message(now: int, signed_in_at: int, last_active_at: int) -> str | None:
    if now - signed_in_at >= settings.SESSION_MAX_AGE_SECONDS:
        hours = max(1, settings.SESSION_MAX_AGE_SECONDS // 3600)
        return ngettext(
            "You were signed out because you had been signed in for %(hours)s hour. "
            "Sign in again to go on.",
            "You were signed out because you had been signed in for %(hours)s hours. "
            "Sign in again to go on.",
            hours,
        ) % {"hours": hours}
    if now - last_active_at >= settings.SESSION_IDLE_TIMEOUT_SECONDS:
        minutes = max(1, settings.SESSION_IDLE_TIMEOUT_SECONDS // 60)
        return ngettext(
            "You were signed out after %(minutes)s minute without activity. "
            "Sign in again to go on.",
            "You were signed out after %(minutes)s minutes without activity. "
            "Sign in again to go on.",
            minutes,
        ) % {"minutes": minutes}
    return None


def record_sign_in(sender, request, user, **kwargs) -> None:
    """On ``user_logged_in`` (connected in ``clinics.apps``): the session starts now, the
    same limits whether by password or by SITHS, and the sign-in is recorded with its
    method and level of assurance (``acr``). The session keeps which sign-in it is, as
    every record the user then makes does (``clinics.models.signed_history``)."""
    from clinics.models import SignInMethod
    from clinics.models.signed_history import SESSION_SIGN_IN
    from clinics.services.users import record_sign_in as record
    from halland_utbud import oidc

    now = int(time.time())
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_ACTIVE_AT] = now
    by_siths = getattr(user, "backend", "") == oidc.BACKEND
    acr = getattr(request, "oidc_acr", "") if by_siths else ""
    if by_siths:
        request.session[oidc.SESSION_ID_TOKEN] = getattr(request, "oidc_id_token", "")
    method = SignInMethod.OIDC if by_siths else SignInMethod.PASSWORD
    request.session[SESSION_SIGN_IN] = record(user=user, method=method, acr=acr).pk


def _stamp(request, now: int) -> None:
    session = request.session
    session.setdefault(SIGNED_IN_AT, now)
    if now - session.get(LAST_ACTIVE_AT, 0) >= ACTIVITY_PRECISION_SECONDS:
        session[LAST_ACTIVE_AT] = now


class SessionTimeoutMiddleware:
    """After AuthenticationMiddleware and MessageMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            session = request.session
            message = _expiry_message(
                now,
                session.get(SIGNED_IN_AT, now),
                session.get(LAST_ACTIVE_AT, now),
            )
            if message is not None:
                logout(request)
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                messages.info(request, message)
                return redirect_to_login(request.get_full_path())
            _stamp(request, now)
        return self.get_response(request)
