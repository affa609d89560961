"""Every mail is recorded before it is sent and sent once: a round opened, its reminders
14 and 3 days before the deadline and the late notice the day after, a report returned
or approved, the reviewers' daily digest, and the reminder a region admin sends by hand.
Each mail is text and HTML, with a link from SITE_URL."""

from datetime import date, datetime, timedelta
from smtplib import SMTPException
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clinics.models import Answer, Clinic, Notification, NotificationKind, Role
from clinics.notifications.delivery import send_pending
from clinics.notifications.rounds import due_round_notice, send_round_opened
from clinics.services.case_jobs import run_daily_jobs
from clinics.services.cases import create_case, submit_case
from clinics.services.reports import approve_report, return_report, submit_report
from clinics.services.round_reminders import remind_not_submitted
from clinics.services.rounds import open_round
from halland_utbud.errors import ApplicationError, NotAllowed
from requirements.vocabulary import AnswerStatus, ExemptionKind
from tests.factories import make_clinic, make_provider, make_user

STOCKHOLM = ZoneInfo("Europe/Stockholm")
OPENED = date(2026, 3, 2)
DEADLINE = date(2026, 3, 31)


def at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=STOCKHOLM)


def nightly(day: date):
    """The nightly job as beat runs it, at 02:15 on ``day``."""
    with time_machine.travel(at(day, 2).replace(minute=15), tick=False):
        return run_daily_jobs()


def open_on(day: date, clinics, actor, *, deadline=DEADLINE, name="Uppföljning 2026"):
    with time_machine.travel(at(day), tick=False):
        return open_round(
            name=name,
            deadline=deadline,
            clinics=Clinic.objects.filter(pk__in=[clinic.pk for clinic in clinics]),
            selection={"scope": "all"},
            actor=actor,
        )


def answer_all(report, actor) -> None:
    Answer.objects.bulk_create(
        Answer(
            report=report,
            requirement=requirement,
            status=AnswerStatus.MET,
            reported_by=actor,
            reported_at=report.created_at,
        )
        for requirement in report.catalogue_version.requirements.all()
    )


def report_of(round, clinic):
    return round.reports.get(clinic=clinic)


def sent_to(kind: str) -> list[str]:
    return sorted(
        Notification.objects.filter(kind=kind).values_list("recipient__email", flat=True)
    )


def html_of(message) -> str:
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = "https://utbud.regionhalland.se"


@pytest.fixture
def region(catalogue):
    """Three clinics of one provider, whose coordinator reports for all three, each with
    a reporter of its own; a fourth clinic elsewhere with its own reporter."""
    provider = make_provider()
    clinics = [make_clinic(provider=provider, name=f"Vårdcentralen {n}") for n in "ABC"]
    elsewhere = make_clinic(name="Vårdcentralen Annanstans")
    people = {
        "coordinator": make_user(Role.CLINIC_REPORTER, providers=[provider]),
        **{
            f"reporter {clinic.name[-1]}": make_user(Role.CLINIC_REPORTER, clinics=[clinic])
            for clinic in clinics
        },
        "elsewhere": make_user(Role.CLINIC_REPORTER, clinics=[elsewhere]),
        "reviewer": make_user(Role.REVIEWER),
        "admin": make_user(Role.REGION_ADMIN),
    }
    # Nobody to mail: no longer active, or without an address.
    make_user(Role.CLINIC_REPORTER, clinics=[clinics[0]], is_active=False)
    make_user(Role.CLINIC_REPORTER, clinics=[clinics[0]], email="")
    return clinics, elsewhere, people


# Opening a round


def test_opening_a_round_mails_each_reporter_once_with_the_deadline_and_a_link(
    region, django_capture_on_commit_callbacks
):
    clinics, _elsewhere, people = region
    with django_capture_on_commit_callbacks(execute=True):
        round = open_on(OPENED, clinics[:2], people["admin"])

    expected = sorted(people[name].email for name in ("coordinator", "reporter A", "reporter B"))
    assert sorted(message.to[0] for message in mail.outbox) == expected
    coordinator = next(m for m in mail.outbox if m.to == [people["coordinator"].email])
    assert round.name in coordinator.subject
    assert "2026-03-31" in coordinator.subject
    assert "Vårdcentralen A" in coordinator.body
    assert "Vårdcentralen B" in coordinator.body
    assert "Vårdcentralen C" not in coordinator.body
    link = "https://utbud.regionhalland.se/mina-mottagningar/"
    assert link in coordinator.body
    assert f'href="{link}"' in html_of(coordinator)
    notification = Notification.objects.get(recipient=people["coordinator"])
    assert (notification.kind, notification.link) == (NotificationKind.ROUND_OPENED, link)
    assert notification.sent_at is not None

    # A retry of the task, or the nightly catch-up, sends nothing more.
    assert send_round_opened(round.pk) == 0
    assert nightly(OPENED + timedelta(days=1)).round_notices == 0
    assert len(mail.outbox) == 3


def test_an_opening_mail_whose_task_never_ran_goes_out_with_the_nightly_job(region):
    clinics, _elsewhere, people = region
    open_on(OPENED, clinics, people["admin"])  # the test's transaction never commits
    assert mail.outbox == []

    assert nightly(OPENED + timedelta(days=1)).round_notices == 4
    assert sent_to(NotificationKind.ROUND_OPENED) == sorted(
        people[name].email for name in ("coordinator", "reporter A", "reporter B", "reporter C")
    )


def test_the_opening_mails_cost_the_same_queries_for_two_clinics_as_for_twelve(catalogue):
    admin = make_user(Role.REGION_ADMIN)

    def queries_for(count: int, name: str) -> int:
        provider = make_provider()
        make_user(Role.CLINIC_REPORTER, providers=[provider])
        clinics = [make_clinic(provider=provider) for _ in range(count)]
        for clinic in clinics:
            make_user(Role.CLINIC_REPORTER, clinics=[clinic])
        round = open_on(OPENED, clinics, admin, name=name)
        with CaptureQueriesContext(connection) as context:
            sent = send_round_opened(round.pk)
        assert sent == count + 1
        return len(context.captured_queries)

    assert queries_for(2, "Liten") == queries_for(12, "Stor")


# Reminders and the late notice


@pytest.mark.parametrize(
    ("opened", "today", "kind"),
    [
        (OPENED, date(2026, 3, 16), None),  # 15 days left
        (OPENED, date(2026, 3, 17), NotificationKind.ROUND_REMINDER_14),
        (OPENED, date(2026, 3, 27), NotificationKind.ROUND_REMINDER_14),  # 4 left: catch-up
        (OPENED, date(2026, 3, 28), NotificationKind.ROUND_REMINDER_3),
        (OPENED, DEADLINE, NotificationKind.ROUND_REMINDER_3),
        (OPENED, date(2026, 4, 1), NotificationKind.ROUND_LATE),
        (OPENED, date(2026, 4, 7), NotificationKind.ROUND_LATE),
        (OPENED, date(2026, 4, 8), None),  # a week late: no longer worth sending
        # Opened 10 days before the deadline: the opening mail said it, not a "14 days".
        (date(2026, 3, 21), date(2026, 3, 22), None),
        (date(2026, 3, 21), date(2026, 3, 28), NotificationKind.ROUND_REMINDER_3),
    ],
)
def test_the_notice_due_depends_on_the_days_left_and_when_the_round_opened(opened, today, kind):
    from clinics.models import ReportingRound

    round = ReportingRound(deadline=DEADLINE, opened_at=at(opened))
    assert due_round_notice(round, today) == kind


def test_reminders_go_14_and_3_days_before_and_the_late_notice_the_day_after_once_each(
    region,
):
    clinics, elsewhere, people = region
    a, b, _c = clinics
    round = open_on(OPENED, [*clinics, elsewhere], people["admin"])
    reviewer = people["reviewer"]
    # A submits and is approved, B submits, C and elsewhere stay drafts.
    with time_machine.travel(at(date(2026, 3, 10)), tick=False):
        for clinic, reporter in ((a, "reporter A"), (b, "reporter B")):
            report = report_of(round, clinic)
            answer_all(report, people[reporter])
            submit_report(report=report, actor=people[reporter])
        approve_report(report=report_of(round, a), actor=reviewer)

    sent_on: dict[date, list[str]] = {}
    kinds = [
        NotificationKind.ROUND_REMINDER_14,
        NotificationKind.ROUND_REMINDER_3,
        NotificationKind.ROUND_LATE,
    ]
    day = OPENED
    while day <= date(2026, 4, 12):
        if day == date(2026, 3, 30):
            # B is returned before the deadline, and is then not submitted again.
            with time_machine.travel(at(day), tick=False):
                return_report(report=report_of(round, b), actor=reviewer, comment="Länkar.")
        before = set(Notification.objects.filter(kind__in=kinds).values_list("pk", flat=True))
        nightly(day)
        nightly(day)  # a rerun the same night sends nothing more
        new = Notification.objects.filter(kind__in=kinds).exclude(pk__in=before)
        if new:
            sent_on[day] = sorted({notification.kind for notification in new})
        day += timedelta(days=1)

    assert sent_on == {
        date(2026, 3, 17): [NotificationKind.ROUND_REMINDER_14],
        date(2026, 3, 28): [NotificationKind.ROUND_REMINDER_3],
        # B's own reporter, once B was returned: the 3-day reminder they had not had.
        date(2026, 3, 30): [NotificationKind.ROUND_REMINDER_3],
        date(2026, 4, 1): [NotificationKind.ROUND_LATE],
    }
    # Before the deadline: the clinics that had not submitted (C and elsewhere); the
    # coordinator once, for C alone. After it: those still late, B returned among them.
    not_submitted = sorted(
        people[name].email for name in ("coordinator", "reporter C", "elsewhere")
    )
    assert sent_to(NotificationKind.ROUND_REMINDER_14) == not_submitted
    assert sent_to(NotificationKind.ROUND_REMINDER_3) == sorted(
        [*not_submitted, people["reporter B"].email]
    )
    assert sent_to(NotificationKind.ROUND_LATE) == sorted(
        people[name].email for name in ("coordinator", "reporter B", "reporter C", "elsewhere")
    )
    late = Notification.objects.get(
        kind=NotificationKind.ROUND_LATE, recipient=people["coordinator"]
    )
    assert "Vårdcentralen B" in late.body
    assert "Vårdcentralen C" in late.body
    assert "Vårdcentralen A" not in late.body
    assert late.link == "https://utbud.regionhalland.se/mina-mottagningar/"
    message = next(m for m in mail.outbox if m.subject == late.subject)
    assert late.link in html_of(message)


def test_a_closed_round_reminds_nobody(region):
    from clinics.services.rounds import close_round

    clinics, _elsewhere, people = region
    round = open_on(OPENED, clinics, people["admin"])
    nightly(OPENED + timedelta(days=1))
    with time_machine.travel(at(date(2026, 3, 5)), tick=False):
        close_round(round=round, actor=people["admin"])
    for day in (date(2026, 3, 17), date(2026, 3, 28), date(2026, 4, 1)):
        assert nightly(day).round_notices == 0


# Reports returned or approved


def submitted_report(region):
    clinics, _elsewhere, people = region
    round = open_on(OPENED, clinics[:1], people["admin"])
    report = report_of(round, clinics[0])
    with time_machine.travel(at(date(2026, 3, 10)), tick=False):
        answer_all(report, people["reporter A"])
        submit_report(report=report, actor=people["reporter A"])
    mail.outbox.clear()
    return report, people


def test_a_returned_report_mails_the_clinics_reporters_once_with_a_link_to_the_form(
    region, django_capture_on_commit_callbacks
):
    report, people = submitted_report(region)
    with django_capture_on_commit_callbacks(execute=True):
        return_report(report=report, actor=people["reviewer"], comment="Länkarna saknas.")

    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [people["coordinator"].email, people["reporter A"].email]
    )
    message = mail.outbox[0]
    assert message.subject == "Rapporten behöver kompletteras: Vårdcentralen A"
    assert "Länkarna saknas." in message.body
    link = f"https://utbud.regionhalland.se/rapporter/{report.pk}/"
    assert link in message.body
    assert link in html_of(message)
    assert set(Notification.objects.values_list("kind", flat=True)) == {
        NotificationKind.REPORT_RETURNED
    }
    # The nightly catch-up finds nothing left to send.
    assert nightly(date.today()).report_decision_notices == 0
    assert len(mail.outbox) == 2


def test_an_approved_report_mails_the_reporters_with_a_link_to_the_clinic(
    region, django_capture_on_commit_callbacks
):
    report, people = submitted_report(region)
    with django_capture_on_commit_callbacks(execute=True):
        approve_report(report=report, actor=people["reviewer"])

    assert len(mail.outbox) == 2
    link = f"https://utbud.regionhalland.se/mottagningar/{report.clinic_id}/"
    assert all(link in m.body and link in html_of(m) for m in mail.outbox)
    assert sent_to(NotificationKind.REPORT_APPROVED) == sorted(
        [people["coordinator"].email, people["reporter A"].email]
    )


def test_a_decision_mail_whose_task_never_ran_goes_out_with_the_nightly_job(region):
    report, people = submitted_report(region)
    with time_machine.travel(at(date(2026, 3, 11)), tick=False):
        approve_report(report=report, actor=people["reviewer"])
    assert mail.outbox == []
    assert nightly(date(2026, 3, 12)).report_decision_notices == 2
    assert nightly(date(2026, 3, 13)).report_decision_notices == 0


# The reviewers' daily digest


def submit_case_for(clinic, reporter, catalogue):
    case = create_case(
        clinic=clinic,
        requirement=catalogue.requirements.get(code="webbtidbok.boka_direkt"),
        actor=reporter,
        exemption_kind=ExemptionKind.REQUEST_APPOINTMENT,
        reason_category="technical",
        justification="Journalsystemet saknar stöd för direktbokning.",
        requested_from=date(2026, 4, 1),
        requested_until=date(2026, 9, 30),
    )
    return submit_case(case=case, actor=reporter)


def test_reviewers_get_one_digest_a_day_of_what_was_submitted_since_the_last(region, catalogue):
    clinics, _elsewhere, people = region
    second_reviewer = make_user(Role.REVIEWER)
    make_user(Role.REVIEWER, is_active=False)
    round = open_on(OPENED, clinics, people["admin"])
    nightly(date(2026, 3, 3))  # the opening mails
    with time_machine.travel(at(date(2026, 3, 3), hour=14), tick=False):
        for clinic, reporter in ((clinics[0], "reporter A"), (clinics[1], "reporter B")):
            report = report_of(round, clinic)
            answer_all(report, people[reporter])
            submit_report(report=report, actor=people[reporter])
        submit_case_for(clinics[0], people["reporter A"], catalogue)
    mail.outbox.clear()

    assert nightly(date(2026, 3, 4)).review_digests == 2
    assert nightly(date(2026, 3, 4)).review_digests == 0  # a rerun
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [people["reviewer"].email, second_reviewer.email]
    )
    digest = mail.outbox[0]
    assert "3" in digest.subject
    assert "Vårdcentralen A" in digest.body
    assert "Vårdcentralen B" in digest.body
    assert "https://utbud.regionhalland.se/granskning/" in digest.body
    assert "https://utbud.regionhalland.se/granskning/" in html_of(digest)

    # Nothing new: no digest. Something new: a digest of that alone.
    assert nightly(date(2026, 3, 5)).review_digests == 0
    with time_machine.travel(at(date(2026, 3, 5), hour=10), tick=False):
        report = report_of(round, clinics[2])
        answer_all(report, people["reporter C"])
        submit_report(report=report, actor=people["reporter C"])
    mail.outbox.clear()
    assert nightly(date(2026, 3, 6)).review_digests == 2
    assert "Vårdcentralen C" in mail.outbox[0].body
    assert "Vårdcentralen A" not in mail.outbox[0].body
    assert "1" in mail.outbox[0].subject


# The reminder sent by hand


def test_a_manual_reminder_goes_to_the_clinics_not_submitted_once_per_press(
    region, django_capture_on_commit_callbacks
):
    clinics, elsewhere, people = region
    round = open_on(OPENED, [*clinics, elsewhere], people["admin"])
    with time_machine.travel(at(date(2026, 3, 10)), tick=False):
        report = report_of(round, clinics[0])
        answer_all(report, people["reporter A"])
        submit_report(report=report, actor=people["reporter A"])
    mail.outbox.clear()

    press = "6f1c1a0e-5d0e-4a53-9d1a-3f3f0c6a2a10"
    with django_capture_on_commit_callbacks(execute=True):
        count = remind_not_submitted(round=round, actor=people["admin"], press=press)
    assert count == 3  # B, C and elsewhere
    expected = sorted(
        people[name].email for name in ("coordinator", "reporter B", "reporter C", "elsewhere")
    )
    assert sorted(m.to[0] for m in mail.outbox) == expected
    assert all("2026-03-31" in m.body and html_of(m) for m in mail.outbox)
    assert set(Notification.objects.values_list("sent_by", flat=True)) == {people["admin"].pk}

    # The same press again (a request sent twice): refused, nothing sent.
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ApplicationError):
        remind_not_submitted(round=round, actor=people["admin"], press=press)
    assert len(mail.outbox) == 4

    # A new press is a new reminder.
    with django_capture_on_commit_callbacks(execute=True):
        remind_not_submitted(
            round=round, actor=people["admin"], press="0b9d6c1e-1111-4a53-9d1a-3f3f0c6a2a10"
        )
    assert len(mail.outbox) == 8


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.CLINIC_REPORTER, Role.VIEWER])
def test_only_region_admins_send_a_manual_reminder(region, role):
    clinics, _elsewhere, people = region
    round = open_on(OPENED, clinics, people["admin"])
    with pytest.raises(NotAllowed):
        remind_not_submitted(
            round=round, actor=make_user(role), press="6f1c1a0e-5d0e-4a53-9d1a-3f3f0c6a2a10"
        )
    assert not Notification.objects.exists()


# Sending


class RefusingBackend(BaseEmailBackend):
    """A mail server that is away."""

    def send_messages(self, messages):
        raise SMTPException("The mail server is away.")


def test_a_failed_send_is_recorded_unsent_and_the_retry_sends_it_once(region, settings):
    clinics, _elsewhere, people = region
    round = open_on(OPENED, clinics, people["admin"])
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    with time_machine.travel(at(OPENED, 10), tick=False):
        assert send_round_opened(round.pk) == 4  # recorded, not sent
    assert not Notification.objects.filter(sent_at__isnull=False).exists()
    assert set(Notification.objects.values_list("attempts", "last_error")) == {
        (1, "SMTPException: The mail server is away.")
    }

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send_round_opened(round.pk) == 0  # a rerun records nothing and sends nothing
    with time_machine.travel(at(OPENED, 10).replace(minute=6), tick=False):
        assert send_pending() == 4
        assert send_pending() == 0
    assert len(mail.outbox) == 4
    assert not Notification.objects.filter(sent_at__isnull=True).exists()


def test_mails_are_in_swedish_whatever_language_is_active(
    region, django_capture_on_commit_callbacks
):
    from django.utils import translation

    report, people = submitted_report(region)
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        approve_report(report=report, actor=people["reviewer"])
    assert mail.outbox[0].subject == "Rapporten har godkänts: Vårdcentralen A"


@pytest.mark.parametrize(
    ("decide", "subject", "opening"),
    [
        ("approve", "Er ansökan har godkänts", "Region Halland har godkänt er ansökan."),
        ("reject", "Er ansökan har avslagits", "Region Halland har avslagit er ansökan."),
        ("return", "Er ansökan behöver kompletteras", "Region Halland har skickat tillbaka"),
        ("revoke", "Ett godkännande har återkallats", "Region Halland har återkallat"),
    ],
)
def test_a_case_decision_mail_says_which_decision_it_was(
    catalogue,
    clinic,
    reporter,
    reviewer,
    django_capture_on_commit_callbacks,
    decide,
    subject,
    opening,
):
    from clinics.services.cases import approve_case, reject_case, return_case, revoke_case
    from tests.api.test_cases import approved, submitted

    case = (
        approved(clinic, reporter, catalogue)
        if decide == "revoke"
        else submitted(clinic, reporter, catalogue)
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        if decide == "approve":
            approve_case(case=case, actor=reviewer, valid_from=timezone.localdate())
        elif decide == "reject":
            reject_case(case=case, actor=reviewer, comment="Skälen räcker inte.")
        elif decide == "return":
            return_case(case=case, actor=reviewer, comment="Bifoga utredningen.")
        else:
            revoke_case(case=case, actor=reviewer, comment="Direktbokning finns nu.")

    [message] = mail.outbox
    assert message.subject == f"{subject}: {clinic.name}"
    assert opening in message.body
