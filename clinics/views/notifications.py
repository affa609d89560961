"""A user's own notifications: every mail the system sent them, newest first."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from clinics import access

PAGE_SIZE = 25


@access.role_required(access.has_notifications)
def notification_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(
        access.visible_notifications(request.user).only(
            "pk", "subject", "body", "link", "created_at", "read_at"
        ),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    notifications = list(page.object_list)
    unread = [notification.pk for notification in notifications if notification.read_at is None]
    if unread:
        # Shown is read; the page still marks them new this once.
        access.visible_notifications(request.user).filter(pk__in=unread).update(
            read_at=timezone.now()
        )
    return render(
        request,
        "clinics/notification_list.html",
        {"page": page, "notifications": notifications},
    )


urlpatterns = [
    path("meddelanden/", notification_list, name="notifications"),
]
