"""A reporting round from opening to closing, in a real browser.

A region admin opens a round for the three clinics in Falkenberg through the round form,
each clinic's reporter fills in and submits the round's report, a reviewer approves all
three, the round page counts three approved, and the admin closes the round.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext, pgettext

from clinics.models import Report, ReportingRound, ReportState, Role
from requirements.vocabulary import CareType, ClinicKind, Municipality, ProviderKind
from tests.browser.conftest import (
    assert_no_axe_violations,
    axe_violations,
    path_of,
    record_check,
    take_screenshot,
)
from tests.browser.keyboard import (
    answer_requirement,
    choose_option,
    choose_radio,
    open_report_area,
    press_button,
    press_link,
    report_areas,
    report_requirements,
    sign_in_by_keyboard,
    sign_out_by_keyboard,
    toggle_checkbox,
    type_date,
    type_into,
)
from tests.factories import REGION_HALLAND_ORG_NR, make_clinic, make_provider, make_user

pytestmark = pytest.mark.browser

ROUND_NAME = "Uppföljning Falkenberg"


def sv(message: str) -> str:
    with translation.override("sv"):
        return gettext(message)


@pytest.fixture
def world(catalogue):
    """Three clinics in Falkenberg (region-run health care and dental care, a private
    vårdcentral), each with its own reporter, and one in Halmstad the round leaves out."""
    region = make_provider(
        name="Region Halland", organisation_number=REGION_HALLAND_ORG_NR, kind=ProviderKind.REGION
    )
    private = make_provider(name="Vårdcentralen Hälsan AB")
    in_round = [
        make_clinic(
            provider=region,
            name="Vårdcentralen Falkenberg",
            municipality_code=Municipality.FALKENBERG,
        ),
        make_clinic(
            provider=region,
            name="Folktandvården Falkenberg",
            kind=ClinicKind.GENERAL_DENTAL,
            care_type=CareType.DENTAL,
            municipality_code=Municipality.FALKENBERG,
        ),
        make_clinic(
            provider=private,
            name="Vårdcentralen Hälsan Falkenberg",
            municipality_code=Municipality.FALKENBERG,
        ),
    ]
    left_out = make_clinic(
        provider=region, name="Vårdcentralen Andersberg", municipality_code=Municipality.HALMSTAD
    )
    return {
        "clinics": in_round,
        "left_out": left_out,
        "reporters": [make_user(Role.CLINIC_REPORTER, clinics=[clinic]) for clinic in in_round],
        "admin": make_user(Role.REGION_ADMIN, first_name="Anna", last_name="Lindqvist"),
        "reviewer": make_user(Role.REVIEWER, first_name="Rasmus", last_name="Berg"),
    }


def check_axe(page, checked_pages, label: str) -> None:
    violations = axe_violations(page)
    record_check(checked_pages, label, "region_admin", path_of(page), violations)
    assert_no_axe_violations(page, label, violations)


def figures(page) -> dict[str, int]:
    """The round page's progress figures, label -> number."""
    items = page.locator("ul.figures li")
    labels = items.locator(".figure__label").all_inner_texts()
    values = items.locator(".figure__value").all_inner_texts()
    return {label.strip(): int(value) for label, value in zip(labels, values, strict=True)}


def round_status(page) -> str:
    """What the facts list says after "Round status"."""
    return page.locator(f"dl.facts dt:text-is('{sv('Round status')}') + dd").inner_text().strip()


def fill_and_submit_report(page, clinic) -> None:
    """The reporter continues the round's draft from "my clinics", answers every
    requirement as met by keyboard, and submits."""
    press_link(page, f"{sv('Continue draft')} – {clinic.name}")
    for area in report_areas(page):
        open_report_area(page, area)
        for requirement in report_requirements(page, area):
            channel = sv("1177 e-services") if requirement["channel"] else ""
            answer_requirement(page, requirement["prefix"], status=sv("Met"), channel=channel)
    press_button(page, sv("Submit"))
    assert path_of(page) == reverse("my_clinics"), page.locator("main").inner_text()[:500]
    assert clinic.name in page.locator(".messages").inner_text()


def test_a_round_for_three_clinics_is_opened_reported_approved_and_closed_in_the_browser(
    page, live_server, world, screenshots, checked_pages
):
    clinics, admin = world["clinics"], world["admin"]
    deadline = timezone.localdate() + timedelta(days=30)

    # The admin opens the round for the clinics in Falkenberg, counting them first.
    sign_in_by_keyboard(page, live_server, admin)
    press_link(page, sv("Reporting rounds"))
    press_link(page, sv("Open a new round"))
    assert path_of(page) == reverse("round_create")
    check_axe(page, checked_pages, "round_create (round flow)")
    type_into(page, page.locator("#id_name"), ROUND_NAME)
    type_date(page, page.locator("#id_deadline"), deadline)
    choose_radio(page, "scope", sv("The active clinics that match the filters below"))
    choose_option(page, page.locator("#id_municipality"), "Falkenberg")
    press_button(page, sv("Count clinics"))

    with translation.override("sv"):
        covers = ngettext(
            "The choice covers %(count)s active clinic. Press “Open the round” to open it.",
            "The choice covers %(count)s active clinics. Press “Open the round” to open it.",
            3,
        ) % {"count": 3}
    assert page.get_by_role("status").inner_text().strip() == covers
    assert not ReportingRound.objects.exists(), "counting opens nothing"
    press_button(page, sv("Open the round"))

    round_ = ReportingRound.objects.get()
    assert path_of(page) == reverse("round_detail", args=[round_.pk])
    assert round_.name == ROUND_NAME
    assert round_.deadline == deadline
    assert set(round_.reports.values_list("clinic_id", flat=True)) == {c.pk for c in clinics}
    assert ROUND_NAME in page.locator(".messages").inner_text()
    progress = figures(page)
    assert progress[sv("Clinics in the round")] == 3
    assert progress[sv("Not started")] == 3
    with translation.override("sv"):
        assert round_status(page).endswith(pgettext("round", "Open"))
    check_axe(page, checked_pages, "round_detail (round flow, just opened)")
    sign_out_by_keyboard(page, sv("Sign out"))

    # Each clinic's reporter fills in and submits the round's report.
    for clinic, reporter in zip(clinics, world["reporters"], strict=True):
        sign_in_by_keyboard(page, live_server, reporter)
        fill_and_submit_report(page, clinic)
        sign_out_by_keyboard(page, sv("Sign out"))
    assert set(round_.reports.values_list("state", flat=True)) == {ReportState.SUBMITTED}

    # The reviewer approves the three from the queue.
    sign_in_by_keyboard(page, live_server, world["reviewer"])
    press_link(page, sv("Review"))
    for clinic in clinics:
        press_link(page, clinic.name)
        press_button(page, sv("Approve"))
        assert path_of(page) == reverse("review_queue")
        assert clinic.name in page.locator(".messages").inner_text()
    sign_out_by_keyboard(page, sv("Sign out"))
    assert set(round_.reports.values_list("state", flat=True)) == {ReportState.APPROVED}

    # The admin sees three approved, and closes the round.
    sign_in_by_keyboard(page, live_server, admin)
    press_link(page, sv("Reporting rounds"))
    press_link(page, ROUND_NAME)
    progress = figures(page)
    assert progress[sv("Clinics in the round")] == 3
    assert progress[sv("Approved")] == 3
    assert progress[sv("Not started")] == progress[sv("Submitted")] == 0
    rows = page.locator("table tbody tr")
    assert rows.count() == 3
    for clinic in clinics:
        row = rows.filter(has=page.get_by_role("link", name=clinic.name, exact=True))
        assert sv("Approved") in row.locator(".status").inner_text()
    assert world["left_out"].name not in page.locator("main").inner_text()
    check_axe(page, checked_pages, "round_detail (round flow, all approved)")
    take_screenshot(page, screenshots, "flow round all approved")

    toggle_checkbox(page, page.locator("#id_confirm"))
    press_button(page, sv("Close the round"))

    assert path_of(page) == reverse("round_detail", args=[round_.pk])
    assert ROUND_NAME in page.locator(".messages").inner_text()
    with translation.override("sv"):
        assert round_status(page).endswith(pgettext("round", "Closed"))
    assert page.get_by_role("button", name=sv("Close the round")).count() == 0
    assert figures(page)[sv("Approved")] == 3, "closing leaves approved reports approved"
    round_.refresh_from_db()
    assert not round_.is_open
    assert round_.closed_by == admin
    assert set(Report.objects.filter(round=round_).values_list("state", flat=True)) == {
        ReportState.APPROVED
    }
    check_axe(page, checked_pages, "round_detail (round flow, closed)")
    take_screenshot(page, screenshots, "flow round closed")
