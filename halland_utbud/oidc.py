"""Sign-in with SITHS eID through the region's identity provider, over OpenID Connect
(mozilla-django-oidc's authorization code flow, with state, nonce and PKCE).

On when ``OIDC_ISSUER`` is set (halland_utbud.settings). The rules:
- the provider's endpoints come from its discovery document, read when first needed and
  kept for an hour, so that ``manage.py check`` and a password sign-in never need it;
- the ID token must be signed by a key of the provider's JWKS (RS256), issued by
  ``OIDC_ISSUER`` to our client id, unexpired, and carry the nonce we sent; the userinfo
  answer must be about the same subject;
- the person is matched on their employee HSA-id (``OIDC_CLAIM_HSA_ID``), which must be a
  valid HSA-id; someone new gets an account with no role, until a region admin gives one,
  unless ``OIDC_ROLE_MAP`` maps a value of ``OIDC_ROLE_CLAIM`` to a role;
- with ``OIDC_REQUIRED_ACR``, only those levels of assurance are let in;
- with ``OIDC_LINK_PROVIDER``, a clinic reporter is linked to the provider that the
  provider claim names (a coordinator);
- the level of assurance is kept on the sign-in's audit row, which the session and every
  record made in it name (``clinics.models.signed_history``); the ID token is kept on the
  session, to end the session at the provider on sign-out.

Every refusal raises ``SignInRefused`` with a reason, which the callback view turns into a
page saying what happened; nobody is signed in.
"""

import logging
import time
from enum import StrEnum
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.core import checks
from django.core.exceptions import SuspiciousOperation
from django.db import IntegrityError, transaction
from django.urls import reverse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings

from clinics.models import NO_ROLE, Provider, Role, User
from requirements.identifiers import hsa_id_error

logger = logging.getLogger(__name__)

BACKEND = "halland_utbud.oidc.SithsBackend"
# What the session keeps of a SITHS sign-in, to end it at the provider.
SESSION_ID_TOKEN = "halland_utbud.oidc_id_token"

# mozilla-django-oidc's settings that the discovery document answers, and its field.
_DISCOVERED = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
    "OIDC_OP_LOGOUT_ENDPOINT": "end_session_endpoint",
}
DISCOVERY_MAX_AGE_SECONDS = 60 * 60
# How far the provider's clock and ours may differ when the token's times are checked.
CLOCK_SKEW_SECONDS = 60
_discovered: dict[str, tuple[float, dict]] = {}


class Refusal(StrEnum):
    STATE = "state"
    TOKEN = "token"
    ACR = "acr"
    NO_HSA_ID = "no_hsa_id"
    INACTIVE = "inactive"
    PROVIDER_ERROR = "provider_error"
    UNREACHABLE = "unreachable"
    FAILED = "failed"


class SignInRefused(Exception):
    def __init__(self, reason: Refusal, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


def enabled() -> bool:
    return settings.OIDC_ENABLED


def discovery() -> dict:
    """The provider's discovery document, fetched at most once an hour per process."""
    issuer = settings.OIDC_ISSUER
    if issuer in _discovered:
        fetched_at, document = _discovered[issuer]
        if time.monotonic() - fetched_at < DISCOVERY_MAX_AGE_SECONDS:
            return document
    try:
        response = requests.get(
            f"{issuer}/.well-known/openid-configuration", timeout=settings.OIDC_TIMEOUT
        )
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as error:
        raise SignInRefused(Refusal.UNREACHABLE, str(error)) from None
    if document.get("issuer", "").rstrip("/") != issuer:
        # The spec's rule: a document naming another issuer is not this provider's.
        raise SignInRefused(Refusal.UNREACHABLE, f"discovery names {document.get('issuer')!r}")
    _discovered[issuer] = (time.monotonic(), document)
    return document


def provider_setting(name: str, *default):
    """mozilla-django-oidc's ``get_settings``, with the endpoints from discovery."""
    if name in _DISCOVERED:
        return discovery().get(_DISCOVERED[name], *default)
    return import_from_settings(name, *default)


def _values(claim) -> list[str]:
    if claim is None:
        return []
    return [str(value) for value in (claim if isinstance(claim, list) else [claim])]


def mapped_role(claims: dict) -> str | None:
    """The role that ``OIDC_ROLE_MAP`` gives the claims, or None: the first of the claim's
    values that the map names."""
    if not settings.OIDC_ROLE_CLAIM:
        return None
    for value in _values(claims.get(settings.OIDC_ROLE_CLAIM)):
        role = settings.OIDC_ROLE_MAP.get(value)
        if role in Role.values:
            return role
    return None


def check_role_map(app_configs=None, **kwargs) -> list[checks.Error]:
    """A system check (registered in ``clinics.apps``): every role ``OIDC_ROLE_MAP`` gives
    is a role, so that a typo stops the start rather than letting nobody in."""
    wrong = sorted(
        f"{value!r}: {role!r}"
        for value, role in settings.OIDC_ROLE_MAP.items()
        if role not in Role.values
    )
    if not wrong:
        return []
    return [
        checks.Error(
            f"OIDC_ROLE_MAP gives roles that do not exist: {', '.join(wrong)}.",
            hint=f"The roles are {', '.join(Role.values)}.",
            id="halland_utbud.E001",
        )
    ]


def _kept(user: User) -> tuple:
    return (
        user.first_name,
        user.last_name,
        user.email,
        user.role,
        user.is_staff,
        user.is_superuser,
    )


class SithsBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend, matching people on their employee HSA-id."""

    get_settings = staticmethod(provider_setting)

    def __init__(self, *args, **kwargs):
        # Django builds every backend for each sign-in, a password one too: nothing here
        # may ask the provider. The endpoints are read when a SITHS sign-in needs them.
        self.UserModel = User

    OIDC_RP_SIGN_ALGO = "RS256"
    OIDC_RP_IDP_SIGN_KEY = None
    OIDC_OP_TOKEN_ENDPOINT = property(lambda self: provider_setting("OIDC_OP_TOKEN_ENDPOINT"))
    OIDC_OP_USER_ENDPOINT = property(lambda self: provider_setting("OIDC_OP_USER_ENDPOINT", None))
    OIDC_OP_JWKS_ENDPOINT = property(lambda self: provider_setting("OIDC_OP_JWKS_ENDPOINT"))
    OIDC_RP_CLIENT_ID = property(lambda self: settings.OIDC_RP_CLIENT_ID)
    OIDC_RP_CLIENT_SECRET = property(lambda self: settings.OIDC_RP_CLIENT_SECRET)

    def authenticate(self, request, **kwargs):
        # Only the callback view passes a nonce: a password sign-in never reaches the
        # provider, whatever its query string says.
        if not (enabled() and request is not None and "nonce" in kwargs):
            return None
        try:
            return super().authenticate(request, **kwargs)
        except requests.HTTPError as error:
            # The provider answered, and refused (a code used twice, a wrong secret).
            raise SignInRefused(Refusal.FAILED, str(error)) from None
        except requests.RequestException as error:
            raise SignInRefused(Refusal.UNREACHABLE, str(error)) from None

    def get_user(self, user_id):
        user = super().get_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None

    def get_payload_data(self, token, key):
        """The token's claims, once its signature (RS256 only), issuer, audience and times
        are checked; the library's own decoding skips the audience and the issuer."""
        header = jwt.get_unverified_header(token)
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation(f"the token is signed with {header.get('alg')!r}")
        return jwt.decode(
            token,
            key,
            algorithms=[self.OIDC_RP_SIGN_ALGO],
            audience=settings.OIDC_RP_CLIENT_ID,
            # The setting is kept without a final slash; the provider may write one.
            issuer=[settings.OIDC_ISSUER, f"{settings.OIDC_ISSUER}/"],
            leeway=CLOCK_SKEW_SECONDS,
            options={"require": ["iss", "aud", "exp", "iat", "sub"]},
        )

    def verify_token(self, token, **kwargs):
        """The library checks the nonce (and, through ``get_payload_data``, the rest)."""
        try:
            payload = super().verify_token(token, **kwargs)
        except (SuspiciousOperation, jwt.InvalidTokenError) as error:
            raise SignInRefused(Refusal.TOKEN, str(error)) from None
        audience = payload["aud"]
        # Issued to several clients: the spec asks that it names us as the one it is for.
        several = isinstance(audience, list) and len(audience) > 1
        if several and payload.get("azp") != settings.OIDC_RP_CLIENT_ID:
            raise SignInRefused(Refusal.TOKEN, f"authorized party {payload.get('azp')!r}")
        return payload

    def get_userinfo(self, access_token, id_token, payload):
        """The ID token's claims, with the userinfo endpoint's (about the same subject)."""
        claims = dict(payload)
        if self.OIDC_OP_USER_ENDPOINT:
            userinfo = super().get_userinfo(access_token, id_token, payload)
            if userinfo.get("sub") != payload.get("sub"):
                raise SignInRefused(Refusal.TOKEN, "userinfo is about another subject")
            claims |= userinfo
        # The level of assurance is the ID token's word, not the userinfo's.
        claims["acr"] = payload.get("acr", "")
        return claims

    def store_tokens(self, access_token, id_token):
        # Kept on the request until the sign-in: django.contrib.auth's login() may flush
        # the session (another user was signed in), and would lose them.
        self.request.oidc_id_token = id_token

    def verify_claims(self, claims) -> bool:
        hsa_id = claims.get(settings.OIDC_CLAIM_HSA_ID)
        if not isinstance(hsa_id, str) or hsa_id_error(hsa_id):
            raise SignInRefused(Refusal.NO_HSA_ID, f"{settings.OIDC_CLAIM_HSA_ID}={hsa_id!r}")
        accepted = settings.OIDC_REQUIRED_ACR
        if accepted and claims["acr"] not in accepted:
            raise SignInRefused(Refusal.ACR, f"acr {claims['acr']!r}")
        self.request.oidc_acr = claims["acr"]
        return True

    def filter_users_by_claims(self, claims):
        return User.objects.filter(hsa_id=claims[settings.OIDC_CLAIM_HSA_ID])

    def describe_user_by_claims(self, claims):
        return f"HSA-id {claims.get(settings.OIDC_CLAIM_HSA_ID)}"

    def create_user(self, claims):
        hsa_id = claims[settings.OIDC_CLAIM_HSA_ID]
        user = User(username=hsa_id, hsa_id=hsa_id, role=NO_ROLE)
        user.set_unusable_password()
        try:
            with transaction.atomic():
                return self._update(user, claims)
        except IntegrityError:
            # A local account named so, or the same person's first sign-in in another
            # window a moment before. Never taken over by name: a region admin links a
            # local account by giving it the HSA-id.
            raise SignInRefused(Refusal.FAILED, f"an account is named {hsa_id}") from None

    @transaction.atomic
    def update_user(self, user, claims):
        user = User.objects.select_for_update().get(pk=user.pk)
        return self._update(user, claims)

    def _update(self, user: User, claims: dict) -> User:
        """The name and address the provider gives, the mapped role, the provider link;
        saved only when something changed, so the user's history has a row per change.
        A mapped role is the map's word, with the admin rights it carries
        (``User.give_role``)."""
        before = _kept(user)
        user.first_name = str(claims.get("given_name") or user.first_name)[:150]
        user.last_name = str(claims.get("family_name") or user.last_name)[:150]
        user.email = str(claims.get("email") or user.email)[:254]
        if role := mapped_role(claims):
            user.give_role(role)
        if user._state.adding or _kept(user) != before:
            user.save()
        provider_hsa_id = claims.get(settings.OIDC_CLAIM_PROVIDER_HSA_ID)
        if settings.OIDC_LINK_PROVIDER and user.role == Role.CLINIC_REPORTER and provider_hsa_id:
            user.providers.add(*Provider.objects.filter(hsa_id=provider_hsa_id))
        return user


def end_session_url(request) -> str | None:
    """Where to send someone signing out of a SITHS session, to end it at the provider
    too (RP-initiated logout); None for a password session, or when the provider cannot
    be reached or has no such endpoint (then only our session ends)."""
    id_token = request.session.get(SESSION_ID_TOKEN)
    if not (enabled() and id_token):
        return None
    try:
        endpoint = provider_setting("OIDC_OP_LOGOUT_ENDPOINT", None)
    except SignInRefused:
        return None
    if not endpoint:
        return None
    query = urlencode(
        {
            "id_token_hint": id_token,
            "client_id": settings.OIDC_RP_CLIENT_ID,
            "post_logout_redirect_uri": request.build_absolute_uri(reverse("login")),
        }
    )
    return f"{endpoint}?{query}"
