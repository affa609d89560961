"""Placeholder until this page is built."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from clinics import access


@access.role_required(access.is_region_admin)
def round_list(request: HttpRequest, **kwargs) -> HttpResponse:
    return HttpResponse("")


urlpatterns = [
    path("rapporteringsomgangar/", round_list, name="round_list"),
]
