from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clinics.models import Role
from tests.api.helpers import (
    client_for,
    error_detail,
    error_fields,
    make_catalogue_version,
    token_client_for,
)
from tests.factories import make_user

VERSIONS = reverse("api:catalogue-version-list")
REQUIREMENTS = reverse("api:catalogue-requirement-list")
ALL_ROLES = [Role.REGION_ADMIN, Role.REVIEWER, Role.VIEWER, Role.CLINIC_REPORTER]


def version_url(version) -> str:
    return reverse("api:catalogue-version-detail", args=[version.pk])


@pytest.fixture
def next_version(catalogue):
    """A revision decided but not yet in force."""
    return make_catalogue_version(
        effective_from=timezone.localdate() + timedelta(days=30), revision=2
    )


# Versions


@pytest.mark.parametrize("role", ALL_ROLES)
def test_every_role_reads_the_catalogue_versions(role, catalogue, clinic):
    client = client_for(make_user(role, clinics=[clinic]))

    response = client.get(VERSIONS)

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [catalogue.pk]
    assert client.get(version_url(catalogue)).status_code == 200


def test_only_the_version_in_force_today_is_marked_in_force(viewer, catalogue, next_version):
    rows = client_for(viewer).get(VERSIONS).json()["results"]

    assert [(row["id"], row["in_force"]) for row in rows] == [
        (next_version.pk, False),
        (catalogue.pk, True),
    ]
    assert rows[1] == {
        "id": catalogue.pk,
        "decision_id": "RS220477",
        "revision": catalogue.revision,
        "title": catalogue.title,
        "decision_date": catalogue.decision_date.isoformat(),
        "effective_from": catalogue.effective_from.isoformat(),
        "in_force": True,
    }


def test_the_version_detail_nests_its_areas_and_requirements_in_order(viewer, catalogue):
    body = client_for(viewer).get(version_url(catalogue)).json()

    assert body["in_force"] is True
    areas = list(catalogue.areas.order_by("position"))
    assert [area["code"] for area in body["areas"]] == [area.code for area in areas]
    assert [area["in_baseline"] for area in body["areas"]].count(True) == 7
    webbtidbok = next(area for area in body["areas"] if area["code"] == "webbtidbok")
    assert [r["code"] for r in webbtidbok["requirements"]] == list(
        catalogue.requirements.filter(area__code="webbtidbok")
        .order_by("position")
        .values_list("code", flat=True)
    )
    assert all(r["area_code"] == "webbtidbok" for r in webbtidbok["requirements"])


def test_the_version_detail_costs_the_same_whatever_the_catalogue_holds(
    viewer, catalogue, django_assert_max_num_queries
):
    client = client_for(viewer)

    # Session and user, version in force, the version, its areas, their requirements.
    with django_assert_max_num_queries(6):
        assert client.get(version_url(catalogue)).status_code == 200


def test_an_unknown_version_is_a_404(viewer, catalogue):
    response = client_for(viewer).get(reverse("api:catalogue-version-detail", args=[999999]))

    assert response.status_code == 404


# Requirements


@pytest.mark.parametrize("role", ALL_ROLES)
def test_every_role_reads_the_requirements(role, catalogue, clinic):
    response = client_for(make_user(role, clinics=[clinic])).get(f"{REQUIREMENTS}?page_size=500")

    assert response.status_code == 200
    assert response.json()["count"] == catalogue.requirements.count()


def test_it_shows_a_clinic_reporter_the_same_catalogue_as_an_admin(
    reporter, region_admin, catalogue
):
    # The catalogue is the published decision: no clinic owns it, nothing is hidden.
    as_reporter = client_for(reporter).get(f"{REQUIREMENTS}?page_size=500").json()
    as_admin = client_for(region_admin).get(f"{REQUIREMENTS}?page_size=500").json()

    assert as_reporter == as_admin


def test_the_requirements_default_to_the_version_in_force_today(viewer, catalogue, next_version):
    rows = client_for(viewer).get(f"{REQUIREMENTS}?page_size=500").json()["results"]

    assert {row["version"] for row in rows} == {catalogue.pk}
    assert [row["code"] for row in rows] == list(
        catalogue.requirements.order_by("position").values_list("code", flat=True)
    )


def test_the_requirements_of_another_version_are_asked_for_by_id(viewer, next_version):
    rows = client_for(viewer).get(f"{REQUIREMENTS}?version={next_version.pk}").json()["results"]

    assert [row["code"] for row in rows] == ["hemsida.sida_1177", "hemsida.tillganglighet"]


def test_the_requirements_filter_by_area(viewer, catalogue):
    rows = client_for(viewer).get(f"{REQUIREMENTS}?area=npo").json()["results"]

    [npo] = rows
    assert npo["code"] == "npo.ansluten"
    assert npo["area_code"] == "npo"
    assert npo["exemption_kinds"] == ["documentation_otherwise_available"]


def test_a_requirement_shows_every_field(viewer, catalogue):
    requirement = catalogue.requirements.get(code="webbtidbok.boka_direkt")

    [row] = [
        row
        for row in client_for(viewer).get(f"{REQUIREMENTS}?area=webbtidbok").json()["results"]
        if row["code"] == requirement.code
    ]

    assert row == {
        "id": requirement.pk,
        "code": "webbtidbok.boka_direkt",
        "name_sv": requirement.name_sv,
        "name_en": requirement.name_en,
        "name": requirement.name_sv,
        "description": requirement.description_sv,
        "area_code": "webbtidbok",
        "decision_section": requirement.decision_section,
        "applies_when": [
            {
                "care_type": ["health"],
                "kind": [
                    "bup",
                    "other",
                    "psychiatry",
                    "rehabilitation",
                    "specialist",
                    "vardcentral",
                ],
            },
            {"care_type": ["dental"], "provider_kind": ["region"]},
        ],
        "may_be_not_applicable": False,
        "exemption_kinds": ["request_appointment"],
        "permanent_exemption_allowed": requirement.permanent_exemption_allowed,
        "asks_channel": requirement.asks_channel,
        "version": catalogue.pk,
    }


def test_names_follow_the_language_asked_for(viewer, catalogue):
    client = client_for(viewer)

    [english] = client.get(f"{REQUIREMENTS}?area=npo", HTTP_ACCEPT_LANGUAGE="en").json()["results"]
    [swedish] = client.get(f"{REQUIREMENTS}?area=npo", HTTP_ACCEPT_LANGUAGE="sv").json()["results"]

    assert english["name"] == english["name_en"] != swedish["name"] == swedish["name_sv"]
    assert english["description"] != swedish["description"]


@pytest.mark.parametrize(
    ("parameter", "value"),
    [("version", "999999"), ("version", "latest"), ("area", "telefonkö")],
)
def test_a_bad_filter_value_is_a_400_naming_the_parameter(viewer, catalogue, parameter, value):
    response = client_for(viewer).get(f"{REQUIREMENTS}?{parameter}={value}")

    assert response.status_code == 400
    assert parameter in error_fields(response)


def test_there_are_no_requirements_when_no_version_is_in_force(viewer):
    make_catalogue_version(effective_from=timezone.localdate() + timedelta(days=1), revision=1)

    response = client_for(viewer).get(REQUIREMENTS)

    assert response.status_code == 200
    assert response.json()["results"] == []


# Access


def test_anonymous_is_refused_with_json(catalogue):
    client = client_for(None)

    for url in [VERSIONS, version_url(catalogue), REQUIREMENTS]:
        response = client.get(url)
        assert response.status_code == 401
        assert error_detail(response)


def test_a_user_with_a_token_is_let_in(viewer, catalogue):
    client = token_client_for(viewer)

    assert client.get(VERSIONS).status_code == 200
    assert client.get(REQUIREMENTS).status_code == 200


def test_a_deactivated_user_is_refused(catalogue):
    user = make_user(Role.VIEWER)
    client = token_client_for(user)
    user.is_active = False
    user.save()

    assert client.get(VERSIONS).status_code == 401


def test_the_api_cannot_change_the_catalogue(region_admin, catalogue):
    client = client_for(region_admin)

    assert client.post(VERSIONS, {"title": "Ny"}).status_code == 405
    assert client.delete(version_url(catalogue)).status_code == 405
    assert client.post(REQUIREMENTS, {"code": "ny"}).status_code == 405
