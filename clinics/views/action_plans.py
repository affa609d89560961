"""The action plan (åtgärdsplan) pages: the clinic's plan, which its reporters write and
submit and everyone who sees the clinic reads, and the reviewer's page to accept or return
it. The decisions are ``clinics.services.action_plans``'; these views read, show and pass
on what was typed, and keep it when a request is refused.
"""

from dataclasses import dataclass
from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from clinics import access
from clinics.action_plans import (
    overdue_action_plans,
    passed_items,
    plan_for_report,
    report_in_force,
    unmet_answers,
    with_action_plan,
    with_rows,
)
from clinics.clinic_page import ClinicPage, Section
from clinics.forms.action_plans import ActionPlanDecisionForm, ActionPlanForm
from clinics.forms.fields import apply_service_errors
from clinics.models import (
    ActionPlan,
    ActionPlanState,
    Answer,
    Clinic,
    ClinicStatusPeriod,
    Report,
    User,
)
from clinics.services.action_plans import (
    accept_action_plan,
    complete_action_plan,
    return_action_plan,
    save_action_plan,
    submit_action_plan,
)
from clinics.views.clinic import may_see_clinic_pages
from halland_utbud.errors import ApplicationError, NotAllowed

# The reviewer's queue lists this many of the plans waiting, and of the late ones.
QUEUE_LIST_SIZE = 50


@dataclass(frozen=True)
class PlanView:
    """What the plan page shows of a clinic's report in force and its plan."""

    clinic: Clinic
    today: date
    report: Report | None
    plan: ActionPlan | None
    answers: list[Answer]

    @property
    def is_due(self) -> bool:
        return self.plan is None and bool(self.answers)

    @property
    def items(self) -> dict:
        return {item.answer_id: item for item in self.plan.items.all()} if self.plan else {}

    @property
    def passed(self) -> set[int]:
        """The answers whose row's date has passed (none once carried out)."""
        if self.plan is None:
            return set()
        return {item.answer_id for item in passed_items(self.plan, self.today)}

    @property
    def events(self) -> list:
        if self.plan is None:
            return []
        return list(self.plan.events.select_related("actor"))


def _plan_view(clinic: Clinic) -> PlanView:
    today = timezone.localdate()
    report = report_in_force(clinic, today)
    plan = plan_for_report(report)
    if plan is not None:
        answers = [item.answer for item in plan.items.all()]
    elif report is not None:
        answers = list(unmet_answers(report, today))
    else:
        answers = []
    return PlanView(clinic, today, report, plan, answers)


def _writes(user: User, view: PlanView) -> bool:
    # Only to choose what to show; the service decides under its lock.
    return access.may_report_for(user, view.clinic) and (
        view.is_due or (view.plan is not None and view.plan.is_open)
    )


def _show_errors(form, error: ApplicationError) -> None:
    apply_service_errors(form, error.extra.get("errors", {}))


def _post_plan(request: HttpRequest, view: PlanView) -> tuple[ActionPlanForm | None, int]:
    """Save, submit or mark done; a refused request keeps what was typed."""
    if request.POST.get("action") == "complete":
        if view.plan is None:
            raise PermissionDenied
        try:
            complete_action_plan(plan=view.plan, actor=request.user)
        except NotAllowed:
            raise PermissionDenied from None
        except ApplicationError as error:
            messages.error(request, error.message)
            return None, error.status_code
        messages.success(request, _("The action plan is marked as carried out."))
        return None, 302
    form = ActionPlanForm(request.POST, answers=view.answers, items=view.items)
    if not form.is_valid():
        messages.error(request, _("Nothing was saved. Correct the marked fields."))
        return form, 400
    try:
        plan = save_action_plan(clinic=view.clinic, actor=request.user, rows=form.plan_rows())
    except NotAllowed:
        raise PermissionDenied from None
    except ApplicationError as error:
        messages.error(request, _("Nothing was saved. %(reason)s") % {"reason": error.message})
        _show_errors(form, error)
        return form, error.status_code
    if not form.submits:
        messages.success(request, _("The action plan was saved as a draft."))
        return None, 302
    try:
        submit_action_plan(plan=plan, actor=request.user)
    except ApplicationError as error:
        messages.error(
            request,
            _("The draft was saved, but the plan was not submitted. %(reason)s")
            % {"reason": error.message},
        )
        _show_errors(form, error)
        return form, error.status_code
    messages.success(request, _("The action plan was submitted for review."))
    return None, 302


@access.role_required(may_see_clinic_pages)
def clinic_action_plan(request: HttpRequest, pk: int) -> HttpResponse:
    clinic = access.get_clinic_for_user(request.user, pk)
    view = _plan_view(clinic)
    form, status = None, 200
    if request.method == "POST":
        if not access.may_report_for(request.user, clinic):
            raise PermissionDenied
        form, status = _post_plan(request, view)
        if status == 302:
            return redirect("clinic_action_plan", pk=clinic.pk)
        view = _plan_view(clinic)
    writes = _writes(request.user, view)
    if writes and form is None:
        form = ActionPlanForm(answers=view.answers, items=view.items)
    return render(
        request,
        "clinics/action_plan/plan.html",
        {
            "clinic": clinic,
            "view": view,
            "plan": view.plan,
            "form": form if writes else None,
            "may_complete": view.plan is not None
            and view.plan.is_accepted
            and access.may_report_for(request.user, clinic),
            "may_review": view.plan is not None
            and view.plan.is_submitted
            and access.may_decide_action_plan(request.user, view.plan),
        },
        status=status,
    )


@access.role_required(access.is_reviewer)
def review_action_plan(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(with_rows(access.visible_action_plans(request.user)), pk=pk)
    form, status = None, 200
    if request.method == "POST":
        form = ActionPlanDecisionForm(request.POST)
        if form.is_valid():
            decide = (
                accept_action_plan
                if form.cleaned_data["action"] == ActionPlanDecisionForm.ACCEPT
                else return_action_plan
            )
            try:
                decide(plan=plan, actor=request.user, comment=form.cleaned_data["comment"])
            except ApplicationError as error:
                messages.error(request, error.message)
                _show_errors(form, error)
                status = error.status_code
                plan = get_object_or_404(
                    with_rows(access.visible_action_plans(request.user)), pk=pk
                )
            else:
                messages.success(
                    request,
                    _("The action plan of %(clinic)s was accepted.")
                    if decide is accept_action_plan
                    else _("The action plan of %(clinic)s was returned to the clinic."),
                )
                return redirect(reverse("review_queue") + "#action-plans-heading")
        else:
            messages.error(request, _("Nothing was decided. Correct the marked fields."))
            status = 400
    # Only to choose what to show; the service asks again under its lock.
    may_decide = access.may_decide_action_plan(request.user, plan)
    if not (plan.is_submitted and may_decide):
        form = None
    elif form is None:
        form = ActionPlanDecisionForm()
    items = list(plan.items.all())
    return render(
        request,
        "clinics/action_plan/review.html",
        {
            "plan": plan,
            "clinic": plan.clinic,
            "items": items,
            "passed": {item.answer_id for item in passed_items(plan, timezone.localdate())},
            "events": list(plan.events.select_related("actor")),
            "form": form,
            # The page is for reviewers: one the rule refuses has written in the plan.
            "has_written": not may_decide,
        },
        status=status,
    )


def review_queue_plans(user: User) -> dict:
    """The review queue's part: the submitted plans, oldest first, and the late ones."""
    plans = access.visible_action_plans(user).select_related("clinic__provider", "submitted_by")
    waiting = plans.filter(state=ActionPlanState.SUBMITTED).order_by("submitted_at", "pk")
    late = access.only_visible(overdue_action_plans(), user)
    return {
        "plans_waiting": list(waiting[:QUEUE_LIST_SIZE]),
        "plans_waiting_count": waiting.count(),
        "plans_overdue": list(late[:QUEUE_LIST_SIZE]),
        "plans_overdue_count": late.count(),
    }


def clinic_page_section(page: ClinicPage, user: User) -> Section | None:
    """The clinic page's part on the plan of today's report in force: due, its state,
    late. One query, the one the reporters' list of clinics reads per clinic."""
    if page.approved_report is None or page.on_date != timezone.localdate():
        return None
    status = (
        with_action_plan(ClinicStatusPeriod.objects.on(page.on_date), page.on_date)
        .filter(clinic_id=page.clinic.pk)
        .first()
    )
    if status is None or not (status.action_plan_state or status.action_plan_due):
        return None
    return Section(
        "clinics/action_plan/clinic_section.html",
        {
            "clinic": page.clinic,
            "status": status,
            # The clinic page has already said the clinic is theirs.
            "may_write": access.is_reporter(user),
        },
    )


urlpatterns = [
    path("mottagningar/<int:pk>/atgardsplan/", clinic_action_plan, name="clinic_action_plan"),
    path("granskning/atgardsplaner/<int:pk>/", review_action_plan, name="review_action_plan"),
]
