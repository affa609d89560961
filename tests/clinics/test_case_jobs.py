"""The approved period drives compliance on the day; the nightly job expires and reminds,
each mail once."""

from datetime import date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from celery.schedules import crontab
from django.core import mail
from django.core.management import CommandError, call_command
from django.db.models import Q
from django.utils import timezone

from clinics.models import (
    CaseEvent,
    CaseState,
    ExemptionCase,
    Notification,
    NotificationKind,
    RequirementStatusPeriod,
    Role,
    User,
)
from clinics.services.case_jobs import (
    due_reminder_kind,
    run_daily_jobs,
    send_pending_decision_notices,
)
from clinics.services.cases import approve_case, create_case, revoke_case, submit_case
from halland_utbud.celery import app
from requirements.vocabulary import AnswerStatus, ComplianceStatus, ExemptionKind
from tests.api.helpers import approve_answers
from tests.factories import make_user

BOOKING = "webbtidbok.boka_direkt"
STOCKHOLM = ZoneInfo("Europe/Stockholm")


def at(day: date, hour: int = 9):
    return datetime(day.year, day.month, day.day, hour, tzinfo=STOCKHOLM)


def approved_case(clinic, reporter, reviewer, *, valid_from, valid_until):
    """A case requested, submitted and approved on ``valid_from``."""
    with time_machine.travel(at(valid_from), tick=False):
        case = create_case(
            clinic=clinic,
            requirement=clinic_requirement(),
            actor=reporter,
            exemption_kind=ExemptionKind.REQUEST_APPOINTMENT,
            reason_category="technical",
            justification="Journalsystemet saknar stöd för direktbokning.",
            requested_from=valid_from,
            requested_until=valid_until,
        )
        submit_case(case=case, actor=reporter)
        case = approve_case(
            case=case, actor=reviewer, valid_from=valid_from, valid_until=valid_until
        )
        # The test transaction never commits, so send the decision mail here, out of the way.
        send_pending_decision_notices(valid_from)
    mail.outbox.clear()
    return case


def clinic_requirement():
    from requirements.models import Requirement

    return Requirement.objects.get(code=BOOKING)


def booking_status(clinic, on_date):
    """The clinic's web booking on the day (default today), as its timeline has it."""
    day = on_date or timezone.localdate()
    return RequirementStatusPeriod.objects.on(day).get(clinic=clinic, requirement_code=BOOKING)


def run_on(day: date):
    """The nightly job as beat would run it, on ``day`` at 02:15."""
    with time_machine.travel(datetime(day.year, day.month, day.day, 2, 15, tzinfo=STOCKHOLM)):
        return run_daily_jobs()


@pytest.fixture
def not_booking_directly(catalogue, clinic):
    """The clinic's approved report says it does not offer direct booking."""
    with time_machine.travel(at(date(2026, 1, 5)), tick=False):
        return approve_answers(clinic, {BOOKING: AnswerStatus.NOT_MET})


def test_an_exemption_counts_in_its_period_and_not_the_day_after_it_ends(
    not_booking_directly, clinic, reporter, reviewer
):
    approved_case(
        clinic, reporter, reviewer, valid_from=date(2026, 3, 2), valid_until=date(2026, 3, 31)
    )

    assert booking_status(clinic, date(2026, 3, 1)).status == ComplianceStatus.NOT_COMPLIANT
    inside = booking_status(clinic, date(2026, 3, 31))
    assert inside.status == ComplianceStatus.COMPLIANT_BY_EXEMPTION
    assert inside.exemption_until == date(2026, 3, 31)
    # Before any job has run: the dates alone decide.
    with time_machine.travel(at(date(2026, 4, 1)), tick=False):
        assert booking_status(clinic, None).status == ComplianceStatus.NOT_COMPLIANT
    assert ExemptionCase.objects.get().state == CaseState.APPROVED


def test_the_nightly_job_expires_the_case_and_sends_the_expiry_mail_once(
    not_booking_directly, clinic, reporter, reviewer
):
    case = approved_case(
        clinic, reporter, reviewer, valid_from=date(2026, 3, 2), valid_until=date(2026, 3, 31)
    )
    run_on(date(2026, 3, 31))  # its last day: still approved
    assert ExemptionCase.objects.get().state == CaseState.APPROVED
    mail.outbox.clear()

    counts = run_on(date(2026, 4, 1))

    case.refresh_from_db()
    assert case.state == CaseState.EXPIRED
    expiry = case.events.last()
    assert (expiry.actor, expiry.from_state, expiry.to_state) == (
        None,
        CaseState.APPROVED,
        CaseState.EXPIRED,
    )
    assert (counts.expired, counts.expiry_notices, counts.reminders) == (1, 1, 0)
    # Every reviewer, and every reporter of the clinic (approve_answers made one more each).
    expected = User.objects.filter(
        Q(role=Role.REVIEWER) | Q(role=Role.CLINIC_REPORTER, clinics=clinic)
    ).values_list("email", flat=True)
    assert len(expected) == 4
    assert sorted(message.to[0] for message in mail.outbox) == sorted(expected)
    assert all("2026-03-31" in message.body for message in mail.outbox)
    # The past stays as it was: the expired approval still counts for March.
    assert booking_status(clinic, date(2026, 3, 15)).status == (
        ComplianceStatus.COMPLIANT_BY_EXEMPTION
    )

    mail.outbox.clear()
    again = run_on(date(2026, 4, 1))
    later = run_on(date(2026, 4, 2))
    assert (again.expired, again.expiry_notices, later.expired, later.expiry_notices) == (
        0,
        0,
        0,
        0,
    )
    assert mail.outbox == []
    assert CaseEvent.objects.filter(case=case, to_state=CaseState.EXPIRED).count() == 1


def test_the_30_7_and_1_day_reminders_go_out_once_each_over_consecutive_nights(
    catalogue, clinic, reporter, reviewer
):
    case = approved_case(
        clinic, reporter, reviewer, valid_from=date(2026, 4, 1), valid_until=date(2026, 5, 31)
    )
    coordinator = make_user(Role.CLINIC_REPORTER, providers=[clinic.provider])
    # The reviewers' digest of the submitted case goes out too; it is not a reminder.
    case_mails = Notification.objects.exclude(kind=NotificationKind.REVIEW_DIGEST)
    sent_on: dict[date, list[str]] = {}
    day = date(2026, 4, 1)
    while day <= date(2026, 6, 2):
        before = set(case_mails.values_list("kind", flat=True))
        run_on(day)
        run_on(day)  # a rerun the same night sends nothing more
        new = set(case_mails.values_list("kind", flat=True)) - before
        if new:
            sent_on[day] = sorted(new)
        day += timedelta(days=1)

    assert sent_on == {
        date(2026, 5, 1): [NotificationKind.CASE_30_DAYS],
        date(2026, 5, 24): [NotificationKind.CASE_7_DAYS],
        date(2026, 5, 30): [NotificationKind.CASE_1_DAY],
        date(2026, 6, 1): [NotificationKind.CASE_EXPIRED],
    }
    recipients = sorted([reporter.email, coordinator.email, reviewer.email])
    digests = set(
        Notification.objects.filter(kind=NotificationKind.REVIEW_DIGEST).values_list(
            "subject", flat=True
        )
    )
    reminders = [message for message in mail.outbox if message.subject not in digests]
    assert len(reminders) == 4 * len(recipients)
    for first in range(0, len(reminders), len(recipients)):
        batch = reminders[first : first + len(recipients)]
        assert sorted(message.to[0] for message in batch) == recipients
    assert "30 dagar" in reminders[0].subject or "30 days" in reminders[0].subject
    case.refresh_from_db()
    assert case.state == CaseState.EXPIRED


def test_a_missed_reminder_is_replaced_by_the_nearest_due_one(
    catalogue, clinic, reporter, reviewer
):
    approved_case(
        clinic, reporter, reviewer, valid_from=date(2026, 4, 1), valid_until=date(2026, 4, 21)
    )
    first = run_on(date(2026, 4, 1))  # 20 days left: the 30-day reminder
    nothing = run_on(date(2026, 4, 10))  # 11 days left: already reminded
    # The job did not run between 14 and 19 April: the 7-day reminder is missed.
    last = run_on(date(2026, 4, 20))  # 1 day left

    assert (first.reminders, nothing.reminders, last.reminders) == (1, 0, 1)
    assert sorted(
        set(
            Notification.objects.exclude(kind=NotificationKind.CASE_DECISION).values_list(
                "kind", flat=True
            )
        )
    ) == sorted([NotificationKind.CASE_30_DAYS, NotificationKind.CASE_1_DAY])


@pytest.mark.parametrize(
    ("days_left", "kind"),
    [
        (31, None),
        (30, NotificationKind.CASE_30_DAYS),
        (8, NotificationKind.CASE_30_DAYS),
        (7, NotificationKind.CASE_7_DAYS),
        (2, NotificationKind.CASE_7_DAYS),
        (1, NotificationKind.CASE_1_DAY),
        (0, NotificationKind.CASE_1_DAY),
        (-1, None),
    ],
)
def test_the_reminder_due_depends_on_the_days_left(days_left, kind):
    assert due_reminder_kind(days_left) == kind


def test_reminders_go_to_the_clinics_reporters_and_the_reviewers_only(
    catalogue, clinic, other_clinic, reporter, reviewer
):
    coordinator = make_user(Role.CLINIC_REPORTER, providers=[clinic.provider])
    make_user(Role.CLINIC_REPORTER, clinics=[other_clinic])
    make_user(Role.VIEWER)
    make_user(Role.REGION_ADMIN)
    make_user(Role.REVIEWER, is_active=False)
    make_user(Role.REVIEWER, email="")
    approved_case(
        clinic, reporter, reviewer, valid_from=date(2026, 4, 1), valid_until=date(2026, 4, 8)
    )
    run_on(date(2026, 4, 1))
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [reporter.email, coordinator.email, reviewer.email]
    )


def test_a_revoked_exemption_counts_only_before_the_day_it_was_revoked(
    not_booking_directly, clinic, reporter, reviewer
):
    case = approved_case(
        clinic, reporter, reviewer, valid_from=date(2026, 3, 2), valid_until=date(2026, 6, 30)
    )
    with time_machine.travel(at(date(2026, 4, 15)), tick=False):
        revoke_case(case=case, actor=make_user(Role.REVIEWER), comment="Direktbokning finns.")

    assert booking_status(clinic, date(2026, 4, 14)).status == (
        ComplianceStatus.COMPLIANT_BY_EXEMPTION
    )
    assert booking_status(clinic, date(2026, 4, 15)).status == ComplianceStatus.NOT_COMPLIANT
    assert run_on(date(2026, 7, 1)).expired == 0


def test_the_command_runs_the_jobs_for_a_given_date_and_prints_the_counts(
    catalogue, clinic, reporter, reviewer
):
    approved_case(
        clinic, reporter, reviewer, valid_from=date(2026, 3, 2), valid_until=date(2026, 3, 31)
    )
    out = StringIO()
    call_command("run_daily_jobs", "--date", "2026-04-01", stdout=out)
    lines = out.getvalue().splitlines()
    assert [line.rsplit(" ", 1)[1] for line in lines] == ["1", "1", "0", "0", "0", "0", "0", "0"]
    assert ExemptionCase.objects.get().state == CaseState.EXPIRED

    out = StringIO()
    call_command("run_daily_jobs", "--date", "2026-04-01", stdout=out)
    assert [line.rsplit(" ", 1)[1] for line in out.getvalue().splitlines()] == ["0"] * 8


def test_the_command_refuses_a_malformed_date(db):
    with pytest.raises(CommandError):
        call_command("run_daily_jobs", "--date", "1 april")


def test_beat_runs_the_nightly_job_at_a_quarter_past_two_stockholm_time():
    entry = app.conf.beat_schedule["daily-case-jobs"]
    assert entry["task"] == "clinics.tasks.run_daily_case_jobs"
    assert entry["schedule"] == crontab(hour=2, minute=15)
    assert str(app.conf.timezone) == "Europe/Stockholm"
    assert entry["task"] in app.tasks


def test_the_celery_task_runs_the_jobs(catalogue, clinic, reporter, reviewer):
    from clinics.tasks import run_daily_case_jobs

    approved_case(
        clinic, reporter, reviewer, valid_from=date(2026, 3, 2), valid_until=date(2026, 3, 31)
    )
    with time_machine.travel(at(date(2026, 4, 1), hour=2)):
        assert run_daily_case_jobs.apply().get()["expired"] == 1
