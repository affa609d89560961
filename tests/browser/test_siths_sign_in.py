"""SITHS sign-in in a real browser, against the tests' identity provider on 127.0.0.1: the
sign-in page's button, the way to the provider and back, the "no access yet" page of
someone new and the page of a refused sign-in, each passing axe."""

import pytest
from django.test import override_settings
from django.urls import reverse

from halland_utbud.oidc import Refusal
from halland_utbud.sign_in_views import REFUSALS
from tests import oidc_provider
from tests.browser.conftest import (
    assert_no_axe_violations,
    axe_violations,
    path_of,
    record_check,
    url_of,
)

pytestmark = pytest.mark.browser

PERSON = {
    "employeeHsaId": "SE2321000131-E000000000009",
    "given_name": "Sara",
    "family_name": "Berg",
    "acr": oidc_provider.LOA3,
}


@pytest.fixture
def siths(transactional_db):
    provider, server = oidc_provider.start()
    provider.sign_in_as(PERSON)
    with override_settings(**oidc_provider.settings_for(provider)):
        yield provider
    server.shutdown()


def click_siths(page, live_server) -> None:
    page.goto(url_of(live_server, reverse("login")))
    with page.expect_navigation():
        page.get_by_role("link", name="Logga in med SITHS eID").click()


def test_someone_new_signs_in_with_siths_and_is_told_they_have_no_access_yet(
    siths, page, live_server, checked_pages
):
    page.goto(url_of(live_server, reverse("login")))
    violations = axe_violations(page)
    record_check(checked_pages, "login (SITHS on)", "anonymous", reverse("login"), violations)
    assert_no_axe_violations(page, "the sign-in page with SITHS", violations)

    click_siths(page, live_server)

    assert path_of(page) == reverse("no_access")
    assert PERSON["employeeHsaId"] in page.locator("main").inner_text()
    violations = axe_violations(page)
    record_check(checked_pages, "no_access", "no role", reverse("no_access"), violations)
    assert_no_axe_violations(page, "the no access yet page", violations)


def test_a_refused_sign_in_is_told_on_a_page_in_the_frame(siths, page, live_server, checked_pages):
    siths.faults = {"aud": "another-service"}

    click_siths(page, live_server)

    assert path_of(page) == reverse("oidc_callback")
    assert str(REFUSALS[Refusal.TOKEN]) in page.locator("main").inner_text()
    violations = axe_violations(page)
    record_check(checked_pages, "oidc_callback (refused)", "anonymous", path_of(page), violations)
    assert_no_axe_violations(page, "the refused sign-in page", violations)
