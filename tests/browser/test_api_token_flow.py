"""A budget system's API key, from making it to revoking it, in a real browser and by
keyboard only: the viewer makes a key on the API keys page, copies it from the answer
(which passes axe, with the key in view), the key reads the API, and revoking it makes the
API refuse it."""

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from clinics.models import ApiToken
from tests.browser.conftest import (
    assert_no_axe_violations,
    axe_violations,
    path_of,
    record_check,
    take_screenshot,
)
from tests.browser.keyboard import press, press_button, sign_in_by_keyboard, type_into
from tests.browser.pages import VIEWER

pytestmark = pytest.mark.browser


def sv(message: str) -> str:
    with translation.override("sv"):
        return gettext(message)


def test_a_viewer_makes_a_key_sees_it_once_and_revokes_it(
    page, live_server, scenario, screenshots, checked_pages
):
    viewer = scenario.users[VIEWER]
    sign_in_by_keyboard(page, live_server, viewer)
    press(page, page.locator("header").get_by_role("link", name=sv("API keys"), exact=True))
    assert path_of(page) == reverse("api_tokens")

    type_into(page, page.get_by_label(sv("Name")), "Uppföljningssystemet")
    press_button(page, sv("Make the key"))

    key = page.get_by_label(sv("The key")).input_value()
    token = ApiToken.objects.get(user=viewer, name="Uppföljningssystemet")
    assert key.startswith(token.token_key)
    assert token.digest != key
    take_screenshot(page, screenshots, "api_tokens (a new key shown once) viewer")
    violations = axe_violations(page)
    record_check(checked_pages, "api_tokens (a new key shown once)", VIEWER, page.url, violations)
    assert_no_axe_violations(page, "the API keys page with a new key", violations)

    api = page.request.get(
        f"{live_server.url}/api/v1/clinics/", headers={"Authorization": f"Token {key}"}
    )
    assert api.status == 200

    # The page, opened again, lists the key by its first characters and never shows it.
    page.goto(f"{live_server.url}{reverse('api_tokens')}")
    assert key not in page.content()
    press_button(page, f"{sv('Revoke')} Uppföljningssystemet")

    assert path_of(page) == reverse("api_tokens")
    assert not ApiToken.objects.filter(pk=token.pk).exists()
    refused = page.request.get(
        f"{live_server.url}/api/v1/clinics/", headers={"Authorization": f"Token {key}"}
    )
    assert refused.status == 401
