from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path

from clinics import access


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role starts where its work is: regional staff at how the region is doing,
    clinic reporters at their clinics."""
    if access.sees_everything(request.user):
        return redirect("follow_up")
    if access.is_reporter(request.user):
        return redirect("my_clinics")
    raise PermissionDenied


def accessibility(request: HttpRequest) -> HttpResponse:
    """The accessibility statement the law asks for; open to everyone, signed in or not."""
    return render(request, "pages/accessibility.html")


urlpatterns = [
    path("", home, name="home"),
    path("tillganglighet/", accessibility, name="accessibility"),
]
