"""The report form, area by area, with the keyboard only: each area opens from its
heading, a field shows only when the chosen status has a use for it, the save and submit
buttons stay at the bottom of the window, and the report is submitted."""

import pytest
from django.urls import reverse

from clinics.models import Report, ReportState
from requirements.vocabulary import AnswerStatus
from tests.browser.conftest import VIEWPORT, path_of, take_screenshot
from tests.browser.keyboard import (
    answer_requirement,
    choose_radio,
    open_report_area,
    press_button,
    report_areas,
    report_requirements,
    requirement_pk,
    sign_in_by_keyboard,
)
from tests.browser.test_report_flow import JUSTIFICATION, NOT_APPLICABLE, check_axe, sv

pytestmark = pytest.mark.browser


def applies(page, prefix: str) -> dict:
    """Which of the answer's fields that depend on its status are shown."""
    return page.locator(f"fieldset#{prefix} [data-applies-when]").evaluate_all(
        "els => Object.fromEntries(els.map(e => [e.dataset.appliesWhen, !e.hidden]))"
    )


def in_view(locator) -> bool:
    box = locator.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= VIEWPORT["height"]


def summary_of(page, area: str) -> str:
    return page.locator(f"details#{area} > summary").inner_text()


def answer_area(page, area: str, codes: dict[int, str], not_met: list[str]) -> None:
    """Every requirement of the area: met (with its channel), the one that may be "not
    applicable" so, and the area's first channel question not met."""
    for requirement in report_requirements(page, area):
        prefix, code = requirement["prefix"], codes[requirement_pk(requirement["prefix"])]
        if code == NOT_APPLICABLE:
            answer_requirement(
                page, prefix, status=sv("Not applicable"), justification=JUSTIFICATION
            )
            assert applies(page, prefix).get("met partially_met", False) is False
        elif requirement["channel"] and not not_met:
            choose_radio(page, f"{prefix}-status", sv("Not met"))
            # Not met is offered through no channel: the question is not shown.
            assert applies(page, prefix)["met partially_met"] is False
            not_met.append(code)
        else:
            answer_requirement(
                page,
                prefix,
                status=sv("Met"),
                channel=sv("1177 e-services") if requirement["channel"] else "",
            )


def test_a_reporter_completes_the_report_area_by_area_with_the_keyboard_and_submits(
    page, live_server, catalogue, clinic, reporter, checked_pages, screenshots
):
    codes = dict(catalogue.requirements.values_list("pk", "code"))
    sign_in_by_keyboard(page, live_server, reporter)
    press_button(page, f"{sv('Start report')} – {clinic.name}")
    report = Report.objects.get(clinic=clinic)
    areas = report_areas(page)
    assert len(areas) == 8, "the seven areas and the general requirements"

    # Only the first area is open; the buttons are in view at the top of a long form.
    assert page.locator("details.report-section[open]").evaluate_all(
        "els => els.map(e => e.id)"
    ) == [areas[0]]
    assert in_view(page.get_by_role("button", name=sv("Submit"), exact=True))
    assert in_view(page.get_by_role("button", name=sv("Save draft"), exact=True))
    # Until a status is chosen, neither the channel nor the justification is asked.
    first = report_requirements(page, areas[0])[0]["prefix"]
    assert not any(applies(page, first).values())

    # The first area, then a saved draft: its heading says it is done.
    not_met: list[str] = []
    open_report_area(page, areas[0])
    answer_area(page, areas[0], codes, not_met)
    press_button(page, sv("Save draft"))
    assert path_of(page) == reverse("report_edit", args=[report.pk])
    total = len(report_requirements(page, areas[0]))
    assert sv("%(answered)s of %(total)s answered") % {
        "answered": total,
        "total": total,
    } in summary_of(page, areas[0])
    # The next area not yet answered is the one open now.
    assert page.locator(f"details#{areas[1]}").evaluate("el => el.open")
    assert not page.locator(f"details#{areas[0]}").evaluate("el => el.open")
    check_axe(page, checked_pages, "report_edit (areas, after a save)", "clinic_reporter")
    take_screenshot(page, screenshots, "report form areas after a save")

    for area in areas[1:]:
        open_report_area(page, area)
        answer_area(page, area, codes, not_met)
    asked = page.locator("fieldset.requirement").count()
    check_axe(page, checked_pages, "report_edit (areas, all open)", "clinic_reporter")
    press_button(page, sv("Submit"))

    assert path_of(page) == reverse("my_clinics"), page.locator("main").inner_text()[:500]
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED
    answers = {answer.requirement.code: answer for answer in report.answers.all()}
    assert len(answers) == asked
    [code] = not_met
    assert (answers[code].status, answers[code].channel) == (AnswerStatus.NOT_MET, "")
    assert answers[NOT_APPLICABLE].justification == JUSTIFICATION
