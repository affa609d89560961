"""Placeholder until this page is built."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from clinics import access


@access.role_required(access.is_reviewer)
def review_queue(request: HttpRequest, **kwargs) -> HttpResponse:
    return HttpResponse("")


urlpatterns = [
    path("granskning/", review_queue, name="review_queue"),
]
