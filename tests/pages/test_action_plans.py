"""The action plan pages: the clinic's reporters write and submit the plan on its page,
everyone who sees the clinic reads it, reviewers accept or return it from the review
queue; every other user is refused, and a refused request keeps what was typed."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinics.models import ActionPlan, ActionPlanEvent, ActionPlanState, Role
from clinics.services.action_plans import row_field_name
from requirements.vocabulary import AnswerStatus
from tests.api.helpers import approve_answers, client_for, error_fields
from tests.factories import make_clinic, make_provider, make_user

UNMET = {"etjanster.fornya_recept": AnswerStatus.NOT_MET}


@pytest.fixture(autouse=True)
def english(client):
    """Pages are asserted in English, the msgid language; Swedish comes from the .po."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def approved(catalogue, clinic):
    return approve_answers(clinic, UNMET)


def plan_url(clinic) -> str:
    return reverse("clinic_action_plan", args=[clinic.pk])


def review_url(plan) -> str:
    return reverse("review_action_plan", args=[plan.pk])


def answer_id(report) -> int:
    return report.answers.get(requirement__code="etjanster.fornya_recept").pk


def row_data(report, *, action="save", days=20, measure="Införa förnyelse via 1177.") -> dict:
    aid = answer_id(report)
    return {
        row_field_name("measure", aid): measure,
        row_field_name("responsible", aid): "Anna Andersson",
        row_field_name("due_date", aid): (timezone.localdate() + timedelta(days=days)).isoformat(),
        "action": action,
    }


def test_the_flow_on_the_pages_from_due_to_accepted(client, approved, clinic, reporter, reviewer):
    client.force_login(reporter)
    page = client.get(plan_url(clinic))
    assert page.status_code == 200
    assert page.context["form"] is not None
    assert "Not started" in page.content.decode()

    assert client.post(plan_url(clinic), row_data(approved)).status_code == 302
    plan = ActionPlan.objects.get(report=approved)
    assert plan.state == ActionPlanState.DRAFT
    assert client.post(plan_url(clinic), row_data(approved, action="submit")).status_code == 302
    plan.refresh_from_db()
    assert plan.state == ActionPlanState.SUBMITTED

    reviewing = client_for(reviewer)
    queue = reviewing.get(reverse("review_queue")).content.decode()
    assert review_url(plan) in queue
    refused = reviewing.post(review_url(plan), {"action": "return", "comment": ""})
    assert refused.status_code == 400
    assert (
        reviewing.post(
            review_url(plan), {"action": "return", "comment": "Ange en tidigare dag."}
        ).status_code
        == 302
    )

    page = client.get(plan_url(clinic)).content.decode()
    assert "Ange en tidigare dag." in page
    client.post(plan_url(clinic), row_data(approved, action="submit", days=7))
    assert reviewing.post(review_url(plan), {"action": "accept", "comment": ""}).status_code == 302
    plan.refresh_from_db()
    assert plan.state == ActionPlanState.ACCEPTED
    assert list(ActionPlanEvent.objects.filter(plan=plan).values_list("actor", "to_state")) == [
        (reporter.pk, "draft"),
        (reporter.pk, "submitted"),
        (reviewer.pk, "returned"),
        (reporter.pk, "submitted"),
        (reviewer.pk, "accepted"),
    ]
    # Accepted, the plan is read-only for the clinic, which may now mark it carried out.
    page = client.get(plan_url(clinic))
    assert page.context["form"] is None
    assert page.context["may_complete"]


def test_field_errors_are_in_swedish_and_keep_what_was_typed(approved, clinic, reporter):
    swedish = client_for(reporter)
    data = row_data(approved, measure="Ett mål " + "x" * 2000, days=-3)
    response = swedish.post(plan_url(clinic), data)
    assert response.status_code == 400
    form = response.context["form"]
    aid = answer_id(approved)
    assert "som mest 2000 tecken" in " ".join(form.errors[row_field_name("measure", aid)])
    assert form[row_field_name("measure", aid)].value().startswith("Ett mål")
    assert 'maxlength="2000"' in response.content.decode()
    assert not ActionPlan.objects.exists()

    response = swedish.post(plan_url(clinic), row_data(approved, days=-3))
    assert response.status_code == 400
    assert "Datumet har passerat" in " ".join(
        response.context["form"].errors[row_field_name("due_date", aid)]
    )


def test_submitting_an_incomplete_plan_keeps_the_draft(client, approved, clinic, reporter):
    client.force_login(reporter)
    data = row_data(approved, action="submit")
    data[row_field_name("responsible", answer_id(approved))] = ""
    response = client.post(plan_url(clinic), data)
    assert response.status_code == 400
    assert "Name the person responsible." in response.content.decode()
    plan = ActionPlan.objects.get()
    assert plan.state == ActionPlanState.DRAFT
    assert plan.items.get().measure == "Införa förnyelse via 1177."


def test_another_clinics_reporter_does_not_find_the_plan(client, approved, clinic):
    client.force_login(make_user(Role.CLINIC_REPORTER, clinics=[make_clinic()]))
    assert client.get(plan_url(clinic)).status_code == 404
    assert client.post(plan_url(clinic), row_data(approved)).status_code == 404
    assert not ActionPlan.objects.exists()


@pytest.mark.parametrize("role", [Role.VIEWER, Role.REVIEWER, Role.REGION_ADMIN])
def test_regional_staff_read_the_plan_but_may_not_write_it(client, approved, clinic, role):
    client.force_login(make_user(role))
    page = client.get(plan_url(clinic))
    assert page.status_code == 200
    assert page.context["form"] is None
    assert client.post(plan_url(clinic), row_data(approved)).status_code == 403
    assert not ActionPlan.objects.exists()


@pytest.fixture
def submitted(client, approved, clinic, reporter):
    client.force_login(reporter)
    client.post(plan_url(clinic), row_data(approved, action="submit"))
    client.logout()
    return ActionPlan.objects.get(state=ActionPlanState.SUBMITTED)


@pytest.mark.parametrize("role", [Role.VIEWER, Role.REGION_ADMIN, Role.CLINIC_REPORTER])
def test_only_reviewers_open_the_review_page(client, submitted, clinic, role):
    client.force_login(make_user(role, clinics=[clinic] if role == Role.CLINIC_REPORTER else []))
    assert client.get(review_url(submitted)).status_code == 403
    assert client.post(review_url(submitted), {"action": "accept"}).status_code == 403
    submitted.refresh_from_db()
    assert submitted.state == ActionPlanState.SUBMITTED


def submitted_by_a_future_reviewer(client, approved, clinic) -> ActionPlan:
    """The plan written and submitted by a reporter who is a reviewer now, signed in."""
    writer = make_user(Role.CLINIC_REPORTER, clinics=[clinic])
    client.force_login(writer)
    client.post(plan_url(clinic), row_data(approved, action="submit"))
    writer.role = Role.REVIEWER
    writer.save()
    return ActionPlan.objects.get()


def test_a_reviewer_who_wrote_the_plan_gets_no_decision_form(client, approved, clinic):
    plan = submitted_by_a_future_reviewer(client, approved, clinic)
    page = client.get(review_url(plan))
    assert page.context["form"] is None
    assert page.context["has_written"]
    assert client.post(review_url(plan), {"action": "accept"}).status_code == 403
    plan.refresh_from_db()
    assert plan.state == ActionPlanState.SUBMITTED
    assert plan.events.count() == 2


def test_the_plan_page_links_the_review_only_for_a_reviewer_who_may_decide(
    client, approved, clinic, reviewer
):
    plan = submitted_by_a_future_reviewer(client, approved, clinic)

    own = client.get(plan_url(clinic))
    client.force_login(reviewer)
    other = client.get(plan_url(clinic))

    assert not own.context["may_review"]
    assert review_url(plan) not in own.content.decode()
    assert other.context["may_review"]
    assert review_url(plan) in other.content.decode()


def test_anonymous_users_are_sent_to_sign_in(client, submitted, clinic):
    for url in (plan_url(clinic), review_url(submitted)):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("login") in response["Location"]


def test_the_clinic_page_and_my_clinics_link_the_plan_that_is_due(
    client, approved, clinic, reporter
):
    client.force_login(reporter)
    detail = client.get(reverse("clinic_detail", args=[clinic.pk])).content.decode()
    assert plan_url(clinic) in detail
    assert "Write the action plan" in detail
    mine = client.get(reverse("my_clinics")).content.decode()
    assert plan_url(clinic) in mine
    assert "to be written" in mine


def test_a_clinic_with_everything_met_shows_no_plan_link(client, catalogue, clinic, reporter):
    approve_answers(clinic)
    client.force_login(reporter)
    assert (
        plan_url(clinic)
        not in client.get(reverse("clinic_detail", args=[clinic.pk])).content.decode()
    )
    assert client.get(plan_url(clinic)).context["form"] is None


def test_a_passed_date_is_flagged_with_text_everywhere(
    client, submitted, clinic, reporter, reviewer
):
    client_for(reviewer).post(review_url(submitted), {"action": "accept"})
    with time_machine.travel(timezone.now() + timedelta(days=25)):
        client.force_login(reporter)
        plan_page = client.get(plan_url(clinic)).content.decode()
        assert "Date passed" in plan_page
        assert "has passed and the plan is not marked as carried out" in plan_page
        detail = client.get(reverse("clinic_detail", args=[clinic.pk])).content.decode()
        assert "Date passed" in detail
        assert "Date passed" in client.get(reverse("my_clinics")).content.decode()
        queue = client_for(reviewer).get(reverse("review_queue"))
        assert queue.context["plans_overdue_count"] == 1
        assert plan_url(clinic) in queue.content.decode()

        client.post(plan_url(clinic), {"action": "complete"})
        submitted.refresh_from_db()
        assert submitted.state == ActionPlanState.DONE
        assert "Date passed" not in client.get(plan_url(clinic)).content.decode()


def _queue_queries(client, reviewer, count: int) -> int:
    provider = make_provider()
    for _ in range(count):
        clinic = make_clinic(provider=provider)
        report = approve_answers(clinic, UNMET)
        writer = client_for(make_user(Role.CLINIC_REPORTER, clinics=[clinic]))
        writer.post(plan_url(clinic), row_data(report, action="submit"))
    client.force_login(reviewer)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("review_queue"))
    assert response.status_code == 200
    return len(queries)


def test_the_review_queue_costs_the_same_with_more_plans(client, catalogue, reviewer):
    few = _queue_queries(client, reviewer, 1)
    many = _queue_queries(client, reviewer, 3)
    assert few == many


def test_the_plan_page_costs_the_same_for_more_rows(client, catalogue, clinic, reporter):
    def queries(report) -> int:
        client.force_login(reporter)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(plan_url(report.clinic)).status_code == 200
        return len(captured)

    report = approve_answers(clinic, UNMET)
    client.force_login(reporter)
    client.post(plan_url(clinic), row_data(report))
    few = queries(report)
    other = make_clinic()
    reporter.clinics.add(other)
    more = {
        code: AnswerStatus.NOT_MET
        for code in ("etjanster.fornya_recept", "webbtidbok.omboka", "hemsida.sida_1177")
    }
    second = approve_answers(other, more)
    client.post(plan_url(other), {"action": "save"})
    assert ActionPlan.objects.get(report=second).items.count() == 3
    assert queries(second) == few


def test_the_overview_and_the_api_filter_by_the_plan(client, submitted, clinic, reviewer, viewer):
    client_for(reviewer).post(review_url(submitted), {"action": "accept"})
    without_plan = make_clinic()
    approve_answers(without_plan, UNMET)
    reading = client_for(viewer)
    overview = reading.get(
        reverse("overview"), {"meets_baseline": "false", "action_plan": "accepted"}
    )
    assert overview.status_code == 200
    text = overview.content.decode()
    assert clinic.name in text
    assert without_plan.name not in text
    api = reading.get(
        reverse("api:clinic-list"), {"meets_baseline": "false", "action_plan": "none"}
    )
    assert api.status_code == 200
    ids = {row["id"] for row in api.json()["results"]}
    assert without_plan.pk in ids
    assert clinic.pk not in ids
    bad = reading.get(reverse("api:clinic-list"), {"action_plan": "maybe"})
    assert bad.status_code == 400
    assert "action_plan" in error_fields(bad)
