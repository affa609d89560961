"""Reporting rounds: the list, opening one, its progress page, closing it.

Only region admins run rounds, so only they see these pages: reviewers follow the reports
in their review queue, which can be filtered by round.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from clinics import access
from clinics.forms.fields import apply_service_errors
from clinics.forms.rounds import (
    CloseRoundForm,
    RemindForm,
    RoundForm,
    StatusFilterForm,
    describe_selection,
)
from clinics.models import ReportingRound
from clinics.services import round_reminders, rounds
from halland_utbud.errors import ApplicationError


@access.role_required(access.is_region_admin)
def round_list(request: HttpRequest) -> HttpResponse:
    all_rounds = list(ReportingRound.objects.order_by("-opened_at", "-pk"))
    progress = rounds.progress_by_round(all_rounds, timezone.localdate())
    return render(
        request,
        "clinics/round_list.html",
        {"rows": [(round, progress[round.pk]) for round in all_rounds]},
    )


@access.role_required(access.is_region_admin)
def round_create(request: HttpRequest) -> HttpResponse:
    """Open a round. "Count clinics" shows how many the choice covers without opening it."""
    form = RoundForm(request.POST or None, providers=access.visible_providers(request.user))
    covered = None
    if request.method == "POST" and form.is_valid():
        clinics = form.clinics()
        if "count" in request.POST:
            today = timezone.localdate()
            errors = rounds.validate_round(
                name=form.cleaned_data["name"],
                deadline=form.cleaned_data["deadline"],
                selection=form.selection(),
                today=today,
            )
            apply_service_errors(form, errors, form.SERVICE_FIELDS)
            if not errors:
                covered = rounds.covered_clinics(clinics, today).count()
        else:
            try:
                round = rounds.open_round(
                    name=form.cleaned_data["name"],
                    deadline=form.cleaned_data["deadline"],
                    clinics=clinics,
                    selection=form.selection(),
                    actor=request.user,
                )
            except ApplicationError as error:
                errors = error.extra.get("errors") or {None: error.message}
                apply_service_errors(form, errors, form.SERVICE_FIELDS)
            else:
                count = rounds.round_progress(round, timezone.localdate()).total
                messages.success(
                    request,
                    ngettext(
                        "The round “%(name)s” is open: %(count)d clinic has a report to "
                        "fill in by %(deadline)s.",
                        "The round “%(name)s” is open: %(count)d clinics have a report to "
                        "fill in by %(deadline)s.",
                        count,
                    )
                    % {"name": round.name, "count": count, "deadline": round.deadline.isoformat()},
                )
                return redirect("round_detail", pk=round.pk)
    return render(request, "clinics/round_form.html", {"form": form, "covered": covered})


def _detail(
    request: HttpRequest,
    round: ReportingRound,
    close_form: CloseRoundForm,
    remind_form: RemindForm | None = None,
) -> HttpResponse:
    today = timezone.localdate()
    progress = rounds.round_progress(round, today)
    status_form = StatusFilterForm(request.GET or None)
    reports = rounds.round_reports(
        round,
        today,
        reports=access.visible_reports(request.user),
        status=status_form.chosen(),
    )
    return render(
        request,
        "clinics/round_detail.html",
        {
            "round": round,
            "progress": progress,
            # What the reminder button reaches: the clinics that have not submitted.
            "not_submitted": progress.not_started + progress.draft + progress.returned,
            "remind_form": remind_form or RemindForm(),
            "selection": describe_selection(round.selection),
            "reports": reports,
            "status_form": status_form,
            "close_form": close_form,
        },
    )


def _get_round(pk: int) -> ReportingRound:
    return get_object_or_404(
        ReportingRound.objects.select_related("opened_by", "closed_by"), pk=pk
    )


@access.role_required(access.is_region_admin)
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _get_round(pk), CloseRoundForm())


@access.role_required(access.is_region_admin)
@require_POST
def round_close(request: HttpRequest, pk: int) -> HttpResponse:
    round = _get_round(pk)
    form = CloseRoundForm(request.POST)
    if not form.is_valid():
        return _detail(request, round, form)
    try:
        rounds.close_round(round=round, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("The round “%(name)s” is closed; the reports not approved are frozen.")
            % {"name": round.name},
        )
    return redirect("round_detail", pk=round.pk)


@access.role_required(access.is_region_admin)
@require_POST
def round_remind(request: HttpRequest, pk: int) -> HttpResponse:
    """Remind the clinics that have not submitted, and say how many were reminded."""
    round = _get_round(pk)
    form = RemindForm(request.POST)
    if not form.is_valid():
        return _detail(request, round, CloseRoundForm(), form)
    try:
        count = round_reminders.remind_not_submitted(
            round=round, actor=request.user, press=str(form.cleaned_data["press"])
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            ngettext(
                "A reminder was sent to the reporters of %(count)d clinic that has not "
                "submitted its report.",
                "A reminder was sent to the reporters of %(count)d clinics that have not "
                "submitted their reports.",
                count,
            )
            % {"count": count},
        )
    return redirect("round_detail", pk=round.pk)


urlpatterns = [
    path("rapporteringsomgangar/", round_list, name="round_list"),
    path("rapporteringsomgangar/ny/", round_create, name="round_create"),
    path("rapporteringsomgangar/<int:pk>/", round_detail, name="round_detail"),
    path("rapporteringsomgangar/<int:pk>/stang/", round_close, name="round_close"),
    path("rapporteringsomgangar/<int:pk>/paminn/", round_remind, name="round_remind"),
]
