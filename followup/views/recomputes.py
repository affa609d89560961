"""Recomputing the snapshots by hand, with its progress: a page that works on reload, and
a small JSON status that the page's script polls to update it without one."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from clinics import access
from followup.forms import RecomputeForm
from followup.models import Recompute
from followup.recomputes import start_recompute
from halland_utbud.errors import ApplicationError


@require_POST
@access.role_required(access.is_region_admin)
def recompute_start(request: HttpRequest) -> HttpResponse:
    form = RecomputeForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("period", []):
            messages.error(request, error)
        return redirect("follow_up")
    try:
        recompute = start_recompute(actor=request.user, period=form.cleaned_data["period"])
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("follow_up")
    return redirect("recompute_detail", pk=recompute.pk)


@access.role_required(access.is_region_admin)
def recompute_detail(request: HttpRequest, pk: int) -> HttpResponse:
    recompute = get_object_or_404(Recompute, pk=pk)
    return render(request, "followup/recompute.html", {"recompute": recompute})


@access.role_required(access.is_region_admin)
def recompute_status(request: HttpRequest, pk: int) -> JsonResponse:
    recompute = get_object_or_404(Recompute, pk=pk)
    return JsonResponse(
        {
            "state": recompute.state,
            "state_label": str(recompute.get_state_display()),
            "done": recompute.done,
            "total": recompute.total,
            "in_progress": recompute.in_progress,
        }
    )
