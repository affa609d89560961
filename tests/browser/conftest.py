"""Real-browser test machinery: Debian's Chromium through Playwright's sync API, the app on
pytest-django's ``live_server``, axe-core from the ``axe-playwright-python`` package.

Nothing here downloads anything: no ``playwright install``, no CDN. Locally a missing
Chromium skips the browser tests; under ``CI=true`` it fails them, so CI cannot pass
without having looked at a single page.
"""

import functools
import itertools
import os
import re
from collections import defaultdict
from pathlib import Path

import pytest
from axe_playwright_python.base import AXE_FILE_PATH
from django.apps import apps
from django.conf import settings as django_settings
from django.core import serializers
from django.core.management.color import no_style
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import reverse

from requirements.catalogue_import import DEFAULT_CATALOGUE_PATH, import_catalogue
from tests.browser.pages import Scenario, build_scenario

# Playwright's sync API keeps an asyncio loop in the test thread; Django would otherwise
# refuse ORM calls from that thread (the live server answers from its own thread anyway).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

PASSWORD = "ett-bra-losenord-42"  # what tests.factories.make_user gives every user
DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 900}
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

_CHECKED = pytest.StashKey[list[str]]()
_SCREENSHOTS = pytest.StashKey[Path]()


def chromium_path() -> str:
    return os.environ.get("CHROMIUM_PATH") or DEFAULT_CHROMIUM


def screenshot_folder() -> Path:
    configured = os.environ.get("SCREENSHOT_DIR")
    return Path(configured) if configured else Path(django_settings.BASE_DIR) / "var/screenshots"


# --- Browser -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the whole session: starting it costs about a second."""
    path = chromium_path()
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        message = (
            f"Chromium is not installed at {path}: install Debian's `chromium` package "
            "or set CHROMIUM_PATH (never `playwright install`)."
        )
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true and the browser tests cannot run. {message}")
        pytest.skip(message)

    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=path, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def _plain_http_cookies(settings):
    # The live server speaks plain http; secure cookies would never come back to it, and
    # neither sign-in nor any form would work.
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False


@pytest.fixture
def context(browser, live_server, _plain_http_cookies):
    """A fresh browser profile per test (no cookies carried over), Swedish as a user in
    Halland would have it."""
    browser_context = browser.new_context(
        locale="sv-SE", viewport=VIEWPORT, base_url=live_server.url
    )
    browser_context.set_default_timeout(15_000)
    yield browser_context
    browser_context.close()


@pytest.fixture
def page(context):
    return context.new_page()


# The scenario's rows live in these apps; contenttypes, permissions, sessions and axes are
# Django's own and are recreated (with new ids) after every flush, so they stay out.
SCENARIO_APPS = ("requirements", "clinics", "followup")


def _scenario_models() -> list:
    return [model for model in apps.get_models() if model._meta.app_label in SCENARIO_APPS]


@pytest.fixture(scope="session")
def _scenario_snapshot(django_db_setup, django_db_blocker) -> tuple[Scenario, str]:
    """Build the scenario once, through the services as a person would, and keep its rows.

    Building it costs seconds (every answer goes through ``save_answer``); loading the
    rows back costs a fraction of that, and every browser test needs a fresh copy because
    the live server's database is flushed after each test. The build is rolled back, so
    nothing of it leaks into other tests.
    """
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        transaction.atomic(),
    ):
        version, _created = import_catalogue(DEFAULT_CATALOGUE_PATH)
        built = build_scenario(version)
        rows = serializers.serialize(
            "json",
            itertools.chain.from_iterable(
                model._base_manager.order_by("pk") for model in _scenario_models()
            ),
        )
        transaction.set_rollback(True)
    return built, rows


@pytest.fixture
def scenario(_scenario_snapshot, db) -> Scenario:
    """A fresh copy of the scenario's rows; the objects are the ones built once, so treat
    them as read-only (refetch anything a test changes)."""
    built, rows = _scenario_snapshot
    objects: dict[type, list] = defaultdict(list)
    links: dict[type, list] = defaultdict(list)
    for row in serializers.deserialize("json", rows):
        objects[type(row.object)].append(row.object)
        for name, ids in (row.m2m_data or {}).items():
            field = row.object._meta.get_field(name)
            through = field.remote_field.through
            links[through].extend(
                through(**{field.m2m_column_name(): row.object.pk, field.m2m_reverse_name(): pk})
                for pk in ids
            )
    # One INSERT per table rather than one per row: this runs before every browser test.
    with transaction.atomic(), connection.constraint_checks_disabled():
        for model, instances in itertools.chain(objects.items(), links.items()):
            model._base_manager.bulk_create(instances)
    connection.check_constraints()
    # Rows came back with their ids: move the sequences past them before anyone inserts.
    statements = connection.ops.sequence_reset_sql(no_style(), _scenario_models())
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    return built


# --- Signing in ----------------------------------------------------------------------------


def url_of(live_server, path: str) -> str:
    return f"{live_server.url}{path}"


def path_of(page) -> str:
    """The path of the page's current address, without the query string."""
    return re.sub(r"^[a-z]+://[^/]+", "", page.url).split("?")[0].split("#")[0]


def submit_sign_in_form(page, live_server, username: str, password: str) -> None:
    """Fill the sign-in form with the keyboard only, as someone without a mouse would."""
    page.goto(url_of(live_server, reverse("login")))
    page.focus("#id_username")
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def sign_in(page, live_server, user, password: str = PASSWORD) -> None:
    """Sign ``user`` in through the login form and check that it worked."""
    submit_sign_in_form(page, live_server, user.username, password)
    if path_of(page) == reverse("login"):
        errors = page.locator(".errorlist").all_inner_texts()
        pytest.fail(f"Signing in as {user.username} failed: {errors or page.content()[:500]}")


def sign_in_with_session(page, live_server, user) -> None:
    """Give the browser a signed-in session without the form, for tests about what comes
    after signing in (the form itself is tested in test_sign_in with the keyboard)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": cookie.key, "value": cookie.value, "url": live_server.url, "httpOnly": True}]
    )


# --- axe-core ------------------------------------------------------------------------------


@functools.cache
def _axe_source() -> str:
    return Path(AXE_FILE_PATH).read_text(encoding="utf-8")


def axe_violations(page) -> list[dict]:
    """Run the axe-core bundled with axe-playwright-python on the page, WCAG 2.1 A and AA."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol rather than added as a <script>: the
        # page's Content-Security-Policy refuses inline scripts, the test's too.
        page.evaluate(_axe_source())
    results = page.evaluate(
        "options => axe.run(document, options)",
        {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]},
    )
    return results["violations"]


def format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation.get('impact') or 'no impact'}): "
            f"{violation['help']} <{violation.get('helpUrl', '')}>"
        )
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"    at {target}")
            lines.append(f"       {node['html'][:300]}")
            summary = (node.get("failureSummary") or "").replace("\n", " / ")
            if summary:
                lines.append(f"       {summary[:400]}")
    return "\n".join(lines)


def assert_no_axe_violations(page, what: str = "", violations: list[dict] | None = None) -> None:
    """Fail with a readable list (rule, impact, help, each failing element) if axe objects.
    Pass ``violations`` when they are already known, to avoid running axe twice."""
    if violations is None:
        violations = axe_violations(page)
    if violations:
        where = what or page.url
        pytest.fail(
            f"axe-core found {len(violations)} WCAG 2.1 A/AA violation(s) on {where}:\n"
            + format_violations(violations),
            pytrace=False,
        )


# --- Screenshots and the list of pages checked -------------------------------------------


@pytest.fixture(scope="session")
def screenshots(request) -> Path:
    folder = screenshot_folder()
    folder.mkdir(parents=True, exist_ok=True)
    request.config.stash[_SCREENSHOTS] = folder
    return folder


def take_screenshot(page, folder: Path, name: str) -> Path:
    path = folder / (re.sub(r"[^A-Za-z0-9_]+", "-", name).strip("-") + ".png")
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture(scope="session")
def checked_pages(request) -> list[str]:
    """Every (page, role) the accessibility tests opened, for the end-of-session summary."""
    return request.config.stash.setdefault(_CHECKED, [])


def record_check(checked: list[str], label: str, role: str, path: str, violations: list) -> None:
    checked.append(f"{label:<45} {role:<16} {path:<32} {len(violations)} violation(s)")


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    checked = config.stash.get(_CHECKED, [])
    folder = config.stash.get(_SCREENSHOTS, None)
    if not checked and folder is None:
        return
    terminalreporter.section("browser tests")
    if checked:
        terminalreporter.write_line(f"Pages checked with axe-core ({len(checked)}):")
        for line in checked:
            terminalreporter.write_line(f"  {line}")
    if folder is not None:
        if checked:
            (folder / "pages-checked.txt").write_text("\n".join(checked) + "\n", encoding="utf-8")
        terminalreporter.write_line(f"Screenshots: {folder}")
