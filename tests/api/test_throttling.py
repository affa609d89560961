"""The API throttles: per signed-in user (token or session) and per address without a
sign-in, wrong tokens included; past the rate 429 with Retry-After, others unaffected."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from rest_framework.test import APIClient

from clinics.models import Role
from tests.api.helpers import client_for, error_detail, token_client_for
from tests.factories import make_user

LIST = reverse("api:provider-list")


@pytest.fixture
def low_rates(settings):
    rates = {"user": "3/minute", "anon": "2/minute"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    return rates


def assert_throttled(response):
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert error_detail(response)


def test_the_default_rates_come_from_the_settings(settings):
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] == {
        "user": settings.API_THROTTLE_USER_RATE,
        "anon": settings.API_THROTTLE_ANON_RATE,
    }
    assert settings.API_THROTTLE_USER_RATE == "1000/hour"
    assert settings.API_THROTTLE_ANON_RATE == "60/minute"


def test_a_token_user_past_the_rate_gets_429_with_retry_after_and_others_do_not(db, low_rates):
    viewer = token_client_for(make_user(Role.VIEWER))
    for _request in range(3):
        assert viewer.get(LIST).status_code == 200

    assert_throttled(viewer.get(LIST))
    # Another user, by token or by session, from the same address, is not held back.
    assert token_client_for(make_user(Role.VIEWER)).get(LIST).status_code == 200
    assert client_for(make_user(Role.REVIEWER)).get(LIST).status_code == 200


def test_the_users_rate_counts_token_and_session_together(db, low_rates):
    user = make_user(Role.VIEWER)
    by_token, by_session = token_client_for(user), client_for(user)
    for client in (by_token, by_session, by_token):
        assert client.get(LIST).status_code == 200

    assert_throttled(by_session.get(LIST))


def test_without_a_sign_in_the_address_is_throttled(db, low_rates):
    anonymous = APIClient(REMOTE_ADDR="192.0.2.7")
    for _request in range(2):
        assert anonymous.get(LIST).status_code in (401, 403)

    assert_throttled(anonymous.get(LIST))
    assert APIClient(REMOTE_ADDR="192.0.2.8").get(LIST).status_code in (401, 403)


def test_guessing_tokens_is_throttled_per_address(db, low_rates):
    guesser = APIClient(REMOTE_ADDR="192.0.2.7")
    guesser.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    for _request in range(2):
        assert guesser.get(LIST).status_code == 401

    assert_throttled(guesser.get(LIST))
    # A forged X-Forwarded-For (no TRUSTED_PROXY) does not give a fresh allowance.
    assert_throttled(guesser.get(LIST, HTTP_X_FORWARDED_FOR="203.0.113.1"))
    # A real user's token from the same address still works: their own count.
    assert token_client_for(make_user(Role.VIEWER)).get(LIST).status_code == 200


def reloaded_settings(monkeypatch, **environment):
    """The settings as read with ``environment``, by name; the module is then read again
    as it was (a reload changes the module object itself, hence the copy)."""
    import importlib

    import halland_utbud.settings as project_settings

    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    try:
        reloaded = importlib.reload(project_settings)
        return {name: value for name, value in vars(reloaded).items() if name.isupper()}
    finally:
        for name in environment:
            monkeypatch.delenv(name)
        importlib.reload(project_settings)


def test_the_throttles_use_a_cache_shared_by_the_processes_when_redis_is_configured(
    monkeypatch,
):
    """CACHE_URL (or REDIS_URL) switches the cache to Redis; without it the process's own."""
    monkeypatch.delenv("REDIS_URL", raising=False)
    shared = reloaded_settings(monkeypatch, CACHE_URL="redis://127.0.0.1:6379/1")["CACHES"]
    assert shared["default"] == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/1",
    }
    own = reloaded_settings(monkeypatch)["CACHES"]
    assert own["default"]["BACKEND"].endswith("LocMemCache")


@pytest.mark.parametrize(
    ("name", "value"),
    [("API_THROTTLE_USER_RATE", "lots"), ("API_THROTTLE_ANON_RATE", "60/fortnight")],
)
def test_a_rate_that_makes_no_sense_stops_the_process(monkeypatch, name, value):
    with pytest.raises(ImproperlyConfigured, match=name):
        reloaded_settings(monkeypatch, **{name: value})
