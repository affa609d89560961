"""Reads of the action plans (åtgärdsplaner), each in a constant number of queries.

What falls short is the timeline's word, not a second reading of the answers: a
requirement of the approved report in force that is *not compliant* on the day (an answer
of "not met" or "partially met" to a requirement that applies, and no exemption covers)
and that the decision requires ("ska"; an advisory "bör" needs no plan). The writes are
in ``clinics.services.action_plans``.
"""

from datetime import date

from django.db.models import Exists, Min, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from clinics.models import (
    ActionPlan,
    ActionPlanItem,
    Answer,
    Clinic,
    ClinicStatusPeriod,
    Report,
    RequirementStatusPeriod,
)
from requirements.vocabulary import ComplianceStatus, RequirementLevel

# The value of the plan filter for a report in force without a plan, or no report at all.
NO_PLAN = "none"


def _falling_short(day: date) -> QuerySet[RequirementStatusPeriod]:
    return RequirementStatusPeriod.objects.on(day).filter(
        status=ComplianceStatus.NOT_COMPLIANT,
        answer__isnull=False,
        requirement__level=RequirementLevel.REQUIRED,
    )


def report_in_force(clinic: Clinic, day: date) -> Report | None:
    """The approved report the clinic's timeline rests on that day, if any."""
    return Report.objects.filter(
        pk__in=ClinicStatusPeriod.objects.on(day).filter(clinic=clinic).values("report_id")
    ).first()


def unmet_answers(report: Report, day: date) -> QuerySet[Answer]:
    """The report's answers behind the requirements that fall short on ``day``, in
    catalogue order: the rows an action plan for it needs."""
    return (
        Answer.objects.filter(
            report=report,
            pk__in=_falling_short(day).filter(clinic_id=report.clinic_id).values("answer_id"),
        )
        .select_related("requirement__area")
        .order_by("requirement__area__position", "requirement__position")
    )


def with_rows(plans: QuerySet[ActionPlan]) -> QuerySet[ActionPlan]:
    """The plans with their clinic and people, and their rows with the answers and
    requirements: two queries for any number of plans."""
    return plans.select_related(
        "clinic__provider", "report", "submitted_by", "decided_by"
    ).prefetch_related(
        Prefetch(
            "items",
            queryset=ActionPlanItem.objects.select_related("answer__requirement__area"),
        )
    )


def plan_for_report(report: Report | None) -> ActionPlan | None:
    """The report's plan with its rows (two queries), if it has one."""
    if report is None:
        return None
    return with_rows(ActionPlan.objects.filter(report=report)).first()


def with_action_plan(rows: QuerySet[ClinicStatusPeriod], day: date) -> QuerySet:
    """The clinic rows with what their report in force needs: ``action_plan_id`` and
    ``action_plan_state`` (None without a plan), ``action_plan_overdue``, and
    ``action_plan_due`` (a requirement falls short, so a plan is asked for)."""
    plans = ActionPlan.objects.filter(report_id=OuterRef("report_id"))
    return rows.annotate(
        action_plan_id=Subquery(plans.values("pk")[:1]),
        action_plan_state=Subquery(plans.values("state")[:1]),
        action_plan_overdue=Exists(plans.overdue(day)),
        action_plan_due=Exists(
            _falling_short(day).filter(
                clinic_id=OuterRef("clinic_id"), answer__report_id=OuterRef("report_id")
            )
        ),
    )


def plan_of_report_in_force(state: str) -> Q:
    """For the timeline's clinic rows: the report in force has a plan in ``state``, or, for
    ``NO_PLAN``, none (or there is no report). One ``EXISTS`` per row, set-based."""
    plans = ActionPlan.objects.filter(report_id=OuterRef("report_id"))
    if state == NO_PLAN:
        return ~Q(Exists(plans))
    return Q(Exists(plans.filter(state=state)))


def overdue_action_plans(today: date | None = None) -> QuerySet[ActionPlan]:
    """The plans whose measures are late on ``today``: not carried out, with a row whose
    date is before ``today``; the earliest passed date first (``first_passed``).

    For the nightly reminder: the clinic's reporters (``plan.clinic``) and the reviewers
    are told of each. The queryset is read-only and the same every time it runs on the
    same day; sending each reminder once is the notification mechanism's part.
    """
    today = today or timezone.localdate()
    return (
        ActionPlan.objects.overdue(today)
        .select_related("clinic__provider", "report")
        .annotate(first_passed=Min("items__due_date", filter=Q(items__due_date__lt=today)))
        .order_by("first_passed", "pk")
    )


def passed_items(plan: ActionPlan, today: date) -> list[ActionPlanItem]:
    """The rows of a plan (rows prefetched) whose date has passed; none once carried out."""
    if not plan.is_overdue(today):
        return []
    return [item for item in plan.items.all() if item.due_date and item.due_date < today]
