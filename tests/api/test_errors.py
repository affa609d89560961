"""Every API refusal in one body (halland_utbud.api), with the status the rule gives it,
and query parameters read strictly: one left empty or given a non-number is refused, not
quietly read as "not given"."""

import pytest
from django.urls import reverse

from clinics.models import CaseState
from tests.api.helpers import client_for, error_detail, error_fields
from tests.api.test_cases import action, approved, submitted

PROVIDERS = reverse("api:provider-list")
CLINICS = reverse("api:clinic-list")
CASES = reverse("api:case-list")
MATRIX = reverse("api:compliance-matrix")


def compliance(clinic) -> str:
    return reverse("api:clinic-compliance", args=[clinic.pk])


# The body


def test_a_refused_field_is_named_with_a_code_and_a_readable_detail(viewer, clinic):
    response = client_for(viewer).get(compliance(clinic), {"on_date": "2026-02-30"})

    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "validation_error"
    [error] = body["errors"]
    assert error == {"code": "invalid", "detail": error["detail"], "attr": "on_date"}
    assert error["detail"] == "Fyll i ett giltigt datum."


def test_a_state_that_refuses_the_action_is_a_409_with_the_services_message(
    catalogue, clinic, reporter
):
    case = submitted(clinic, reporter, catalogue)

    response = client_for(reporter).post(action(case, "submit"))

    assert response.status_code == 409
    assert response.json()["type"] == "client_error"
    assert response.json()["errors"][0]["code"] == "conflict"
    assert error_detail(response)


def test_a_service_refusing_the_actor_is_a_403_with_its_reason(catalogue, clinic, reporter):
    case = submitted(clinic, reporter, catalogue)

    response = client_for(reporter).post(action(case, "approve"), {"valid_from": "2026-01-01"})

    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "permission_denied"
    # The service's own reason, not the generic "you may not do this".
    assert error_detail(response) != "Du har inte tillåtelse att utföra denna förfrågan."


@pytest.mark.parametrize("name", ["reject", "return", "revoke"])
def test_a_decision_that_needs_a_comment_refuses_a_request_without_one(
    catalogue, clinic, reporter, reviewer, name
):
    case = approved(clinic, reporter, catalogue) if name == "revoke" else None
    case = case or submitted(clinic, reporter, catalogue)

    response = client_for(reviewer).post(action(case, name), {}, format="json")

    assert response.status_code == 400
    assert list(error_fields(response)) == ["comment"]
    expected = CaseState.APPROVED if name == "revoke" else CaseState.SUBMITTED
    case.refresh_from_db()
    assert case.state == expected


def test_a_path_under_the_api_that_names_nothing_is_answered_in_the_error_body(viewer):
    response = client_for(viewer).get("/api/v1/finns-inte/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert error_detail(response) == "Hittades inte."


def test_a_page_that_names_nothing_is_still_the_404_page(viewer):
    response = client_for(viewer).get("/finns-inte/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("pk", ["abc", "-1", "1.5", "1234567890123456789", "9" * 40])
def test_an_id_that_is_no_id_or_too_long_for_the_database_is_a_404(viewer, pk):
    for path in [f"{CASES}{pk}/", f"{CLINICS}{pk}/", f"/api/v1/clinics/{pk}/compliance/"]:
        response = client_for(viewer).get(path)

        assert response.status_code == 404, path
        assert error_detail(response)


# Query parameters


@pytest.mark.parametrize(
    ("name", "value"),
    [
        *(("page_size", value) for value in ["null", "", " ", "0", "-1", "501", "1.5", "²"]),
        *(("page", value) for value in ["null", "", "0", "-1", "last", "1.5", "²"]),
    ],
)
def test_a_page_or_page_size_that_is_no_whole_number_in_range_is_a_400(viewer, name, value):
    response = client_for(viewer).get(PROVIDERS, {name: value})

    assert response.status_code == 400
    assert list(error_fields(response)) == [name]


def test_a_page_past_the_last_is_a_404(viewer):
    response = client_for(viewer).get(PROVIDERS, {"page": 2})

    assert response.status_code == 404


def test_the_page_size_is_used_up_to_its_maximum(viewer):
    response = client_for(viewer).get(PROVIDERS, {"page_size": 500})

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("url", "name"),
    [
        (lambda clinic: compliance(clinic), "on_date"),
        (lambda clinic: CLINICS, "on_date"),
        (lambda clinic: CLINICS, "municipality"),
        (lambda clinic: f"{CLINICS}{clinic.pk}/", "on_date"),
        (lambda clinic: MATRIX, "on_date"),
        (lambda clinic: MATRIX, "cursor"),
        (lambda clinic: MATRIX, "page_size"),
        (lambda clinic: MATRIX, "format"),
        (lambda clinic: CASES, "state"),
        (lambda clinic: reverse("api:catalogue-requirement-list"), "area"),
        (lambda clinic: reverse("api:usage-list"), "month"),
        (lambda clinic: reverse("api:snapshot-list"), "period"),
        (lambda clinic: reverse("api:target-list"), "year"),
    ],
)
def test_a_parameter_given_empty_is_refused_not_read_as_left_out(
    viewer, catalogue, clinic, url, name
):
    response = client_for(viewer).get(url(clinic), {name: ""})

    assert response.status_code == 400
    assert name in error_fields(response)


def test_an_empty_parameter_is_refused_in_the_request_language(viewer, clinic):
    client = client_for(viewer)

    swedish = client.get(compliance(clinic), {"on_date": ""})
    english = client.get(compliance(clinic), {"on_date": ""}, HTTP_ACCEPT_LANGUAGE="en")

    assert error_fields(swedish)["on_date"] == [
        "Parametern är tom: utelämna den eller ge den ett värde."
    ]
    assert error_fields(english)["on_date"] == [
        "This parameter is empty: leave it out or give it a value."
    ]


def test_a_parameter_left_out_keeps_its_default(viewer, catalogue, clinic):
    assert client_for(viewer).get(compliance(clinic)).status_code == 200
    assert client_for(viewer).get(PROVIDERS).json()["results"] is not None
