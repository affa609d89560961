"""The clinic's history in a real browser, after a report was returned, fixed and approved:
every row names the person who acted, the action and the fields it changed, and no row
credits the reviewer with the clinic's answers."""

import pytest
from django.urls import reverse

from clinics.models import Role
from clinics.services.reports import (
    approve_report,
    save_answer,
    start_report,
    submit_report,
)
from requirements.vocabulary import AnswerStatus
from tests.browser.conftest import (
    assert_no_axe_violations,
    axe_violations,
    path_of,
    record_check,
    sign_in_with_session,
    url_of,
)
from tests.factories import answer_everything, make_clinic, make_user, return_as_the_form_does

pytestmark = pytest.mark.browser

FIXED = "npo.ansluten"
COMMENTED = "journalen.las_via_1177"


@pytest.fixture
def reviewed(catalogue):
    """A report answered, submitted, returned with a comment beside one answer, fixed and
    approved, each step by the person who would take it."""
    clinic = make_clinic(name="Vårdcentralen Getinge")
    reporter = make_user(
        Role.CLINIC_REPORTER, clinics=[clinic], first_name="Karin", last_name="Ek"
    )
    reviewer = make_user(Role.REVIEWER, first_name="Rasmus", last_name="Berg")
    report = start_report(clinic=clinic, actor=reporter)
    answer_everything(report, reporter, statuses={FIXED: AnswerStatus.NOT_MET})
    submit_report(report=report, actor=reporter)
    commented = report.answers.get(requirement__code=COMMENTED)
    return_as_the_form_does(
        report, reviewer, comment="NPÖ är inte uppfyllt.", beside={COMMENTED: "Lägg till länken."}
    )
    fixed = catalogue.requirements.get(code=FIXED)
    save_answer(report=report, requirement=fixed, actor=reporter, status=AnswerStatus.MET)
    submit_report(report=report, actor=reporter)
    approve_report(report=report, actor=reviewer, comment="Godkänd.")
    return {
        "clinic": clinic,
        "reporter": reporter,
        "reviewer": reviewer,
        "fixed": fixed.name,
        "commented": commented.requirement.name,
        "answers": report.answers.count(),
    }


# Each row's cells as a screen reader reads them: without the decorative icons and arrows
# (aria-hidden), with the words that stand in for them.
_ROWS = """() => [...document.querySelectorAll('table.history tbody tr')].map(row => {
  const read = cell => {
    const copy = cell.cloneNode(true);
    copy.querySelectorAll('[aria-hidden="true"]').forEach(node => node.remove());
    return copy.textContent.split(/\\s+/).join(' ').trim();
  };
  const cells = row.querySelectorAll('td');
  return {
    who: read(cells[1]), action: read(cells[2]), what: read(row.querySelector('th')),
    change: read(cells[3]),
  };
})"""


def history_rows(page) -> list[dict]:
    return page.evaluate(_ROWS)


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.VIEWER])
def test_every_row_names_who_did_what_after_return_fix_and_approval(
    page, live_server, reviewed, checked_pages, role
):
    reporter, reviewer = "Karin Ek", "Rasmus Berg"
    user = reviewed["reviewer"] if role == Role.REVIEWER else make_user(Role.VIEWER)
    sign_in_with_session(page, live_server, user)
    page.goto(url_of(live_server, reverse("clinic_history", args=[reviewed["clinic"].pk])))

    rows = history_rows(page)
    newest = [(row["who"], row["action"], row["what"], row["change"]) for row in rows[:6]]
    assert newest == [
        (reviewer, "Godkänd", "Rapport", "Inskickad ändrades till Godkänd Godkänd."),
        (
            reporter,
            "Inskickad",
            "Rapport",
            "Återsänd för komplettering ändrades till Inskickad",
        ),
        (
            reporter,
            "Besvarat",
            f"Svar: {reviewed['fixed']}",
            "Status: ändrat från Ej uppfyllt till Uppfyllt",
        ),
        (
            reviewer,
            "Kommenterat av granskaren",
            f"Svar: {reviewed['commented']}",
            "Granskarens kommentar: ändrat från (tomt) till Lägg till länken.",
        ),
        (
            reviewer,
            "Återsänd med kommentar",
            "Rapport",
            "Inskickad ändrades till Återsänd för komplettering NPÖ är inte uppfyllt.",
        ),
        (reporter, "Inskickad", "Rapport", "Utkast ändrades till Inskickad"),
    ]
    # Every older row is the reporter's: the answers they gave, the report they started;
    # the clinic itself was registered before anyone here signed in.
    older = rows[6:]
    answers = [row for row in older if row["action"] == "Besvarat"]
    assert len(answers) == reviewed["answers"]
    assert all(row["who"] == reporter for row in answers)
    assert all(row["what"].startswith("Svar: ") for row in answers)
    assert all(row["change"].startswith("Status: ") for row in answers)
    rest = [(row["who"], row["action"]) for row in older if row["action"] != "Besvarat"]
    assert rest == [(reporter, "Påbörjad"), ("Systemet", "Registrerad")]
    assert sum(row["who"] == reviewer for row in rows) == 3

    violations = axe_violations(page)
    record_check(checked_pages, "clinic history after review", role, path_of(page), violations)
    assert_no_axe_violations(page, "clinic history", violations)
