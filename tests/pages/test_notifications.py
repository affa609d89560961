"""The notifications page (each user reads their own mails, and nobody else's) and the
round page's reminder button (region admins only)."""

import re
import uuid
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinics.models import Clinic, Notification, NotificationKind, Role
from clinics.services.rounds import close_round, open_round
from tests.factories import make_clinic, make_user

PAGE = reverse("notifications")


@pytest.fixture(autouse=True)
def english(client):
    """Pages are asserted in English, the msgid language; Swedish comes from the .po."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def notify(user, n: int, *, minutes_ago: int = 0) -> Notification:
    return Notification.objects.create(
        recipient=user,
        kind=NotificationKind.ROUND_OPENED,
        key=f"test:{n}",
        subject=f"Meddelande {n}",
        body=f"Text {n}\n\nhttps://utbud.example/{n}/",
        link=f"https://utbud.example/{n}/",
        batch=uuid.uuid4(),
        created_at=timezone.now() - timedelta(minutes=minutes_ago),
        sent_at=timezone.now(),
    )


# The notifications page


def test_a_user_sees_their_own_notifications_newest_first_with_their_links(client, reviewer):
    notify(reviewer, 1, minutes_ago=30)
    notify(reviewer, 2, minutes_ago=10)
    client.force_login(reviewer)

    html = client.get(PAGE).content.decode()

    assert html.index("Meddelande 2") < html.index("Meddelande 1")
    assert 'href="https://utbud.example/2/"' in html
    assert "Unread" in html


def test_another_users_notifications_are_not_shown(client, reviewer, viewer):
    notify(viewer, 1)
    notify(reviewer, 2)
    client.force_login(reviewer)

    html = client.get(PAGE).content.decode()

    assert "Meddelande 2" in html
    assert "Meddelande 1" not in html
    assert Notification.objects.get(recipient=viewer).read_at is None


def test_what_was_shown_is_read_afterwards(client, reviewer):
    notification = notify(reviewer, 1)
    client.force_login(reviewer)
    client.get(PAGE)

    notification.refresh_from_db()
    assert notification.read_at is not None
    assert "Unread" not in client.get(PAGE).content.decode()


def test_the_page_is_paginated(client, reviewer):
    for n in range(30):
        notify(reviewer, n, minutes_ago=n)
    client.force_login(reviewer)

    first = client.get(PAGE).content.decode()
    second = client.get(PAGE, {"page": 2}).content.decode()

    assert "Meddelande 0<" in first
    assert "Meddelande 24<" in first
    assert "Meddelande 25<" not in first
    assert "Meddelande 25<" in second
    assert "Meddelande 29<" in second
    assert "Page 1 of 2" in first


def test_the_page_costs_the_same_queries_for_3_notifications_as_for_25(client, reviewer):
    client.force_login(reviewer)
    for n in range(3):
        notify(reviewer, n)
    with CaptureQueriesContext(connection) as few:
        assert client.get(PAGE).status_code == 200
    for n in range(3, 25):
        notify(reviewer, n)
    with CaptureQueriesContext(connection) as many:
        assert client.get(PAGE).status_code == 200
    assert len(many) == len(few)


@pytest.mark.parametrize(
    "role", [Role.REGION_ADMIN, Role.REVIEWER, Role.VIEWER, Role.CLINIC_REPORTER]
)
def test_every_signed_in_user_has_the_page_in_the_header(db, client, role):
    client.force_login(make_user(role))
    response = client.get(PAGE)
    assert response.status_code == 200
    assert re.search(
        rf'href="{PAGE}" aria-current="page">Notifications<', response.content.decode()
    )


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


# The reminder button on the round page


@pytest.fixture
def round(catalogue, clinic, other_clinic, region_admin, reporter):
    make_user(Role.CLINIC_REPORTER, clinics=[other_clinic])
    return open_round(
        name="Uppföljning 2026",
        deadline=timezone.localdate() + timedelta(days=30),
        clinics=Clinic.objects.filter(pk__in=[clinic.pk, other_clinic.pk]),
        selection={"scope": "all"},
        actor=region_admin,
    )


def remind_url(round) -> str:
    return reverse("round_remind", args=[round.pk])


def press_on_page(client, round) -> str:
    html = client.get(reverse("round_detail", args=[round.pk])).content.decode()
    return re.search(r'name="press" value="([0-9a-f-]+)"', html).group(1)


def test_a_region_admin_reminds_the_clinics_not_submitted_and_is_told_how_many(
    client, round, region_admin, django_capture_on_commit_callbacks
):
    client.force_login(region_admin)
    html = client.get(reverse("round_detail", args=[round.pk])).content.decode()
    assert "2 clinics of the round have not submitted their reports." in html
    press = press_on_page(client, round)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(remind_url(round), {"press": press})

    assert response.status_code == 302
    [message] = get_messages(response.wsgi_request)
    assert str(message) == (
        "A reminder was sent to the reporters of 2 clinics that have not submitted their reports."
    )
    assert len(mail.outbox) == 2
    assert set(Notification.objects.values_list("kind", flat=True)) == {
        NotificationKind.ROUND_MANUAL
    }

    # The same request again (a double click, a retry) sends nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(remind_url(round), {"press": press})
    *_earlier, message = get_messages(response.wsgi_request)
    assert str(message) == "This reminder has already been sent."
    assert len(mail.outbox) == 2


def test_each_drawing_of_the_page_is_a_new_press(client, round, region_admin):
    client.force_login(region_admin)
    assert press_on_page(client, round) != press_on_page(client, round)


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.CLINIC_REPORTER, Role.VIEWER])
def test_only_region_admins_may_send_the_reminder(
    client, round, role, django_capture_on_commit_callbacks
):
    client.force_login(make_user(role))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(remind_url(round), {"press": str(uuid.uuid4())})
    assert response.status_code == 403
    assert mail.outbox == []
    assert not Notification.objects.exists()


def test_the_reminder_is_post_only_and_needs_a_press(client, round, region_admin):
    client.force_login(region_admin)
    assert client.get(remind_url(round)).status_code == 405
    response = client.post(remind_url(round), {"press": "nej"})
    assert response.status_code == 200
    assert "The reminder could not be sent." in response.content.decode()
    assert not Notification.objects.exists()


def test_a_closed_round_has_no_reminder(client, round, region_admin):
    close_round(round=round, actor=region_admin)
    client.force_login(region_admin)
    assert (
        "Send a reminder"
        not in client.get(reverse("round_detail", args=[round.pk])).content.decode()
    )
    response = client.post(remind_url(round), {"press": str(uuid.uuid4())})
    [message] = get_messages(response.wsgi_request)
    assert "closed" in str(message)


def test_a_round_everyone_has_submitted_in_has_no_button(client, catalogue, region_admin):
    clinic = make_clinic()
    from clinics.services.reports import submit_report
    from tests.factories import answer_everything

    reporter = make_user(Role.CLINIC_REPORTER, clinics=[clinic])
    round = open_round(
        name="Liten omgång",
        deadline=timezone.localdate() + timedelta(days=30),
        clinics=Clinic.objects.filter(pk=clinic.pk),
        selection={"scope": "all"},
        actor=region_admin,
    )
    report = round.reports.get()
    answer_everything(report, reporter)
    submit_report(report=report, actor=reporter)
    client.force_login(region_admin)
    html = client.get(reverse("round_detail", args=[round.pk])).content.decode()
    assert "0 clinics of the round have not submitted their reports." in html
    assert "Send a reminder" not in html
