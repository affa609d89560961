"""The clinic's history tells the truth: every row names the action, the person who took
it and what it changed, and nobody is credited with a change they did not make."""

from datetime import timedelta

import pytest
from django.utils import timezone

from clinics.history import clinic_history
from clinics.models import Answer, AnswerAction, Report
from clinics.services.action_plans import (
    PlanRow,
    accept_action_plan,
    save_action_plan,
    submit_action_plan,
)
from clinics.services.cases import create_case, submit_case, update_case
from clinics.services.reports import (
    approve_report,
    save_answer,
    start_report,
    submit_report,
)
from clinics.services.rounds import open_round
from requirements.vocabulary import AnswerStatus
from tests.api.helpers import approve_answers
from tests.factories import answer_everything, return_as_the_form_does

FIXED = "npo.ansluten"
COMMENTED = "journalen.las_via_1177"


def _rows(entries):
    """Each entry as (who, action, what, ((field, old, new), ...)), oldest first."""
    return [
        (
            entry.actor.username if entry.actor else None,
            entry.action,
            entry.subject,
            tuple((change.label, change.old, change.new) for change in entry.changes),
        )
        for entry in reversed(entries)
    ]


def _requirement(report, code):
    return report.catalogue_version.requirements.get(code=code)


@pytest.fixture
def first_approval(catalogue, clinic, reporter, reviewer):
    report = start_report(clinic=clinic, actor=reporter)
    answer_everything(report, reporter, statuses={FIXED: AnswerStatus.NOT_MET})
    submit_report(report=report, actor=reporter)
    return approve_report(report=report, actor=reviewer)


def test_a_round_return_fix_and_approval_each_say_who_did_what(
    first_approval, clinic, reporter, reviewer, region_admin
):
    before = {entry for entry in clinic_history(clinic)}
    round = open_round(
        name="Omgång 2027",
        deadline=timezone.localdate() + timedelta(days=30),
        clinics=type(clinic).objects.filter(pk=clinic.pk),
        selection={"all": True},
        actor=region_admin,
    )
    report = Report.objects.get(round=round)
    fixed, commented = _requirement(report, FIXED), _requirement(report, COMMENTED)
    save_answer(report=report, requirement=fixed, actor=reporter, status=AnswerStatus.MET)
    submit_report(report=report, actor=reporter)
    return_as_the_form_does(
        report, reviewer, comment="Länken saknas.", beside={COMMENTED: "Lägg till länken."}
    )
    save_answer(
        report=report,
        requirement=commented,
        actor=reporter,
        status=AnswerStatus.MET,
        evidence_url="https://www.1177.se/journalen",
    )
    submit_report(report=report, actor=reporter)
    approve_report(report=report, actor=reviewer, comment="Bra.")

    new = [entry for entry in clinic_history(clinic) if entry not in before]
    approved_on = timezone.localtime(first_approval.decided_at).strftime("%Y-%m-%d")
    assert _rows(new) == [
        (
            region_admin.username,
            f"Öppnad av omgången ”Omgång 2027” som en kopia av rapporten godkänd {approved_on}",
            "Rapport",
            (),
        ),
        (
            reporter.username,
            "Besvarat",
            fixed.name,
            (("status", "Ej uppfyllt", "Uppfyllt"),),
        ),
        (reporter.username, "Inskickad", "Rapport", ()),
        (reviewer.username, "Återsänd med kommentar", "Rapport", ()),
        (
            reviewer.username,
            "Kommenterat av granskaren",
            commented.name,
            (("granskarens kommentar", "", "Lägg till länken."),),
        ),
        (
            reporter.username,
            "Besvarat",
            commented.name,
            (("länk till underlag", "", "https://www.1177.se/journalen"),),
        ),
        (reporter.username, "Inskickad", "Rapport", ()),
        (reviewer.username, "Godkänd", "Rapport", ()),
    ]
    returned = next(entry for entry in new if entry.action == "Återsänd med kommentar")
    assert returned.comment == "Länken saknas."


def test_a_round_copies_the_answers_without_crediting_the_admin_with_them(
    first_approval, clinic, region_admin
):
    open_round(
        name="Omgång 2027",
        deadline=timezone.localdate() + timedelta(days=30),
        clinics=type(clinic).objects.filter(pk=clinic.pk),
        selection={"all": True},
        actor=region_admin,
    )
    copies = Answer.history.filter(history_change_reason=AnswerAction.COPIED)
    assert copies.count() == first_approval.answers.count()
    by_admin = [entry for entry in clinic_history(clinic) if entry.actor == region_admin]
    assert [entry.subject for entry in by_admin] == ["Rapport"]


def test_a_returned_seeded_report_shows_only_the_comments_written(
    catalogue, clinic, reporter, reviewer
):
    """Answers written without a history row of their own (as by an import) do not become
    the reviewer's answers when the reviewer saves a comment beside one of them."""
    report = start_report(clinic=clinic, actor=reporter)
    answer_everything(report, reporter)
    Answer.history.filter(report=report).delete()
    submit_report(report=report, actor=reporter)
    answer = report.answers.get(requirement__code=COMMENTED)
    return_as_the_form_does(report, reviewer, comment="", beside={COMMENTED: "Lägg till länken."})
    by_reviewer = [entry for entry in clinic_history(clinic) if entry.actor == reviewer]
    assert _rows(by_reviewer) == [
        (reviewer.username, "Återsänd med kommentar", "Rapport", ()),
        (
            reviewer.username,
            "Kommenterat av granskaren",
            answer.requirement.name,
            (("granskarens kommentar", "", "Lägg till länken."),),
        ),
    ]


def test_exemption_cases_are_in_the_clinic_history(catalogue, clinic, reporter):
    requirement = catalogue.requirements.get(code="webbtidbok.boka_direkt")
    case = create_case(
        clinic=clinic,
        requirement=requirement,
        actor=reporter,
        exemption_kind="request_appointment",
        reason_category="technical",
        justification="Journalsystemet saknar stöd.",
        requested_from=timezone.localdate(),
    )
    update_case(
        case=case,
        actor=reporter,
        justification="Journalsystemet saknar stöd för direktbokning.",
    )
    submit_case(case=case, actor=reporter)

    rows = [row for row in _rows(clinic_history(clinic)) if "Undantag" in row[2]]
    subject = f"Undantag: {requirement.name}"
    assert rows == [
        (reporter.username, "Ärendet upprättat", subject, ()),
        (
            reporter.username,
            "Ärendet ändrat",
            subject,
            (
                (
                    "motivering",
                    "Journalsystemet saknar stöd.",
                    "Journalsystemet saknar stöd för direktbokning.",
                ),
            ),
        ),
        (reporter.username, "Ärendet inskickat", subject, ()),
    ]
    assert all(entry.url for entry in clinic_history(clinic) if entry.kind == "case")


def test_a_change_of_a_cases_links_reads_as_the_links_before_and_after(
    catalogue, clinic, reporter
):
    a, b = "https://www.1177.se/underlag/a", "https://www.1177.se/underlag/b"
    case = create_case(
        clinic=clinic,
        requirement=catalogue.requirements.get(code="webbtidbok.boka_direkt"),
        actor=reporter,
        exemption_kind="request_appointment",
        reason_category="technical",
        justification="Journalsystemet saknar stöd.",
        links=[a],
        requested_from=timezone.localdate(),
    )
    update_case(case=case, actor=reporter, links=[a, b])
    update_case(case=case, actor=reporter, links=[])

    changes = [row[3] for row in _rows(clinic_history(clinic)) if row[1] == "Ärendet ändrat"]
    assert changes == [
        (("länkar till underlag", a, f"{a}, {b}"),),
        (("länkar till underlag", f"{a}, {b}", ""),),
    ]


def test_an_action_plan_is_in_the_clinic_history(catalogue, clinic, reporter, reviewer):
    approve_answers(clinic, {"etjanster.fornya_recept": AnswerStatus.NOT_MET})
    plan = save_action_plan(clinic=clinic, actor=reporter, rows={})
    [item] = plan.items.all()
    due = timezone.localdate() + timedelta(days=30)
    save_action_plan(
        clinic=clinic,
        actor=reporter,
        rows={
            item.answer_id: PlanRow(measure="Införa e-tjänsten", responsible="Anna", due_date=due)
        },
    )
    submit_action_plan(plan=plan, actor=reporter)
    accept_action_plan(plan=plan, actor=reviewer)

    rows = [row for row in _rows(clinic_history(clinic)) if row[2].startswith("Åtgärdsplan")]
    assert rows == [
        (reporter.username, "Åtgärdsplanen påbörjad", "Åtgärdsplan", ()),
        (
            reporter.username,
            "Åtgärdsplanen ändrad",
            f"Åtgärdsplan: {item.answer.requirement.name}",
            (
                ("åtgärd", "", "Införa e-tjänsten"),
                ("ansvarig person", "", "Anna"),
                ("klart senast", "", due.isoformat()),
            ),
        ),
        (reporter.username, "Åtgärdsplanen inskickad", "Åtgärdsplan", ()),
        (reviewer.username, "Åtgärdsplanen godtagen", "Åtgärdsplan", ()),
    ]
