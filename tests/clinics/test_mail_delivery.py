"""Mail is recorded in a short transaction, sent after it is committed and outside any
transaction, then marked sent; a mail the server refuses is kept unsent with its answer
and retried with a growing delay, and every mail is still sent once. No job can hang: the
mail server has a timeout and every task a time limit."""

import os
import socket
import subprocess
import sys
import threading
import uuid
from datetime import datetime, timedelta
from io import StringIO
from smtplib import SMTPRecipientsRefused
from zoneinfo import ZoneInfo

import pytest
import time_machine
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings as django_settings
from django.core import mail
from django.core.mail import get_connection
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.db import connection, connections

from clinics.models import Clinic, Notification, NotificationKind, Role
from clinics.notifications.delivery import (
    CHUNK,
    CLAIM_EXPIRES,
    MAX_ATTEMPTS,
    Mail,
    deliver,
    retry_delay,
    send_pending,
)
from halland_utbud.celery import app
from tests.factories import make_clinic, make_user

STOCKHOLM = ZoneInfo("Europe/Stockholm")
NOW = datetime(2026, 3, 2, 9, tzinfo=STOCKHOLM)
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
RETRY_1 = retry_delay(1)

# What each send saw: was a database transaction open? (RecordingBackend)
in_transaction: list[bool] = []


class RecordingBackend(EmailBackend):
    """The test mail server, noting whether a transaction was open as each mail went."""

    def send_messages(self, messages):
        in_transaction.append(connection.in_atomic_block)
        return super().send_messages(messages)


class RefusingOneRecipientBackend(EmailBackend):
    """A mail server that refuses one address and takes the others."""

    def send_messages(self, messages):
        for message in messages:
            if message.to == ["fel@example.se"]:
                raise SMTPRecipientsRefused({"fel@example.se": (550, b"No such user")})
        return super().send_messages(messages)


class StoppedAfterOneBackend(EmailBackend):
    """The first mail goes; then the task's time limit stops the sender."""

    def send_messages(self, messages):
        if mail.outbox:
            raise SoftTimeLimitExceeded()
        return super().send_messages(messages)


def mails_to(users, key: str = "test:1") -> list[Mail]:
    return [
        Mail(
            recipient=user,
            kind=NotificationKind.ROUND_MANUAL,
            key=key,
            subject=f"Påminnelse till {user.username}",
            body="Rapportera senast 31 mars.\n",
            link="https://utbud.regionhalland.se/mina-mottagningar/",
        )
        for user in users
    ]


def pending_at(moment: datetime) -> int:
    with time_machine.travel(moment, tick=False):
        return send_pending()


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def mail_server_away(settings):
    """The real SMTP backend, pointed at a port where nothing listens."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = unused_port()
    settings.EMAIL_USE_TLS = False


@pytest.fixture
def people(db):
    return [make_user(Role.CLINIC_REPORTER) for _ in range(3)]


def test_the_retry_waits_five_minutes_then_twice_as_long_each_time_up_to_six_hours():
    assert [retry_delay(attempts) for attempts in (1, 2, 3, 4)] == [
        timedelta(minutes=minutes) for minutes in (5, 10, 20, 40)
    ]
    assert retry_delay(7) < retry_delay(8) == retry_delay(MAX_ATTEMPTS) == timedelta(hours=6)


def test_a_mail_server_that_is_away_leaves_the_mails_unsent_and_the_retry_sends_each_once(
    people, mail_server_away, settings
):
    with time_machine.travel(NOW, tick=False):
        assert deliver(mails_to(people)) == 3  # recorded
    rows = list(Notification.objects.all())
    assert [row.sent_at for row in rows] == [None] * 3
    assert {(row.attempts, row.next_attempt_at) for row in rows} == {(1, NOW + RETRY_1)}
    assert all(row.last_error.startswith("ConnectionRefusedError") for row in rows)
    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        assert deliver(mails_to(people)) == 0  # a rerun records and tries nothing

    settings.EMAIL_BACKEND = LOCMEM  # the server is back
    assert pending_at(NOW + timedelta(minutes=4)) == 0  # still waiting its delay
    assert pending_at(NOW + RETRY_1) == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted(user.email for user in people)
    rows = list(Notification.objects.all())
    assert {(row.attempts, row.last_error) for row in rows} == {(2, "")}
    assert all(row.sent_at == NOW + RETRY_1 for row in rows)

    assert pending_at(NOW + timedelta(days=1)) == 0  # a second retry sends nothing
    assert len(mail.outbox) == 3


def test_a_server_that_cannot_be_reached_is_tried_once_a_run_not_once_a_chunk(
    people, mail_server_away, monkeypatch
):
    from clinics.notifications import delivery

    monkeypatch.setattr(delivery, "CHUNK", 2)
    with time_machine.travel(NOW, tick=False):
        assert deliver(mails_to(people)) == 3
    # The first chunk failed; the third mail was not tried and is due for the next run.
    assert sorted(Notification.objects.values_list("attempts", flat=True)) == [0, 1, 1]
    assert pending_at(NOW + timedelta(minutes=1)) == 0
    assert sorted(Notification.objects.values_list("attempts", flat=True)) == [1, 1, 1]


def test_the_command_sends_the_pending_mails_for_a_machine_without_beat(
    people, mail_server_away, settings
):
    with time_machine.travel(NOW, tick=False):
        deliver(mails_to(people))
    settings.EMAIL_BACKEND = LOCMEM
    out = StringIO()
    with time_machine.travel(NOW + RETRY_1, tick=False):
        call_command("send_pending_mails", stdout=out)
    assert out.getvalue().rsplit(" ", 1)[1].strip() == "3"
    assert len(mail.outbox) == 3


def test_a_refused_address_fails_only_its_own_mail(people, settings):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingOneRecipientBackend"
    wrong = make_user(Role.CLINIC_REPORTER, email="fel@example.se")
    with time_machine.travel(NOW, tick=False):
        assert deliver(mails_to([people[0], wrong, people[1]])) == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted([people[0].email, people[1].email])
    failed = Notification.objects.get(sent_at__isnull=True)
    assert failed.recipient == wrong
    assert "No such user" in failed.last_error

    assert pending_at(NOW + RETRY_1) == 0
    failed.refresh_from_db()
    assert failed.attempts == 2
    assert failed.next_attempt_at == NOW + RETRY_1 + retry_delay(2)
    assert len(mail.outbox) == 2


def test_after_the_last_attempt_a_mail_is_left_unsent_with_the_servers_answer(
    people, mail_server_away, settings
):
    with time_machine.travel(NOW, tick=False):
        deliver(mails_to(people[:1]))
    row = Notification.objects.get()
    while row.attempts < MAX_ATTEMPTS:
        pending_at(row.next_attempt_at)
        row.refresh_from_db()
    settings.EMAIL_BACKEND = LOCMEM
    assert pending_at(row.next_attempt_at + timedelta(days=30)) == 0
    row.refresh_from_db()
    assert (row.attempts, row.sent_at) == (MAX_ATTEMPTS, None)
    assert row.last_error.startswith("ConnectionRefusedError")
    assert mail.outbox == []


def test_a_sender_stopped_half_way_keeps_what_it_sent_and_its_other_mails_wait_until_it_is_gone(
    people, settings
):
    settings.EMAIL_BACKEND = f"{__name__}.StoppedAfterOneBackend"
    with time_machine.travel(NOW, tick=False), pytest.raises(SoftTimeLimitExceeded):
        deliver(mails_to(people))
    assert Notification.objects.filter(sent_at__isnull=False).count() == 1
    # The other two are still held by the stopped sender: nobody else sends them yet.
    settings.EMAIL_BACKEND = LOCMEM
    assert pending_at(NOW + timedelta(minutes=30)) == 0
    assert pending_at(NOW + CLAIM_EXPIRES) == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted(user.email for user in people)
    assert not Notification.objects.filter(sent_at__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
def test_no_mail_is_sent_inside_a_transaction(catalogue, settings):
    from clinics.services.rounds import open_round
    from clinics.tasks import send_pending_mails

    settings.EMAIL_BACKEND = f"{__name__}.RecordingBackend"
    in_transaction.clear()
    clinic = make_clinic()
    reporter = make_user(Role.CLINIC_REPORTER, clinics=[clinic])
    # The service commits, and the task queued after the commit sends (in-process here).
    with time_machine.travel(NOW, tick=False):
        open_round(
            name="Uppföljning 2026",
            deadline=NOW.date() + timedelta(days=29),
            clinics=Clinic.objects.filter(pk=clinic.pk),
            selection={"scope": "all"},
            actor=make_user(Role.REGION_ADMIN),
        )
    assert [m.to for m in mail.outbox] == [[reporter.email]]
    assert Notification.objects.get().sent_at == NOW

    # A retry, through its task.
    Notification.objects.update(sent_at=None, next_attempt_at=NOW)
    with time_machine.travel(NOW + RETRY_1, tick=False):
        assert send_pending_mails.delay().get() == 1
    assert in_transaction == [False, False]


@pytest.mark.django_db(transaction=True)
def test_senders_at_once_send_each_mail_once(on_postgresql, settings):
    settings.EMAIL_BACKEND = LOCMEM
    user = make_user(Role.CLINIC_REPORTER)
    count = 2 * CHUNK + 50
    keys = [f"test:{n}" for n in range(count)]
    Notification.objects.bulk_create(
        Notification(
            recipient=user,
            kind=NotificationKind.ROUND_MANUAL,
            key=key,
            subject=key,
            body="Rapportera senast 31 mars.\n",
            link="https://utbud.regionhalland.se/mina-mottagningar/",
            batch=uuid.uuid4(),
        )
        for key in keys
    )

    barrier = threading.Barrier(4)
    totals: list[int] = []

    def sender() -> None:
        try:
            barrier.wait()
            totals.append(send_pending())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sender) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(totals) == count
    assert sorted(m.subject for m in mail.outbox) == sorted(keys)
    assert not Notification.objects.filter(sent_at__isnull=True).exists()


# Nothing hangs


def test_every_task_has_a_time_limit_and_the_nightly_jobs_longer_ones():
    assert (app.conf.task_soft_time_limit, app.conf.task_time_limit) == (5 * 60, 6 * 60)
    nightly = app.tasks["clinics.tasks.run_daily_case_jobs"]
    assert (nightly.soft_time_limit, nightly.time_limit) == (25 * 60, 30 * 60)
    snapshots = app.tasks["followup.tasks.take_nightly_snapshots"]
    assert (snapshots.soft_time_limit, snapshots.time_limit) == (25 * 60, 30 * 60)
    # A sender's rows are held longer than any task may run, so a live one keeps them.
    ours = [task for name, task in app.tasks.items() if not name.startswith("celery.")]
    assert all(
        timedelta(seconds=task.time_limit or app.conf.task_time_limit) < CLAIM_EXPIRES
        for task in ours
    )


def test_beat_sends_pending_mails_every_five_minutes():
    entry = app.conf.beat_schedule["send-pending-mails"]
    assert entry["task"] == "clinics.tasks.send_pending_mails"
    assert entry["task"] in app.tasks
    assert entry["schedule"].minute == set(range(0, 60, 5))


def test_the_mail_server_has_thirty_seconds_to_answer():
    assert django_settings.EMAIL_TIMEOUT == 30
    assert get_connection("django.core.mail.backends.smtp.EmailBackend").timeout == 30


@pytest.mark.parametrize(
    "environment",
    [
        {"CELERY_TASK_SOFT_TIME_LIMIT": "400", "CELERY_TASK_TIME_LIMIT": "300"},
        {"CELERY_TASK_TIME_LIMIT": str(2 * 60 * 60)},
        {"EMAIL_TIMEOUT": "0"},
    ],
)
def test_limits_that_make_no_sense_stop_the_process(environment):
    result = subprocess.run(
        [sys.executable, "-c", "import halland_utbud.settings"],
        env={**os.environ, **environment},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert next(iter(environment)) in result.stderr
