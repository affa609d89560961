"""The sign-in and sign-out pages: the password form, SITHS sign-in (halland_utbud.oidc)
and its refusals, each on a page in the frame that says what happened and what to do."""

import logging

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views import View
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from halland_utbud import oidc
from halland_utbud.oidc import Refusal, SignInRefused

logger = logging.getLogger(__name__)

REFUSALS = {
    Refusal.STATE: _(
        "The sign-in could not be finished: it was started in another window, or took too "
        "long. Start it again."
    ),
    Refusal.TOKEN: _(
        "The identity provider's answer could not be verified, so you were not signed in. "
        "Start again; if it happens again, contact the support."
    ),
    Refusal.ACR: _(
        "Your way of signing in does not give a high enough level of assurance for this "
        "service. Sign in with your SITHS eID."
    ),
    Refusal.NO_HSA_ID: _(
        "The identity provider did not give a valid employee HSA-id for you, so you could "
        "not be signed in. Sign in with your SITHS eID."
    ),
    Refusal.INACTIVE: _(
        "Your account has been switched off. Ask a region administrator if you need access."
    ),
    Refusal.PROVIDER_ERROR: _("The sign-in was cancelled or refused at the identity provider."),
    Refusal.UNREACHABLE: _("The identity provider could not be reached. Try again in a while."),
    Refusal.FAILED: _("You could not be signed in. Start the sign-in again."),
}


def refused(request: HttpRequest, reason: Refusal, detail: str = "") -> HttpResponse:
    logger.warning("SITHS sign-in refused (%s) %s", reason, detail)
    return render(
        request, "registration/sign_in_refused.html", {"reason": REFUSALS[reason]}, status=403
    )


class SignInView(auth_views.LoginView):
    """The sign-in page: SITHS when it is on, and the password form (for superusers only
    when ``LOCAL_SIGN_IN`` is off)."""

    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            oidc_enabled=oidc.enabled(), local_sign_in=settings.LOCAL_SIGN_IN, **kwargs
        )


class SithsSignInStart(OIDCAuthenticationRequestView):
    """Sends the browser to the identity provider, with state, nonce and PKCE."""

    get_settings = staticmethod(oidc.provider_setting)

    def __init__(self, **kwargs):
        # The endpoint is read in get(), where a provider that cannot be reached gets its page.
        View.__init__(self, **kwargs)
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID

    def get(self, request):
        if not oidc.enabled():
            raise Http404
        try:
            self.OIDC_OP_AUTH_ENDPOINT = oidc.provider_setting("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except SignInRefused as refusal:
            return refused(request, refusal.reason, str(refusal))
        return super().get(request)

    def get_extra_params(self, request):
        if settings.OIDC_REQUIRED_ACR:
            return {"acr_values": " ".join(settings.OIDC_REQUIRED_ACR)}
        return {}


class SithsSignInCallback(OIDCAuthenticationCallbackView):
    """Where the identity provider sends the browser back. Every way it can go wrong ends
    on the refusal page, signed out."""

    get_settings = staticmethod(oidc.provider_setting)
    user = None

    def get(self, request):
        if not oidc.enabled():
            raise Http404
        query = request.GET
        if "error" in query:
            super().get(request)  # forgets the state, signs out
            return refused(request, Refusal.PROVIDER_ERROR, query.get("error", ""))
        if not ("code" in query and "state" in query):
            # Nothing to finish (a bookmark, a reload): start from the sign-in page.
            return redirect("login")
        if query["state"] not in request.session.get("oidc_states", {}):
            return refused(request, Refusal.STATE)
        try:
            return super().get(request)
        except SignInRefused as refusal:
            return refused(request, refusal.reason, str(refusal))

    def login_failure(self):
        if self.user is not None and not self.user.is_active:
            return refused(self.request, Refusal.INACTIVE)
        return refused(self.request, Refusal.FAILED)


class SignOutView(auth_views.LogoutView):
    """Sign-out; after a SITHS sign-in, on to the provider to end its session too."""

    def post(self, request, *args, **kwargs):
        end_session = oidc.end_session_url(request)
        response = super().post(request, *args, **kwargs)
        return HttpResponseRedirect(end_session) if end_session else response
