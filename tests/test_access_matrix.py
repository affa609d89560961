"""The access matrix: every named URL of the app and its API, for seven identities, read
and write, against one table of who may do what.

The walk reads the URL configuration itself, so a new URL fails here until someone says in
``EXPECTED`` who may read it and who may write to it. Each request runs in a savepoint that
is rolled back, so every identity meets the same world (tests/access_matrix_world.py); a
refused write must leave every row of the app's tables as it was.

Outcomes:
- allowed: 2xx, or a redirect to somewhere other than the sign-in page;
- refused: 401, 403, 404 (another clinic's object does not exist for the user), 405, or a
  redirect to the sign-in page that brings the user back (anonymous); on a form that is
  theirs for their own clinics, a reporter may instead be turned away with the form's
  error, when the table says so. Either way a refused write changes nothing.

A reporter of another provider's clinic is never shown one of Region Halland's clinics:
status codes alone would not see a list that says too much.
"""

import copy
from dataclasses import dataclass, field

import pytest
from django.core import mail
from django.core.cache import caches
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from rest_framework.test import APIClient

from clinics.models import Clinic
from requirements.catalogue_import import DEFAULT_CATALOGUE_PATH, import_catalogue
from tests import oidc_provider
from tests.access_matrix_world import (
    ANONYMOUS,
    COORDINATOR,
    IDENTITIES,
    REGION_ADMIN,
    REPORTER_ELSEWHERE,
    REPORTER_HERE,
    REVIEWER,
    VIEWER,
    World,
    build_world,
    changed_tables,
    fingerprint,
    reach,
)
from tests.api.helpers import token_client_for

# Whole URL trees the walk leaves out, each with why.
EXCLUDED_PREFIXES = {
    "admin/": "Django's admin: its own permission system (is_staff), tested in test_admin.py",
    "static/": "static files: public by design, served by WhiteNoise or the web server",
    "__debug__/": "the debug toolbar, never installed in production",
}

EVERYONE = frozenset(IDENTITIES)
SIGNED_IN = EVERYONE - {ANONYMOUS}
STAFF = frozenset({VIEWER, REVIEWER, REGION_ADMIN})
REPORTERS = frozenset({REPORTER_ELSEWHERE, REPORTER_HERE, COORDINATOR})
# Clinic A's own reporters: its reporter, and its provider's coordinator.
OWN = frozenset({REPORTER_HERE, COORDINATOR})
NOBODY = frozenset()
ADMIN = frozenset({REGION_ADMIN})
REVIEWERS = frozenset({REVIEWER})


@dataclass(frozen=True)
class Rule:
    """Who may read (GET) a URL and who may write to it (POST, and PUT/PATCH/DELETE where
    the view routes them).

    ``write=None`` says the URL has no write: a POST is answered as the GET is, or refused,
    and changes nothing for anyone. ``no_change`` says why an allowed write may leave the
    tables as they were; otherwise an allowed write must change something (so its data is
    valid, and a refusal is a refusal of the identity, not of the data). ``turned_away``
    names refused identities who get the form back with an error instead of a 403, and why.
    ``not_sent`` says why allowed writes are not sent (refused ones always are).
    """

    read: frozenset
    write: frozenset | None = None
    no_change: str = ""
    turned_away: dict[str, str] = field(default_factory=dict)
    reading_writes: str = ""
    not_sent: str = ""


# Reporters who may use a page for their own clinics, and who are told on the form that
# clinic A is not among them.
NOT_THEIR_CLINIC = {
    REPORTER_ELSEWHERE: "the form is theirs, for their own clinics: clinic A is refused on it"
}

# THE table: every URL name of the app, and who may read and write it.
EXPECTED: dict[str, Rule] = {
    # Signing in and the frame.
    "login": Rule(
        read=EVERYONE,
        write=EVERYONE,
        no_change="a signed-in user is sent on to their start page, not signed in again",
    ),
    "logout": Rule(read=NOBODY, write=EVERYONE, no_change="signing out only ends a session"),
    # SITHS sign-in (on for this module, against tests/oidc_provider.py): the start sends
    # anyone on to the provider; the callback without the provider's answer sends them to
    # the sign-in page (its refusals are tested in tests/test_oidc_sign_in.py).
    "oidc_sign_in": Rule(read=EVERYONE),
    "oidc_callback": Rule(read=EVERYONE),
    # Someone without a role is told whom to ask; anyone else is sent to their start page.
    "no_access": Rule(read=SIGNED_IN),
    "set_language": Rule(
        read=EVERYONE, write=EVERYONE, no_change="the language is a cookie, not a row"
    ),
    "home": Rule(read=SIGNED_IN),
    "accessibility": Rule(read=EVERYONE),
    "healthz": Rule(read=EVERYONE),
    "readyz": Rule(read=EVERYONE),
    "notifications": Rule(
        read=SIGNED_IN, reading_writes="showing a user's notifications marks them read"
    ),
    # Everyone's own API keys; the world's key to revoke is the viewer's.
    "api_tokens": Rule(read=SIGNED_IN, write=SIGNED_IN),
    "api_token_revoke": Rule(read=NOBODY, write=frozenset({VIEWER})),
    # A clinic's pages.
    "clinic_detail": Rule(read=STAFF | OWN),
    "clinic_history": Rule(read=STAFF | OWN),
    "clinic_action_plan": Rule(read=STAFF | OWN, write=OWN),
    "clinic_indicator_create": Rule(read=OWN, write=OWN),
    "clinic_indicator_detail": Rule(read=OWN, write=OWN),
    "clinic_indicator_report": Rule(read=NOBODY, write=OWN),
    # Reporting.
    "my_clinics": Rule(read=REPORTERS),
    "report_start": Rule(read=NOBODY, write=OWN),
    "report_edit": Rule(read=OWN, write=OWN),
    "bulk_answer": Rule(read=REPORTERS, write=OWN, turned_away=NOT_THEIR_CLINIC),
    "bulk_submit": Rule(read=REPORTERS, write=OWN, turned_away=NOT_THEIR_CLINIC),
    # Review.
    "review_queue": Rule(read=REVIEWERS),
    "review_report": Rule(read=REVIEWERS, write=REVIEWERS),
    "review_action_plan": Rule(read=REVIEWERS, write=REVIEWERS),
    # Rounds.
    "round_list": Rule(read=ADMIN),
    "round_create": Rule(read=ADMIN, write=ADMIN),
    "round_detail": Rule(read=ADMIN),
    "round_close": Rule(read=NOBODY, write=ADMIN),
    "round_remind": Rule(
        read=NOBODY,
        write=ADMIN,
        no_change="the reminders are queued after the commit, which a rolled-back request "
        "never reaches",
    ),
    # Exemption cases.
    "case_queue": Rule(read=STAFF | REPORTERS),
    "case_create": Rule(read=REPORTERS, write=OWN, turned_away=NOT_THEIR_CLINIC),
    "case_detail": Rule(read=STAFF | OWN, write=REVIEWERS),
    "case_edit": Rule(read=OWN, write=OWN),
    "exemption_list": Rule(read=STAFF | REPORTERS),
    "exemption_export_csv": Rule(read=STAFF | REPORTERS),
    "exemption_export_xlsx": Rule(read=STAFF | REPORTERS),
    # The catalogue.
    "catalogue_preview_start": Rule(read=ADMIN, write=ADMIN),
    "catalogue_preview": Rule(read=ADMIN),
    "catalogue_preview_import": Rule(read=NOBODY, write=ADMIN),
    # The follow-up.
    "overview": Rule(read=STAFF),
    "overview_export_csv": Rule(read=STAFF),
    "overview_export_xlsx": Rule(read=STAFF),
    "provider_suggestions": Rule(read=STAFF),
    "follow_up": Rule(read=STAFF),
    "recompute_start": Rule(read=NOBODY, write=ADMIN),
    "recompute_detail": Rule(read=ADMIN),
    "recompute_status": Rule(read=ADMIN),
    "usage_import": Rule(read=ADMIN, write=ADMIN),
    "target_list": Rule(read=STAFF),
    "target_create": Rule(read=ADMIN, write=ADMIN),
    "target_edit": Rule(read=ADMIN, write=ADMIN),
    "target_delete": Rule(read=NOBODY, write=ADMIN),
    # The API.
    "api:root": Rule(read=SIGNED_IN),
    "api:schema": Rule(read=SIGNED_IN),
    # Anonymous gets a 401 page that says how to authorize (ApiDocsView).
    "api:docs": Rule(read=SIGNED_IN),
    "api:catalogue-version-list": Rule(read=SIGNED_IN),
    "api:catalogue-version-detail": Rule(read=SIGNED_IN),
    "api:catalogue-requirement-list": Rule(read=SIGNED_IN),
    "api:provider-list": Rule(read=SIGNED_IN),
    "api:provider-detail": Rule(read=STAFF | OWN),
    "api:clinic-list": Rule(read=SIGNED_IN),
    "api:clinic-detail": Rule(read=STAFF | OWN),
    "api:clinic-compliance": Rule(read=STAFF | OWN),
    "api:clinic-indicator-list": Rule(read=STAFF | OWN),
    "api:compliance-matrix": Rule(read=SIGNED_IN),
    "api:indicator-list": Rule(read=STAFF),
    "api:snapshot-list": Rule(read=STAFF),
    "api:target-list": Rule(read=STAFF),
    "api:usage-list": Rule(read=SIGNED_IN),
    "api:case-list": Rule(read=SIGNED_IN, write=OWN),
    "api:case-detail": Rule(read=STAFF | OWN),
    "api:case-approve": Rule(read=NOBODY, write=REVIEWERS),
    "api:case-reject": Rule(read=NOBODY, write=REVIEWERS),
    "api:case-return": Rule(read=NOBODY, write=REVIEWERS),
    "api:case-revoke": Rule(read=NOBODY, write=REVIEWERS),
    "api:case-submit": Rule(read=NOBODY, write=OWN),
}


# --- The walk -------------------------------------------------------------------------------


def _walk(patterns, prefix: str = "", namespace: str = ""):
    """Every (route, name, pattern) of the URLconf, following includes, outside the
    excluded trees; names carry their namespace (``api:case-list``)."""
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if any(route.startswith(excluded) for excluded in EXCLUDED_PREFIXES):
            continue
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, route, inner)
        elif isinstance(entry, URLPattern):
            yield route, f"{namespace}{entry.name}" if entry.name else None, entry


def _url_names() -> dict[str, str]:
    return {name: route for route, name, _entry in _walk(get_resolver().url_patterns) if name}


def test_every_url_is_in_the_table():
    missing = sorted(
        f"{name!r} ({route})" for name, route in _url_names().items() if name not in EXPECTED
    )

    assert not missing, (
        "URL names missing from EXPECTED in tests/test_access_matrix.py: say who may read "
        "and write each (and how to reach it in tests/access_matrix_world.py): "
        + ", ".join(missing)
    )


def test_the_table_names_no_url_that_does_not_exist():
    stale = sorted(set(EXPECTED) - set(_url_names()))

    assert not stale, f"EXPECTED names URLs that do not exist: {stale}"


def test_every_url_has_a_name_so_that_the_table_can_hold_it():
    unnamed = sorted(
        route for route, name, _entry in _walk(get_resolver().url_patterns) if not name
    )

    assert not unnamed, f"Give these URL patterns a name and add them to EXPECTED: {unnamed}"


WRITES = ("post", "put", "patch", "delete")


def write_methods(path: str) -> list[str]:
    """The write methods the view routes: a DRF viewset's mapped actions, an API view's
    handlers; a Django function view gets POST (it decides itself what POST means)."""
    callback = resolve(path.split("?")[0]).func
    actions = getattr(callback, "actions", None)
    if actions is not None:
        methods = [method for method in WRITES if method in actions]
    elif isinstance(getattr(callback, "cls", None), type):
        methods = [method for method in WRITES if hasattr(callback.cls, method)]
    else:
        # Django's views, class-based ones included (a FormView's PUT is its POST).
        methods = []
    return methods or ["post"]


# --- The world and the identities -----------------------------------------------------------


@dataclass
class Matrix:
    """The world, a client per identity (a session for the pages, a token for the API),
    the tables' digest as the world left them, and what ``reporter_elsewhere`` must never
    be shown: Region Halland's clinics (C is a private provider's)."""

    world: World
    web: dict[str, Client]
    api: dict[str, APIClient]
    fingerprint: dict[str, str]
    hidden_from_elsewhere: list[str]


@pytest.fixture(autouse=True)
def _catalogue_only_where_asked():
    """The module's world is built on the session's catalogue (``matrix``): unlike other
    tests, these must not have it removed (tests/conftest.py)."""


@pytest.fixture(scope="module")
def matrix(django_db_setup, django_db_blocker):
    """One world for the whole module, built through the services and rolled back at the
    end; each request below runs in a savepoint of its own, rolled back as well."""
    provider, server = oidc_provider.start()
    with (
        django_db_blocker.unblock(),
        override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            **oidc_provider.settings_for(provider),
        ),
        transaction.atomic(),
    ):
        version, _created = import_catalogue(DEFAULT_CATALOGUE_PATH)
        built = build_world(version)
        web = {ANONYMOUS: Client()}
        api = {ANONYMOUS: APIClient()}
        for name, user in built.users.items():
            web[name] = Client()
            web[name].force_login(user)
            api[name] = token_client_for(user)
        yield Matrix(
            world=built,
            web=web,
            api=api,
            fingerprint=fingerprint(),
            hidden_from_elsewhere=[
                marker
                for clinic in Clinic.objects.exclude(pk=built.scenario.clinic_c.pk)
                for marker in (clinic.hsa_id, clinic.name)
            ],
        )
        transaction.set_rollback(True)
    server.shutdown()


@dataclass(frozen=True)
class Sent:
    status: int
    location: str
    changed: list[str]
    # What of another provider's clinics the answer shows to ``reporter_elsewhere``.
    shown: list[str] = field(default_factory=list)

    @property
    def outcome(self) -> str:
        if self.status in (401, 403, 404, 405):
            return "refused"
        if 300 <= self.status < 400:
            path, _sep, query = self.location.partition("?")
            if path == reverse("login") and "next=" in query:
                return "refused"
            return "allowed"
        if 200 <= self.status < 300:
            return "allowed"
        return "other"

    def __str__(self) -> str:
        where = f" to {self.location}" if self.location else ""
        changed = f", changed {', '.join(self.changed)}" if self.changed else ""
        return f"{self.status}{where}{changed}"


def send(matrix: Matrix, name: str, identity: str, method: str) -> Sent:
    """One request as ``identity``, in a savepoint rolled back after it; a write's tables
    are compared to the world's before the rollback (a read may change rows, e.g. mark
    notifications read, and the table asks nothing of that)."""
    how, world = reach(name), matrix.world
    client = (matrix.api if name.startswith("api:") else matrix.web)[identity]
    url = how.url(world)
    cookies = copy.deepcopy(client.cookies)
    with transaction.atomic():
        if method == "get":
            response = client.get(url)
        else:
            data = how.data(world) if how.data else {}
            if how.format == "json":
                response = getattr(client, method)(url, data, format="json")
            elif method == "post":
                response = client.post(url, data)
            else:
                response = getattr(client, method)(url)
        changed = [] if method == "get" else changed_tables(matrix.fingerprint, fingerprint())
        transaction.set_rollback(True)
    shown = []
    if identity == REPORTER_ELSEWHERE and not response.streaming:
        text = response.content.decode("utf-8", errors="replace")
        shown = [marker for marker in matrix.hidden_from_elsewhere if marker in text]
    # Whatever the request did to the client (signed out, another language) is undone too.
    client.cookies = cookies
    mail.outbox.clear()
    caches["default"].clear()
    return Sent(response.status_code, response.get("Location", ""), changed, shown)


def _wrong_refusal(name: str, rule: Rule, identity: str, sent: Sent) -> str:
    """What is wrong with the way a read is refused, if anything: anonymous is asked to sign
    in (the API answers 401), and a clinic's object that other reporters read does not
    exist for a reporter of another provider's clinic (404, not 403)."""
    if sent.status == 405:
        return ""
    if identity == ANONYMOUS:
        if name.startswith("api:"):
            return "" if sent.status == 401 else "expected 401 for anonymous"
        return "" if sent.status == 302 else "expected a redirect to sign-in for anonymous"
    if identity == REPORTER_ELSEWHERE and rule.read & OWN and sent.status != 404:
        return "expected 404: another clinic's object does not exist for them"
    return ""


def _check_reads(name: str, rule: Rule, matrix: Matrix) -> tuple[list[str], dict[str, Sent]]:
    wrong, reads = [], {}
    for identity in IDENTITIES:
        sent = reads[identity] = send(matrix, name, identity, "get")
        expected = "allowed" if identity in rule.read else "refused"
        if sent.outcome != expected:
            wrong.append(f"GET as {identity}: {sent}, expected {expected}")
        elif expected == "refused" and (why := _wrong_refusal(name, rule, identity, sent)):
            wrong.append(f"GET as {identity}: {sent}, {why}")
        if sent.shown:
            wrong.append(f"GET as {identity} shows another provider's clinics: {sent.shown}")
    return wrong, reads


def _check_no_write(name: str, rule: Rule, matrix: Matrix, method: str, reads: dict) -> list:
    """A URL without a write: a POST is refused or answered as the GET, and changes nothing
    (but what reading itself changes, for those who may read)."""
    wrong = []
    for identity in IDENTITIES:
        sent = send(matrix, name, identity, method)
        label = f"{method.upper()} as {identity}: {sent}"
        if sent.outcome not in {"refused", reads[identity].outcome}:
            wrong.append(f"{label}, expected a refusal or the answer to GET ({reads[identity]})")
        if sent.changed and not (rule.reading_writes and identity in rule.read):
            wrong.append(f"{label}: the URL has no write, yet it changed {sent.changed}")
    return wrong


def _check_writes(name: str, rule: Rule, matrix: Matrix, method: str) -> list[str]:
    wrong = []
    for identity in IDENTITIES:
        allowed = identity in rule.write
        if allowed and rule.not_sent:
            continue
        sent = send(matrix, name, identity, method)
        label = f"{method.upper()} as {identity}: {sent}"
        if allowed:
            if sent.outcome != "allowed":
                wrong.append(f"{label}, expected allowed")
            elif not sent.changed and not rule.no_change:
                wrong.append(f"{label}, allowed but changed nothing: is the data valid?")
            continue
        if sent.changed:
            wrong.append(f"{label}: a refused write changed {sent.changed}")
        if identity in rule.turned_away:
            if sent.outcome == "other":
                wrong.append(f"{label}, expected the form with its error, or a refusal")
        elif sent.outcome != "refused":
            wrong.append(f"{label}, expected refused")
        elif why := _wrong_refusal(name, rule, identity, sent):
            wrong.append(f"{label}, {why}")
    return wrong


def _check(name: str, rule: Rule, matrix: Matrix) -> list[str]:
    wrong, reads = _check_reads(name, rule, matrix)
    for method in write_methods(reach(name).url(matrix.world)):
        if rule.write is None:
            wrong += _check_no_write(name, rule, matrix, method, reads)
        else:
            wrong += _check_writes(name, rule, matrix, method)
    return wrong


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_who_may_read_and_write(name, matrix):
    if name not in _url_names():
        pytest.fail(f"{name} is in EXPECTED but not in the URL configuration")

    wrong = _check(name, EXPECTED[name], matrix)

    assert not wrong, f"{name} ({reach(name).url(matrix.world)}):\n" + "\n".join(wrong)
