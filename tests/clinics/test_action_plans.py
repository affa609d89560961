"""The action plan (åtgärdsplan): a report approved with requirements not met asks for a
plan, the clinic's reporters write and submit it, a reviewer who did not write it accepts
or returns it, and a plan whose date passes is flagged."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clinics.action_plans import (
    NO_PLAN,
    overdue_action_plans,
    unmet_answers,
    with_action_plan,
)
from clinics.models import (
    ActionPlan,
    ActionPlanEvent,
    ActionPlanItem,
    ActionPlanState,
    ClinicStatusPeriod,
    Role,
)
from clinics.notifications.action_plans import send_overdue_plan_reminders
from clinics.services.action_plans import (
    PlanRow,
    accept_action_plan,
    complete_action_plan,
    return_action_plan,
    row_field_name,
    save_action_plan,
    submit_action_plan,
)
from followup.filters import ClinicFilterForm, selected_clinics
from halland_utbud.errors import ApplicationError, InvalidTransition, NotAllowed
from requirements.vocabulary import AnswerStatus
from tests.api.helpers import approve_answers
from tests.factories import make_clinic, make_provider, make_user

UNMET = {
    "etjanster.fornya_recept": AnswerStatus.NOT_MET,
    "webbtidbok.omboka": AnswerStatus.PARTIALLY_MET,
}


@pytest.fixture
def approved(catalogue, clinic):
    """The clinic's report approved with one requirement not met and one partly met."""
    return approve_answers(clinic, UNMET)


def rows_for(plan, *, days: int = 30, **fields) -> dict[int, PlanRow]:
    due = timezone.localdate() + timedelta(days=days)
    return {
        item.answer_id: PlanRow(
            measure=fields.get("measure", f"Införa {item.answer.requirement.code}"),
            responsible=fields.get("responsible", "Anna Andersson, verksamhetschef"),
            due_date=fields.get("due_date", due),
        )
        for item in plan.items.select_related("answer__requirement")
    }


def start(clinic, reporter) -> ActionPlan:
    return save_action_plan(clinic=clinic, actor=reporter, rows={})


def selected_ids(user, **params) -> set[int]:
    form = ClinicFilterForm(params, user=user)
    assert form.is_valid(), form.errors
    return set(selected_clinics(form.selection()).values_list("clinic_id", flat=True))


def transitions(plan) -> list[tuple]:
    return list(
        ActionPlanEvent.objects.filter(plan=plan).values_list(
            "actor__username", "from_state", "to_state", "comment"
        )
    )


def test_the_unmet_requirements_of_the_approved_report_are_the_plans_rows(approved):
    codes = [a.requirement.code for a in unmet_answers(approved, timezone.localdate())]
    assert sorted(codes) == sorted(UNMET)


def test_the_flow_from_approval_with_unmet_requirements_to_an_accepted_plan(
    approved, clinic, reporter, reviewer, viewer
):
    today = timezone.localdate()
    status = with_action_plan(ClinicStatusPeriod.objects.on(today).filter(clinic=clinic), today)
    assert status.get().action_plan_due
    assert status.get().action_plan_state is None
    assert clinic.pk in selected_ids(viewer, meets_baseline="false", action_plan=NO_PLAN)

    plan = start(clinic, reporter)
    assert plan.state == ActionPlanState.DRAFT
    assert plan.report == approved
    assert plan.items.count() == 2
    save_action_plan(clinic=clinic, actor=reporter, rows=rows_for(plan))
    submit_action_plan(plan=plan, actor=reporter)
    assert clinic.pk in selected_ids(viewer, action_plan="submitted")

    return_action_plan(plan=plan, actor=reviewer, comment="Ange ett tidigare datum.")
    plan.refresh_from_db()
    assert plan.state == ActionPlanState.RETURNED
    assert plan.review_comment == "Ange ett tidigare datum."

    save_action_plan(clinic=clinic, actor=reporter, rows=rows_for(plan, days=10))
    submit_action_plan(plan=plan, actor=reporter)
    accept_action_plan(plan=plan, actor=reviewer)
    plan.refresh_from_db()
    assert plan.state == ActionPlanState.ACCEPTED
    assert plan.decided_by == reviewer
    assert plan.decided_at is not None

    r, v = reporter.username, reviewer.username
    assert transitions(plan) == [
        (r, "", "draft", ""),
        (r, "draft", "submitted", ""),
        (v, "submitted", "returned", "Ange ett tidigare datum."),
        (r, "returned", "submitted", ""),
        (v, "submitted", "accepted", ""),
    ]
    # Every row change is in the history, with who made it.
    item = plan.items.first()
    assert [h.history_user for h in item.history.order_by("history_id")] == [reporter] * 3
    assert item.due_date == today + timedelta(days=10)

    not_met_accepted = selected_ids(viewer, meets_baseline="false", action_plan="accepted")
    not_met_no_plan = selected_ids(viewer, meets_baseline="false", action_plan=NO_PLAN)
    assert clinic.pk in not_met_accepted
    assert clinic.pk not in not_met_no_plan


def test_a_passed_date_flags_the_plan_until_it_is_carried_out(
    approved, clinic, reporter, reviewer
):
    plan = start(clinic, reporter)
    save_action_plan(clinic=clinic, actor=reporter, rows=rows_for(plan, days=5))
    submit_action_plan(plan=plan, actor=reporter)
    accept_action_plan(plan=plan, actor=reviewer)
    today = timezone.localdate()
    assert not plan.is_overdue(today)
    assert list(overdue_action_plans(today)) == []

    with time_machine.travel(timezone.now() + timedelta(days=6)):
        later = timezone.localdate()
        assert plan.is_overdue(later)
        late = list(overdue_action_plans(later))
        assert late == [plan]
        assert late[0].first_passed == today + timedelta(days=5)
        status = with_action_plan(
            ClinicStatusPeriod.objects.on(later).filter(clinic=clinic), later
        )
        assert status.get().action_plan_overdue

        complete_action_plan(plan=plan, actor=reporter)
        assert list(overdue_action_plans(later)) == []
        assert not status.get().action_plan_overdue


def test_a_date_is_never_set_in_the_past(approved, clinic, reporter):
    plan = start(clinic, reporter)
    rows = rows_for(plan, days=-1)
    with pytest.raises(ApplicationError) as refused:
        save_action_plan(clinic=clinic, actor=reporter, rows=rows)
    first = next(iter(rows))
    assert set(refused.value.extra["errors"]) == {
        row_field_name("due_date", answer_id) for answer_id in rows
    }
    assert ActionPlanItem.objects.get(plan=plan, answer_id=first).due_date is None


def test_too_long_text_is_refused_and_nothing_changes(approved, clinic, reporter):
    plan = start(clinic, reporter)
    with pytest.raises(ApplicationError) as refused:
        save_action_plan(clinic=clinic, actor=reporter, rows=rows_for(plan, measure="x" * 2001))
    assert all(name.startswith("measure_") for name in refused.value.extra["errors"])
    assert not ActionPlanItem.objects.filter(plan=plan).exclude(measure="").exists()


def test_an_incomplete_plan_cannot_be_submitted(approved, clinic, reporter):
    plan = start(clinic, reporter)
    with pytest.raises(ApplicationError) as refused:
        submit_action_plan(plan=plan, actor=reporter)
    assert len(refused.value.extra["errors"]) == 6
    plan.refresh_from_db()
    assert plan.state == ActionPlanState.DRAFT


def test_no_plan_is_due_when_everything_is_met(catalogue, clinic, reporter):
    approve_answers(clinic)
    with pytest.raises(ApplicationError):
        start(clinic, reporter)
    assert not ActionPlan.objects.exists()


def test_no_plan_is_due_without_an_approved_report(catalogue, clinic, reporter):
    with pytest.raises(ApplicationError):
        start(clinic, reporter)


def test_another_clinics_reporter_and_regional_staff_may_not_write(approved, clinic, reviewer):
    outsider = make_user(Role.CLINIC_REPORTER, clinics=[make_clinic()])
    for user in (outsider, reviewer, make_user(Role.VIEWER), make_user(Role.REGION_ADMIN)):
        with pytest.raises(NotAllowed):
            start(clinic, user)
    assert not ActionPlan.objects.exists()


def test_a_provider_coordinator_writes_the_plan(catalogue):
    provider = make_provider()
    clinic = make_clinic(provider=provider)
    approve_answers(clinic, UNMET)
    coordinator = make_user(Role.CLINIC_REPORTER, providers=[provider])
    assert start(clinic, coordinator).items.count() == 2


@pytest.fixture
def submitted(approved, clinic, reporter):
    plan = start(clinic, reporter)
    save_action_plan(clinic=clinic, actor=reporter, rows=rows_for(plan))
    return submit_action_plan(plan=plan, actor=reporter)


@pytest.mark.parametrize("role", [Role.VIEWER, Role.REGION_ADMIN, Role.CLINIC_REPORTER])
def test_only_reviewers_decide(submitted, clinic, role):
    user = make_user(role, clinics=[clinic] if role == Role.CLINIC_REPORTER else [])
    with pytest.raises(NotAllowed):
        accept_action_plan(plan=submitted, actor=user)
    with pytest.raises(NotAllowed):
        return_action_plan(plan=submitted, actor=user, comment="Nej.")


def test_a_reviewer_never_decides_a_plan_they_wrote(approved, clinic):
    writer = make_user(Role.CLINIC_REPORTER, clinics=[clinic])
    plan = start(clinic, writer)
    save_action_plan(clinic=clinic, actor=writer, rows=rows_for(plan))
    submit_action_plan(plan=plan, actor=writer)
    # The same person, a reviewer today.
    writer.role = Role.REVIEWER
    writer.save()
    with pytest.raises(NotAllowed):
        accept_action_plan(plan=plan, actor=writer)
    plan.refresh_from_db()
    assert plan.state == ActionPlanState.SUBMITTED


def test_returning_needs_a_comment(submitted, reviewer):
    with pytest.raises(ApplicationError) as refused:
        return_action_plan(plan=submitted, actor=reviewer, comment="  ")
    assert "comment" in refused.value.extra["errors"]


def test_transitions_not_in_the_table_are_refused(submitted, clinic, reporter, reviewer):
    with pytest.raises(InvalidTransition):
        save_action_plan(clinic=clinic, actor=reporter, rows=rows_for(submitted))
    with pytest.raises(InvalidTransition):
        complete_action_plan(plan=submitted, actor=reporter)
    accept_action_plan(plan=submitted, actor=reviewer)
    with pytest.raises(InvalidTransition):
        return_action_plan(plan=submitted, actor=reviewer, comment="För sent.")
    with pytest.raises(InvalidTransition):
        submit_action_plan(plan=submitted, actor=reporter)


def test_an_unchanged_row_writes_no_history(approved, clinic, reporter):
    plan = start(clinic, reporter)
    rows = rows_for(plan)
    save_action_plan(clinic=clinic, actor=reporter, rows=rows)
    before = ActionPlanItem.history.count()
    save_action_plan(clinic=clinic, actor=reporter, rows=rows)
    assert ActionPlanItem.history.count() == before


def test_the_plan_filter_is_one_query_whatever_the_number_of_clinics(catalogue, viewer):
    def count() -> int:
        form = ClinicFilterForm({"action_plan": "accepted"}, user=viewer)
        assert form.is_valid()
        with CaptureQueriesContext(connection) as queries:
            list(selected_clinics(form.selection()))
        return len(queries)

    approve_answers(make_clinic(), UNMET)
    few = count()
    for _ in range(3):
        approve_answers(make_clinic(), UNMET)
    assert count() == few == 1


def test_an_unknown_plan_filter_value_is_an_error(viewer):
    form = ClinicFilterForm({"action_plan": "maybe"}, user=viewer)
    assert not form.is_valid()
    assert "action_plan" in form.errors


def _at_once(count: int, act) -> list[str]:
    """``act(index)`` in ``count`` threads released together: each one's outcome."""
    barrier = threading.Barrier(count)
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(index: int) -> None:
        try:
            barrier.wait()
            act(index)
            outcome = "won"
        except InvalidTransition:
            outcome = "refused"
        except Exception as error:  # any other outcome fails the caller's assertions
            outcome = f"error: {error!r}"
        finally:
            connections.close_all()  # each thread had its own connection
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(outcomes)


@pytest.mark.django_db(transaction=True)
def test_simultaneous_first_saves_start_one_plan_and_decisions_give_one(
    on_postgresql, catalogue, clinic
):
    approve_answers(clinic, UNMET)
    reporters = [make_user(Role.CLINIC_REPORTER, clinics=[clinic]) for _ in range(8)]
    outcomes = _at_once(8, lambda i: save_action_plan(clinic=clinic, actor=reporters[i], rows={}))
    assert outcomes == ["won"] * 8
    plan = ActionPlan.objects.get()
    assert ActionPlanItem.objects.filter(plan=plan).count() == 2
    assert ActionPlanEvent.objects.filter(plan=plan).count() == 1

    save_action_plan(clinic=clinic, actor=reporters[0], rows=rows_for(plan))
    submit_action_plan(plan=plan, actor=reporters[0])
    reviewers = [make_user(Role.REVIEWER) for _ in range(8)]

    def decide(index: int) -> None:
        if index % 2:
            accept_action_plan(plan=plan, actor=reviewers[index])
        else:
            return_action_plan(plan=plan, actor=reviewers[index], comment=f"Nej från {index}.")

    assert _at_once(8, decide) == ["refused"] * 7 + ["won"]
    decisions = ActionPlanEvent.objects.filter(plan=plan, from_state=ActionPlanState.SUBMITTED)
    assert decisions.count() == 1


def test_a_passed_date_is_reminded_once_to_the_clinics_reporters(
    approved, clinic, reporter, reviewer, mailoutbox
):
    plan = start(clinic, reporter)
    save_action_plan(clinic=clinic, actor=reporter, rows=rows_for(plan, days=5))
    submit_action_plan(plan=plan, actor=reporter)
    accept_action_plan(plan=plan, actor=reviewer)
    today = timezone.localdate()
    assert send_overdue_plan_reminders(today + timedelta(days=5)) == 0
    reporters = set(clinic.reporters.values_list("email", flat=True))
    assert reporter.email in reporters

    with time_machine.travel(timezone.now() + timedelta(days=6)):
        later = timezone.localdate()
        assert send_overdue_plan_reminders(later) == len(reporters)
        assert send_overdue_plan_reminders(later) == 0  # a rerun sends nothing
        assert send_overdue_plan_reminders(later + timedelta(days=1)) == 0

    assert sorted(address for mail in mailoutbox for address in mail.to) == sorted(reporters)
    mail = mailoutbox[0]
    assert clinic.name in mail.subject
    assert (today + timedelta(days=5)).isoformat() in mail.body
    assert f"/mottagningar/{clinic.pk}/atgardsplan/" in mail.body
    assert mail.alternatives
