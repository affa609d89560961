"""The cases API: who may create, see and move a case, and what a refusal says.

Reporters request for their own clinics; only reviewers decide, never a case they took
part in; a transition not allowed from the state is 409, one not allowed for the user 403,
each with a message. Another clinic's case does not exist for a reporter (404).
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinics.models import CaseEvent, CaseKind, CaseState, ExemptionCase, Role
from clinics.services.cases import approve_case, create_case, submit_case
from requirements.vocabulary import ExemptionKind
from tests.api.helpers import client_for, error_detail, error_fields, token_client_for
from tests.factories import make_clinic, make_user

LIST = reverse("api:case-list")
BOOKING = "webbtidbok.boka_direkt"


def detail(case) -> str:
    return reverse("api:case-detail", args=[case.pk])


def action(case, name: str) -> str:
    return reverse(f"api:case-{name}", args=[case.pk])


def request_body(clinic, **fields) -> dict:
    today = timezone.localdate()
    return {
        "clinic": clinic.pk,
        "requirement": BOOKING,
        "exemption_kind": ExemptionKind.REQUEST_APPOINTMENT,
        "reason_category": "technical",
        "justification": "Journalsystemet kan inte ta emot direktbokade tider.",
        "alternative": "E-tjänsten Beställa tid på 1177.",
        "links": ["https://www.1177.se/underlag/tidbok"],
        "requested_from": today.isoformat(),
        "requested_until": (today + timedelta(days=90)).isoformat(),
        **fields,
    }


def new_case(clinic, reporter, catalogue, **fields) -> ExemptionCase:
    today = timezone.localdate()
    values = {
        "requirement": catalogue.requirements.get(code=BOOKING),
        "exemption_kind": ExemptionKind.REQUEST_APPOINTMENT,
        "reason_category": "technical",
        "justification": "Journalsystemet kan inte ta emot direktbokade tider.",
        "requested_from": today,
        "requested_until": today + timedelta(days=90),
        **fields,
    }
    return create_case(clinic=clinic, actor=reporter, **values)


def submitted(clinic, reporter, catalogue) -> ExemptionCase:
    return submit_case(case=new_case(clinic, reporter, catalogue), actor=reporter)


def approved(clinic, reporter, catalogue, *, days: int = 90) -> ExemptionCase:
    today = timezone.localdate()
    return approve_case(
        case=submitted(clinic, reporter, catalogue),
        actor=make_user(Role.REVIEWER),
        valid_from=today,
        valid_until=today + timedelta(days=days),
    )


def state_of(case) -> str:
    return ExemptionCase.objects.get(pk=case.pk).state


@pytest.fixture
def other_reporter(other_clinic):
    return make_user(Role.CLINIC_REPORTER, clinics=[other_clinic])


# Creating


def test_a_reporter_requests_an_exemption_for_their_clinic_as_a_draft(catalogue, clinic, reporter):
    response = client_for(reporter).post(LIST, request_body(clinic), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == CaseState.DRAFT
    assert body["kind"] == CaseKind.EXEMPTION
    assert body["clinic"]["id"] == clinic.pk
    assert body["requirement"]["code"] == BOOKING
    assert body["links"] == ["https://www.1177.se/underlag/tidbok"]
    assert [event["to_state"] for event in body["events"]] == [CaseState.DRAFT]
    assert ExemptionCase.objects.get().requester == reporter


def test_a_reporter_cannot_request_for_another_clinic(catalogue, reporter, other_clinic):
    response = client_for(reporter).post(LIST, request_body(other_clinic), format="json")

    assert response.status_code == 404
    assert not ExemptionCase.objects.exists()


@pytest.mark.parametrize("role", [Role.REGION_ADMIN, Role.REVIEWER, Role.VIEWER])
def test_only_clinic_reporters_request_exemptions(catalogue, clinic, role):
    response = client_for(make_user(role)).post(LIST, request_body(clinic), format="json")

    assert response.status_code == 403
    assert error_detail(response)
    assert not ExemptionCase.objects.exists()


def test_anonymous_gets_nothing(catalogue, clinic, reporter):
    case = new_case(clinic, reporter, catalogue)
    client = client_for(None)

    assert client.get(LIST).status_code in (401, 403)
    assert client.post(action(case, "submit")).status_code in (401, 403)
    assert state_of(case) == CaseState.DRAFT


def test_a_requirement_without_that_exemption_is_a_field_error(catalogue, clinic, reporter):
    body = request_body(clinic, requirement="hemsida.sida_1177")

    response = client_for(reporter).post(LIST, body, format="json")

    assert response.status_code == 400
    assert "exemption_kind" in error_fields(response)
    assert not ExemptionCase.objects.exists()


def test_an_unknown_requirement_and_a_plain_http_link_are_field_errors(
    catalogue, clinic, reporter
):
    client = client_for(reporter)

    unknown = client.post(LIST, request_body(clinic, requirement="finns.inte"), format="json")
    plain = client.post(LIST, request_body(clinic, links=["http://example.se"]), format="json")

    assert unknown.status_code == 400
    assert "requirement" in error_fields(unknown)
    assert plain.status_code == 400
    assert "links" in error_fields(plain)
    assert not ExemptionCase.objects.exists()


def test_blank_links_are_left_out(catalogue, clinic, reporter):
    body = request_body(clinic, links=[" https://www.1177.se/a ", "", "  "])

    response = client_for(reporter).post(LIST, body, format="json")

    assert response.status_code == 201
    assert response.json()["links"] == ["https://www.1177.se/a"]


def test_creating_the_same_request_twice_is_a_conflict_naming_the_open_case(
    catalogue, clinic, reporter
):
    client = client_for(reporter)
    first = client.post(LIST, request_body(clinic), format="json")

    again = client.post(LIST, request_body(clinic), format="json")

    case = first.json()["id"]
    assert again.status_code == 409
    assert error_detail(again) == (
        f"Mottagningen har redan en öppen ansökan om det här undantaget. Det är ärende {case}: "
        f"/api/v1/cases/{case}/"
    )
    assert ExemptionCase.objects.count() == 1


# Seeing


def test_a_reporter_sees_only_their_clinics_cases(
    catalogue, clinic, reporter, other_clinic, other_reporter
):
    own = new_case(clinic, reporter, catalogue)
    other = new_case(other_clinic, other_reporter, catalogue)
    client = client_for(reporter)

    ids = [row["id"] for row in client.get(LIST).json()["results"]]

    assert ids == [own.pk]
    assert client.get(detail(other)).status_code == 404
    assert client.post(action(other, "submit")).status_code == 404
    assert state_of(other) == CaseState.DRAFT


@pytest.mark.parametrize("role", [Role.REGION_ADMIN, Role.REVIEWER, Role.VIEWER])
def test_regional_staff_see_every_case(
    catalogue, clinic, reporter, other_clinic, other_reporter, role
):
    new_case(clinic, reporter, catalogue)
    new_case(other_clinic, other_reporter, catalogue)

    response = token_client_for(make_user(role)).get(LIST)

    assert response.json()["count"] == 2


def test_the_detail_shows_the_timeline(catalogue, clinic, reporter):
    case = approved(clinic, reporter, catalogue)

    body = client_for(reporter).get(detail(case)).json()

    assert [(e["from_state"], e["to_state"]) for e in body["events"]] == [
        ("", CaseState.DRAFT),
        (CaseState.DRAFT, CaseState.SUBMITTED),
        (CaseState.SUBMITTED, CaseState.APPROVED),
    ]
    assert body["events"][0]["actor"]["id"] == reporter.pk
    assert body["valid_until"] == (timezone.localdate() + timedelta(days=90)).isoformat()


def test_the_list_filters_by_kind_state_clinic_requirement_and_end(
    catalogue, clinic, reporter, other_clinic, other_reporter
):
    soon = approved(clinic, reporter, catalogue, days=10)
    draft = new_case(clinic, reporter, catalogue)
    later = approved(other_clinic, other_reporter, catalogue, days=200)
    client = client_for(make_user(Role.VIEWER))

    def ids(**params) -> set[int]:
        response = client.get(LIST, params)
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    in_30_days = (timezone.localdate() + timedelta(days=30)).isoformat()
    assert ids(state="draft") == {draft.pk}
    assert ids(state="approved") == {soon.pk, later.pk}
    assert ids(clinic=other_clinic.pk) == {later.pk}
    assert ids(kind="exemption") == {draft.pk, soon.pk, later.pk}
    assert ids(kind="platform_approval") == set()
    assert ids(requirement=BOOKING) == {draft.pk, soon.pk, later.pk}
    assert ids(requirement="npo.anslutning") == set()
    assert ids(expiring_before=in_30_days) == {soon.pk}
    assert client.get(LIST, {"state": "maybe"}).status_code == 400
    assert client.get(LIST, {"expiring_before": "soon"}).status_code == 400


def test_the_list_costs_the_same_number_of_queries_for_3_and_30_cases(catalogue, clinic, reporter):
    client = client_for(make_user(Role.VIEWER))
    template = approved(clinic, reporter, catalogue)

    def copies(n: int) -> None:
        ExemptionCase.objects.bulk_create(
            ExemptionCase(
                kind=template.kind,
                clinic=make_clinic(),
                requirement=template.requirement,
                exemption_kind=template.exemption_kind,
                reason_category=template.reason_category,
                justification="Skäl",
                requested_from=template.requested_from,
                requester=reporter,
                state=CaseState.APPROVED,
                decided_by=template.decided_by,
                valid_from=template.valid_from,
                valid_until=template.valid_until,
            )
            for _ in range(n)
        )

    copies(2)
    with CaptureQueriesContext(connection) as few:
        assert client.get(LIST).json()["count"] == 3
    copies(27)
    with CaptureQueriesContext(connection) as many:
        assert client.get(LIST).json()["count"] == 30

    assert len(few) == len(many)


# Transitions


def test_the_clinic_submits_and_a_reviewer_approves_for_a_period(catalogue, clinic, reporter):
    case = new_case(clinic, reporter, catalogue)
    today = timezone.localdate()

    submitted_response = client_for(reporter).post(action(case, "submit"))
    approve = client_for(make_user(Role.REVIEWER)).post(
        action(case, "approve"),
        {
            "valid_from": today.isoformat(),
            "valid_until": (today + timedelta(days=91)).isoformat(),
            "comment": "Godkänt i tre månader.",
        },
        format="json",
    )

    assert submitted_response.status_code == 200
    assert submitted_response.json()["state"] == CaseState.SUBMITTED
    assert approve.status_code == 200, approve.content
    body = approve.json()
    assert body["state"] == CaseState.APPROVED
    assert body["valid_from"] == today.isoformat()
    assert body["decision_comment"] == "Godkänt i tre månader."


def test_a_reviewer_rejects_returns_and_revokes_with_a_comment(catalogue, clinic, reporter):
    reviewer = client_for(make_user(Role.REVIEWER))
    to_revoke = approved(clinic, reporter, catalogue)
    to_reject = submitted(clinic, reporter, catalogue)
    # A clinic has one open request for an exemption at a time.
    second_clinic = make_clinic()
    reporter.clinics.add(second_clinic)
    to_return = submitted(second_clinic, reporter, catalogue)

    rejected = reviewer.post(action(to_reject, "reject"), {"comment": "Skälen räcker inte."})
    returned = reviewer.post(action(to_return, "return"), {"comment": "Bifoga underlag."})
    revoked = reviewer.post(action(to_revoke, "revoke"), {"comment": "Direktbokning finns nu."})

    assert rejected.json()["state"] == CaseState.REJECTED
    assert returned.json()["state"] == CaseState.RETURNED
    assert revoked.json()["state"] == CaseState.REVOKED
    assert revoked.json()["events"][-1]["comment"] == "Direktbokning finns nu."
    # Returned for completion, the clinic submits again.
    again = client_for(reporter).post(action(to_return, "submit"))
    assert again.json()["state"] == CaseState.SUBMITTED


@pytest.mark.parametrize("name", ["reject", "return", "revoke"])
def test_a_decision_without_its_comment_is_a_field_error(catalogue, clinic, reporter, name):
    case = approved(clinic, reporter, catalogue) if name == "revoke" else None
    case = case or submitted(clinic, reporter, catalogue)
    before = state_of(case)

    response = client_for(make_user(Role.REVIEWER)).post(action(case, name), {"comment": " "})

    assert response.status_code == 400
    assert "comment" in error_fields(response)
    assert state_of(case) == before


@pytest.mark.parametrize(
    ("name", "from_state"),
    [
        ("approve", CaseState.DRAFT),
        ("reject", CaseState.APPROVED),
        ("return", CaseState.DRAFT),
        ("revoke", CaseState.SUBMITTED),
    ],
)
def test_a_transition_not_allowed_from_the_state_is_409_with_a_message(
    catalogue, clinic, reporter, name, from_state
):
    case = {
        CaseState.DRAFT: lambda: new_case(clinic, reporter, catalogue),
        CaseState.SUBMITTED: lambda: submitted(clinic, reporter, catalogue),
        CaseState.APPROVED: lambda: approved(clinic, reporter, catalogue),
    }[from_state]()
    today = timezone.localdate().isoformat()
    events = CaseEvent.objects.count()

    response = client_for(make_user(Role.REVIEWER)).post(
        action(case, name), {"comment": "Kommentar", "valid_from": today}
    )

    assert response.status_code == 409
    assert error_detail(response)
    assert state_of(case) == from_state
    assert CaseEvent.objects.count() == events


def test_submitting_a_submitted_case_is_409(catalogue, clinic, reporter):
    case = submitted(clinic, reporter, catalogue)

    response = client_for(reporter).post(action(case, "submit"))

    assert response.status_code == 409
    assert error_detail(response)


@pytest.mark.parametrize("role", [Role.REGION_ADMIN, Role.VIEWER, Role.CLINIC_REPORTER])
@pytest.mark.parametrize("name", ["approve", "reject", "return"])
def test_only_reviewers_decide_a_case(catalogue, clinic, reporter, role, name):
    case = submitted(clinic, reporter, catalogue)
    user = reporter if role == Role.CLINIC_REPORTER else make_user(role)

    response = client_for(user).post(
        action(case, name),
        {"comment": "Kommentar", "valid_from": timezone.localdate().isoformat()},
    )

    assert response.status_code == 403
    assert error_detail(response)
    assert state_of(case) == CaseState.SUBMITTED


def test_a_user_who_may_not_decide_hears_403_even_where_the_state_would_refuse(
    catalogue, clinic, reporter
):
    case = new_case(clinic, reporter, catalogue)

    response = client_for(make_user(Role.VIEWER)).post(action(case, "approve"), {})

    assert response.status_code == 403


def test_only_the_clinics_reporters_submit(catalogue, clinic, reporter):
    case = new_case(clinic, reporter, catalogue)

    response = client_for(make_user(Role.REVIEWER)).post(action(case, "submit"))

    assert response.status_code == 403
    assert state_of(case) == CaseState.DRAFT


def test_a_requester_cannot_approve_their_own_case(catalogue, clinic, reporter):
    case = submitted(clinic, reporter, catalogue)
    # The requester has since become a reviewer: still four eyes.
    reporter.role = Role.REVIEWER
    reporter.save()
    today = timezone.localdate()

    response = client_for(reporter).post(
        action(case, "approve"),
        {"valid_from": today.isoformat(), "valid_until": (today + timedelta(days=30)).isoformat()},
    )

    assert response.status_code == 403
    assert error_detail(response)
    assert state_of(case) == CaseState.SUBMITTED
    assert not CaseEvent.objects.filter(case=case, to_state=CaseState.APPROVED).exists()


def test_an_approval_needs_a_start_date(catalogue, clinic, reporter):
    case = submitted(clinic, reporter, catalogue)

    response = client_for(make_user(Role.REVIEWER)).post(action(case, "approve"), {})

    assert response.status_code == 400
    assert "valid_from" in error_fields(response)
    assert state_of(case) == CaseState.SUBMITTED
