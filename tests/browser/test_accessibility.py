"""Every page, for every role that may see it, passes axe-core's WCAG 2.1 A and AA rules.

The pages come from the registry in ``tests/browser/pages.py``; ``test_page_registry``
makes sure no page is missing from it. Each page is also photographed, so a person can
look at the design: the folder and the list of pages checked are printed at the end.
"""

import os

import pytest
from django.urls import NoReverseMatch

from tests.browser.conftest import (
    assert_no_axe_violations,
    axe_violations,
    path_of,
    record_check,
    sign_in,
    sign_in_with_session,
    take_screenshot,
    url_of,
)
from tests.browser.pages import ANONYMOUS, VIEWER, page_role_pairs

pytestmark = pytest.mark.browser


def _not_built_yet(reason: str) -> None:
    # Locally a page still being built is a skip that says why; CI must see every page.
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.mark.parametrize(
    ("entry", "role"),
    [pytest.param(entry, role, id=f"{entry.label}-{role}") for entry, role in page_role_pairs()],
)
def test_page_passes_axe_for_each_role_that_may_see_it(
    entry, role, page, live_server, scenario, screenshots, checked_pages
):
    try:
        path = entry.url(scenario)
    except NoReverseMatch:
        _not_built_yet(f"{entry.label}: no URL pattern named {entry.name!r} yet")
    if role != ANONYMOUS:
        sign_in_with_session(page, live_server, scenario.users[role])

    response = page.goto(url_of(live_server, path))

    assert response is not None
    assert response.status == 200, f"{entry.label} as {role}: HTTP {response.status}"
    # A page variant may be reached with a query string (a choice made on the page).
    assert path_of(page) == path.split("?")[0], (
        f"{entry.label} as {role} was redirected to {page.url}"
    )
    if not response.body().strip():
        _not_built_yet(f"{entry.label} is still a placeholder that returns an empty page")
    assert page.locator("html").get_attribute("lang") == "sv", "Swedish is the default"
    assert page.locator("h1").count() == 1, f"{entry.label} must have exactly one h1"
    assert page.locator("main").count() == 1, f"{entry.label} must have one <main>"

    take_screenshot(page, screenshots, f"{entry.label} {role}")
    violations = axe_violations(page)
    record_check(checked_pages, entry.label, role, path, violations)
    assert_no_axe_violations(page, f"{entry.label} as {role} ({path})", violations)


def test_api_docs_pass_axe_for_a_viewer(page, live_server, scenario, screenshots, checked_pages):
    """The API's Swagger UI is a page too: budget and follow-up staff read it."""
    sign_in(page, live_server, scenario.users[VIEWER])
    path = "/api/v1/docs/"
    response = page.goto(url_of(live_server, path))

    assert response is not None
    assert response.status == 200
    # Swagger UI draws the schema with JavaScript: wait until a person would see it.
    page.locator(".swagger-ui .info").wait_for()
    page.locator(".opblock").first.wait_for()

    take_screenshot(page, screenshots, f"api docs {VIEWER}")
    violations = axe_violations(page)
    record_check(checked_pages, "api docs", VIEWER, path, violations)
    assert_no_axe_violations(page, f"the API docs as {VIEWER} ({path})", violations)
