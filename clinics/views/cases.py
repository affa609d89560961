"""Exemption and platform approval cases: the clinic's request form, the reviewers' queue,
and the case page with its timeline, the decision and revocation.

Every state change goes through ``clinics.services.cases``, which owns the transition
table and the four-eyes rule; the pages read, show and pass on what people wrote. Cases
are fetched through ``access.visible_cases``: one the user may not see does not exist.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Case, F, IntegerField, QuerySet, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from clinics import access
from clinics.forms.cases import (
    CaseForm,
    CaseQueueFilterForm,
    DecisionForm,
    RevokeForm,
    exemptible_requirements,
)
from clinics.forms.fields import apply_service_errors
from clinics.models import CaseEvent, CaseState, ExemptionCase, User
from clinics.selectors import CaseRow, days_left
from clinics.services.cases import (
    CaseAlreadyOpen,
    approve_case,
    create_case,
    reject_case,
    return_case,
    revoke_case,
    submit_case,
    update_case,
)
from halland_utbud.errors import ApplicationError
from requirements.selectors import catalogue_in_force

QUEUE_PAGE_SIZE = 50


def _case_for(user: User, pk: int) -> ExemptionCase:
    return get_object_or_404(
        access.visible_cases(user).select_related(
            "clinic__provider", "requirement__area", "requester", "decided_by", "renews"
        ),
        pk=pk,
    )


# The reviewers' queue


def _queue_order(cases: QuerySet[ExemptionCase]) -> QuerySet[ExemptionCase]:
    """Waiting cases first, the one waiting longest first; then approved ones by the end
    of their period, soonest first (until further notice last); then the rest, newest
    first."""
    group = Case(
        When(state=CaseState.SUBMITTED, then=Value(0)),
        When(state=CaseState.APPROVED, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    waiting_since = Case(When(state=CaseState.SUBMITTED, then=F("submitted_at")), default=None)
    return cases.alias(group=group, waiting_since=waiting_since).order_by(
        "group",
        F("waiting_since").asc(nulls_last=True),
        F("valid_until").asc(nulls_last=True),
        "-created_at",
        "pk",
    )


@access.role_required(access.may_see_cases)
def case_queue(request: HttpRequest) -> HttpResponse:
    """The reviewers' work queue. Everyone else who reads cases gets the read-only list of
    them (the follow-up's, by its URL name: clinics does not import followup)."""
    if not access.is_reviewer(request.user):
        return redirect("exemption_list")
    form = CaseQueueFilterForm(request.GET)
    cases = form.filter(
        access.visible_cases(request.user).select_related(
            "clinic", "requirement", "requester", "decided_by"
        )
    )
    page = Paginator(_queue_order(cases), QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    return render(
        request,
        "clinics/case_queue.html",
        {
            "form": form,
            "page": page,
            "rows": [CaseRow.of(case, today) for case in page.object_list],
        },
    )


# The request form


def _form_kwargs(request: HttpRequest) -> dict:
    today = timezone.localdate()
    return {
        "clinics": access.visible_clinics(request.user).active_on(today).order_by("name", "pk"),
        "requirements": exemptible_requirements(catalogue_in_force(today)),
    }


def _save(request: HttpRequest, form: CaseForm, case: ExemptionCase | None) -> ExemptionCase:
    """Create or update the case, and submit it if asked, all or nothing: a refused
    submission leaves no half-saved draft behind."""
    with transaction.atomic():
        if case is None:
            case = create_case(
                clinic=form.cleaned_data["clinic"], actor=request.user, **form.service_fields()
            )
        else:
            case = update_case(case=case, actor=request.user, **form.service_fields())
        if request.POST.get("action") == "submit":
            case = submit_case(case=case, actor=request.user)
    return case


def _handle_form(
    request: HttpRequest, form: CaseForm, case: ExemptionCase | None
) -> HttpResponse | None:
    """The redirect after a successful save, or None to show the form again."""
    if not form.is_valid():
        messages.error(request, _("Nothing was saved. Correct the marked fields."))
        return None
    try:
        case = _save(request, form, case)
    except CaseAlreadyOpen as already:
        if already.case is None:  # opened and decided between two clicks: nothing to show
            messages.error(request, already.message)
            return None
        # A second click, or another tab, leads to the request the first one opened.
        messages.info(
            request,
            _("A request for this exemption for %(clinic)s had already been started.")
            % {"clinic": already.case.clinic.name},
        )
        return redirect("case_detail", pk=already.case.pk)
    except ApplicationError as error:
        errors = error.extra.get("errors") or {}
        if errors:
            apply_service_errors(form, errors, form.SERVICE_FIELDS)
            messages.error(request, _("Nothing was saved. Correct the marked fields."))
        else:
            messages.error(request, error.message)
        return None
    if case.state == CaseState.SUBMITTED:
        messages.success(request, _("The case has been submitted to Region Halland."))
    else:
        messages.success(request, _("The draft has been saved."))
    return redirect("case_detail", pk=case.pk)


@access.role_required(access.is_reporter)
def case_create(request: HttpRequest) -> HttpResponse:
    kwargs = _form_kwargs(request)
    if request.method == "POST":
        form = CaseForm(request.POST, **kwargs)
        response = _handle_form(request, form, None)
        if response is not None:
            return response
    else:
        initial = {"requested_from": timezone.localdate()}
        clinic_pk = request.GET.get("clinic", "")
        if clinic_pk:
            if not clinic_pk.isdigit():
                raise Http404
            # Another clinic's id is a clinic that does not exist for this reporter.
            initial["clinic"] = access.get_clinic_for_user(request.user, int(clinic_pk)).pk
        form = CaseForm(initial=initial, **kwargs)
    return render(request, "clinics/case_form.html", {"form": form, "case": None})


@access.role_required(access.is_reporter)
def case_edit(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_for(request.user, pk)
    if case.state not in CaseState.editable_states():
        messages.error(request, _("The case has been submitted or decided and cannot be changed."))
        return redirect("case_detail", pk=case.pk)
    kwargs = _form_kwargs(request)
    if request.method == "POST":
        form = CaseForm(request.POST, case=case, **kwargs)
        response = _handle_form(request, form, case)
        if response is not None:
            return response
    else:
        form = CaseForm(case=case, **kwargs)
    return render(request, "clinics/case_form.html", {"form": form, "case": case})


# The case page


def _events(case: ExemptionCase) -> list[CaseEvent]:
    return list(case.events.select_related("actor").order_by("at", "pk"))


def _act(request: HttpRequest, case: ExemptionCase, decision, revoke) -> ExemptionCase | None:
    """Run the action the person pressed; None when a form is invalid (errors shown)."""
    action = request.POST.get("action")
    actor = request.user
    if action == "submit":
        case = submit_case(case=case, actor=actor)
        messages.success(request, _("The case has been submitted to Region Halland."))
        return case
    # Refuse someone who may not decide before looking at what they wrote: a 403 with the
    # reason, not a form to correct.
    access.check_may_decide_case(actor, case)
    if action == "revoke":
        if not revoke.is_valid():
            return None
        case = revoke_case(case=case, actor=actor, comment=revoke.cleaned_data["reason"].strip())
        messages.success(request, _("The exemption has been revoked."))
        return case
    if not decision.is_valid():
        return None
    data = decision.cleaned_data
    comment = data["comment"].strip()
    if data["action"] == DecisionForm.APPROVE:
        case = approve_case(
            case=case,
            actor=actor,
            valid_from=data["valid_from"],
            valid_until=data["valid_until"],
            comment=comment,
        )
        messages.success(request, _("The case has been approved."))
    elif data["action"] == DecisionForm.REJECT:
        case = reject_case(case=case, actor=actor, comment=comment)
        messages.success(request, _("The case has been rejected."))
    else:
        case = return_case(case=case, actor=actor, comment=comment)
        messages.success(request, _("The case has been returned to the clinic for completion."))
    return case


@access.role_required(access.may_see_cases)
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_for(request.user, pk)
    decision = revoke = None
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        decision = DecisionForm(request.POST, case=case) if action != "revoke" else None
        revoke = RevokeForm(request.POST) if action == "revoke" else None
        try:
            if _act(request, case, decision, revoke) is not None:
                return redirect("case_detail", pk=case.pk)
            messages.error(request, _("Nothing was decided. Correct the marked fields."))
            status = 400
        except ApplicationError as error:
            messages.error(request, error.message)
            status = error.status_code
            for form in (decision, revoke):
                if form is not None and form.is_bound:
                    form.is_valid()
                    apply_service_errors(form, error.extra.get("errors", {}), form.SERVICE_FIELDS)
            # Someone else may have acted meanwhile: show the case as it is now.
            case = _case_for(request.user, pk)
    events = _events(case)
    user = request.user
    is_reviewer = access.is_reviewer(user)
    # Only to choose which forms to show; the services ask again under their lock.
    may_decide = access.may_decide_case(user, case)
    if not (may_decide and case.is_submitted):
        decision = None
    elif decision is None or decision.data.get("action") == "submit":
        decision = DecisionForm(case=case)
    if not (may_decide and case.is_approved):
        revoke = None
    elif revoke is None:
        revoke = RevokeForm()
    is_clinic_reporter = access.is_reporter(user)
    return render(
        request,
        "clinics/case_detail.html",
        {
            "case": case,
            "clinic": case.clinic,
            "links": case.links,
            "events": events,
            "decision_form": decision,
            "revoke_form": revoke,
            "is_reviewer": is_reviewer,
            # A reviewer whom the four-eyes rule refuses is told why there is no form.
            "has_taken_part": is_reviewer and not may_decide,
            # _case_for has already said the clinic is theirs.
            "may_edit": is_clinic_reporter and case.state in CaseState.editable_states(),
            "days_left": days_left(case, timezone.localdate()),
            "today": timezone.localdate(),
        },
        status=status,
    )


urlpatterns = [
    path("undantag/", case_queue, name="case_queue"),
    path("undantag/ny/", case_create, name="case_create"),
    path("undantag/<int:pk>/", case_detail, name="case_detail"),
    path("undantag/<int:pk>/andra/", case_edit, name="case_edit"),
]
