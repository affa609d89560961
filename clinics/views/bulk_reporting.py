"""Pages on which a reporter acts for several of their clinics at once (a provider's
coordinator): one answer to one requirement for the clinics they choose, and several ready
reports submitted together.

Only clinic reporters use them (other roles get 403); the clinics listed are those
``clinics.access`` lets the reporter report for, and the services refuse any other.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import ngettext

from clinics import access
from clinics.forms.bulk_reporting import BulkAnswerChoiceForm, chosen_clinic_ids
from clinics.forms.report import FIELDS, AnswerForm, SummaryError
from clinics.models import Clinic
from clinics.services.bulk_reporting import (
    answer_candidates,
    answer_for_clinics,
    choice_errors,
    submit_candidates,
    submit_reports,
)
from halland_utbud.errors import ApplicationError
from requirements.selectors import catalogue_in_force


@access.role_required(access.is_reporter)
def bulk_answer(request: HttpRequest) -> HttpResponse:
    choice = BulkAnswerChoiceForm(
        request.GET or None, version=catalogue_in_force(timezone.localdate())
    )
    requirement = choice.chosen_requirement
    context = {"choice": choice, "requirement": requirement, "refused": [], "refusal": ""}
    if requirement is None:
        return render(request, "clinics/bulk_answer.html", context)

    kind = choice.chosen_kind
    rows = answer_candidates(
        request.user, requirement, clinics=Clinic.objects.filter(kind=kind) if kind else None
    )
    answer = AnswerForm(requirement, None, request.POST if request.method == "POST" else None)
    clinics_error = ""
    if request.method == "POST":
        chosen = set(chosen_clinic_ids(request.POST))
        # Every error at once: the answer's and, if none is chosen, the clinics'.
        clinics_error = choice_errors(chosen).get("clinics", "")
        if answer.validate():
            try:
                result = answer_for_clinics(
                    clinic_ids=chosen,
                    requirement=requirement,
                    actor=request.user,
                    **answer.cleaned,
                )
            except ApplicationError as error:
                errors = error.extra.get("errors", {})
                answer.errors = {f: m for f, m in errors.items() if f in FIELDS}
                clinics_error = errors.get("clinics", "")
                context["refused"] = error.extra.get("refused", [])
                # A rule beyond the fields (the catalogue changed meanwhile, a refusal).
                if not answer.errors and not clinics_error:
                    context["refusal"] = error.message
            else:
                messages.success(request, _answered_message(result))
                return redirect(_page_url(requirement.code, kind))
    else:
        chosen = _all_if_asked(request, rows)
    context |= {
        "page_url": _page_url(requirement.code, kind),
        "errors": [
            SummaryError(requirement.name, message, answer.target(field))
            for field, message in answer.errors.items()
        ],
        "answer": answer,
        "rows": rows,
        "chosen": chosen,
        "clinics_error": clinics_error,
        "can_take": [row for row in rows if not row.refusal],
        "cannot_take": [row for row in rows if row.refusal],
    }
    return render(request, "clinics/bulk_answer.html", context)


def _page_url(requirement: str, kind: str) -> str:
    query = {"requirement": requirement} | ({"kind": kind} if kind else {})
    return f"{reverse('bulk_answer')}?{urlencode(query)}"


def _all_if_asked(request: HttpRequest, rows) -> set[int]:
    """Every clinic that can take the action, when the page's "choose all" link asked for
    it: choosing all works without JavaScript."""
    if request.GET.get("all") != "1":
        return set()
    return {row.clinic.pk for row in rows if not row.refusal}


def _answered_message(result) -> str:
    written = len(result.answers)
    message = ngettext(
        "The answer has been saved for %(count)d clinic.",
        "The answer has been saved for %(count)d clinics.",
        written,
    ) % {"count": written}
    if result.unchanged:
        message += " " + ngettext(
            "%(count)d clinic already had exactly this answer.",
            "%(count)d clinics already had exactly this answer.",
            result.unchanged,
        ) % {"count": result.unchanged}
    return message


@access.role_required(access.is_reporter)
def bulk_submit(request: HttpRequest) -> HttpResponse:
    rows = submit_candidates(request.user)
    context = {"rows": rows, "refused": [], "refusal": "", "clinics_error": ""}
    if request.method == "POST":
        chosen = set(chosen_clinic_ids(request.POST))
        try:
            submitted = submit_reports(clinic_ids=chosen, actor=request.user)
        except ApplicationError as error:
            context["clinics_error"] = error.extra.get("errors", {}).get("clinics", "")
            context["refused"] = error.extra.get("refused", [])
            if not context["clinics_error"]:
                context["refusal"] = error.message
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)d report has been submitted for review.",
                    "%(count)d reports have been submitted for review.",
                    len(submitted),
                )
                % {"count": len(submitted)},
            )
            return redirect("my_clinics")
    else:
        chosen = _all_if_asked(request, rows)
    context |= {
        "chosen": chosen,
        "ready": [row for row in rows if not row.refusal],
        # A clinic with no report in progress has nothing to submit: not listed.
        "not_ready": [row for row in rows if row.report is not None and row.refusal],
    }
    return render(request, "clinics/bulk_submit.html", context)


urlpatterns = [
    path("mina-mottagningar/flera/", bulk_answer, name="bulk_answer"),
    path("mina-mottagningar/flera/skicka-in/", bulk_submit, name="bulk_submit"),
]
