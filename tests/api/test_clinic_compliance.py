from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from clinics.models import Role
from clinics.services.register import save_clinic
from clinics.services.reports import save_answer, start_report
from requirements.vocabulary import AnswerStatus, CareType, ClinicKind, ComplianceStatus
from tests.api.helpers import (
    approve_answers,
    client_for,
    error_detail,
    error_fields,
    expected_compliance,
    token_client_for,
)
from tests.factories import make_user

# A clinic that has not met its own page on 1177 fully, has no use for the travel
# vaccination e-service, and offers no video visits.
STATUSES = {
    "hemsida.sida_1177": AnswerStatus.PARTIALLY_MET,
    "etjanster.vaccination_utlandsresa": AnswerStatus.NOT_APPLICABLE,
    "distans.video": AnswerStatus.NOT_MET,
}


def label(status: ComplianceStatus, language: str) -> str:
    with translation.override(language):
        return str(status.label)


def url(clinic) -> str:
    return reverse("api:clinic-compliance", args=[clinic.pk])


def by_code(body) -> dict[str, dict]:
    return {row["code"]: row for row in body["requirements"]}


@pytest.fixture
def reported(catalogue, clinic):
    """``clinic`` with an approved report answering as in STATUSES, every other met."""
    return approve_answers(clinic, STATUSES)


def test_the_numbers_match_the_compliance_rules(viewer, catalogue, clinic, reported):
    expected = expected_compliance(clinic, catalogue, STATUSES, timezone.localdate())

    response = client_for(viewer).get(url(clinic))

    assert response.status_code == 200
    body = response.json()
    summary = body["compliance"]
    assert summary["catalogue_version"] == catalogue.pk
    assert summary["meets_baseline"] is expected.meets_baseline is False
    assert summary["met"] == expected.met
    assert summary["applicable"] == expected.applicable
    assert summary["share"] == pytest.approx(expected.share)
    assert [
        (area["code"], area["meets"], area["met"], area["applicable"]) for area in summary["areas"]
    ] == [(area.code, area.meets, area.met, area.applicable) for area in expected.areas]
    assert {code: row["status"] for code, row in by_code(body).items()} == {
        result.code: result.status.value for area in expected.areas for result in area.results
    }


def test_each_requirement_shows_its_status_and_the_approved_answer(
    viewer, catalogue, clinic, reported
):
    body = client_for(viewer).get(url(clinic)).json()
    rows = by_code(body)

    assert body["clinic"] == {"id": clinic.pk, "hsa_id": clinic.hsa_id, "name": clinic.name}
    assert len(rows) == catalogue.requirements.count()
    partial = rows["hemsida.sida_1177"]
    assert partial["name"] == catalogue.requirements.get(code="hemsida.sida_1177").name_sv
    assert partial["area_code"] == "hemsida"
    assert partial["status"] == ComplianceStatus.NOT_COMPLIANT
    assert partial["status_label"] == label(ComplianceStatus.NOT_COMPLIANT, "sv")
    assert partial["exemption"] is None
    answer = partial["answer"]
    assert answer["status"] == AnswerStatus.PARTIALLY_MET
    assert answer["evidence_url"] == "https://www.1177.se/underlag/hemsida.sida_1177"
    assert answer["comment"] == "Kommentar om hemsida.sida_1177"
    assert answer["justification"] == ""
    assert answer["review_comment"] == ""
    assert answer["reported_at"]
    not_applicable = rows["etjanster.vaccination_utlandsresa"]
    assert not_applicable["status"] == ComplianceStatus.NOT_APPLICABLE
    assert not_applicable["answer"]["justification"] == "Tjänsten ges inte här."
    # A service that does not apply is offered through no channel: none is kept.
    assert not_applicable["answer"]["channel"] == ""
    assert rows["distans.video"]["status"] == ComplianceStatus.NOT_COMPLIANT
    assert rows["journalen.las_via_1177"]["status"] == ComplianceStatus.COMPLIANT
    assert rows["journalen.las_via_1177"]["status_label"] == label(
        ComplianceStatus.COMPLIANT, "sv"
    )


def test_a_requirement_that_does_not_apply_to_the_clinic_is_not_applicable(
    viewer, catalogue, clinic, reported
):
    # A private dental clinic: the decision's web booking rules do not apply to it.
    clinic.care_type = CareType.DENTAL
    clinic.kind = ClinicKind.GENERAL_DENTAL
    save_clinic(clinic=clinic, actor=None)

    rows = by_code(client_for(viewer).get(url(clinic)).json())

    assert rows["webbtidbok.boka_direkt"]["status"] == ComplianceStatus.NOT_APPLICABLE


@pytest.mark.parametrize("language", ["sv", "en"])
def test_the_status_label_is_in_the_language_asked_for(
    viewer, catalogue, clinic, reported, language
):
    body = client_for(viewer).get(url(clinic), HTTP_ACCEPT_LANGUAGE=language).json()

    row = by_code(body)["distans.video"]
    assert row["status"] == ComplianceStatus.NOT_COMPLIANT
    assert row["status_label"] == label(ComplianceStatus.NOT_COMPLIANT, language)


def test_compliance_before_the_approval_shows_nothing_reported(
    viewer, catalogue, clinic, reported
):
    yesterday = timezone.localdate() - timedelta(days=1)

    body = client_for(viewer).get(f"{url(clinic)}?on_date={yesterday.isoformat()}").json()

    assert body["compliance"]["on_date"] == yesterday.isoformat()
    assert body["compliance"]["met"] == 0
    rows = by_code(body)
    assert rows["hemsida.sida_1177"]["status"] == ComplianceStatus.NOT_REPORTED
    assert rows["hemsida.sida_1177"]["status_label"] == label(ComplianceStatus.NOT_REPORTED, "sv")
    assert all(row["answer"] is None for row in rows.values())


def test_answers_in_a_report_not_yet_approved_do_not_count(
    viewer, catalogue, clinic, reporter, reported
):
    draft = start_report(clinic=clinic, actor=reporter)
    save_answer(
        report=draft,
        requirement=draft.catalogue_version.requirements.get(code="distans.video"),
        actor=reporter,
        status=AnswerStatus.MET,
    )

    rows = by_code(client_for(viewer).get(url(clinic)).json())

    assert rows["distans.video"]["status"] == ComplianceStatus.NOT_COMPLIANT
    assert rows["distans.video"]["answer"]["status"] == AnswerStatus.NOT_MET


def test_there_is_no_compliance_on_a_date_without_a_catalogue(viewer, catalogue, clinic):
    response = client_for(viewer).get(f"{url(clinic)}?on_date=2020-01-01")

    assert response.status_code == 404
    assert error_detail(response)


def test_a_bad_date_is_a_400_naming_it(viewer, catalogue, clinic):
    response = client_for(viewer).get(f"{url(clinic)}?on_date=19-03-2022")

    assert response.status_code == 400
    assert "on_date" in error_fields(response)


@pytest.mark.parametrize("role", [Role.REGION_ADMIN, Role.REVIEWER, Role.VIEWER])
def test_admins_reviewers_and_viewers_see_any_clinics_compliance(
    role, catalogue, clinic, other_clinic
):
    client = client_for(make_user(role))

    assert client.get(url(clinic)).status_code == 200
    assert client.get(url(other_clinic)).status_code == 200


def test_a_clinic_reporter_sees_their_own_clinics_compliance(reporter, catalogue, clinic):
    response = client_for(reporter).get(url(clinic))

    assert response.status_code == 200
    assert response.json()["clinic"]["id"] == clinic.pk


def test_a_provider_coordinator_sees_the_compliance_of_every_clinic_of_the_provider(
    coordinator, catalogue, clinic, sibling_clinic, other_clinic
):
    client = client_for(coordinator)

    assert client.get(url(clinic)).status_code == 200
    assert client.get(url(sibling_clinic)).status_code == 200
    assert client.get(url(other_clinic)).status_code == 404


def test_anonymous_is_refused_with_json(catalogue, clinic):
    response = client_for(None).get(url(clinic))

    assert response.status_code == 401
    assert error_detail(response)


def test_it_validates_ownership(reporter, catalogue, clinic, other_clinic):
    approve_answers(other_clinic)

    response = client_for(reporter).get(url(other_clinic))

    # The clinic does not exist for them: the same answer as for an id nobody has.
    assert response.status_code == 404
    assert client_for(reporter).get(reverse("api:clinic-compliance", args=[999999])).json() == (
        response.json()
    )


def test_a_user_with_a_token_is_let_in(viewer, catalogue, clinic):
    response = token_client_for(viewer).get(url(clinic))

    assert response.status_code == 200


def test_the_cost_does_not_grow_with_the_catalogue_or_the_answers(
    viewer, catalogue, clinic, reported, django_assert_max_num_queries
):
    client = client_for(viewer)

    # Session and user, clinic, catalogue (version, areas, names, rules), answers twice,
    # the approved exemptions.
    with django_assert_max_num_queries(12):
        assert client.get(url(clinic)).status_code == 200
