"""The exemption pages: the clinic's request form, the reviewers' queue and the case page
with its timeline and decisions, all through clinics.services.cases."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinics.models import CaseEvent, CaseState, ExemptionCase, Role
from tests.api.helpers import client_for, error_fields
from tests.api.test_cases import BOOKING, LIST, approved, new_case, request_body, submitted
from tests.factories import make_clinic, make_user

QUEUE = reverse("case_queue")
CREATE = reverse("case_create")


@pytest.fixture(autouse=True)
def english(client):
    """Pages are asserted in English, the msgid language; Swedish comes from the .po."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def case_url(case) -> str:
    return reverse("case_detail", args=[case.pk])


def edit_url(case) -> str:
    return reverse("case_edit", args=[case.pk])


def request_data(clinic, catalogue, **fields) -> dict:
    today = timezone.localdate()
    requirement = catalogue.requirements.get(code=BOOKING)
    return {
        "clinic": clinic.pk,
        "exemption": f"{requirement.pk}:request_appointment",
        "reason_category": "medical",
        "justification": "Patienterna behöver en bedömning före varje besök.",
        "alternative": "Beställa tid via 1177.",
        "links": "https://www.1177.se/underlag/a\r\n\r\nhttps://www.1177.se/underlag/b",
        "requested_from": today.isoformat(),
        "requested_until": (today + timedelta(days=90)).isoformat(),
        "action": "save",
        **fields,
    }


@pytest.fixture
def case(catalogue, clinic, reporter):
    return submitted(clinic, reporter, catalogue)


@pytest.fixture
def other_case(catalogue, other_clinic):
    return new_case(
        other_clinic,
        make_user(Role.CLINIC_REPORTER, clinics=[other_clinic]),
        catalogue,
    )


def state_of(case) -> str:
    return ExemptionCase.objects.get(pk=case.pk).state


# --- Who may use the pages ------------------------------------------------------------


def test_anonymous_users_are_sent_to_sign_in(client, case):
    for url in (QUEUE, CREATE, case_url(case), edit_url(case)):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_the_queue_is_for_reviewers_only_others_get_the_list_of_cases(client, request, case):
    for role, expected in [
        ("reviewer", 200),
        ("region_admin", 302),
        ("viewer", 302),
        ("reporter", 302),
    ]:
        client.force_login(request.getfixturevalue(role))
        response = client.get(QUEUE)
        assert response.status_code == expected, role
        if expected == 302:
            assert response.url == reverse("exemption_list")


@pytest.mark.parametrize("role", ["reviewer", "region_admin", "viewer", "reporter"])
def test_the_case_page_is_for_regional_staff_and_the_clinics_reporters(
    client, request, role, case
):
    client.force_login(request.getfixturevalue(role))
    assert client.get(case_url(case)).status_code == 200


@pytest.mark.parametrize("role", ["reviewer", "region_admin", "viewer"])
def test_the_request_form_is_for_clinic_reporters_only(client, request, role, case):
    client.force_login(request.getfixturevalue(role))
    assert client.get(CREATE).status_code == 403
    assert client.get(edit_url(case)).status_code == 403


def test_a_reporter_of_another_clinic_finds_none_of_its_pages(
    client, catalogue, reporter, other_clinic, other_case
):
    client.force_login(reporter)

    assert client.get(case_url(other_case)).status_code == 404
    assert client.get(edit_url(other_case)).status_code == 404
    assert client.get(CREATE, {"clinic": other_clinic.pk}).status_code == 404
    assert client.post(case_url(other_case), {"action": "submit"}).status_code == 404
    assert (
        client.post(edit_url(other_case), request_data(other_clinic, catalogue)).status_code == 404
    )
    assert state_of(other_case) == CaseState.DRAFT


def test_a_reporter_cannot_request_for_another_clinic_by_posting_its_id(
    client, catalogue, reporter, other_clinic
):
    client.force_login(reporter)

    response = client.post(CREATE, request_data(other_clinic, catalogue))

    assert response.status_code == 200
    assert response.context["form"].errors["clinic"]
    assert not ExemptionCase.objects.exists()


@pytest.mark.parametrize("role", ["region_admin", "viewer", "reporter"])
@pytest.mark.parametrize("action", ["approve", "reject", "return"])
def test_only_reviewers_decide_and_nothing_changes_for_others(client, request, role, action, case):
    client.force_login(request.getfixturevalue(role))
    events = CaseEvent.objects.count()

    response = client.post(
        case_url(case),
        {"action": action, "comment": "Nej", "valid_from": timezone.localdate().isoformat()},
    )

    assert response.status_code == 403
    assert state_of(case) == CaseState.SUBMITTED
    assert CaseEvent.objects.count() == events


# --- The request form ---------------------------------------------------------------


def test_the_form_offers_only_requirements_that_allow_an_exemption(client, catalogue, reporter):
    client.force_login(reporter)

    form = client.get(CREATE).context["form"]

    offered = {value.split(":")[1] for value, _label in form.fields["exemption"].choices}
    codes = {
        catalogue.requirements.get(pk=int(value.split(":")[0])).code
        for value, _label in form.fields["exemption"].choices
    }
    exemptible = set(
        catalogue.requirements.exclude(exemption_kinds=[]).values_list("code", flat=True)
    )
    assert codes == exemptible
    assert BOOKING in codes
    assert "hemsida.sida_1177" not in codes
    assert offered == {
        "request_appointment",
        "documentation_otherwise_available",
        "own_platform_approval",
    }


def test_the_form_preselects_the_clinic_from_the_link(client, catalogue, clinic, reporter):
    client.force_login(reporter)

    response = client.get(CREATE, {"clinic": clinic.pk})

    assert response.context["form"]["clinic"].value() == clinic.pk
    html = response.content.decode()
    assert "<fieldset" in html
    assert "<legend>Reason</legend>" in html
    assert 'type="date"' in html


def test_a_reporter_saves_a_draft(client, catalogue, clinic, reporter):
    client.force_login(reporter)

    response = client.post(CREATE, request_data(clinic, catalogue), follow=True)

    case = ExemptionCase.objects.get()
    assert response.redirect_chain[-1][0] == case_url(case)
    assert case.state == CaseState.DRAFT
    assert case.requester == reporter
    assert case.links == ["https://www.1177.se/underlag/a", "https://www.1177.se/underlag/b"]
    assert "The draft has been saved." in response.content.decode()


def test_a_reporter_submits_at_once(client, catalogue, clinic, reporter):
    client.force_login(reporter)

    client.post(CREATE, request_data(clinic, catalogue, action="submit"))

    assert ExemptionCase.objects.get().state == CaseState.SUBMITTED


def test_field_errors_stand_next_to_the_fields_and_nothing_is_saved(
    client, catalogue, clinic, reporter
):
    client.force_login(reporter)
    data = request_data(
        clinic, catalogue, justification="", links="http://osaker.se", action="submit"
    )
    del data["reason_category"]

    response = client.post(CREATE, data)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_justification_error"' in html
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_reason_category_error"' in html
    assert set(response.context["form"].errors) >= {"justification", "links", "reason_category"}
    assert not ExemptionCase.objects.exists()


@pytest.mark.parametrize(
    "links",
    [
        ["http://example.se"],
        ["https://"],
        ["https://www.1177.se/" + "x" * 500],
        ["https://www.1177.se/underlag"] * 11,
    ],
)
def test_the_api_refuses_the_links_the_form_refuses_with_the_same_words(
    client, catalogue, clinic, reporter, links
):
    api = client_for(reporter).post(
        LIST, request_body(clinic, links=links), format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    client.force_login(reporter)
    page = client.post(
        reverse("case_create"), request_data(clinic, catalogue, links="\n".join(links))
    )

    assert api.status_code == 400
    assert error_fields(api)["links"] == [page.context["form"].errors["links"][0]]
    assert not ExemptionCase.objects.exists()


def test_an_error_only_the_service_finds_saves_nothing_and_is_shown_at_its_field(
    client, catalogue, clinic, reporter
):
    # Direct web booking does not apply to a private dental clinic: only the service,
    # which knows the clinic, can tell.
    dental = make_clinic(kind="general_dental", care_type="dental")
    reporter.clinics.add(dental)
    client.force_login(reporter)

    response = client.post(CREATE, request_data(dental, catalogue, action="submit"))

    assert response.status_code == 200
    assert response.context["form"].errors["exemption"]
    assert not ExemptionCase.objects.exists()


def test_the_reporter_changes_a_returned_case_and_submits_it_again(
    client, catalogue, clinic, reporter, case, reviewer
):
    from clinics.services.cases import return_case

    return_case(case=case, actor=reviewer, comment="Bifoga underlag.")
    client.force_login(reporter)
    assert client.get(edit_url(case)).status_code == 200

    response = client.post(
        edit_url(case),
        request_data(clinic, catalogue, justification="Nytt skäl.", action="submit"),
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.justification == "Nytt skäl."
    assert case.state == CaseState.SUBMITTED


def test_a_submitted_case_cannot_be_changed(client, catalogue, clinic, reporter, case):
    client.force_login(reporter)

    response = client.post(edit_url(case), request_data(clinic, catalogue, justification="X"))

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.justification != "X"


# --- The case page and decisions ----------------------------------------------------


def test_the_case_page_shows_facts_state_and_timeline(client, case, reviewer):
    client.force_login(reviewer)

    html = client.get(case_url(case)).content.decode()

    assert "<h1>" in html
    assert html.count("<h1") == 1
    assert 'class="status status--pending"' in html
    assert "Submitted" in html
    assert "Timeline" in html
    assert "Draft" in html
    assert 'name="valid_from"' in html
    # Pre-filled with the requested period.
    assert case.requested_from.isoformat() in html


def test_a_reviewer_approves_for_the_period_written(client, case, reviewer):
    client.force_login(reviewer)
    today = timezone.localdate()
    until = today + timedelta(days=91)

    response = client.post(
        case_url(case),
        {"action": "approve", "valid_from": today.isoformat(), "valid_until": until.isoformat()},
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.APPROVED
    assert (case.valid_from, case.valid_until, case.decided_by) == (today, until, reviewer)


def test_returning_without_a_comment_changes_nothing(client, case, reviewer):
    client.force_login(reviewer)

    response = client.post(case_url(case), {"action": "return", "comment": ""})

    assert response.status_code == 400
    assert 'id="id_comment_error"' in response.content.decode()
    assert state_of(case) == CaseState.SUBMITTED


def test_an_approval_without_a_start_is_refused_by_the_service_at_its_field(
    client, case, reviewer
):
    client.force_login(reviewer)

    response = client.post(case_url(case), {"action": "approve", "valid_from": ""})

    assert response.status_code == 400
    form = response.context["decision_form"]
    assert form.errors["valid_from"] == ["Give the date from which the decision applies."]
    assert state_of(case) == CaseState.SUBMITTED


def test_a_revocation_without_a_reason_is_refused_by_the_service_at_the_reason(
    client, catalogue, clinic, reporter, reviewer
):
    case = approved(clinic, reporter, catalogue)
    client.force_login(reviewer)

    response = client.post(case_url(case), {"action": "revoke", "revoke-reason": " "})

    assert response.status_code == 400
    assert response.context["revoke_form"].errors["reason"] == [
        "Write why the approval is revoked."
    ]
    assert 'id="id_revoke-reason_error"' in response.content.decode()


def test_the_edit_form_shows_the_links_one_a_line(client, catalogue, clinic, reporter):
    case = new_case(
        clinic, reporter, catalogue, links=["https://www.1177.se/a", "https://www.1177.se/b"]
    )
    client.force_login(reporter)

    form = client.get(edit_url(case)).context["form"]

    assert form["links"].value() == "https://www.1177.se/a\nhttps://www.1177.se/b"


def test_a_reviewer_rejects_with_a_reason(client, case, reviewer):
    client.force_login(reviewer)

    client.post(case_url(case), {"action": "reject", "comment": "Skälen räcker inte."})

    assert state_of(case) == CaseState.REJECTED


def test_a_reviewer_revokes_an_approved_exemption_with_a_reason(
    client, catalogue, clinic, reporter, reviewer
):
    case = approved(clinic, reporter, catalogue)
    client.force_login(reviewer)

    refused = client.post(case_url(case), {"action": "revoke", "revoke-reason": ""})
    assert refused.status_code == 400
    assert state_of(case) == CaseState.APPROVED

    client.post(case_url(case), {"action": "revoke", "revoke-reason": "Direktbokning finns."})
    assert state_of(case) == CaseState.REVOKED


def test_deciding_a_decided_case_is_refused_with_a_message(
    client, catalogue, clinic, reporter, reviewer
):
    case = approved(clinic, reporter, catalogue)
    client.force_login(reviewer)

    response = client.post(case_url(case), {"action": "reject", "comment": "Sent påtänkt."})

    assert response.status_code == 409
    assert state_of(case) == CaseState.APPROVED


def test_a_requester_cannot_approve_their_own_case_on_the_page(client, case, reporter):
    reporter.role = Role.REVIEWER
    reporter.save()
    client.force_login(reporter)
    today = timezone.localdate().isoformat()

    page = client.get(case_url(case))
    response = client.post(case_url(case), {"action": "approve", "valid_from": today})

    assert page.context["decision_form"] is None
    assert 'value="approve"' not in page.content.decode()
    assert "you may not decide it" in page.content.decode()
    assert response.status_code == 403
    assert state_of(case) == CaseState.SUBMITTED
    assert list(case.events.order_by("at", "pk").values_list("to_state", flat=True)) == [
        "draft",
        "submitted",
    ]


def test_a_requester_who_became_a_reviewer_is_offered_no_revocation_and_cannot_revoke(
    client, catalogue, clinic, reporter, reviewer
):
    case = approved(clinic, reporter, catalogue)
    reporter.role = Role.REVIEWER
    reporter.save()
    client.force_login(reporter)

    page = client.get(case_url(case))
    response = client.post(case_url(case), {"action": "revoke", "revoke-reason": "Fel."})

    assert page.context["revoke_form"] is None
    assert 'value="revoke"' not in page.content.decode()
    assert "you may not revoke it" in page.content.decode()
    assert response.status_code == 403
    assert state_of(case) == CaseState.APPROVED
    assert not CaseEvent.objects.filter(case=case, to_state=CaseState.REVOKED).exists()
    # Another reviewer is offered the form.
    client.force_login(reviewer)
    assert client.get(case_url(case)).context["revoke_form"] is not None


def test_the_clinics_reporter_submits_a_draft_from_the_case_page(
    client, catalogue, clinic, reporter
):
    draft = new_case(clinic, reporter, catalogue)
    client.force_login(reporter)

    assert "Submit for decision" in client.get(case_url(draft)).content.decode()
    client.post(case_url(draft), {"action": "submit"})

    assert state_of(draft) == CaseState.SUBMITTED


# --- The queue ----------------------------------------------------------------------


def test_the_queue_lists_waiting_cases_first_then_approved_ones_ending_soonest(
    client, catalogue, reviewer
):
    def clinic_with_reporter(name):
        clinic = make_clinic(name=name)
        return clinic, make_user(Role.CLINIC_REPORTER, clinics=[clinic])

    late = approved(*clinic_with_reporter("Slutar sent"), catalogue, days=200)
    soon = approved(*clinic_with_reporter("Slutar snart"), catalogue, days=5)
    first = submitted(*clinic_with_reporter("Väntar längst"), catalogue)
    second = submitted(*clinic_with_reporter("Väntar kort"), catalogue)
    ExemptionCase.objects.filter(pk=first.pk).update(
        submitted_at=timezone.now() - timedelta(days=3)
    )
    new_case(*clinic_with_reporter("Utkast"), catalogue)
    client.force_login(reviewer)

    response = client.get(QUEUE)

    assert [row.case.pk for row in response.context["rows"]] == [
        first.pk,
        second.pk,
        soon.pk,
        late.pk,
    ]
    html = response.content.decode()
    assert "Ends soon" in html
    assert "5 days left" in html
    assert "Utkast" not in html


def test_the_queue_filters_by_state_and_kind(client, catalogue, clinic, reporter, reviewer):
    approved(clinic, reporter, catalogue)
    draft = new_case(clinic, reporter, catalogue)
    client.force_login(reviewer)

    drafts = client.get(QUEUE, {"state": "draft"}).context["rows"]
    platforms = client.get(QUEUE, {"kind": "platform_approval"}).context["rows"]
    bad = client.get(QUEUE, {"state": "maybe"})

    assert [row.case.pk for row in drafts] == [draft.pk]
    assert platforms == []
    assert bad.status_code == 200
    assert bad.context["form"].errors["state"]


def test_the_queue_costs_the_same_number_of_queries_for_few_and_many_cases(
    client, catalogue, reviewer
):
    def add(n):
        for _ in range(n):
            clinic = make_clinic()
            submitted(clinic, make_user(Role.CLINIC_REPORTER, clinics=[clinic]), catalogue)

    client.force_login(reviewer)
    add(2)
    with CaptureQueriesContext(connection) as few:
        client.get(QUEUE)
    add(10)
    with CaptureQueriesContext(connection) as many:
        client.get(QUEUE)

    assert len(few) == len(many)


# --- The clinic page and the overview -----------------------------------------------


def test_the_clinic_page_lists_its_cases_with_links(client, catalogue, clinic, reporter, case):
    client.force_login(reporter)

    html = client.get(reverse("clinic_detail", args=[clinic.pk])).content.decode()

    assert case_url(case) in html
    assert "Exemptions and approvals" in html
    assert f"{CREATE}?clinic={clinic.pk}" in html


def test_the_overview_counts_clinics_with_an_exemption_in_force(
    client, catalogue, clinic, reporter, viewer
):
    approved(clinic, reporter, catalogue)
    approved(clinic, reporter, catalogue)
    client.force_login(viewer)

    totals = client.get(reverse("overview")).context["totals"]

    assert totals.with_exemption == 1
