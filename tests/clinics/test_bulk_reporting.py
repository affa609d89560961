"""A coordinator answers one requirement for several clinics, and submits several reports,
at once: each report gets its own rows, and a batch happens whole or not at all."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clinics.models import Answer, Clinic, Report, ReportEvent, ReportState, Role
from clinics.services.bulk_reporting import answer_for_clinics, submit_reports
from clinics.services.reports import return_report, start_report, submit_report
from clinics.services.rounds import close_round, open_round
from halland_utbud.errors import ApplicationError, NotAllowed
from requirements.vocabulary import AnswerStatus, CareType, Channel, ClinicKind
from tests.factories import answer_everything, make_clinic, make_user

RENEW_PRESCRIPTION = "etjanster.fornya_recept"
SEE_BOOKED_TIMES = "webbtidbok.se_bokade_tider"


@pytest.fixture
def requirement(catalogue):
    # As the page loads it: with what its rule reads.
    return catalogue.requirements.select_related("area", "version").get(code=RENEW_PRESCRIPTION)


@pytest.fixture
def drafts(catalogue, clinic, sibling_clinic, coordinator):
    return [start_report(clinic=c, actor=coordinator) for c in (clinic, sibling_clinic)]


def answer(clinics, requirement, actor, **fields):
    fields.setdefault("status", AnswerStatus.MET)
    fields.setdefault("channel", Channel.E_SERVICES_1177)
    return answer_for_clinics(
        clinic_ids=[c.pk for c in clinics], requirement=requirement, actor=actor, **fields
    )


def history_rows():
    return Answer.history.count()


def written():
    return (Answer.objects.count(), history_rows(), Report.objects.count())


# --- answering many clinics at once ------------------------------------------------------


def test_a_coordinators_bulk_answer_writes_one_answer_and_one_history_row_per_clinic(
    drafts, requirement, coordinator
):
    result = answer(
        [d.clinic for d in drafts],
        requirement,
        coordinator,
        evidence_url="https://www.1177.se/recept",
        comment="Via 1177 e-tjänster.",
    )

    assert len(result.answers) == 2
    for draft in drafts:
        stored = Answer.objects.get(report=draft, requirement=requirement)
        assert (stored.status, stored.channel, stored.evidence_url, stored.comment) == (
            AnswerStatus.MET,
            Channel.E_SERVICES_1177,
            "https://www.1177.se/recept",
            "Via 1177 e-tjänster.",
        )
        assert stored.reported_by == coordinator
        rows = list(stored.history.all())
        assert len(rows) == 1
        assert rows[0].history_user == coordinator
        assert rows[0].history_type == "+"
    assert Answer.objects.count() == 2


def test_a_bulk_answer_changes_an_answer_already_given(drafts, requirement, coordinator):
    answer([drafts[0].clinic], requirement, coordinator, status=AnswerStatus.NOT_MET, channel="")
    answer([d.clinic for d in drafts], requirement, coordinator)

    changed = Answer.objects.get(report=drafts[0], requirement=requirement)
    assert changed.status == AnswerStatus.MET
    assert [(h.history_type, h.status) for h in changed.history.order_by("history_date")] == [
        ("+", AnswerStatus.NOT_MET),
        ("~", AnswerStatus.MET),
    ]
    assert Answer.objects.filter(requirement=requirement).count() == 2


def test_an_answer_already_exactly_this_one_is_not_written_again(drafts, requirement, coordinator):
    answer([drafts[0].clinic], requirement, coordinator)
    result = answer([d.clinic for d in drafts], requirement, coordinator)
    assert (len(result.answers), result.unchanged) == (1, 1)
    assert Answer.objects.get(report=drafts[0], requirement=requirement).history.count() == 1


def test_it_is_refused_for_a_clinic_of_another_provider_and_writes_nothing(
    drafts, requirement, coordinator, other_clinic
):
    before = written()
    with pytest.raises(ApplicationError) as error:
        answer([drafts[0].clinic, drafts[1].clinic, other_clinic], requirement, coordinator)

    [refusal] = error.value.extra["refused"]
    assert refusal.clinic_id == other_clinic.pk
    # Another provider's clinic is not the coordinator's to see: no name.
    assert refusal.clinic is None
    assert refusal.reason == "Du får inte rapportera för den här mottagningen."
    assert "1 av de valda mottagningarna" in error.value.message
    assert written() == before


def test_a_clinic_without_a_report_in_progress_gets_a_draft_started(
    catalogue, clinic, sibling_clinic, coordinator, requirement
):
    draft = start_report(clinic=clinic, actor=coordinator)
    result = answer([clinic, sibling_clinic], requirement, coordinator)

    assert result.started == 1
    started = Report.objects.get(clinic=sibling_clinic)
    assert (started.state, started.catalogue_version, started.is_latest) == (
        ReportState.DRAFT,
        catalogue,
        True,
    )
    assert list(started.events.values_list("actor", "from_state", "to_state")) == [
        (coordinator.pk, "", ReportState.DRAFT)
    ]
    assert started.history.get().history_user == coordinator
    assert Answer.objects.filter(report__in=[draft, started], requirement=requirement).count() == 2


def test_a_started_report_keeps_the_last_approved_answers(
    catalogue, clinic, sibling_clinic, coordinator, reviewer, requirement
):
    approved = start_report(clinic=sibling_clinic, actor=coordinator)
    answer_everything(approved, coordinator, statuses={RENEW_PRESCRIPTION: AnswerStatus.NOT_MET})
    submit_report(report=approved, actor=coordinator)
    from clinics.services.reports import approve_report

    approve_report(report=approved, actor=reviewer)

    answer([sibling_clinic], requirement, coordinator)

    started = Report.objects.get(clinic=sibling_clinic, state=ReportState.DRAFT)
    assert started.answers.count() == approved.answers.count()
    assert started.answers.get(requirement=requirement).status == AnswerStatus.MET
    assert approved.answers.get(requirement=requirement).status == AnswerStatus.NOT_MET


def test_a_submitted_report_refuses_the_whole_batch(drafts, requirement, coordinator):
    answer_everything(drafts[1], coordinator)
    submit_report(report=drafts[1], actor=coordinator)
    before = written()

    with pytest.raises(ApplicationError) as error:
        answer([d.clinic for d in drafts], requirement, coordinator)

    [refusal] = error.value.extra["refused"]
    assert (refusal.clinic, refusal.reason) == (
        drafts[1].clinic,
        "Rapporten är inskickad eller godkänd och kan inte ändras.",
    )
    assert written() == before


def test_a_requirement_that_does_not_apply_to_a_clinic_refuses_the_batch(
    catalogue, clinic, coordinator
):
    private_dental = make_clinic(
        provider=clinic.provider, kind=ClinicKind.GENERAL_DENTAL, care_type=CareType.DENTAL
    )
    booking = catalogue.requirements.get(code=SEE_BOOKED_TIMES)
    before = written()
    with pytest.raises(ApplicationError) as error:
        answer([clinic, private_dental], booking, coordinator, channel="")

    [refusal] = error.value.extra["refused"]
    assert (refusal.clinic, refusal.reason) == (
        private_dental,
        "Kravet gäller inte den här mottagningen.",
    )
    assert written() == before


def test_a_report_of_a_closed_round_refuses_the_batch(
    catalogue, clinic, sibling_clinic, coordinator, region_admin, requirement
):
    round_ = open_round(
        name="Uppföljning",
        deadline=timezone.localdate() + timedelta(days=10),
        clinics=Clinic.objects.filter(pk=clinic.pk),
        selection={"all": True},
        actor=region_admin,
    )
    close_round(round=round_, actor=region_admin)
    # A report of the closed round that somehow kept an open state.
    Report.objects.filter(round=round_).update(state=ReportState.DRAFT)

    with pytest.raises(ApplicationError) as error:
        answer([clinic, sibling_clinic], requirement, coordinator)
    [refusal] = error.value.extra["refused"]
    assert refusal.clinic == clinic
    assert "omgång" in refusal.reason
    assert not Answer.objects.exists()


def test_a_bad_answer_gives_field_errors_in_swedish_and_writes_nothing(
    drafts, requirement, coordinator
):
    before = written()
    with pytest.raises(ApplicationError) as error:
        answer(
            [d.clinic for d in drafts],
            requirement,
            coordinator,
            status=AnswerStatus.NOT_APPLICABLE,
            evidence_url="http://www.1177.se/",
        )
    assert error.value.extra["errors"] == {
        "justification": "Motivera varför kravet inte är tillämpligt.",
        "evidence_url": "Länken till underlaget ska börja med https://.",
    }
    assert written() == before


def test_no_clinic_chosen_is_a_field_error(catalogue, requirement, coordinator):
    with pytest.raises(ApplicationError) as error:
        answer([], requirement, coordinator)
    assert error.value.extra["errors"] == {"clinics": "Välj minst en mottagning."}


def test_the_answer_follows_the_catalogue_in_force_and_its_reports(
    drafts, requirement, coordinator
):
    from requirements.catalogue_import import DEFAULT_CATALOGUE_PATH, import_catalogue

    revision_2, _ = import_catalogue(DEFAULT_CATALOGUE_PATH.with_name("rs220477-revision-2.yaml"))
    in_force = revision_2.effective_from
    # A requirement of the catalogue no longer in force is not asked any more.
    with pytest.raises(ApplicationError) as error:
        answer([drafts[0].clinic], requirement, coordinator, on_date=in_force)
    assert "requirement" in error.value.extra["errors"]
    # A report of the earlier catalogue is answered in its own form.
    with pytest.raises(ApplicationError) as error:
        answer(
            [drafts[0].clinic],
            revision_2.requirements.get(code=RENEW_PRESCRIPTION),
            coordinator,
            on_date=in_force,
        )
    [refusal] = error.value.extra["refused"]
    assert "tidigare kravkatalog" in refusal.reason
    assert not Answer.objects.exists()


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.VIEWER, Role.REGION_ADMIN])
def test_only_clinic_reporters_answer_for_clinics(drafts, requirement, role, clinic):
    with pytest.raises(NotAllowed):
        answer([clinic], requirement, make_user(role, clinics=[clinic]))
    assert not Answer.objects.exists()


def test_a_reporter_of_one_clinic_cannot_answer_for_its_siblings(
    drafts, requirement, reporter, clinic, sibling_clinic
):
    with pytest.raises(ApplicationError) as error:
        answer([clinic, sibling_clinic], requirement, reporter)
    assert [r.clinic_id for r in error.value.extra["refused"]] == [sibling_clinic.pk]
    assert not Answer.objects.exists()


def _clinics_with_drafts(provider, coordinator, count):
    clinics = [make_clinic(provider=provider) for _ in range(count)]
    for c in clinics:
        start_report(clinic=c, actor=coordinator)
    return clinics


def _queries(function) -> int:
    with CaptureQueriesContext(connection) as queries:
        function()
    return len(queries)


def test_a_bulk_answer_costs_the_same_queries_for_2_as_for_20_clinics(
    catalogue, requirement, clinic, coordinator
):
    few = _clinics_with_drafts(clinic.provider, coordinator, 2)
    many = _clinics_with_drafts(clinic.provider, coordinator, 20)
    assert _queries(lambda: answer(few, requirement, coordinator)) == _queries(
        lambda: answer(many, requirement, coordinator)
    )
    # And for clinics that have no report yet, started on the way.
    new_few = [make_clinic(provider=clinic.provider) for _ in range(2)]
    new_many = [make_clinic(provider=clinic.provider) for _ in range(20)]
    assert _queries(lambda: answer(new_few, requirement, coordinator)) == _queries(
        lambda: answer(new_many, requirement, coordinator)
    )
    assert Answer.objects.filter(requirement=requirement).count() == 44


# --- submitting many reports at once ----------------------------------------------------


def test_a_coordinator_submits_several_ready_reports_each_with_its_own_event(drafts, coordinator):
    for draft in drafts:
        answer_everything(draft, coordinator)

    submitted = submit_reports(clinic_ids=[d.clinic_id for d in drafts], actor=coordinator)

    assert len(submitted) == 2
    for draft in drafts:
        draft.refresh_from_db()
        assert (draft.state, draft.submitted_by) == (ReportState.SUBMITTED, coordinator)
        assert list(
            draft.events.filter(to_state=ReportState.SUBMITTED).values_list("actor", "from_state")
        ) == [(coordinator.pk, ReportState.DRAFT)]
        latest = draft.history.order_by("-history_date").first()
        assert (latest.state, latest.history_user) == (ReportState.SUBMITTED, coordinator)


def test_a_returned_report_is_submitted_again_with_the_others(drafts, coordinator, reviewer):
    for draft in drafts:
        answer_everything(draft, coordinator)
    submit_report(report=drafts[0], actor=coordinator)
    return_report(report=drafts[0], actor=reviewer, comment="Komplettera länkarna.")

    submit_reports(clinic_ids=[d.clinic_id for d in drafts], actor=coordinator)

    assert set(Report.objects.values_list("state", flat=True)) == {ReportState.SUBMITTED}
    assert ReportEvent.objects.filter(
        report=drafts[0], from_state=ReportState.RETURNED, to_state=ReportState.SUBMITTED
    ).exists()


def test_submitting_is_refused_for_a_report_not_ready_and_submits_none(drafts, coordinator):
    answer_everything(drafts[0], coordinator)
    events = ReportEvent.objects.count()

    with pytest.raises(ApplicationError) as error:
        submit_reports(clinic_ids=[d.clinic_id for d in drafts], actor=coordinator)

    [refusal] = error.value.extra["refused"]
    assert refusal.clinic == drafts[1].clinic
    assert refusal.reason.endswith("krav saknar ännu svar.")
    assert set(Report.objects.values_list("state", flat=True)) == {ReportState.DRAFT}
    assert ReportEvent.objects.count() == events


def test_submitting_is_refused_for_a_submitted_report_and_a_clinic_without_one(
    catalogue, clinic, sibling_clinic, coordinator
):
    draft = start_report(clinic=clinic, actor=coordinator)
    answer_everything(draft, coordinator)
    submit_report(report=draft, actor=coordinator)
    with pytest.raises(ApplicationError) as error:
        submit_reports(clinic_ids=[clinic.pk, sibling_clinic.pk], actor=coordinator)
    assert {(r.clinic, r.reason) for r in error.value.extra["refused"]} == {
        (clinic, "En rapport med status ”Inskickad” kan inte skickas in."),
        (sibling_clinic, "Mottagningen har ingen pågående rapport."),
    }


def test_submitting_is_refused_for_a_clinic_of_another_provider(
    drafts, coordinator, other_clinic, catalogue
):
    theirs = start_report(
        clinic=other_clinic, actor=make_user(Role.CLINIC_REPORTER, clinics=[other_clinic])
    )
    answer_everything(theirs, make_user(Role.CLINIC_REPORTER, clinics=[other_clinic]))
    for draft in drafts:
        answer_everything(draft, coordinator)
    with pytest.raises(ApplicationError) as error:
        submit_reports(
            clinic_ids=[*(d.clinic_id for d in drafts), other_clinic.pk], actor=coordinator
        )
    [refusal] = error.value.extra["refused"]
    assert (refusal.clinic_id, refusal.clinic) == (other_clinic.pk, None)
    assert not Report.objects.filter(state=ReportState.SUBMITTED).exists()


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.VIEWER, Role.REGION_ADMIN])
def test_only_clinic_reporters_submit_reports(drafts, role, clinic):
    with pytest.raises(NotAllowed):
        submit_reports(clinic_ids=[clinic.pk], actor=make_user(role, clinics=[clinic]))


def test_submitting_many_costs_the_same_queries_for_2_as_for_20_reports(
    catalogue, clinic, coordinator
):
    def ready(count):
        clinics = [make_clinic(provider=clinic.provider) for _ in range(count)]
        for c in clinics:
            answer_everything(start_report(clinic=c, actor=coordinator), coordinator)
        return [c.pk for c in clinics]

    few, many = ready(2), ready(20)
    assert _queries(lambda: submit_reports(clinic_ids=few, actor=coordinator)) == _queries(
        lambda: submit_reports(clinic_ids=many, actor=coordinator)
    )
    assert Report.objects.filter(state=ReportState.SUBMITTED).count() == 22
