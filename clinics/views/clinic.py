"""The clinic page: its facts, its compliance requirement by requirement, and a history tab
of who changed what and when."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from clinics import access
from clinics.clinic_page import added_sections, clinic_page
from clinics.forms.clinic import OnDateForm
from clinics.history import clinic_history
from clinics.models import Clinic, User

HISTORY_PAGE_SIZE = 50


def may_see_clinic_pages(user: User) -> bool:
    """Regional staff see every clinic; a clinic reporter only their own, which
    ``_clinic_for`` enforces with a 404 for any other."""
    return access.sees_everything(user) or access.is_reporter(user)


def _clinic_for(request: HttpRequest, pk: int) -> Clinic:
    return access.get_clinic_for_user(request.user, pk)


@access.role_required(may_see_clinic_pages)
def clinic_detail(request: HttpRequest, pk: int) -> HttpResponse:
    clinic = _clinic_for(request, pk)
    date_form = OnDateForm(request.GET)
    page = clinic_page(clinic, date_form.day())
    current = page.current_report
    return render(
        request,
        "clinics/clinic_detail.html",
        {
            "clinic": clinic,
            "page": page,
            "added_sections": added_sections(page, request.user),
            "date_form": date_form,
            "is_today": page.on_date == timezone.localdate(),
            # get_clinic_for_user has already said the clinic is theirs.
            "is_clinic_reporter": access.is_reporter(request.user),
            # The link to the review page, for a reviewer whom the four-eyes rule allows.
            "may_review": current is not None
            and current.is_submitted
            and access.may_review(request.user, current),
        },
    )


@access.role_required(may_see_clinic_pages)
def clinic_history_view(request: HttpRequest, pk: int) -> HttpResponse:
    clinic = _clinic_for(request, pk)
    paginator = Paginator(clinic_history(clinic), HISTORY_PAGE_SIZE)
    entries = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "clinics/clinic_history.html",
        {"clinic": clinic, "entries": entries, "paginator": paginator},
    )


urlpatterns = [
    path("mottagningar/<int:pk>/", clinic_detail, name="clinic_detail"),
    path("mottagningar/<int:pk>/historik/", clinic_history_view, name="clinic_history"),
]
