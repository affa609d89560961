"""Placeholder until this page is built."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from clinics import access


@access.role_required(access.sees_everything)
def overview(request: HttpRequest, **kwargs) -> HttpResponse:
    return HttpResponse("")


urlpatterns = [
    path("oversikt/", overview, name="overview"),
]
