"""Review for reviewers: the queue of submitted reports, and the page where a reviewer
compares a report with the clinic's last approved one and approves or returns it.

Decisions go through clinics.services.reports, which owns the state machine and the
four-eyes rule; these views only read, show and pass on what the reviewer wrote.
"""

from dataclasses import dataclass
from itertools import groupby

from django.contrib import messages
from django.core.paginator import Paginator
from django.forms import BoundField
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from clinics import access
from clinics.forms.review import DecisionForm, ReviewQueueFilterForm
from clinics.models import Answer, Clinic, Report, ReportState, User
from clinics.selectors import latest_approved_reports
from clinics.services.reports import approve_report, return_report, submission_token
from clinics.views.action_plans import review_queue_plans
from halland_utbud.errors import ApplicationError
from requirements.models import Area

QUEUE_PAGE_SIZE = 50
# The returned reports are a reminder of what is out with the clinics, not a work list.
RETURNED_LIST_SIZE = 20


@access.role_required(access.is_reviewer)
def review_queue(request: HttpRequest) -> HttpResponse:
    form = ReviewQueueFilterForm(request.GET, providers=access.visible_providers(request.user))
    reports = form.filter(
        access.visible_reports(request.user).select_related(
            "clinic__provider", "round", "submitted_by", "decided_by"
        )
    )
    waiting = reports.filter(state=ReportState.SUBMITTED).order_by("submitted_at", "pk")
    returned = reports.filter(state=ReportState.RETURNED).order_by("decided_at", "pk")
    return render(
        request,
        "clinics/review_queue.html",
        {
            "form": form,
            "page": Paginator(waiting, QUEUE_PAGE_SIZE).get_page(request.GET.get("page")),
            "returned": list(returned[:RETURNED_LIST_SIZE]),
            "returned_count": returned.count(),
            **review_queue_plans(request.user),
        },
    )


@dataclass
class ReviewRow:
    """One answered requirement: this report's answer beside the last approved one."""

    answer: Answer
    previous: Answer | None
    field: BoundField | None

    @property
    def changed(self) -> bool:
        if self.previous is None:
            return False
        return _compared(self.answer) != _compared(self.previous)


def _compared(answer: Answer) -> tuple[str, str, str]:
    # What the region follows up; a reworded comment alone is not a change in the offering.
    return (answer.status, answer.channel, answer.evidence_url)


def _report_for(user: User, pk: int) -> Report:
    """The report, if the user may see it; one they may not see does not exist."""
    return get_object_or_404(
        access.visible_reports(user).select_related(
            "clinic__provider", "round", "catalogue_version", "submitted_by", "decided_by"
        ),
        pk=pk,
    )


def _answers(report: Report) -> list[Answer]:
    return list(
        report.answers.select_related("requirement__area").order_by(
            "requirement__area__position", "requirement__position"
        )
    )


def _previous_answers(report: Report) -> dict[str, Answer]:
    """requirement code -> the answer in the clinic's last approved report before this one.

    Codes, not requirement rows, connect the two: the last report may have been made
    against an earlier catalogue version."""
    previous = latest_approved_reports(
        Clinic.objects.filter(pk=report.clinic_id), timezone.localdate()
    ).exclude(pk=report.pk)
    return {
        answer.requirement.code: answer
        for answer in Answer.objects.filter(report__in=previous).select_related("requirement")
    }


def _grouped_rows(
    answers: list[Answer], previous: dict[str, Answer], form: DecisionForm | None
) -> list[tuple[Area, list[ReviewRow]]]:
    rows = [
        ReviewRow(
            answer=answer,
            previous=previous.get(answer.requirement.code),
            field=form[form.answer_field_name(answer)] if form is not None else None,
        )
        for answer in answers
    ]
    return [
        (area, list(area_rows))
        for area, area_rows in groupby(rows, key=lambda row: row.answer.requirement.area)
    ]


def _decide(request: HttpRequest, report: Report, form: DecisionForm) -> Report:
    seen = form.cleaned_data["submitted_at"]
    if form.cleaned_data["action"] == DecisionForm.APPROVE:
        report = approve_report(
            report=report,
            actor=request.user,
            comment=form.cleaned_data["comment"].strip(),
            seen_submission=seen,
        )
        messages.success(
            request, _("The report from %(clinic)s was approved.") % {"clinic": report.clinic.name}
        )
    else:
        report = return_report(
            report=report,
            actor=request.user,
            comment=form.cleaned_data["comment"].strip(),
            answer_comments=form.answer_comments(),
            seen_submission=seen,
        )
        messages.success(
            request,
            _("The report from %(clinic)s was returned to the clinic for completion.")
            % {"clinic": report.clinic.name},
        )
    return report


@access.role_required(access.is_reviewer)
def review_report(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report_for(request.user, pk)
    answers = _answers(report)
    form = None
    status = 200
    if request.method == "POST":
        form = DecisionForm(request.POST, answers=answers)
        if form.is_valid():
            try:
                _decide(request, report, form)
            except ApplicationError as error:
                messages.error(request, error.message)
                status = error.status_code
                # Someone else may have decided meanwhile: show the report as it is now,
                # keeping what the reviewer wrote.
                report = _report_for(request.user, pk)
                answers = _answers(report)
                data = request.POST.copy()
                data["submitted_at"] = submission_token(report)
                form = DecisionForm(data, answers=answers)
                form.is_valid()
                for field, text in error.extra.get("errors", {}).items():
                    if field in form.fields:
                        form.add_error(field, text)
            else:
                return redirect("review_queue")
        else:
            messages.error(request, _("Nothing was decided. Correct the marked fields."))
    # Only to choose what to show; the service asks again under the report's lock.
    may_review = access.may_review(request.user, report, answers)
    if not (report.is_submitted and may_review):
        form = None
    elif form is None:
        form = DecisionForm(answers=answers, initial={"submitted_at": submission_token(report)})
    return render(
        request,
        "clinics/review_report.html",
        {
            "report": report,
            "clinic": report.clinic,
            "areas": _grouped_rows(answers, _previous_answers(report), form),
            "form": form,
            "is_submitted": report.is_submitted,
            # The page is for reviewers: one the rule refuses has taken part in the report.
            "has_taken_part": not may_review,
        },
        status=status,
    )


urlpatterns = [
    path("granskning/", review_queue, name="review_queue"),
    path("granskning/<int:pk>/", review_report, name="review_report"),
]
