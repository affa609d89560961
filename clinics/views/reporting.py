"""Placeholder until this page is built."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from clinics import access


@access.role_required(access.is_reporter)
def my_clinics(request: HttpRequest, **kwargs) -> HttpResponse:
    return HttpResponse("")


urlpatterns = [
    path("mina-mottagningar/", my_clinics, name="my_clinics"),
]
