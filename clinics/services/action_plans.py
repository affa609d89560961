"""Every change to an action plan goes through here: the state machine, the actor checks,
the event rows. Each function runs in one transaction and locks the row it changes (the
approved report while a plan is created, else the plan), so two people acting at once
cannot both win; the checks run under the lock.
"""

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clinics.access import check_may_decide_action_plan, check_may_write_action_plan
from clinics.action_plans import report_in_force, unmet_answers
from clinics.models import (
    ActionPlan,
    ActionPlanEvent,
    ActionPlanItem,
    ActionPlanState,
    Clinic,
    Report,
    User,
)
from clinics.models.action_plans import (
    COMMENT_MAX_LENGTH,
    MEASURE_MAX_LENGTH,
    RESPONSIBLE_MAX_LENGTH,
)
from halland_utbud.errors import ApplicationError, InvalidTransition

# (action, from state) -> to state. Anything not listed is refused.
TRANSITIONS: dict[tuple[str, str], str] = {
    ("submit", ActionPlanState.DRAFT): ActionPlanState.SUBMITTED,
    ("submit", ActionPlanState.RETURNED): ActionPlanState.SUBMITTED,
    ("accept", ActionPlanState.SUBMITTED): ActionPlanState.ACCEPTED,
    ("return", ActionPlanState.SUBMITTED): ActionPlanState.RETURNED,
    ("complete", ActionPlanState.ACCEPTED): ActionPlanState.DONE,
}

# One whole sentence per action, so that each language can word it as it needs.
_REFUSED_TRANSITION = {
    "save": gettext_lazy("An action plan with the status “%(state)s” cannot be changed."),
    "submit": gettext_lazy("An action plan with the status “%(state)s” cannot be submitted."),
    "accept": gettext_lazy("An action plan with the status “%(state)s” cannot be accepted."),
    "return": gettext_lazy("An action plan with the status “%(state)s” cannot be returned."),
    "complete": gettext_lazy(
        "An action plan with the status “%(state)s” cannot be marked as carried out."
    ),
}


def row_field_name(field: str, answer_id: int) -> str:
    """The name of a row's field in the form and in the service's field errors."""
    return f"{field}_{answer_id}"


@dataclass(frozen=True)
class PlanRow:
    """What the clinic writes for one unmet requirement (by its approved answer)."""

    measure: str = ""
    responsible: str = ""
    due_date: date | None = None


def _refuse(action: str, plan: ActionPlan) -> InvalidTransition:
    return InvalidTransition(_REFUSED_TRANSITION[action] % {"state": plan.get_state_display()})


def _target_state(action: str, plan: ActionPlan) -> str:
    try:
        return TRANSITIONS[(action, plan.state)]
    except KeyError:
        raise _refuse(action, plan) from None


def _locked(plan: ActionPlan) -> ActionPlan:
    return (
        ActionPlan.objects.select_for_update(of=("self",))
        .select_related("clinic__provider", "report")
        .get(pk=plan.pk)
    )


def _record(plan: ActionPlan, *, actor: User, from_state: str, comment: str = "") -> None:
    ActionPlanEvent.objects.create(
        plan=plan, actor=actor, from_state=from_state, to_state=plan.state, comment=comment
    )


def _too_long(limit: int) -> str:
    return _("Write at most %(limit)s characters.") % {"limit": limit}


def validate_row(
    answer_id: int,
    row: PlanRow,
    *,
    today: date,
    complete: bool,
    stored_due: date | None = None,
) -> dict[str, str]:
    """Field errors for one row, in the user's language; ``complete`` asks for every field
    (a submitted plan), a draft may leave fields empty. A date is never set in the past;
    one that has passed since (``stored_due``) stays in a draft, flagged, until changed."""
    errors: dict[str, str] = {}

    def error(field: str, message: str) -> None:
        errors[row_field_name(field, answer_id)] = message

    if len(row.measure) > MEASURE_MAX_LENGTH:
        error("measure", _too_long(MEASURE_MAX_LENGTH))
    elif complete and not row.measure.strip():
        error("measure", _("Describe the measure."))
    if len(row.responsible) > RESPONSIBLE_MAX_LENGTH:
        error("responsible", _too_long(RESPONSIBLE_MAX_LENGTH))
    elif complete and not row.responsible.strip():
        error("responsible", _("Name the person responsible."))
    if row.due_date is None:
        if complete:
            error("due_date", _("Give the date by which the measure is done."))
    elif row.due_date < today and (complete or row.due_date != stored_due):
        error("due_date", _("The date has passed: give a date from today on."))
    return errors


def _current_row(item: ActionPlanItem) -> PlanRow:
    return PlanRow(measure=item.measure, responsible=item.responsible, due_date=item.due_date)


def _plan_errors(plan: ActionPlan, *, today: date) -> dict[str, str]:
    errors: dict[str, str] = {}
    for item in plan.items.all():
        errors |= validate_row(item.answer_id, _current_row(item), today=today, complete=True)
    return errors


def _new_plan(report: Report, *, actor: User, today: date) -> ActionPlan:
    answers = list(unmet_answers(report, today))
    if not answers:
        raise ApplicationError(
            _("The clinic's approved report has no unmet requirement: no action plan is due.")
        )
    plan = ActionPlan(report=report, clinic_id=report.clinic_id, created_by=actor)
    plan._history_user = actor
    plan._change_reason = "create"
    plan.save()
    for answer in answers:
        item = ActionPlanItem(plan=plan, answer=answer)
        item._history_user = actor
        item.save()
    _record(plan, actor=actor, from_state="")
    return plan


@transaction.atomic
def save_action_plan(
    *, clinic: Clinic, actor: User, rows: dict[int, PlanRow], today: date | None = None
) -> ActionPlan:
    """Write the rows (answer id -> what the clinic writes) of the plan for the clinic's
    approved report in force, starting the plan if it has none. A draft may be
    incomplete; a row the plan does not have is ignored. Nothing is saved if any row has
    an error; a row that did not change gets no history row."""
    check_may_write_action_plan(actor, clinic)
    today = today or timezone.localdate()
    report = report_in_force(clinic, today)
    if report is None:
        raise ApplicationError(_("The clinic has no approved report: no action plan is due."))
    # The report is the lock that makes two first saves start one plan, not two.
    report = Report.objects.select_for_update(of=("self",)).get(pk=report.pk)
    plan = ActionPlan.objects.select_for_update(of=("self",)).filter(report=report).first()
    if plan is None:
        plan = _new_plan(report, actor=actor, today=today)
    elif not plan.is_open:
        raise _refuse("save", plan)
    items = list(plan.items.all())
    errors: dict[str, str] = {}
    for item in items:
        if item.answer_id in rows:
            errors |= validate_row(
                item.answer_id,
                rows[item.answer_id],
                today=today,
                complete=False,
                stored_due=item.due_date,
            )
    if errors:
        raise ApplicationError(_("The action plan has errors."), extra={"errors": errors})
    for item in items:
        row = rows.get(item.answer_id)
        if row is None or row == _current_row(item):
            continue
        item.measure, item.responsible, item.due_date = row.measure, row.responsible, row.due_date
        item.full_clean()
        item._history_user = actor
        item.save()
    return plan


@transaction.atomic
def submit_action_plan(*, plan: ActionPlan, actor: User, today: date | None = None) -> ActionPlan:
    """Send the plan to the reviewers: every row needs its measure, person and date."""
    plan = _locked(plan)
    check_may_write_action_plan(actor, plan.clinic)
    from_state = plan.state
    to_state = _target_state("submit", plan)
    errors = _plan_errors(plan, today=today or timezone.localdate())
    if errors:
        raise ApplicationError(
            _(
                "Every row needs a measure, a person responsible and a date before the "
                "plan is submitted."
            ),
            extra={"errors": errors},
        )
    plan.state = to_state
    plan.submitted_at = timezone.now()
    plan.submitted_by = actor
    plan._history_user = actor
    plan._change_reason = "submit"
    plan.save(update_fields=["state", "submitted_at", "submitted_by"])
    _record(plan, actor=actor, from_state=from_state)
    return plan


def _check_comment(comment: str, *, required: bool) -> None:
    if len(comment) > COMMENT_MAX_LENGTH:
        message = _too_long(COMMENT_MAX_LENGTH)
    elif required and not comment.strip():
        message = _("Write what needs to be changed.")
    else:
        return
    raise ApplicationError(message, extra={"errors": {"comment": message}})


def _decide(action: str, *, plan: ActionPlan, actor: User, comment: str) -> ActionPlan:
    plan = _locked(plan)
    check_may_decide_action_plan(actor, plan)
    from_state = plan.state
    plan.state = _target_state(action, plan)
    plan.decided_at = timezone.now()
    plan.decided_by = actor
    plan.review_comment = comment
    plan._history_user = actor
    plan._change_reason = action
    plan.save(update_fields=["state", "decided_at", "decided_by", "review_comment"])
    _record(plan, actor=actor, from_state=from_state, comment=comment)
    return plan


@transaction.atomic
def accept_action_plan(*, plan: ActionPlan, actor: User, comment: str = "") -> ActionPlan:
    _check_comment(comment, required=False)
    return _decide("accept", plan=plan, actor=actor, comment=comment)


@transaction.atomic
def return_action_plan(*, plan: ActionPlan, actor: User, comment: str) -> ActionPlan:
    """Send the plan back to the clinic; the reviewer must say what to change."""
    _check_comment(comment, required=True)
    return _decide("return", plan=plan, actor=actor, comment=comment)


@transaction.atomic
def complete_action_plan(*, plan: ActionPlan, actor: User) -> ActionPlan:
    """The clinic has carried out the accepted plan's measures: no date of it is late."""
    plan = _locked(plan)
    check_may_write_action_plan(actor, plan.clinic)
    from_state = plan.state
    plan.state = _target_state("complete", plan)
    plan.done_at = timezone.now()
    plan._history_user = actor
    plan._change_reason = "complete"
    plan.save(update_fields=["state", "done_at"])
    _record(plan, actor=actor, from_state=from_state)
    return plan
