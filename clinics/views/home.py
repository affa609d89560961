from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path

from clinics import access
from clinics.models import Role, User


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role starts where its work is: regional staff at how the region is doing,
    clinic reporters at their clinics."""
    if access.sees_everything(request.user):
        return redirect("follow_up")
    if access.is_reporter(request.user):
        return redirect("my_clinics")
    if request.user.awaits_role:
        return redirect("no_access")
    raise PermissionDenied


@login_required
def no_access(request: HttpRequest) -> HttpResponse:
    """Someone signed in (with SITHS, the first time) whom no region admin has given a role
    yet: whom to ask, and what to tell them."""
    if not request.user.awaits_role:
        return redirect("home")
    admins = User.objects.filter(role=Role.REGION_ADMIN, is_active=True).order_by(
        "last_name", "first_name", "username"
    )
    return render(request, "pages/no_access.html", {"admins": admins})


def accessibility(request: HttpRequest) -> HttpResponse:
    """The accessibility statement the law asks for; open to everyone, signed in or not."""
    return render(request, "pages/accessibility.html")


urlpatterns = [
    path("", home, name="home"),
    path("tillganglighet/", accessibility, name="accessibility"),
    path("ingen-behorighet/", no_access, name="no_access"),
]
