"""API keys (django-rest-knox): stored only as a digest, named, valid for a set number of
days; an expired or revoked key is refused; making and revoking one is in the history."""

import importlib
from datetime import timedelta

import pytest
import time_machine
from django.apps import apps
from django.db import connection
from django.utils import timezone
from knox.crypto import hash_token

from clinics.models import ApiToken, Role
from clinics.services.api_tokens import (
    MAX_API_TOKENS_PER_USER,
    create_api_token,
    revoke_api_token,
)
from halland_utbud.errors import ApplicationError, NotAllowed
from tests.api.helpers import key_client
from tests.factories import make_user

LIST = "/api/v1/clinics/"


def stored_text() -> str:
    """Every stored value of every key and of their history, as one text."""
    rows = [*ApiToken.objects.values_list(), *ApiToken.history.values_list()]
    return repr(rows)


def test_a_key_is_stored_only_as_its_digest(viewer):
    created = create_api_token(user=viewer, name="Budgetsystemet")

    token = ApiToken.objects.get()
    assert created.key not in stored_text()
    assert token.digest == hash_token(created.key)
    # Its first characters only, to find it by and to tell keys apart.
    assert created.key.startswith(token.token_key)
    assert len(token.token_key) < len(created.key) // 4


def test_a_valid_key_reads_the_api_as_its_user(viewer):
    response = key_client(create_api_token(user=viewer, name="Budget").key).get(LIST)

    assert response.status_code == 200
    assert response.wsgi_request.user == viewer


def test_a_key_is_valid_for_api_token_ttl_days_and_using_it_does_not_extend_it(viewer, settings):
    made_at = timezone.now()
    created = create_api_token(user=viewer, name="Budget")
    expiry = created.token.expiry

    assert expiry - made_at == pytest.approx(
        timedelta(days=settings.API_TOKEN_TTL_DAYS), abs=timedelta(seconds=5)
    )
    with time_machine.travel(made_at + timedelta(days=10)):
        assert key_client(created.key).get(LIST).status_code == 200
    assert ApiToken.objects.get().expiry == expiry


def test_an_expired_key_is_refused_with_401(viewer, settings):
    created = create_api_token(user=viewer, name="Budget")
    lifetime = timedelta(days=settings.API_TOKEN_TTL_DAYS)

    with time_machine.travel(timezone.now() + lifetime - timedelta(minutes=1)):
        assert key_client(created.key).get(LIST).status_code == 200
    with time_machine.travel(timezone.now() + lifetime + timedelta(minutes=1)):
        response = key_client(created.key).get(LIST)

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Token"
    # knox removes it on the way; the history says so.
    assert not ApiToken.objects.exists()
    assert ApiToken.history.filter(history_type="-").exists()


def test_a_revoked_key_is_refused(viewer):
    created = create_api_token(user=viewer, name="Budget")
    client = key_client(created.key)
    assert client.get(LIST).status_code == 200

    revoke_api_token(token=created.token, actor=viewer)

    assert client.get(LIST).status_code == 401


def test_revoking_one_key_leaves_the_others_working(viewer):
    kept = create_api_token(user=viewer, name="Budget")
    revoked = create_api_token(user=viewer, name="Gammalt skript")

    revoke_api_token(token=revoked.token, actor=viewer)

    assert key_client(kept.key).get(LIST).status_code == 200
    assert key_client(revoked.key).get(LIST).status_code == 401


def test_a_deactivated_users_key_is_refused(viewer):
    created = create_api_token(user=viewer, name="Budget")
    viewer.is_active = False
    viewer.save()

    assert key_client(created.key).get(LIST).status_code == 401


def test_making_and_revoking_a_key_is_in_its_history_with_who_and_when(viewer):
    admin = make_user(Role.REGION_ADMIN)
    created = create_api_token(user=viewer, name="Budget")

    revoke_api_token(token=created.token, actor=admin)

    made, revoked = ApiToken.history.order_by("history_date", "history_id")
    assert (made.history_type, made.history_change_reason, made.history_user) == (
        "+",
        "create",
        viewer,
    )
    assert (revoked.history_type, revoked.history_change_reason, revoked.history_user) == (
        "-",
        "revoke",
        admin,
    )
    assert revoked.name == "Budget"
    assert revoked.user_id == viewer.pk


def test_only_the_keys_user_or_a_region_admin_revokes_it(viewer):
    created = create_api_token(user=viewer, name="Budget")

    for other in (make_user(Role.VIEWER), make_user(Role.REVIEWER)):
        with pytest.raises(NotAllowed):
            revoke_api_token(token=created.token, actor=other)

    assert ApiToken.objects.filter(pk=created.token.pk).exists()


def test_revoking_a_key_twice_records_it_once(viewer):
    created = create_api_token(user=viewer, name="Budget")

    revoke_api_token(token=created.token, actor=viewer)
    revoke_api_token(token=created.token, actor=viewer)

    assert ApiToken.history.filter(history_type="-").count() == 1


def test_a_users_keys_have_different_names_but_another_user_may_reuse_one(viewer):
    create_api_token(user=viewer, name="Budget")

    with pytest.raises(ApplicationError) as refused:
        create_api_token(user=viewer, name=" Budget ")

    assert refused.value.extra["errors"]["name"]
    create_api_token(user=make_user(Role.VIEWER), name="Budget")
    assert ApiToken.objects.filter(name="Budget").count() == 2


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_a_key_needs_a_name_of_at_most_100_characters(viewer, name):
    with pytest.raises(ApplicationError) as refused:
        create_api_token(user=viewer, name=name)

    assert refused.value.extra["errors"]["name"]
    assert not ApiToken.objects.exists()


def test_a_user_has_a_bounded_number_of_keys(viewer):
    for n in range(MAX_API_TOKENS_PER_USER):
        create_api_token(user=viewer, name=f"Nyckel {n}")

    with pytest.raises(ApplicationError):
        create_api_token(user=viewer, name="En till")

    assert ApiToken.objects.count() == MAX_API_TOKENS_PER_USER


def test_an_inactive_user_gets_no_key(viewer):
    viewer.is_active = False

    with pytest.raises(NotAllowed):
        create_api_token(user=viewer, name="Budget")


def test_the_upgrade_keeps_drf_plain_text_keys_working_stored_as_digests(viewer):
    """The migration that brought knox: DRF's authtoken kept keys in plain text. Each
    becomes a digest with an expiry, and authtoken's table is dropped."""
    key = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE authtoken_token ({quote('key')} varchar(40) PRIMARY KEY, "
            f"{quote('user_id')} integer NOT NULL)"
        )
        cursor.execute(
            f"INSERT INTO authtoken_token ({quote('key')}, {quote('user_id')}) VALUES (%s, %s)",
            [key, viewer.pk],
        )
    migration = importlib.import_module("clinics.migrations.0016_api_tokens")

    migration._carry_over(apps, connection)

    assert "authtoken_token" not in connection.introspection.table_names()
    token = ApiToken.objects.get()
    assert (token.user, token.name) == (viewer, migration.CARRIED_OVER_NAME)
    assert token.expiry > timezone.now()
    assert key not in stored_text()
    assert ApiToken.history.get().history_change_reason == "carry over"
    assert key_client(key).get(LIST).status_code == 200


def test_the_upgrade_does_nothing_where_drf_tokens_never_were(viewer):
    migration = importlib.import_module("clinics.migrations.0016_api_tokens")

    migration._carry_over(apps, connection)

    assert not ApiToken.objects.exists()
