"""A signed-in session ends after 30 minutes without activity and 10 hours after the
sign-in whatever the activity; the user lands on the sign-in page and is told why."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils.translation import ngettext

from clinics.models import Role
from tests.factories import make_user

# The activity stamp is what these tests are about (tests/conftest.py stops it elsewhere).
pytestmark = pytest.mark.session_clock

START = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
PAGE = reverse("overview")
API = reverse("api:provider-list")


@pytest.fixture
def traveller():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def client(db, traveller):
    client = Client()
    client.force_login(make_user(Role.VIEWER))
    return client


def still_signed_in(client) -> bool:
    response = client.get(PAGE)
    assert response.status_code in (200, 302)
    return response.status_code == 200


def idle_message(minutes: int) -> str:
    return ngettext(
        "You were signed out after %(minutes)s minute without activity. Sign in again to go on.",
        "You were signed out after %(minutes)s minutes without activity. Sign in again to go on.",
        minutes,
    ) % {"minutes": minutes}


def age_message(hours: int) -> str:
    return ngettext(
        "You were signed out because you had been signed in for %(hours)s hour. "
        "Sign in again to go on.",
        "You were signed out because you had been signed in for %(hours)s hours. "
        "Sign in again to go on.",
        hours,
    ) % {"hours": hours}


def test_the_settings_and_the_cookie_age(settings):
    assert settings.SESSION_IDLE_TIMEOUT_SECONDS == 30 * 60
    assert settings.SESSION_MAX_AGE_SECONDS == 10 * 60 * 60
    assert settings.SESSION_COOKIE_AGE == settings.SESSION_MAX_AGE_SECONDS


def test_a_session_expires_after_the_idle_time(client, traveller):
    assert still_signed_in(client)
    traveller.shift(timedelta(minutes=30))

    response = client.get(PAGE, follow=True)

    assert response.redirect_chain[0] == (f"{reverse('login')}?next={PAGE}", 302)
    assert idle_message(30) in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated
    assert "_auth_user_id" not in client.session


def test_the_message_is_in_swedish_by_default(client, traveller):
    traveller.shift(timedelta(minutes=31))
    response = client.get(PAGE, follow=True)
    assert "Du har loggats ut efter 30 minuter utan aktivitet" in response.content.decode()


def test_activity_keeps_the_session_alive(client, traveller):
    for _quarter in range(8):  # two hours, a request every 20 minutes
        traveller.shift(timedelta(minutes=20))
        assert still_signed_in(client)


def test_it_ends_at_the_absolute_age_even_with_activity(client, traveller):
    for _step in range(10 * 3 - 1):  # a request every 20 minutes for 9 h 40 min
        traveller.shift(timedelta(minutes=20))
        assert still_signed_in(client)
    traveller.shift(timedelta(minutes=20))

    response = client.get(PAGE, follow=True)

    assert not response.wsgi_request.user.is_authenticated
    assert reverse("login") in response.redirect_chain[0][0]
    assert age_message(10) in response.content.decode()
    assert idle_message(30) not in response.content.decode()


def test_the_limits_are_settings(client, traveller, settings):
    settings.SESSION_IDLE_TIMEOUT_SECONDS = 5 * 60
    traveller.shift(timedelta(minutes=4))
    assert still_signed_in(client)
    traveller.shift(timedelta(minutes=5, seconds=1))
    assert not still_signed_in(client)


def test_an_api_call_on_an_expired_session_is_answered_as_not_signed_in(client, traveller):
    traveller.shift(timedelta(minutes=31))

    response = client.get(API)

    assert response.status_code in (401, 403)
    assert "_auth_user_id" not in client.session


def test_a_real_sign_in_starts_the_clock(db, traveller):
    user = make_user(Role.VIEWER)
    client = Client()
    response = client.post(
        reverse("login"), {"username": user.username, "password": "ett-bra-losenord-42"}
    )
    assert response.status_code == 302
    traveller.shift(timedelta(minutes=29))
    assert still_signed_in(client)
    traveller.shift(timedelta(minutes=31))
    assert not still_signed_in(client)
