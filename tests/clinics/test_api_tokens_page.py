"""The API keys page (/konto/api-nycklar/): every signed-in user lists, makes and revokes
their own keys, and nobody else's; a new key is shown once, in the answer that made it."""

import pytest
from django.urls import reverse

from clinics.models import ApiToken, Role
from clinics.services.api_tokens import create_api_token
from tests.api.helpers import key_client
from tests.factories import make_user

PAGE = reverse("api_tokens")
LIST = "/api/v1/clinics/"


@pytest.fixture
def client(client):
    """Messages are asserted in English, the msgid language; Swedish comes from the .po."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def revoke_url(token: ApiToken) -> str:
    return reverse("api_token_revoke", args=[token.token_key])


@pytest.mark.parametrize("role", Role.values)
def test_every_role_has_the_page(client, db, role):
    client.force_login(make_user(role))

    response = client.get(PAGE)

    assert response.status_code == 200
    assert reverse("api_tokens") in response.content.decode()


def test_anonymous_is_sent_to_sign_in_and_nothing_is_made(client, db):
    for response in (client.get(PAGE), client.post(PAGE, {"name": "Budget"})):
        assert response.status_code == 302
        assert response.url.startswith(reverse("login") + "?next=")
    assert not ApiToken.objects.exists()


def test_the_page_lists_the_users_keys_and_nobody_elses(client, viewer):
    create_api_token(user=viewer, name="Budgetsystemet")
    other = make_user(Role.VIEWER)
    theirs = create_api_token(user=other, name="Annans skript").token
    client.force_login(viewer)

    html = client.get(PAGE).content.decode()

    assert "Budgetsystemet" in html
    assert "Annans skript" not in html
    assert theirs.token_key not in html


def test_a_new_key_is_shown_once_and_works(client, viewer):
    client.force_login(viewer)

    response = client.post(PAGE, {"name": "Budgetsystemet"})

    assert response.status_code == 200
    token = ApiToken.objects.get(user=viewer)
    assert token.name == "Budgetsystemet"
    key = response.context["created"].key
    html = response.content.decode()
    assert key in html
    assert "shown only this once" in html
    assert key_client(key).get(LIST).status_code == 200
    # Never again: the page lists the key by its first characters only.
    listed = client.get(PAGE).content.decode()
    assert key not in listed
    assert token.token_key in listed
    # And the answer that showed it is kept by no cache.
    assert "no-store" in response.headers["Cache-Control"]


def test_a_name_in_use_is_refused_next_to_the_field_and_nothing_is_made(client, viewer):
    create_api_token(user=viewer, name="Budget")
    client.force_login(viewer)

    response = client.post(PAGE, {"name": "Budget"})

    assert response.status_code == 400
    assert response.context["form"].errors["name"] == [
        "You already have an API key with this name."
    ]
    assert response.context["created"] is None
    assert ApiToken.objects.filter(user=viewer).count() == 1


def test_revoking_a_key_refuses_it_from_then_on(client, viewer):
    created = create_api_token(user=viewer, name="Budget")
    client.force_login(viewer)

    response = client.post(revoke_url(created.token), follow=True)

    assert response.redirect_chain == [(PAGE, 302)]
    assert "is revoked" in response.content.decode()
    assert not ApiToken.objects.exists()
    assert key_client(created.key).get(LIST).status_code == 401


def test_it_validates_ownership_another_users_key_is_not_found_and_stays(client, viewer):
    theirs = create_api_token(user=make_user(Role.VIEWER), name="Budget")
    for actor in (viewer, make_user(Role.REGION_ADMIN)):
        client.force_login(actor)

        assert client.post(revoke_url(theirs.token)).status_code == 404

    assert ApiToken.objects.filter(pk=theirs.token.pk).exists()
    assert key_client(theirs.key).get(LIST).status_code == 200


def test_revoking_takes_a_post(client, viewer):
    created = create_api_token(user=viewer, name="Budget")
    client.force_login(viewer)

    assert client.get(revoke_url(created.token)).status_code == 405
    assert ApiToken.objects.exists()


def test_an_expired_key_is_listed_as_expired_in_words(client, viewer):
    created = create_api_token(user=viewer, name="Budget")
    ApiToken.objects.filter(pk=created.token.pk).update(expiry=created.token.created)
    client.force_login(viewer)

    html = client.get(PAGE).content.decode()

    assert "Expired" in html


def test_a_region_admin_revokes_anyones_key_in_the_admin_and_it_is_recorded(client, viewer):
    admin = make_user(Role.REGION_ADMIN)
    created = create_api_token(user=viewer, name="Budget")
    client.force_login(admin)
    listed = client.get(reverse("admin:clinics_apitoken_changelist")).content.decode()
    assert "Budget" in listed
    assert created.key not in listed

    response = client.post(
        reverse("admin:clinics_apitoken_changelist"),
        {"action": "delete_selected", "_selected_action": [created.token.pk], "post": "yes"},
    )

    assert response.status_code == 302
    assert key_client(created.key).get(LIST).status_code == 401
    revoked = ApiToken.history.get(history_type="-")
    assert (revoked.history_user, revoked.history_change_reason) == (admin, "revoke")
