"""Reporting rounds: opening one gives every covered clinic a pre-filled draft, closing it
freezes what was not approved, and the progress counts come from one query."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clinics.models import Answer, Clinic, Report, ReportEvent, ReportingRound, ReportState, Role
from clinics.services.reports import (
    TRANSITIONS,
    approve_report,
    return_report,
    save_answer,
    start_report,
    submit_report,
)
from clinics.services.rounds import (
    ProgressStatus,
    RoundProgress,
    close_round,
    open_round,
    round_progress,
    round_reports,
)
from halland_utbud.errors import ApplicationError, InvalidTransition, NotAllowed
from requirements.vocabulary import AnswerStatus
from tests.api.helpers import approve_answers, bulk_approved_reports
from tests.factories import answer_everything, make_clinic, make_user

ALL = {"scope": "all"}


def in_days(days: int):
    return timezone.localdate() + timedelta(days=days)


def open_for(clinics, actor, *, name="Uppföljning 2026", deadline=None, selection=ALL):
    return open_round(
        name=name,
        deadline=deadline or in_days(30),
        clinics=Clinic.objects.filter(pk__in=[clinic.pk for clinic in clinics]),
        selection=selection,
        actor=actor,
    )


def answer_in_bulk(report, actor):
    """Every requirement met, straight into the table: save_answer has its own tests, and
    answering forty requirements one by one for many reports makes the tests slow."""
    Answer.objects.bulk_create(
        Answer(
            report=report,
            requirement=requirement,
            status=AnswerStatus.MET,
            reported_by=actor,
            reported_at=timezone.now(),
        )
        for requirement in report.catalogue_version.requirements.all()
    )


def non_insert_queries(context: CaptureQueriesContext) -> list[str]:
    """SQLite allows 999 parameters a statement, so Django splits a large bulk insert or
    update into batches there; PostgreSQL takes each in one statement. What must not grow
    with the number of clinics is everything else, and on PostgreSQL all of it."""
    queries = [query["sql"] for query in context.captured_queries]
    if connection.vendor == "postgresql":
        return queries
    return [sql for sql in queries if not sql.lstrip().upper().startswith(("INSERT", "UPDATE"))]


# Opening


def test_opening_a_round_gives_each_active_clinic_a_draft(catalogue, region_admin):
    clinics = [make_clinic() for _ in range(3)]
    closed = make_clinic(active_until=in_days(-10))

    round = open_for([*clinics, closed], region_admin, selection={"municipality": "1380"})

    assert round.is_open
    assert round.opened_by == region_admin
    assert round.selection == {"municipality": "1380"}
    reports = Report.objects.filter(round=round)
    assert sorted(reports.values_list("clinic_id", flat=True)) == sorted(c.pk for c in clinics)
    assert set(reports.values_list("state", flat=True)) == {ReportState.DRAFT}
    assert set(reports.values_list("catalogue_version", flat=True)) == {catalogue.pk}
    assert not Report.objects.filter(clinic=closed).exists()
    assert (
        list(
            ReportEvent.objects.filter(report__round=round).values_list(
                "actor", "from_state", "to_state"
            )
        )
        == [(region_admin.pk, "", ReportState.DRAFT)] * 3
    )
    # The history says who created the reports, although they were created in bulk.
    assert {h.history_user for h in Report.history.filter(round=round)} == {region_admin}


def test_the_drafts_are_prefilled_with_each_clinics_last_approved_answers(catalogue, region_admin):
    answered, new = make_clinic(), make_clinic()
    requirement = catalogue.requirements.order_by("position").first()
    approved = approve_answers(answered, {requirement.code: AnswerStatus.NOT_MET})

    round = open_for([answered, new], region_admin)

    draft = Report.objects.get(round=round, clinic=answered)
    assert draft.pk != approved.pk
    carried = {a.requirement.code: a for a in draft.answers.select_related("requirement")}
    assert carried.keys() == {a.requirement.code for a in approved.answers.all()}
    assert carried[requirement.code].status == AnswerStatus.NOT_MET
    old = approved.answers.get(requirement__code=requirement.code)
    assert carried[requirement.code].evidence_url == old.evidence_url
    # The answer is still the reporter's; the history says the admin copied it.
    assert carried[requirement.code].reported_by == old.reported_by
    assert carried[requirement.code].history.get().history_user == region_admin
    assert not Report.objects.get(round=round, clinic=new).answers.exists()


def test_a_report_already_in_progress_is_attached_instead_of_a_second_one(
    catalogue, clinic, other_clinic, reporter, region_admin
):
    started = start_report(clinic=clinic, actor=reporter)

    round = open_for([clinic, other_clinic], region_admin)

    started.refresh_from_db()
    assert started.round == round
    assert started.state == ReportState.DRAFT
    assert Report.objects.filter(clinic=clinic).count() == 1
    assert Report.objects.filter(round=round).count() == 2
    assert started.history.first().history_user == region_admin


def test_a_clinic_with_a_report_in_another_open_round_refuses_the_new_round(
    catalogue, clinic, other_clinic, region_admin
):
    open_for([clinic], region_admin, name="Uppföljning 2025")

    with pytest.raises(ApplicationError, match="Uppföljning 2025"):
        open_for([clinic, other_clinic], region_admin, name="Uppföljning 2026")
    assert not ReportingRound.objects.filter(name="Uppföljning 2026").exists()
    assert not Report.objects.filter(clinic=other_clinic).exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"deadline": in_days(-1)}, "deadline"),
        ({"selection": {}}, "selection"),
        ({"name": "  "}, "name"),
    ],
)
def test_a_round_with_a_bad_field_is_refused_and_nothing_is_created(
    catalogue, clinic, region_admin, change, field
):
    arguments = {"name": "Uppföljning 2026", "deadline": in_days(30), "selection": ALL} | change
    with pytest.raises(ApplicationError) as error:
        open_round(clinics=Clinic.objects.all(), actor=region_admin, **arguments)
    assert field in error.value.extra["errors"]
    assert not ReportingRound.objects.exists()
    assert not Report.objects.exists()


def test_a_deadline_today_is_accepted(catalogue, clinic, region_admin):
    assert open_for([clinic], region_admin, deadline=timezone.localdate()).deadline == (
        timezone.localdate()
    )


def test_a_duplicate_name_is_refused_as_a_field_error(catalogue, clinic, region_admin):
    open_for([clinic], region_admin, name="Uppföljning 2026")
    with pytest.raises(ApplicationError) as error:
        open_for([make_clinic()], region_admin, name="uppföljning 2026 ")
    assert "name" in error.value.extra["errors"]
    assert ReportingRound.objects.count() == 1


def test_a_selection_without_active_clinics_is_refused(catalogue, region_admin):
    closed = make_clinic(active_until=in_days(-1))
    with pytest.raises(ApplicationError) as error:
        open_for([closed], region_admin)
    assert "selection" in error.value.extra["errors"]
    assert not ReportingRound.objects.exists()


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.VIEWER, Role.CLINIC_REPORTER])
def test_only_region_admins_open_and_close_rounds(catalogue, clinic, region_admin, role):
    someone = make_user(role, clinics=[clinic])
    with pytest.raises(NotAllowed):
        open_for([clinic], someone)
    assert not ReportingRound.objects.exists()

    round = open_for([clinic], region_admin)
    with pytest.raises(NotAllowed):
        close_round(round=round, actor=someone)
    round.refresh_from_db()
    assert round.is_open


def test_opening_a_round_takes_as_many_queries_for_50_clinics_as_for_5(catalogue, region_admin):
    def queries_to_open(count: int, name: str) -> list[str]:
        clinics = [make_clinic() for _ in range(count)]
        bulk_approved_reports(clinics, catalogue)  # so that every draft is pre-filled
        with CaptureQueriesContext(connection) as context:
            round = open_for(clinics, region_admin, name=name)
        assert Answer.objects.filter(report__round=round).count() == count * (
            catalogue.requirements.filter(area__in_baseline=True).count()
        )
        return non_insert_queries(context)

    few = queries_to_open(5, "Fem")
    many = queries_to_open(50, "Femtio")
    assert len(few) == len(many), "\n".join(many)


# Closing


def test_closing_freezes_the_unapproved_reports_and_leaves_the_approved_ones(
    catalogue, region_admin, reviewer
):
    clinics = [make_clinic() for _ in range(3)]
    round = open_for(clinics, region_admin)
    approved, submitted, draft = (Report.objects.get(round=round, clinic=c) for c in clinics)
    reporter = make_user(Role.CLINIC_REPORTER, clinics=clinics)
    for report in (approved, submitted):
        answer_in_bulk(report, reporter)
        submit_report(report=report, actor=reporter)
    approve_report(report=approved, actor=reviewer)

    closed_round = close_round(round=round, actor=region_admin)

    assert not closed_round.is_open
    assert closed_round.closed_by == region_admin
    states = dict(Report.objects.filter(round=round).values_list("pk", "state"))
    assert states == {
        approved.pk: ReportState.APPROVED,
        submitted.pk: ReportState.CLOSED,
        draft.pk: ReportState.CLOSED,
    }
    closing = ReportEvent.objects.filter(to_state=ReportState.CLOSED)
    assert sorted(closing.values_list("report", "from_state", "actor")) == sorted(
        [
            (submitted.pk, ReportState.SUBMITTED, region_admin.pk),
            (draft.pk, ReportState.DRAFT, region_admin.pk),
        ]
    )
    assert all(event.comment for event in closing)
    assert submitted.history.first().history_user == region_admin
    assert submitted.history.first().state == ReportState.CLOSED


def test_a_frozen_report_can_no_longer_be_answered_submitted_or_decided(
    catalogue, clinic, reporter, reviewer, region_admin
):
    round = open_for([clinic], region_admin)
    report = Report.objects.get(round=round)
    requirement = catalogue.requirements.first()
    close_round(round=round, actor=region_admin)

    with pytest.raises(InvalidTransition):
        save_answer(report=report, requirement=requirement, actor=reporter, status="met")
    with pytest.raises(InvalidTransition):
        submit_report(report=report, actor=reporter)
    with pytest.raises(InvalidTransition):
        approve_report(report=report, actor=reviewer)
    with pytest.raises(InvalidTransition):
        return_report(report=report, actor=reviewer, comment="Komplettera.")
    assert not report.answers.exists()
    report.refresh_from_db()
    assert report.state == ReportState.CLOSED


def test_closed_is_a_final_state_that_no_transition_leaves():
    assert ReportState.CLOSED not in ReportState.open_states()
    assert ReportState.CLOSED in ReportState.final_states()
    assert all(state != ReportState.CLOSED for _action, state in TRANSITIONS)


def test_a_report_of_a_closed_round_is_refused_whatever_its_state_says(
    catalogue, clinic, reporter, region_admin
):
    """Defence in depth: should a report of a closed round ever be open again (a repair
    in the database), the services still refuse to change it."""
    round = open_for([clinic], region_admin)
    report = Report.objects.get(round=round)
    answer_everything(report, reporter)
    close_round(round=round, actor=region_admin)
    Report.objects.filter(pk=report.pk).update(state=ReportState.DRAFT)

    with pytest.raises(InvalidTransition):
        submit_report(report=report, actor=reporter)
    report.refresh_from_db()
    assert report.state == ReportState.DRAFT


def test_after_closing_the_clinic_may_start_a_new_report(
    catalogue, clinic, reporter, region_admin
):
    round = open_for([clinic], region_admin)
    close_round(round=round, actor=region_admin)
    assert start_report(clinic=clinic, actor=reporter).round is None


def test_closing_twice_is_refused(catalogue, clinic, region_admin):
    round = open_for([clinic], region_admin)
    close_round(round=round, actor=region_admin)
    closed_at = ReportingRound.objects.get().closed_at

    with pytest.raises(InvalidTransition):
        close_round(round=round, actor=region_admin)
    assert ReportingRound.objects.get().closed_at == closed_at
    assert ReportEvent.objects.filter(to_state=ReportState.CLOSED).count() == 1


# Progress


@pytest.fixture
def round_in_every_state(catalogue, region_admin, reviewer):
    """Seven clinics: not started x2, draft, submitted, returned, approved x2."""
    clinics = [make_clinic() for _ in range(7)]
    round = open_for(clinics, region_admin, deadline=in_days(10))
    reports = [Report.objects.get(round=round, clinic=c) for c in clinics]
    reporter = make_user(Role.CLINIC_REPORTER, clinics=clinics)
    save_answer(
        report=reports[2],
        requirement=catalogue.requirements.first(),
        actor=reporter,
        status=AnswerStatus.MET,
    )
    for report in reports[3:]:
        answer_in_bulk(report, reporter)
        submit_report(report=report, actor=reporter)
    return_report(report=reports[4], actor=reviewer, comment="Komplettera länkarna.")
    for report in reports[5:]:
        approve_report(report=report, actor=reviewer)
    return round


def test_progress_counts_each_status_and_nothing_is_overdue_before_the_deadline(
    round_in_every_state, django_assert_num_queries
):
    with django_assert_num_queries(1):
        progress = round_progress(round_in_every_state, round_in_every_state.deadline)
    assert progress == RoundProgress(
        not_started=2, draft=1, submitted=1, returned=1, approved=2, closed=0, overdue=0
    )
    assert progress.total == 7


def test_after_the_deadline_every_report_not_yet_approved_is_overdue(round_in_every_state):
    day_after = round_in_every_state.deadline + timedelta(days=1)
    assert round_progress(round_in_every_state, day_after).overdue == 5


def test_a_draft_prefilled_by_the_round_counts_as_not_started_until_someone_answers(
    catalogue, clinic, reporter, region_admin
):
    approve_answers(clinic)
    round = open_for([clinic], region_admin)
    assert round_progress(round, timezone.localdate()).not_started == 1

    report = Report.objects.get(round=round)
    save_answer(
        report=report,
        requirement=catalogue.requirements.first(),
        actor=reporter,
        status=AnswerStatus.NOT_MET,
    )
    assert round_progress(round, timezone.localdate()) == RoundProgress(draft=1)


def test_after_closing_the_frozen_reports_count_as_closed_not_overdue(
    round_in_every_state, region_admin
):
    close_round(round=round_in_every_state, actor=region_admin)
    day_after = round_in_every_state.deadline + timedelta(days=1)
    assert round_progress(round_in_every_state, day_after) == RoundProgress(approved=2, closed=5)


def test_the_round_s_reports_filter_by_status(round_in_every_state):
    expected = {
        "": 7,
        ProgressStatus.NOT_STARTED: 2,
        ProgressStatus.DRAFT: 1,
        ProgressStatus.SUBMITTED: 1,
        ProgressStatus.RETURNED: 1,
        ProgressStatus.APPROVED: 2,
        ProgressStatus.CLOSED: 0,
        ProgressStatus.OVERDUE: 0,
    }
    for status, count in expected.items():
        rows = round_reports(round_in_every_state, round_in_every_state.deadline, status=status)
        assert len(rows) == count, status
        assert all(row.progress == status for row in rows if status not in ("", "overdue"))


def test_the_round_s_reports_mark_the_overdue_ones_after_the_deadline(
    round_in_every_state, django_assert_num_queries
):
    day_after = round_in_every_state.deadline + timedelta(days=1)
    with django_assert_num_queries(1):
        rows = list(round_reports(round_in_every_state, day_after))
    assert sorted(row.progress for row in rows if row.overdue) == sorted(
        ["not_started", "not_started", "draft", "submitted", "returned"]
    )
    assert all(row.last_change is not None for row in rows)
    overdue = round_reports(round_in_every_state, day_after, status=ProgressStatus.OVERDUE)
    assert overdue.count() == 5


# The whole round


def test_a_full_round_from_opening_to_every_report_approved_and_closed(
    catalogue, region_admin, reviewer
):
    clinics = [make_clinic() for _ in range(3)]
    reporters = [make_user(Role.CLINIC_REPORTER, clinics=[clinic]) for clinic in clinics]
    round = open_for(clinics, region_admin, name="Uppföljning 2026")
    today = timezone.localdate()
    assert round_progress(round, today) == RoundProgress(not_started=3)

    for clinic, reporter in zip(clinics, reporters, strict=True):
        report = Report.objects.get(round=round, clinic=clinic)
        answer_everything(report, reporter)
        submit_report(report=report, actor=reporter)
    assert round_progress(round, today) == RoundProgress(submitted=3)

    for report in Report.objects.filter(round=round):
        approve_report(report=report, actor=reviewer, comment="Godkänd.")
    assert round_progress(round, today) == RoundProgress(approved=3)

    close_round(round=round, actor=region_admin)
    assert round_progress(round, today + timedelta(days=365)) == RoundProgress(approved=3)
    assert not ReportEvent.objects.filter(to_state=ReportState.CLOSED).exists()
