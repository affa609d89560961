"""The error pages in Chromium: a refused and a missing page are in the app's frame
(header, navigation, main content, a way back) and pass axe, as the API docs' sign-in
explanation does. The views are tested in tests/test_error_pages.py."""

import pytest
from django.urls import reverse
from django.utils import translation

from tests.browser.conftest import (
    assert_no_axe_violations,
    axe_violations,
    record_check,
    sign_in_with_session,
    url_of,
)
from tests.browser.pages import ANONYMOUS, CLINIC_REPORTER, VIEWER


def sv(message: str) -> str:
    with translation.override("sv"):
        return translation.gettext(message)


def open_error_page(page, live_server, path: str, status: int) -> None:
    response = page.goto(url_of(live_server, path))
    assert response is not None
    assert response.status == status


def assert_in_the_frame(page, heading: str, *, signed_in: bool) -> None:
    assert page.locator("header.site-header").is_visible()
    assert page.locator("main#main").is_visible()
    assert page.locator("footer.site-footer").is_visible()
    assert page.locator("h1").inner_text() == heading
    assert page.get_by_role("navigation", name=sv("Main")).count() == (1 if signed_in else 0)
    back = page.get_by_role("link", name=sv("Go to the start page"))
    assert back.get_attribute("href") == reverse("home")


@pytest.mark.parametrize(
    ("role", "path"),
    [(VIEWER, reverse("round_list")), (CLINIC_REPORTER, reverse("overview"))],
)
def test_a_refused_page_is_in_the_frame_and_passes_axe(
    page, live_server, scenario, checked_pages, role, path
):
    sign_in_with_session(page, live_server, scenario.users[role])

    open_error_page(page, live_server, path, 403)

    assert_in_the_frame(page, sv("You do not have access"), signed_in=True)
    violations = axe_violations(page)
    record_check(checked_pages, "403", role, path, violations)
    assert_no_axe_violations(page, f"the 403 page as {role} ({path})", violations)


def test_the_admin_refuses_a_viewer_with_the_403_page_not_a_loop(
    page, live_server, scenario, checked_pages
):
    sign_in_with_session(page, live_server, scenario.users[VIEWER])

    open_error_page(page, live_server, reverse("admin:index"), 403)

    assert_in_the_frame(page, sv("You do not have access"), signed_in=True)
    assert sv("The administration is only for region administrators.") in page.inner_text("main")
    assert_no_axe_violations(page, "the admin's 403 page")


@pytest.mark.parametrize("role", [ANONYMOUS, VIEWER])
def test_a_missing_page_is_in_the_frame_and_passes_axe(
    page, live_server, scenario, checked_pages, role
):
    if role != ANONYMOUS:
        sign_in_with_session(page, live_server, scenario.users[role])
    path = "/finns-inte/"

    open_error_page(page, live_server, path, 404)

    assert_in_the_frame(page, sv("The page was not found"), signed_in=role != ANONYMOUS)
    violations = axe_violations(page)
    record_check(checked_pages, "404", role, path, violations)
    assert_no_axe_violations(page, f"the 404 page as {role}", violations)


def test_the_api_docs_explain_authorization_without_a_session_and_pass_axe(
    page, live_server, scenario, checked_pages
):
    path = reverse("api:docs")

    open_error_page(page, live_server, path, 401)

    assert page.locator("h1").inner_text() == sv("API documentation")
    assert "Authorization: Token <" in page.inner_text("main")
    violations = axe_violations(page)
    record_check(checked_pages, "api docs (no session)", ANONYMOUS, path, violations)
    assert_no_axe_violations(page, "the API docs' authorization page", violations)
