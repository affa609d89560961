import pytest
from django.urls import reverse

from clinics.models import Role
from tests.api.helpers import client_for, error_detail, key_client, token_client_for
from tests.factories import make_clinic, make_provider, make_user

LIST = reverse("api:provider-list")


def detail(provider) -> str:
    return reverse("api:provider-detail", args=[provider.pk])


def names(response) -> set[str]:
    return {row["name"] for row in response.json()["results"]}


@pytest.mark.parametrize("role", [Role.REGION_ADMIN, Role.REVIEWER, Role.VIEWER])
def test_admins_reviewers_and_viewers_see_every_provider(role, clinic, other_clinic):
    response = client_for(make_user(role)).get(LIST)

    assert response.status_code == 200
    assert names(response) == {clinic.provider.name, other_clinic.provider.name}


def test_a_clinic_reporter_sees_only_the_provider_of_their_clinic(reporter, clinic, other_clinic):
    response = client_for(reporter).get(LIST)

    assert response.status_code == 200
    assert names(response) == {clinic.provider.name}


def test_a_provider_coordinator_sees_their_provider_with_every_clinic_counted(
    coordinator, clinic, other_clinic
):
    response = client_for(coordinator).get(LIST)

    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["id"] == clinic.provider_id
    assert row["clinic_count"] == 2


def test_the_clinic_count_includes_only_clinics_the_user_may_see(reporter, sibling_clinic):
    [row] = client_for(reporter).get(LIST).json()["results"]

    assert row["clinic_count"] == 1


def test_the_clinic_count_includes_closed_clinics_for_a_viewer(viewer, clinic, sibling_clinic):
    make_clinic(provider=clinic.provider, active_until="2020-12-31")

    [row] = client_for(viewer).get(LIST).json()["results"]

    assert row["clinic_count"] == 3


def test_anonymous_is_refused_with_json(clinic):
    response = client_for(None).get(LIST)

    assert response.status_code == 401
    assert error_detail(response)
    assert client_for(None).get(detail(clinic.provider)).status_code == 401


def test_it_validates_ownership(reporter, clinic, other_clinic):
    client = client_for(reporter)

    assert other_clinic.provider.name not in names(client.get(LIST))
    assert client.get(detail(other_clinic.provider)).status_code == 404
    assert client.get(detail(clinic.provider)).status_code == 200


def test_a_user_with_a_token_is_let_in(viewer, clinic):
    response = token_client_for(viewer).get(LIST)

    assert response.status_code == 200
    assert names(response) == {clinic.provider.name}


def test_a_wrong_token_is_refused(clinic):
    assert key_client("not-a-real-token").get(LIST).status_code == 401


def test_the_detail_shows_the_provider(viewer, clinic):
    provider = clinic.provider

    response = client_for(viewer).get(detail(provider))

    assert response.status_code == 200
    assert response.json() == {
        "id": provider.pk,
        "name": provider.name,
        "organisation_number": provider.organisation_number,
        "kind": provider.kind,
        "clinic_count": 1,
    }


def test_providers_are_listed_by_name(viewer):
    for name in ["Capio", "Aleris", "Region Halland"]:
        make_provider(name=name)

    response = client_for(viewer).get(LIST)

    assert [row["name"] for row in response.json()["results"]] == [
        "Aleris",
        "Capio",
        "Region Halland",
    ]


def test_the_api_cannot_change_a_provider(region_admin, clinic):
    client = client_for(region_admin)

    assert client.post(LIST, {"name": "Ny"}).status_code == 405
    assert client.patch(detail(clinic.provider), {"name": "Ny"}).status_code == 405
    assert client.delete(detail(clinic.provider)).status_code == 405
