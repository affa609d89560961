"""A self-report from start to approval, in Swedish, with the keyboard only.

A clinic reporter answers every requirement, a reviewer returns the report with a comment
beside one answer, the reporter corrects that answer and submits again, the reviewer
approves, and the region overview counts one more clinic meeting the whole baseline.
Every step is Tab, Shift+Tab, the arrow keys, Space, typing and Enter (tests/browser/
keyboard.py): a control the keyboard cannot reach or operate fails the flow.
"""

import re

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from clinics.models import Answer, Report, ReportState, Role
from requirements.vocabulary import AnswerStatus, ClinicKind, Municipality, ProviderKind
from tests.api.helpers import bulk_approved_reports
from tests.browser.conftest import (
    assert_no_axe_violations,
    axe_violations,
    path_of,
    record_check,
    take_screenshot,
)
from tests.browser.keyboard import (
    answer_requirement,
    open_report_area,
    press_button,
    press_link,
    report_areas,
    report_requirements,
    requirement_pk,
    sign_in_by_keyboard,
    sign_out_by_keyboard,
    tab_to,
    type_into,
)
from tests.factories import REGION_HALLAND_ORG_NR, make_clinic, make_provider, make_user

pytestmark = pytest.mark.browser

PARTLY_MET = "journalen.medarbetare"
NOT_APPLICABLE = "etjanster.vaccination_utlandsresa"
FIRST_EVIDENCE = "https://www.1177.se/hitta-vard/kontaktkort/vardcentralen-getinge"
PARTLY_MET_COMMENT = "Hälften av medarbetarna har gått utbildningen om Journalen."
JUSTIFICATION = "Mottagningen ger inte vaccinationer inför utlandsresor."
REVIEWER_ANSWER_COMMENT = "När får resten av medarbetarna utbildningen? Ange ett datum."
REVIEWER_COMMENT = "Komplettera svaret om Journalen, se kommentaren vid svaret."


def open_overview(page) -> None:
    """From the start page to the overview, by the main navigation's link."""
    press_link(page, sv("Overview"))
    assert path_of(page) == reverse("overview")


def sv(message: str) -> str:
    """The Swedish text the page shows, from the project's own catalogue."""
    with translation.override("sv"):
        return gettext(message)


@pytest.fixture
def world(catalogue):
    """Three clinics: the one that reports, one already meeting the whole baseline and one
    that does not, so the overview's totals start at one of three."""
    region = make_provider(
        name="Region Halland", organisation_number=REGION_HALLAND_ORG_NR, kind=ProviderKind.REGION
    )
    reporting = make_clinic(
        provider=region, name="Vårdcentralen Getinge", municipality_code=Municipality.HALMSTAD
    )
    meeting = make_clinic(
        provider=region, name="Vårdcentralen Falkagård", municipality_code=Municipality.FALKENBERG
    )
    failing = make_clinic(
        provider=make_provider(name="Tandhälsan Varberg AB"),
        name="Tandhälsan Varberg",
        kind=ClinicKind.GENERAL_DENTAL,
        municipality_code=Municipality.VARBERG,
    )
    bulk_approved_reports([meeting, failing], catalogue, failing={failing.pk})
    return {
        "catalogue": catalogue,
        "clinic": reporting,
        "reporter": make_user(
            Role.CLINIC_REPORTER, clinics=[reporting], first_name="Karin", last_name="Ek"
        ),
        "reviewer": make_user(Role.REVIEWER, first_name="Rasmus", last_name="Berg"),
        "viewer": make_user(Role.VIEWER, first_name="Vera", last_name="Holm"),
    }


def check_axe(page, checked_pages, label: str, role: str) -> None:
    violations = axe_violations(page)
    record_check(checked_pages, label, role, path_of(page), violations)
    assert_no_axe_violations(page, label, violations)


def figure(page, label_start: str) -> int:
    """The number beside the overview's figure whose label starts with ``label_start``."""
    item = page.locator("ul.figures li").filter(
        has=page.locator(".figure__label", has_text=re.compile("^" + re.escape(label_start)))
    )
    assert item.count() == 1, f"one figure labelled {label_start!r} on {page.url}"
    return int(item.locator(".figure__value").inner_text())


def meets_baseline_total(page) -> int:
    # The label carries the share, "Uppfyller hela grundutbudet (33 %)": match its start.
    return figure(page, sv("Meet the whole baseline (%(percent)s %%)").split(" (")[0])


def baseline_cell(page, clinic_name: str):
    """The "meets the whole baseline" cell of the clinic's row in the overview table."""
    headers = page.locator("table:has(#clinics-caption) thead th")
    column = headers.evaluate_all("els => els.findIndex(e => e.id === 'col-baseline')")
    assert column >= 0, "the overview has a column for the whole baseline"
    row = page.locator("table:has(#clinics-caption) tbody tr").filter(
        has=page.get_by_role("link", name=clinic_name, exact=True)
    )
    return row.locator("th, td").nth(column)


def assert_status_badge(cell, *, icon: str, word: str, modifier: str) -> None:
    """A status is an icon and a word, never colour alone; the icon is hidden from screen
    readers, which read the word."""
    badge = cell.locator(".status")
    assert badge.count() == 1
    assert f"status--{modifier}" in badge.get_attribute("class")
    assert badge.locator(".status__icon").inner_text().strip() == icon
    assert badge.locator(".status__icon").get_attribute("aria-hidden") == "true"
    assert badge.inner_text().replace(icon, "").strip() == word


def answer_every_requirement(page, codes: dict[int, str]) -> list[str]:
    """Area by area, each opened from its heading: mostly met, one partly met, one not
    applicable with a justification; returns the codes answered, in page order."""
    answered = []
    requirements = []
    for area in report_areas(page):
        open_report_area(page, area)
        requirements = report_requirements(page, area)
        answered += _answer(page, codes, requirements, first=not answered)
    return answered


def _answer(page, codes: dict[int, str], requirements: list[dict], *, first: bool) -> list[str]:
    answered = []
    for number, requirement in enumerate(requirements):
        code = codes[requirement_pk(requirement["prefix"])]
        fields = {"status": sv("Met")}
        if requirement["channel"]:
            fields["channel"] = sv("1177 e-services")
        if first and number == 0:
            fields["evidence_url"] = FIRST_EVIDENCE
        if code == PARTLY_MET:
            fields |= {"status": sv("Partially met"), "comment": PARTLY_MET_COMMENT}
        elif code == NOT_APPLICABLE:
            assert requirement["justification"], "the catalogue allows 'not applicable' here"
            # A service that does not apply is offered through no channel: the form hides it.
            fields.pop("channel", None)
            fields |= {"status": sv("Not applicable"), "justification": JUSTIFICATION}
        answer_requirement(page, requirement["prefix"], **fields)
        answered.append(code)
    return answered


def test_a_report_goes_from_draft_to_approved_by_keyboard_and_the_overview_counts_it(
    page, live_server, world, screenshots, checked_pages
):
    clinic, reporter, reviewer = world["clinic"], world["reporter"], world["reviewer"]
    codes = dict(world["catalogue"].requirements.values_list("pk", "code"))

    # The reporter starts the clinic's report from "my clinics".
    sign_in_by_keyboard(page, live_server, reporter)
    assert page.locator("h1").inner_text() == sv("My clinics")
    press_button(page, f"{sv('Start report')} – {clinic.name}")
    report = Report.objects.get(clinic=clinic)
    assert path_of(page) == reverse("report_edit", args=[report.pk])
    check_axe(page, checked_pages, "report_edit (keyboard flow, new draft)", "clinic_reporter")
    take_screenshot(page, screenshots, "flow report form new draft")

    answered = answer_every_requirement(page, codes)
    assert set(answered) >= {PARTLY_MET, NOT_APPLICABLE}
    press_button(page, sv("Submit"))

    assert path_of(page) == reverse("my_clinics"), page.locator("main").inner_text()[:500]
    assert clinic.name in page.locator(".messages").inner_text()
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED
    saved = {answer.requirement.code: answer for answer in report.answers.all()}
    assert set(saved) == set(answered)
    assert saved[PARTLY_MET].status == AnswerStatus.PARTIALLY_MET
    assert saved[PARTLY_MET].comment == PARTLY_MET_COMMENT
    assert saved[NOT_APPLICABLE].status == AnswerStatus.NOT_APPLICABLE
    assert saved[NOT_APPLICABLE].justification == JUSTIFICATION
    assert saved[answered[0]].evidence_url == FIRST_EVIDENCE
    sign_out_by_keyboard(page, sv("Sign out"))

    # The reviewer lands on the follow-up, and goes on to the overview: one clinic of
    # three meets the baseline so far.
    sign_in_by_keyboard(page, live_server, reviewer)
    assert path_of(page) == reverse("follow_up")
    open_overview(page)
    assert meets_baseline_total(page) == 1
    assert_status_badge(
        baseline_cell(page, clinic.name), icon="✗", word=sv("Not met"), modifier="fail"
    )
    press_link(page, sv("Review"))
    press_link(page, clinic.name)
    assert path_of(page) == reverse("review_report", args=[report.pk])
    check_axe(page, checked_pages, "review_report (keyboard flow)", "reviewer")
    take_screenshot(page, screenshots, "flow review report")

    partly_met = saved[PARTLY_MET]
    type_into(page, page.locator(f"#id_answer_{partly_met.pk}"), REVIEWER_ANSWER_COMMENT)
    type_into(page, page.locator("#id_comment"), REVIEWER_COMMENT)
    press_button(page, sv("Return for completion"))

    assert path_of(page) == reverse("review_queue")
    assert clinic.name in page.locator(".messages").inner_text()
    report.refresh_from_db()
    assert report.state == ReportState.RETURNED
    sign_out_by_keyboard(page, sv("Sign out"))

    # The reporter finds the comment beside the answer, corrects it and submits again.
    sign_in_by_keyboard(page, live_server, reporter)
    press_link(page, f"{sv('Returned – correct and resubmit')} – {clinic.name}")
    assert path_of(page) == reverse("report_edit", args=[report.pk])
    prefix = f"r{partly_met.requirement_id}"
    beside = page.locator(f"#{prefix} #{prefix}-review")
    assert REVIEWER_ANSWER_COMMENT in beside.inner_text()
    assert sv("Reviewer's comment:") in beside.inner_text()
    described_by = page.locator(f"fieldset#{prefix}").get_attribute("aria-describedby")
    assert f"{prefix}-review" in described_by.split(), "the comment describes the answer"
    assert REVIEWER_COMMENT in page.locator(".review-comment--report").inner_text()
    check_axe(page, checked_pages, "report_edit (keyboard flow, returned)", "clinic_reporter")

    # The list of commented answers links to the answer: Enter moves there, and the next
    # Tab is the answer's status.
    press_link(page, partly_met.requirement.name, navigates=False)
    assert tab_to(page, page.locator(f'input[name="{prefix}-status"]'), max_presses=1) == 1
    answer_requirement(page, prefix, status=sv("Met"))
    press_button(page, sv("Submit"))

    assert path_of(page) == reverse("my_clinics")
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED
    assert Answer.objects.get(pk=partly_met.pk).status == AnswerStatus.MET
    sign_out_by_keyboard(page, sv("Sign out"))

    # The reviewer approves; a submitted report does not yet count in the overview.
    sign_in_by_keyboard(page, live_server, reviewer)
    open_overview(page)
    assert meets_baseline_total(page) == 1
    press_link(page, sv("Review"))
    press_link(page, clinic.name)
    press_button(page, sv("Approve"))

    assert path_of(page) == reverse("review_queue")
    report.refresh_from_db()
    assert report.state == ReportState.APPROVED
    assert list(report.events.order_by("at", "pk").values_list("to_state", flat=True)) == [
        ReportState.DRAFT,
        ReportState.SUBMITTED,
        ReportState.RETURNED,
        ReportState.SUBMITTED,
        ReportState.APPROVED,
    ]
    sign_out_by_keyboard(page, sv("Sign out"))

    # A viewer sees the clinic meet the whole baseline, and two clinics of three doing so.
    sign_in_by_keyboard(page, live_server, world["viewer"])
    assert path_of(page) == reverse("follow_up")
    open_overview(page)
    assert meets_baseline_total(page) == 2
    assert figure(page, sv("Do not meet the whole baseline")) == 1
    assert_status_badge(baseline_cell(page, clinic.name), icon="✓", word=sv("Met"), modifier="ok")
    check_axe(page, checked_pages, "overview (keyboard flow, after approval)", "viewer")
    take_screenshot(page, screenshots, "flow overview after approval")
