"""The report lifecycle: draft -> submitted -> approved, or returned -> resubmitted."""

from datetime import timedelta
from functools import partial

import pytest

from clinics import access
from clinics.models import Answer, Report, ReportEvent, ReportState, Role
from clinics.services.reports import (
    TRANSITIONS,
    approve_report,
    return_report,
    save_answer,
    start_report,
    submission_token,
    submit_report,
)
from halland_utbud.errors import ApplicationError, InvalidTransition, NotAllowed
from requirements.vocabulary import AnswerStatus, CareType, ClinicKind, ProviderKind
from tests.factories import answer_everything, make_clinic, make_provider, make_user


@pytest.fixture
def draft(catalogue, clinic, reporter):
    return start_report(clinic=clinic, actor=reporter)


@pytest.fixture
def submitted(draft, reporter):
    answer_everything(draft, reporter)
    return submit_report(report=draft, actor=reporter)


def test_a_reporter_starts_a_draft_against_the_catalogue_in_force(draft, catalogue, reporter):
    assert draft.state == ReportState.DRAFT
    assert draft.catalogue_version == catalogue
    assert list(draft.events.values_list("actor", "from_state", "to_state")) == [
        (reporter.pk, "", ReportState.DRAFT)
    ]


def test_a_clinic_has_only_one_report_in_progress(draft, clinic, reporter):
    with pytest.raises(InvalidTransition):
        start_report(clinic=clinic, actor=reporter)


def test_a_reporter_cannot_start_a_report_for_another_clinic(catalogue, other_clinic, reporter):
    with pytest.raises(NotAllowed):
        start_report(clinic=other_clinic, actor=reporter)
    assert not Report.objects.exists()


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.VIEWER, Role.REGION_ADMIN])
def test_only_clinic_reporters_report(catalogue, clinic, role):
    with pytest.raises(NotAllowed):
        start_report(clinic=clinic, actor=make_user(role, clinics=[clinic]))


def test_a_provider_coordinator_reports_for_every_clinic_of_the_provider(catalogue, clinic):
    coordinator = make_user(Role.CLINIC_REPORTER, providers=[clinic.provider])
    assert start_report(clinic=clinic, actor=coordinator).clinic == clinic


def test_saving_an_answer_twice_changes_it_and_keeps_the_history(draft, reporter):
    requirement = draft.catalogue_version.requirements.first()
    save_answer(report=draft, requirement=requirement, actor=reporter, status=AnswerStatus.NOT_MET)
    answer = save_answer(
        report=draft, requirement=requirement, actor=reporter, status=AnswerStatus.MET
    )
    assert Answer.objects.filter(report=draft).count() == 1
    assert [h.status for h in answer.history.order_by("history_date")] == [
        AnswerStatus.NOT_MET,
        AnswerStatus.MET,
    ]
    assert answer.history.first().history_user == reporter


def test_not_applicable_needs_a_justification_where_the_catalogue_allows_it(draft, reporter):
    allowed = draft.catalogue_version.requirements.filter(may_be_not_applicable=True).first()
    with pytest.raises(ApplicationError) as error:
        save_answer(
            report=draft, requirement=allowed, actor=reporter, status=AnswerStatus.NOT_APPLICABLE
        )
    assert "justification" in error.value.extra["errors"]
    answer = save_answer(
        report=draft,
        requirement=allowed,
        actor=reporter,
        status=AnswerStatus.NOT_APPLICABLE,
        justification="Mottagningen förskriver inga hjälpmedel.",
    )
    assert answer.status == AnswerStatus.NOT_APPLICABLE


def test_not_applicable_is_refused_where_the_catalogue_forbids_it(draft, reporter):
    forbidden = draft.catalogue_version.requirements.filter(may_be_not_applicable=False).first()
    with pytest.raises(ApplicationError) as error:
        save_answer(
            report=draft,
            requirement=forbidden,
            actor=reporter,
            status=AnswerStatus.NOT_APPLICABLE,
            justification="Vi vill inte.",
        )
    assert "status" in error.value.extra["errors"]
    assert not Answer.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("evidence_url", "http://example.se/underlag"),
        ("evidence_url", "https://inte en adress"),
        ("channel", "brevduva"),
    ],
)
def test_evidence_must_be_an_https_link_and_a_channel_one_of_the_channels(
    draft, reporter, field, value
):
    requirement = draft.catalogue_version.requirements.filter(asks_channel=True).first()
    with pytest.raises(ApplicationError) as error:
        save_answer(
            report=draft,
            requirement=requirement,
            actor=reporter,
            status=AnswerStatus.MET,
            **{field: value},
        )
    assert set(error.value.extra["errors"]) == {field}
    assert not Answer.objects.exists()


def test_a_report_cannot_be_submitted_with_unanswered_requirements(draft, reporter):
    with pytest.raises(ApplicationError) as error:
        submit_report(report=draft, actor=reporter)
    assert len(error.value.extra["missing"]) == draft.catalogue_version.requirements.count()
    draft.refresh_from_db()
    assert draft.state == ReportState.DRAFT


def test_a_submitted_report_can_no_longer_be_changed(submitted, reporter):
    with pytest.raises(InvalidTransition):
        save_answer(
            report=submitted,
            requirement=submitted.catalogue_version.requirements.first(),
            actor=reporter,
            status=AnswerStatus.NOT_MET,
        )


def test_the_whole_round_trip_records_every_transition(submitted, reporter, reviewer):
    answer = submitted.answers.first()
    return_report(
        report=submitted,
        actor=reviewer,
        comment="Komplettera länken.",
        answer_comments={answer.pk: "Länk saknas."},
    )
    answer.refresh_from_db()
    assert answer.review_comment == "Länk saknas."

    submit_report(report=submitted, actor=reporter)
    approved = approve_report(report=submitted, actor=reviewer, comment="Bra.")

    assert approved.state == ReportState.APPROVED
    assert approved.decided_by == reviewer
    assert list(
        ReportEvent.objects.filter(report=submitted).values_list("from_state", "to_state")
    ) == [
        ("", ReportState.DRAFT),
        (ReportState.DRAFT, ReportState.SUBMITTED),
        (ReportState.SUBMITTED, ReportState.RETURNED),
        (ReportState.RETURNED, ReportState.SUBMITTED),
        (ReportState.SUBMITTED, ReportState.APPROVED),
    ]


def test_returning_a_report_needs_a_comment(submitted, reviewer):
    with pytest.raises(ApplicationError):
        return_report(report=submitted, actor=reviewer, comment="  ")
    submitted.refresh_from_db()
    assert submitted.state == ReportState.SUBMITTED


@pytest.mark.parametrize("role", [Role.CLINIC_REPORTER, Role.VIEWER, Role.REGION_ADMIN])
def test_only_reviewers_decide(submitted, clinic, role):
    with pytest.raises(NotAllowed):
        approve_report(report=submitted, actor=make_user(role, clinics=[clinic]))


def test_a_reviewer_never_decides_a_report_they_answered_in(submitted, clinic):
    reviewer = make_user(Role.REVIEWER)
    submitted.answers.filter(pk=submitted.answers.first().pk).update(reported_by=reviewer)
    with pytest.raises(NotAllowed):
        approve_report(report=submitted, actor=reviewer)


def test_every_transition_not_in_the_table_is_refused(catalogue, clinic, reporter, reviewer):
    actions = {
        "submit": lambda report: submit_report(report=report, actor=reporter),
        "approve": lambda report: approve_report(report=report, actor=reviewer),
        "return": lambda report: return_report(report=report, actor=reviewer, comment="x"),
    }
    for state in ReportState.values:
        for action, run in actions.items():
            if (action, state) in TRANSITIONS:
                continue
            report = Report.objects.exclude(state=ReportState.APPROVED).first() or start_report(
                clinic=clinic, actor=reporter
            )
            Report.objects.filter(pk=report.pk).update(state=state, decided_at=report.created_at)
            with pytest.raises(InvalidTransition):
                run(report)
            Report.objects.filter(pk=report.pk).update(state=ReportState.DRAFT)


def test_a_new_report_is_prefilled_with_the_last_approved_answers(
    submitted, clinic, reporter, reviewer
):
    approve_report(report=submitted, actor=reviewer)
    follow_up = start_report(clinic=clinic, actor=reporter)
    assert follow_up.answers.count() == submitted.answers.count()
    assert set(follow_up.answers.values_list("status", flat=True)) == {AnswerStatus.MET}


def test_a_private_dental_clinic_submits_without_answering_web_booking(catalogue):
    dental = make_clinic(
        provider=make_provider(kind=ProviderKind.PRIVATE),
        kind=ClinicKind.GENERAL_DENTAL,
        care_type=CareType.DENTAL,
    )
    reporter = make_user(Role.CLINIC_REPORTER, clinics=[dental])
    report = start_report(clinic=dental, actor=reporter)
    for requirement in catalogue.requirements.exclude(area__code="webbtidbok"):
        save_answer(
            report=report, requirement=requirement, actor=reporter, status=AnswerStatus.MET
        )

    assert submit_report(report=report, actor=reporter).state == ReportState.SUBMITTED


@pytest.mark.parametrize("decide", ["approve", "return"])
def test_a_report_submitted_again_since_the_reviewer_read_it_is_not_decided(
    submitted, reporter, reviewer, decide
):
    """The check runs under the report's lock, in the service: the reviewer's page carries
    the submission they read, and a newer one is never decided unseen."""
    read = submission_token(submitted)
    submitted.submitted_at = submitted.submitted_at + timedelta(minutes=5)
    submitted.save(update_fields=["submitted_at"])

    service = approve_report if decide == "approve" else partial(return_report, comment="X")
    with pytest.raises(ApplicationError, match="skickat in rapporten på nytt"):
        service(report=submitted, actor=reviewer, seen_submission=read)

    submitted.refresh_from_db()
    assert submitted.state == ReportState.SUBMITTED
    assert not submitted.events.filter(actor=reviewer).exists()
    # Having read the submission as it is now, the reviewer decides.
    approve_report(report=submitted, actor=reviewer, seen_submission=submission_token(submitted))
    submitted.refresh_from_db()
    assert submitted.state == ReportState.APPROVED


def test_the_four_eyes_rule_is_one_question_for_pages_and_services(submitted, reporter, reviewer):
    answers = list(submitted.answers.all())
    assert access.has_taken_part(reporter, submitted)
    assert access.has_taken_part(reporter, submitted, answers)
    assert not access.may_review(reporter, submitted, answers)
    assert access.may_review(reviewer, submitted, answers)
    assert access.may_review(reviewer, submitted)
