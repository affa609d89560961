"""Signing in and out, the skip link, the lockout and the language switch, in a real
browser and with the keyboard only, as someone who cannot use a mouse would.

Expected texts come from the project's own catalogue (``gettext`` under ``sv``), so the
tests follow the translations rather than repeat them.
"""

import axes.utils
import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from clinics.models import Role
from tests.browser.conftest import (
    assert_no_axe_violations,
    axe_violations,
    path_of,
    record_check,
    sign_in,
    submit_sign_in_form,
    url_of,
)
from tests.browser.pages import CLINIC_REPORTER, REGION_ADMIN, REVIEWER, VIEWER

pytestmark = pytest.mark.browser

START_PAGES = {
    REGION_ADMIN: "follow_up",
    REVIEWER: "follow_up",
    VIEWER: "follow_up",
    CLINIC_REPORTER: "my_clinics",
}


@pytest.fixture(autouse=True)
def _no_failed_attempts(transactional_db):
    # django-axes counts failures per username and address; every test starts from none.
    axes.utils.reset()
    yield
    axes.utils.reset()


def swedish(message: str) -> str:
    with translation.override("sv"):
        return gettext(message)


def focused(page) -> dict:
    return page.evaluate(
        "() => ({tag: document.activeElement.tagName.toLowerCase(),"
        " id: document.activeElement.id, cls: document.activeElement.className,"
        " href: document.activeElement.getAttribute('href')})"
    )


@pytest.mark.parametrize("role", list(START_PAGES))
def test_signing_in_with_the_keyboard_lands_on_the_roles_start_page(
    role, page, live_server, scenario
):
    user = scenario.users[role]

    sign_in(page, live_server, user)

    assert path_of(page) == reverse(START_PAGES[role])
    header = page.locator("header").inner_text()
    assert user.get_full_name() in header
    with translation.override("sv"):
        assert str(Role(role).label) in header, "the header says in what role"


def test_the_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(page, live_server, scenario):
    sign_in(page, live_server, scenario.users[VIEWER])
    page.goto(url_of(live_server, reverse("overview")))

    page.keyboard.press("Tab")
    first = focused(page)
    assert (first["tag"], first["href"]) == ("a", "#main")
    skip_link = page.locator("a.skip-link")
    assert skip_link.inner_text().strip() == swedish("Skip to content")
    box = skip_link.bounding_box()
    assert box, "the skip link is shown when it has focus"
    assert box["width"] > 1
    assert box["height"] > 1
    assert box["y"] >= 0

    page.keyboard.press("Enter")

    assert focused(page)["tag"] == "main"
    page.keyboard.press("Tab")
    after = page.evaluate("() => document.querySelector('main').contains(document.activeElement)")
    assert after, "the next Tab stop after the skip is inside the main content"


def test_a_wrong_password_shows_an_error_beside_the_form_and_the_page_passes_axe(
    page, live_server, scenario, checked_pages
):
    user = scenario.users[REVIEWER]

    submit_sign_in_form(page, live_server, user.username, "fel-losenord")

    assert path_of(page) == reverse("login")
    error = page.get_by_role("alert")
    assert error.is_visible()
    assert error.inner_text().strip()
    username = page.locator("#id_username")
    assert username.get_attribute("aria-invalid") == "true"
    described_by = username.get_attribute("aria-describedby")
    assert described_by, "the field points at the error"
    assert page.locator(f"#{described_by}").inner_text() == error.inner_text()
    assert username.input_value() == user.username, "the username is kept"
    violations = axe_violations(page)
    record_check(checked_pages, "login (wrong password)", "anonymous", path_of(page), violations)
    assert_no_axe_violations(page, "the sign-in page with an error", violations)
    assert page.locator("h1").count() == 1


def test_five_failed_attempts_lock_the_account_even_against_the_right_password(
    page, live_server, scenario, checked_pages
):
    user = scenario.users[VIEWER]
    for _attempt in range(4):
        submit_sign_in_form(page, live_server, user.username, "fel-losenord")
        assert page.locator("#id_password").is_visible(), "not locked before the fifth"

    submit_sign_in_form(page, live_server, user.username, "fel-losenord")

    assert page.locator("h1").inner_text() == swedish("Account locked")
    assert page.get_by_role("alert").is_visible()
    violations = axe_violations(page)
    record_check(checked_pages, "login (locked out)", "anonymous", path_of(page), violations)
    assert_no_axe_violations(page, "the lockout page", violations)

    submit_sign_in_form(page, live_server, user.username, "ett-bra-losenord-42")

    assert page.locator("h1").inner_text() == swedish("Account locked")
    page.goto(url_of(live_server, reverse("overview")))
    assert path_of(page) == reverse("login"), "the right password did not sign in"


def test_a_successful_sign_in_clears_earlier_failures(page, live_server, scenario):
    user = scenario.users[VIEWER]
    for _attempt in range(4):
        submit_sign_in_form(page, live_server, user.username, "fel-losenord")

    sign_in(page, live_server, user)

    assert path_of(page) == reverse("follow_up")


def test_the_language_switch_turns_the_page_english_and_back(page, live_server, scenario):
    sign_in(page, live_server, scenario.users[VIEWER])
    assert page.locator("html").get_attribute("lang") == "sv"
    swedish_heading = page.locator("h1").inner_text()

    page.get_by_role("button", name="English").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert page.locator("html").get_attribute("lang") == "en"
    assert path_of(page) == reverse("follow_up"), "the switch stays on the same page"
    assert page.get_by_role("link", name="Overview", exact=True).is_visible()
    assert page.get_by_role("button", name="Sign out").is_visible()

    page.get_by_role("button", name="Svenska").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert page.locator("html").get_attribute("lang") == "sv"
    assert page.locator("h1").inner_text() == swedish_heading
    assert page.get_by_role("link", name=swedish("Overview"), exact=True).is_visible()


def test_signing_out_ends_the_session(page, live_server, scenario):
    sign_in(page, live_server, scenario.users[CLINIC_REPORTER])

    page.get_by_role("button", name=swedish("Sign out")).focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert path_of(page) == reverse("login")
    page.goto(url_of(live_server, reverse("my_clinics")))
    assert path_of(page) == reverse("login"), "signed out: the page asks for sign-in again"
