"""Self-report pages for clinic reporters: their clinics and what is due, starting a report,
and the report form that saves drafts and submits.

Only clinic reporters use these pages (a region admin, reviewer or viewer gets 403), and
every clinic and report is fetched through ``clinics.access``: one that is not the
reporter's does not exist for them (404).
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.contrib import messages
from django.db.models import Max, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clinics import access
from clinics.action_plans import with_action_plan
from clinics.forms.report import ReportForm
from clinics.models import Clinic, ClinicStatusPeriod, Report, ReportState, User
from clinics.services.reports import ReportAlreadyOpen, start_report, submit_report
from halland_utbud.errors import ApplicationError


@dataclass(frozen=True)
class ClinicRow:
    """One clinic on the reporter's start page and what they should do next."""

    clinic: Clinic
    # Today's row of the clinic's timeline: whether it meets the baseline.
    status: ClinicStatusPeriod | None
    report: Report | None
    last_approved_at: datetime | None
    today: date

    @property
    def deadline(self) -> date | None:
        return self.report.round.deadline if self.report and self.report.round else None

    @property
    def is_overdue(self) -> bool:
        return (
            self.deadline is not None
            and self.deadline < self.today
            and self.report.state in ReportState.open_states()
        )


def _clinic_rows(user: User) -> list[ClinicRow]:
    """The reporter's active clinics, in a fixed number of queries whatever their count."""
    today = timezone.localdate()
    # A closed clinic has nothing more to report.
    clinics = access.visible_clinics(user).active_on(today)
    listed = clinics.annotate(
        last_approved_at=Max("reports__decided_at", filter=Q(reports__state=ReportState.APPROVED))
    ).order_by("name", "pk")
    status = {
        row.clinic_id: row
        # With what the approved report in force asks of an action plan.
        for row in with_action_plan(ClinicStatusPeriod.objects.on(today), today).filter(
            clinic__in=clinics
        )
    }
    # The database allows one report in progress per clinic: this is at most one a clinic.
    current = {
        report.clinic_id: report
        for report in Report.objects.filter(clinic__in=clinics)
        .exclude(state__in=ReportState.final_states())
        .select_related("round")
    }
    return [
        ClinicRow(
            clinic=clinic,
            status=status.get(clinic.pk),
            report=current.get(clinic.pk),
            last_approved_at=clinic.last_approved_at,
            today=today,
        )
        for clinic in listed
    ]


@access.role_required(access.is_reporter)
def my_clinics(request: HttpRequest) -> HttpResponse:
    return render(request, "clinics/my_clinics.html", {"rows": _clinic_rows(request.user)})


@access.role_required(access.is_reporter)
@require_POST
def report_start(request: HttpRequest, pk: int) -> HttpResponse:
    clinic = access.get_clinic_for_user(request.user, pk)
    try:
        report = start_report(clinic=clinic, actor=request.user)
    except ReportAlreadyOpen as already:
        if already.report is None:  # started and decided between two clicks: nothing to show
            messages.error(request, already.message)
            return redirect("my_clinics")
        # A second click, or another tab, leads to the report the first one started.
        messages.info(
            request,
            _("A report for %(clinic)s had already been started.") % {"clinic": clinic.name},
        )
        return redirect("report_edit", pk=already.report.pk)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("my_clinics")
    messages.success(
        request, _("A new report for %(clinic)s has been started.") % {"clinic": clinic.name}
    )
    return redirect("report_edit", pk=report.pk)


def _is_editable(report: Report) -> bool:
    # A closed round freezes its reports even if one somehow kept an open state.
    return report.state in ReportState.open_states() and (
        report.round is None or report.round.is_open
    )


def _render_form(
    request: HttpRequest, report: Report, form: ReportForm, *, submit_refused: str = ""
) -> HttpResponse:
    form.open_sections()
    return render(
        request,
        "clinics/report_form.html",
        {
            "report": report,
            "clinic": report.clinic,
            "form": form,
            "editable": _is_editable(report),
            "submit_refused": submit_refused,
        },
    )


@access.role_required(access.is_reporter)
def report_edit(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(
        access.visible_reports(request.user).select_related(
            "clinic__provider", "catalogue_version", "round"
        ),
        pk=pk,
    )
    if request.method != "POST":
        return _render_form(request, report, ReportForm(report))

    if not _is_editable(report):
        messages.error(request, _("The report is submitted or approved and cannot be changed."))
        return redirect("report_edit", pk=report.pk)
    form = ReportForm(report, data=request.POST)
    # Every answer is checked before any is saved: one wrong answer saves nothing.
    if not form.is_valid():
        return _render_form(request, report, form)
    try:
        form.save(actor=request.user)
    except ApplicationError as error:
        # Someone else submitted the report, or the reporter lost the clinic, meanwhile.
        messages.error(request, error.message)
        return redirect("report_edit", pk=report.pk)

    if request.POST.get("action") != "submit":
        messages.success(request, _("The draft has been saved."))
        return redirect("report_edit", pk=report.pk)
    try:
        submit_report(report=report, actor=request.user)
    except ApplicationError as error:
        if "missing" not in error.extra:
            messages.error(request, error.message)
            return redirect("report_edit", pk=report.pk)
        # The answers given are saved; show the form as stored, with the gaps marked.
        form = ReportForm(report)
        form.mark_missing(error.extra["missing"])
        return _render_form(request, report, form, submit_refused=error.message)
    messages.success(
        request,
        _("The report for %(clinic)s has been submitted for review.")
        % {"clinic": report.clinic.name},
    )
    return redirect("my_clinics")


urlpatterns = [
    path("mina-mottagningar/", my_clinics, name="my_clinics"),
    path("mottagningar/<int:pk>/rapport/ny/", report_start, name="report_start"),
    path("rapporter/<int:pk>/", report_edit, name="report_edit"),
]
