from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinics.models import Clinic, Role
from clinics.services.reports import start_report
from requirements.vocabulary import (
    AnswerStatus,
    CareType,
    ClinicKind,
    ContractForm,
    Municipality,
    ProviderKind,
)
from tests.api.helpers import (
    approve_answers,
    bulk_approved_reports,
    client_for,
    error_detail,
    error_fields,
    expected_compliance,
    token_client_for,
)
from tests.factories import make_clinic, make_provider, make_user
from tests.followup.test_overview_page import bulk_clinics

LIST = reverse("api:clinic-list")


def detail(clinic) -> str:
    return reverse("api:clinic-detail", args=[clinic.pk])


def hsa_ids(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["hsa_id"] for row in response.json()["results"]}


# Who sees what


@pytest.mark.parametrize("role", [Role.REGION_ADMIN, Role.REVIEWER, Role.VIEWER])
def test_admins_reviewers_and_viewers_see_every_clinic(role, clinic, other_clinic):
    client = client_for(make_user(role))

    assert hsa_ids(client.get(LIST)) == {clinic.hsa_id, other_clinic.hsa_id}
    assert client.get(detail(other_clinic)).status_code == 200


def test_a_clinic_reporter_sees_only_their_own_clinics(reporter, clinic, sibling_clinic):
    assert hsa_ids(client_for(reporter).get(LIST)) == {clinic.hsa_id}


def test_a_provider_coordinator_sees_every_clinic_of_the_provider(
    coordinator, clinic, sibling_clinic, other_clinic
):
    client = client_for(coordinator)

    assert hsa_ids(client.get(LIST)) == {clinic.hsa_id, sibling_clinic.hsa_id}
    assert client.get(detail(sibling_clinic)).status_code == 200


def test_a_clinic_reporter_without_clinics_sees_none(clinic):
    client = client_for(make_user(Role.CLINIC_REPORTER))

    assert hsa_ids(client.get(LIST)) == set()
    assert client.get(detail(clinic)).status_code == 404


def test_anonymous_is_refused_with_json(clinic):
    client = client_for(None)

    for url in [LIST, detail(clinic)]:
        response = client.get(url)
        assert response.status_code == 401
        assert error_detail(response)


def test_it_validates_ownership(reporter, clinic, other_clinic):
    client = client_for(reporter)

    assert other_clinic.hsa_id not in hsa_ids(client.get(LIST))
    assert client.get(detail(other_clinic)).status_code == 404
    assert client.get(f"{LIST}?q={other_clinic.hsa_id}").json()["results"] == []


def test_a_user_with_a_token_is_let_in(viewer, clinic):
    assert hsa_ids(token_client_for(viewer).get(LIST)) == {clinic.hsa_id}


def test_the_api_cannot_change_a_clinic(region_admin, clinic):
    client = client_for(region_admin)

    assert client.post(LIST, {"name": "Ny"}).status_code == 405
    assert client.put(detail(clinic), {"name": "Ny"}).status_code == 405
    assert client.delete(detail(clinic)).status_code == 405


# What a clinic looks like


def test_the_detail_shows_the_clinic_its_provider_and_its_compliance(viewer, catalogue, clinic):
    approve_answers(clinic)

    response = client_for(viewer).get(detail(clinic))

    assert response.status_code == 200
    body = response.json()
    provider = clinic.provider
    assert body["id"] == clinic.pk
    assert body["hsa_id"] == clinic.hsa_id
    assert body["name"] == clinic.name
    assert body["provider"] == {
        "id": provider.pk,
        "name": provider.name,
        "organisation_number": provider.organisation_number,
        "kind": provider.kind,
    }
    assert body["kind"] == ClinicKind.VARDCENTRAL
    assert body["care_type"] == CareType.HEALTH
    assert body["municipality_code"] == "1380"
    assert body["municipality_name"] == "Halmstad"
    assert body["contract_form"] == ContractForm.VARDVAL
    assert body["url_1177"] == clinic.url_1177
    assert body["active_from"] is None
    assert body["active_until"] is None
    assert body["is_active"] is True
    assert body["approved_report_on"] == timezone.localdate().isoformat()
    assert body["reporting"] == "none"
    compliance = body["compliance"]
    assert compliance["on_date"] == timezone.localdate().isoformat()
    assert compliance["catalogue_version"] == catalogue.pk
    assert compliance["meets_baseline"] is True
    assert compliance["met"] == compliance["applicable"] > 0
    assert compliance["share"] == 1.0
    assert [area["code"] for area in compliance["areas"]] == list(
        catalogue.areas.order_by("position").values_list("code", flat=True)
    )
    assert compliance["areas"][0]["name"] == catalogue.areas.get(code="hemsida").name_sv


def test_the_compliance_in_the_list_matches_the_rules(viewer, catalogue, clinic):
    statuses = {
        "hemsida.sida_1177": AnswerStatus.PARTIALLY_MET,
        "etjanster.vaccination_utlandsresa": AnswerStatus.NOT_APPLICABLE,
        "distans.video": AnswerStatus.NOT_MET,
    }
    approve_answers(clinic, statuses)
    expected = expected_compliance(clinic, catalogue, statuses, timezone.localdate())

    [row] = client_for(viewer).get(LIST).json()["results"]

    compliance = row["compliance"]
    assert compliance["meets_baseline"] is expected.meets_baseline is False
    assert compliance["met"] == expected.met
    assert compliance["applicable"] == expected.applicable
    assert compliance["share"] == pytest.approx(expected.share)
    assert {
        area["code"]: (area["meets"], area["met"], area["applicable"])
        for area in compliance["areas"]
    } == {area.code: (area.meets, area.met, area.applicable) for area in expected.areas}


def test_a_clinic_without_an_approved_report_has_nothing_met(viewer, catalogue, clinic):
    [row] = client_for(viewer).get(LIST).json()["results"]

    assert row["approved_report_on"] is None
    assert row["reporting"] == "none"
    assert row["compliance"]["met"] == 0
    assert row["compliance"]["meets_baseline"] is False


def test_a_report_under_way_is_told_apart_from_the_approval_that_counts(
    viewer, catalogue, clinic, reporter
):
    approve_answers(clinic)
    start_report(clinic=clinic, actor=reporter)

    body = client_for(viewer).get(detail(clinic)).json()

    assert body["reporting"] == "draft"
    assert body["approved_report_on"] == timezone.localdate().isoformat()
    # A draft changes nothing until it is approved.
    assert body["compliance"]["meets_baseline"] is True


def test_compliance_on_a_date_before_the_approval_has_nothing_met(viewer, catalogue, clinic):
    approve_answers(clinic)
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()

    body = client_for(viewer).get(f"{detail(clinic)}?on_date={yesterday}").json()

    assert body["compliance"]["on_date"] == yesterday
    assert body["compliance"]["met"] == 0
    assert body["compliance"]["meets_baseline"] is False


def test_compliance_is_null_on_a_date_without_a_catalogue_in_force(viewer, catalogue, clinic):
    [row] = client_for(viewer).get(f"{LIST}?on_date=2020-01-01").json()["results"]

    assert row["compliance"] is None


def test_clinics_are_listed_by_name(viewer):
    for name in ["Vårdcentralen Tvååker", "Capio Vårdcentral Halmstad", "BUP Varberg"]:
        make_clinic(name=name)

    response = client_for(viewer).get(LIST)

    assert [row["name"] for row in response.json()["results"]] == [
        "BUP Varberg",
        "Capio Vårdcentral Halmstad",
        "Vårdcentralen Tvååker",
    ]


def test_the_client_chooses_the_page_size(viewer):
    for _ in range(3):
        make_clinic()

    body = client_for(viewer).get(f"{LIST}?page_size=2").json()

    assert body["count"] == 3
    assert len(body["results"]) == 2
    assert "page=2" in body["next"]


# Filters


@pytest.fixture
def varied_clinics(db):
    region = make_provider(kind=ProviderKind.REGION, organisation_number="232100-0115")
    return {
        "vardcentral": make_clinic(provider=region, municipality_code=Municipality.HYLTE),
        "tandvard": make_clinic(
            kind=ClinicKind.GENERAL_DENTAL,
            care_type=CareType.DENTAL,
            municipality_code=Municipality.VARBERG,
            contract_form=ContractForm.PROCURED,
        ),
        "closed": make_clinic(active_until=timezone.localdate() - timedelta(days=1)),
        "future": make_clinic(active_from=timezone.localdate() + timedelta(days=1)),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("municipality=1315", {"vardcentral"}),
        ("municipality=1383", {"tandvard"}),
        ("kind=general_dental", {"tandvard"}),
        ("care_type=dental", {"tandvard"}),
        ("contract_form=procured", {"tandvard"}),
        ("contract_form=region_run", {"vardcentral"}),
        ("provider_org_nr=232100-0115", {"vardcentral"}),
        ("provider_org_nr=2321000115", {"vardcentral"}),
        ("active=true", {"vardcentral", "tandvard"}),
        ("active=false", {"closed", "future"}),
        ("municipality=1380&active=false", {"closed", "future"}),
        ("care_type=health&contract_form=vardval&active=true", set()),
    ],
)
def test_the_list_filters(viewer, varied_clinics, query, expected):
    response = client_for(viewer).get(f"{LIST}?{query}")

    assert hsa_ids(response) == {varied_clinics[name].hsa_id for name in expected}


def test_the_list_filters_by_provider_id(viewer, varied_clinics):
    tandvard = varied_clinics["tandvard"]

    response = client_for(viewer).get(f"{LIST}?provider={tandvard.provider_id}")

    assert hsa_ids(response) == {tandvard.hsa_id}


def test_the_organisation_number_filter_accepts_it_without_the_hyphen(viewer):
    clinic = make_clinic(provider=make_provider(organisation_number="232100-0115"))

    response = client_for(viewer).get(f"{LIST}?provider_org_nr=2321000115")

    assert hsa_ids(response) == {clinic.hsa_id}


def test_the_list_searches_names_and_hsa_ids(viewer):
    capio = make_clinic(name="Capio Vårdcentral Varberg", hsa_id="SE2321000115-CAP01")
    make_clinic(name="Vårdcentralen Getinge", hsa_id="SE2321000115-GET01")
    client = client_for(viewer)

    assert hsa_ids(client.get(f"{LIST}?q=capio")) == {capio.hsa_id}
    assert hsa_ids(client.get(f"{LIST}?q=cap01")) == {capio.hsa_id}


def test_the_list_filters_on_meeting_the_baseline(viewer, catalogue):
    meets = make_clinic()
    approve_answers(meets)
    fails = make_clinic()
    approve_answers(fails, {"npo.ansluten": AnswerStatus.NOT_MET})
    unreported = make_clinic()
    client = client_for(viewer)

    assert hsa_ids(client.get(f"{LIST}?meets_baseline=true")) == {meets.hsa_id}
    assert hsa_ids(client.get(f"{LIST}?meets_baseline=false")) == {
        fails.hsa_id,
        unreported.hsa_id,
    }
    assert hsa_ids(client.get(f"{LIST}?meets_baseline=true&q={fails.hsa_id}")) == set()


def test_meeting_the_baseline_is_judged_on_the_date_asked(viewer, catalogue, clinic):
    approve_answers(clinic)
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()

    response = client_for(viewer).get(f"{LIST}?meets_baseline=true&on_date={yesterday}")

    assert hsa_ids(response) == set()


@pytest.mark.parametrize(
    ("parameter", "value"),
    [
        ("municipality", "0180"),
        ("kind", "hospital"),
        ("care_type", "veterinary"),
        ("contract_form", "franchise"),
        ("provider", "999999"),
        ("provider", "abc"),
        ("provider_org_nr", "123"),
        ("provider_org_nr", "232100-0116"),
        ("active", "maybe"),
        ("meets_baseline", "perhaps"),
        ("on_date", "2024-13-01"),
        ("on_date", "yesterday"),
    ],
)
def test_a_bad_filter_value_is_a_400_naming_the_parameter(viewer, clinic, parameter, value):
    response = client_for(viewer).get(f"{LIST}?{parameter}={value}")

    assert response.status_code == 400
    assert parameter in error_fields(response)


def test_every_bad_filter_is_named_at_once(viewer):
    response = client_for(viewer).get(f"{LIST}?kind=hospital&municipality=0180&active=maybe")

    assert response.status_code == 400
    assert set(error_fields(response)) == {"kind", "municipality", "active"}


def test_a_reporter_cannot_filter_on_a_provider_they_may_not_see(reporter, other_clinic):
    response = client_for(reporter).get(f"{LIST}?provider={other_clinic.provider_id}")

    assert response.status_code == 400
    assert "provider" in error_fields(response)


def test_a_bad_date_on_the_detail_is_a_400(viewer, clinic):
    response = client_for(viewer).get(f"{detail(clinic)}?on_date=2024-02-30")

    assert response.status_code == 400
    assert "on_date" in error_fields(response)


# Cost


def _count_queries(client, url: str, expected_rows: int) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    results = response.json()["results"]
    assert len(results) == expected_rows
    assert all(row["compliance"] is not None for row in results)
    return len(queries)


@pytest.mark.parametrize("query", ["", "&meets_baseline=true", "&meets_baseline=false"])
def test_the_list_costs_as_many_queries_for_1000_clinics_as_for_10(viewer, catalogue, query):
    client = client_for(viewer)
    clinics = bulk_clinics(10)
    bulk_approved_reports(clinics, catalogue, failing={clinics[0].pk, clinics[1].pk})
    expected_few = {"": 10, "&meets_baseline=true": 8, "&meets_baseline=false": 2}[query]
    few = _count_queries(client, f"{LIST}?page_size=500{query}", expected_few)

    more = bulk_clinics(990, start=10)
    bulk_approved_reports(more, catalogue, failing={clinic.pk for clinic in more[::5]})
    expected_many = {"": 500, "&meets_baseline=true": 500, "&meets_baseline=false": 200}[query]
    many = _count_queries(client, f"{LIST}?page_size=500{query}", expected_many)

    assert Clinic.objects.count() == 1000
    # Measured: 8 (session 2, the filter's providers, count, the page's ids, its rows,
    # the catalogue, the area rows), with or without meets_baseline.
    assert many == few <= 8
