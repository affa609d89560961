"""Brute force against the sign-in page: a username locks whatever the address, an
address locks across usernames, and the address is only taken from X-Forwarded-For when
the request came through the proxy that ``TRUSTED_PROXY`` names."""

import pytest
import time_machine
from axes.models import AccessAttempt
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from clinics.models import Role
from halland_utbud.client_address import client_address, parse_networks
from tests.factories import make_user

PASSWORD = "ett-bra-losenord-42"
WRONG = "fel-losenord"


def sign_in(username: str, password: str, address: str, **headers):
    """One POST to the sign-in page from ``address``, in a fresh browser (no cookies)."""
    return Client(REMOTE_ADDR=address, **headers).post(
        reverse("login"), {"username": username, "password": password}
    )


def signed_in(response) -> bool:
    return response.status_code == 302 and response.url == reverse("home")


def locked_out(response) -> bool:
    return response.status_code == 429 and b"id_password" not in response.content


@pytest.fixture
def user(db):
    return make_user(Role.VIEWER)


def test_the_right_password_signs_in(user):
    assert signed_in(sign_in(user.username, PASSWORD, "198.51.100.1"))


def test_the_lockout_of_a_username_holds_across_five_source_addresses(user):
    addresses = [f"198.51.100.{n}" for n in range(1, 6)]
    # Four wrong passwords from the first address and one from each of the others: five
    # failures for the username, no address near its own limit.
    for address in [addresses[0]] * 4:
        assert not locked_out(sign_in(user.username, WRONG, address))
    assert locked_out(sign_in(user.username, WRONG, addresses[1]))

    for address in addresses:
        assert locked_out(sign_in(user.username, PASSWORD, address)), address
    assert not signed_in(sign_in(user.username, PASSWORD, "203.0.113.9"))


def test_four_wrong_passwords_from_each_of_five_addresses_do_not_open_the_account(user):
    """The attack of the issue: 4 per address stayed under a limit per username+address."""
    for n in range(1, 6):
        for _attempt in range(4):
            sign_in(user.username, WRONG, f"198.51.100.{n}")
    assert not signed_in(sign_in(user.username, PASSWORD, "198.51.100.6"))


def test_padding_the_username_does_not_make_it_another_one(user):
    for n in range(5):
        sign_in(" " * n + user.username + " " * n, WRONG, f"198.51.100.{n + 1}")
    assert locked_out(sign_in(user.username, PASSWORD, "198.51.100.9"))


def test_the_lockout_of_a_username_ends_after_the_cool_off(user, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in(user.username, WRONG, "198.51.100.1")
    assert locked_out(sign_in(user.username, PASSWORD, "198.51.100.2"))

    with time_machine.travel(timezone.now() + settings.AXES_COOLOFF_TIME, tick=False):
        assert signed_in(sign_in(user.username, PASSWORD, "198.51.100.2"))


def test_spraying_thirty_usernames_from_one_address_gets_blocked(db, settings):
    victims = [make_user(Role.VIEWER) for _n in range(30)]
    ip_limit = settings.SIGN_IN_FAILURE_LIMITS["ip_address"]
    results = [locked_out(sign_in(victim.username, WRONG, "192.0.2.7")) for victim in victims]

    assert results.index(True) == ip_limit - 1, "blocked at the address's limit, not before"
    assert all(results[ip_limit - 1 :])
    # Blocked for every username from that address, even with the right password...
    assert locked_out(sign_in(victims[0].username, PASSWORD, "192.0.2.7"))
    # ...while the same people still sign in from elsewhere (one failure each is far
    # from the username's limit).
    assert signed_in(sign_in(victims[0].username, PASSWORD, "192.0.2.8"))


def test_signing_in_to_ones_own_account_does_not_clear_the_failures_against_others(db):
    attacker = make_user(Role.VIEWER)
    victim = make_user(Role.VIEWER)
    for _round in range(2):
        for _attempt in range(3):
            sign_in(victim.username, WRONG, "192.0.2.7")
        assert signed_in(sign_in(attacker.username, PASSWORD, "192.0.2.7"))

    assert locked_out(sign_in(victim.username, PASSWORD, "192.0.2.8"))


def test_a_successful_sign_in_clears_the_users_own_failures(user):
    for _attempt in range(4):
        sign_in(user.username, WRONG, "198.51.100.1")
    assert signed_in(sign_in(user.username, PASSWORD, "198.51.100.1"))

    assert not AccessAttempt.objects.filter(username=user.username).exists()
    sign_in(user.username, WRONG, "198.51.100.1")
    assert signed_in(sign_in(user.username, PASSWORD, "198.51.100.1"))


# The client's address.

FORGED = {"HTTP_X_FORWARDED_FOR": "203.0.113.66"}


def request_from(remote: str, forwarded: str | None = None):
    headers = {} if forwarded is None else {"HTTP_X_FORWARDED_FOR": forwarded}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **headers)


def test_without_a_trusted_proxy_a_forged_forwarded_for_changes_nothing(settings):
    settings.TRUSTED_PROXY = []
    assert client_address(request_from("198.51.100.1", "203.0.113.66")) == "198.51.100.1"


def test_with_a_trusted_proxy_its_forwarded_for_names_the_client(settings):
    settings.TRUSTED_PROXY = ["10.0.0.5"]
    assert client_address(request_from("10.0.0.5", "203.0.113.66")) == "203.0.113.66"
    # What the client wrote itself sits left of what the proxy added.
    assert client_address(request_from("10.0.0.5", "1.2.3.4, 203.0.113.66")) == "203.0.113.66"
    # The header is believed only from the proxy, not from anyone else.
    assert client_address(request_from("198.51.100.1", "203.0.113.66")) == "198.51.100.1"
    # No header, or garbage in it: the proxy's own address.
    assert client_address(request_from("10.0.0.5")) == "10.0.0.5"
    assert client_address(request_from("10.0.0.5", "not-an-address")) == "10.0.0.5"


def test_a_misspelt_trusted_proxy_stops_the_process():
    with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXY"):
        parse_networks(["10.0.0.5", "10.0.0.300"])


def test_a_trusted_proxy_may_be_a_network_and_chained_proxies_are_skipped(settings):
    settings.TRUSTED_PROXY = ["10.0.0.0/24"]
    forwarded = "203.0.113.66, 10.0.0.9"
    assert client_address(request_from("10.0.0.5", forwarded)) == "203.0.113.66"


def test_without_a_trusted_proxy_forged_headers_do_not_dodge_the_lockout(user, settings):
    settings.TRUSTED_PROXY = []
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in(user.username, WRONG, "198.51.100.1", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")

    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.1"}


def test_behind_the_trusted_proxy_each_client_has_its_own_address(db, settings):
    """Everyone arrives from the proxy; without the header one sprayer would block all."""
    settings.TRUSTED_PROXY = ["10.0.0.5"]
    ip_limit = settings.SIGN_IN_FAILURE_LIMITS["ip_address"]
    victims = [make_user(Role.VIEWER) for _n in range(ip_limit)]
    for victim in victims:
        sign_in(victim.username, WRONG, "10.0.0.5", HTTP_X_FORWARDED_FOR="192.0.2.7")

    bystander = make_user(Role.VIEWER)
    assert signed_in(
        sign_in(bystander.username, PASSWORD, "10.0.0.5", HTTP_X_FORWARDED_FOR="192.0.2.8")
    )
    assert locked_out(
        sign_in(bystander.username, PASSWORD, "10.0.0.5", HTTP_X_FORWARDED_FOR="192.0.2.7")
    )
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"192.0.2.7"}
