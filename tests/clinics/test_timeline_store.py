"""Keeping the timeline: in the same transaction as the write that changes it, all or
nothing, and rebuilt from the sources by ``rebuild_compliance``."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from clinics.apps import build_missing_timeline
from clinics.models import ClinicStatusPeriod, Report, ReportState, RequirementStatusPeriod, Role
from clinics.services import reports
from clinics.services.reports import approve_report, save_answer, start_report, submit_report
from clinics.timeline import rebuild_all, store
from clinics.timeline.inputs import ClinicScope, read_inputs
from requirements.selectors import catalogue_editions
from requirements.timeline import OPEN_END
from requirements.vocabulary import AnswerStatus, ComplianceStatus
from tests.api.helpers import approve_answers
from tests.clinics.test_timeline_events import stored_timeline
from tests.factories import make_clinic, make_user


class Injected(Exception):
    pass


@pytest.fixture
def submitted(catalogue, clinic, reporter):
    report = start_report(clinic=clinic, actor=reporter)
    for requirement in catalogue.requirements.all():
        save_answer(report=report, requirement=requirement, actor=reporter, status="met")
    return submit_report(report=report, actor=reporter)


def test_an_approval_rewrites_the_clinics_timeline_at_once(submitted, clinic):
    approve_report(report=submitted, actor=make_user(Role.REVIEWER))

    statuses = set(
        RequirementStatusPeriod.objects.filter(clinic=clinic, valid_to=OPEN_END)
        .values_list("status", flat=True)
        .distinct()
    )
    assert statuses <= {ComplianceStatus.COMPLIANT, ComplianceStatus.NOT_APPLICABLE}


def test_a_write_that_fails_after_the_timeline_is_written_leaves_it_as_it_was(
    submitted, clinic, monkeypatch
):
    before = stored_timeline()
    written = reports.rewrite_timelines

    def write_then_fail(clinic_ids):
        written(clinic_ids)
        # The new rows are in: the failure comes after them, inside the approval.
        assert RequirementStatusPeriod.objects.filter(
            clinic=clinic, status=ComplianceStatus.COMPLIANT
        ).exists()
        raise Injected

    monkeypatch.setattr(reports, "rewrite_timelines", write_then_fail)

    with pytest.raises(Injected):
        approve_report(report=submitted, actor=make_user(Role.REVIEWER))

    assert stored_timeline() == before
    assert Report.objects.get(pk=submitted.pk).state == ReportState.SUBMITTED


def test_a_rebuild_that_fails_half_way_leaves_the_timeline_as_it_was(
    catalogue, clinic, monkeypatch
):
    make_clinic()
    before = stored_timeline()
    calls = []
    real_write = store._write

    def fail_on_the_second_batch(timelines):
        calls.append(len(timelines))
        if len(calls) == 2:
            raise Injected
        return real_write(timelines)

    monkeypatch.setattr(store, "_write", fail_on_the_second_batch)

    with pytest.raises(Injected):
        rebuild_all(batch=1)

    assert stored_timeline() == before
    assert calls == [1, 1]


def test_rebuilding_gives_the_timeline_the_services_kept(submitted, clinic):
    approve_report(report=submitted, actor=make_user(Role.REVIEWER))
    kept = stored_timeline()

    written = rebuild_all()

    assert stored_timeline() == kept
    assert written.clinics == 1
    assert written.clinic_rows == ClinicStatusPeriod.objects.count()


def test_the_command_rebuilds_every_clinic_or_one(catalogue, clinic, other_clinic):
    RequirementStatusPeriod.objects.filter(clinic=clinic).delete()
    out = StringIO()

    call_command("rebuild_compliance", "--clinic", clinic.hsa_id, stdout=out)

    assert "1" in out.getvalue()
    assert RequirementStatusPeriod.objects.filter(clinic=clinic).count() == (
        catalogue.requirements.count()
    )
    call_command("rebuild_compliance", stdout=out)
    assert set(ClinicStatusPeriod.objects.values_list("clinic_id", flat=True)) == {
        clinic.pk,
        other_clinic.pk,
    }


def test_the_command_refuses_an_unknown_hsa_id(db):
    with pytest.raises(CommandError, match="SE2321000115-X1"):
        call_command("rebuild_compliance", "--clinic", "SE2321000115-X1")


def test_the_command_does_nothing_on_a_timeline_with_rows_when_asked(catalogue, clinic):
    RequirementStatusPeriod.objects.filter(clinic=clinic).delete()

    call_command("rebuild_compliance", "--if-empty", stdout=StringIO())

    assert not RequirementStatusPeriod.objects.filter(clinic=clinic).exists()


def test_the_inputs_of_any_number_of_clinics_are_read_in_seven_queries(
    catalogue, django_assert_num_queries
):
    clinics = [make_clinic() for _ in range(3)]
    for clinic in clinics:
        approve_answers(clinic)
    editions = catalogue_editions()

    with django_assert_num_queries(7):
        inputs = read_inputs(ClinicScope(ids=tuple(c.pk for c in clinics)), editions)

    assert sorted(inputs) == sorted(clinic.pk for clinic in clinics)
    assert all(len(clinic_inputs.reports) == 1 for clinic_inputs in inputs.values())


def test_answers_count_only_once_their_report_is_approved(submitted, clinic):
    assert not RequirementStatusPeriod.objects.filter(
        clinic=clinic, answer_status=AnswerStatus.MET
    ).exists()


def test_a_database_with_clinics_gets_its_timeline_when_migrated(catalogue, clinic):
    """An upgrade: the clinics were there before the timeline's tables."""
    for model in (ClinicStatusPeriod, RequirementStatusPeriod):
        model.objects.all().delete()

    build_missing_timeline(sender=None, using="default")

    assert ClinicStatusPeriod.objects.filter(clinic=clinic).exists()
    assert RequirementStatusPeriod.objects.filter(clinic=clinic).count() == (
        catalogue.requirements.count()
    )


def test_a_migration_leaves_a_timeline_that_has_rows_alone(catalogue, clinic, monkeypatch):
    monkeypatch.setattr(store, "_write", lambda timelines: pytest.fail("rebuilt"))

    build_missing_timeline(sender=None, using="default")


def test_a_status_row_reads_the_clinics_latest_report_not_any(catalogue, clinic, reporter):
    from clinics.models import ClinicStatusPeriod, Report
    from clinics.services.reports import start_report
    from tests.api.helpers import bulk_approved_reports

    bulk_approved_reports([clinic], catalogue)
    latest = start_report(clinic=clinic, actor=reporter)
    assert Report.objects.filter(clinic=clinic).count() == 2

    row = ClinicStatusPeriod.objects.filter(clinic=clinic).last()

    assert row.latest_report == latest
