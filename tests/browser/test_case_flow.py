"""An exemption from request to compliance, in Swedish, in a real browser.

A clinic reporter whose approved report says "Ej uppfyllt" for direct web booking
requests "beställa tid" instead (webbtidbok.boka_direkt, exemption request_appointment);
a reviewer approves it for three months; the clinic page then shows the requirement as
"Uppfyllt genom undantag". axe-core checks every new page on the way.

With the keyboard only (tests/browser/keyboard.py): Tab to each control, the arrow keys
to choose, typing to fill in, Enter to follow a link or press a button. A control the
keyboard cannot reach or operate fails the flow.
"""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from clinics.models import CaseState, ExemptionCase, Role
from requirements.vocabulary import AnswerStatus, ProviderKind
from tests.api.helpers import approve_answers
from tests.browser.conftest import (
    assert_no_axe_violations,
    axe_violations,
    path_of,
    record_check,
    take_screenshot,
    url_of,
)
from tests.browser.keyboard import (
    choose_radio,
    press,
    press_button,
    press_link,
    sign_in_by_keyboard,
    sign_out_by_keyboard,
    type_date,
    type_into,
)
from tests.factories import REGION_HALLAND_ORG_NR, make_clinic, make_provider, make_user

pytestmark = pytest.mark.browser

BOOKING = "webbtidbok.boka_direkt"
JUSTIFICATION = "Journalsystemet kan ännu inte ta emot tider som invånare bokar direkt."
ALTERNATIVE = "E-tjänsten Beställa tid på 1177; mottagningen ringer upp inom två dagar."


def sv(message: str) -> str:
    """The Swedish text the page shows, from the project's own catalogue."""
    with translation.override("sv"):
        return gettext(message)


def three_months_after(day: date) -> date:
    month = day.month + 3
    year, month = day.year + (month - 1) // 12, (month - 1) % 12 + 1
    for last_day in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last_day))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def check_axe(page, checked_pages, label: str, role: str) -> None:
    violations = axe_violations(page)
    record_check(checked_pages, label, role, path_of(page), violations)
    assert_no_axe_violations(page, label, violations)


def compliance_word(page, requirement_name: str) -> str:
    """The word of the requirement's compliance badge on the clinic page (the icon beside
    it is hidden from screen readers)."""
    row = page.locator("table.requirements tbody tr").filter(
        has=page.locator("th", has_text=requirement_name)
    )
    assert row.count() == 1
    badge = row.locator("td").first.locator(".status")
    icon = badge.locator(".status__icon").inner_text()
    return badge.inner_text().replace(icon, "").strip()


@pytest.fixture
def world(catalogue):
    region = make_provider(
        name="Region Halland", organisation_number=REGION_HALLAND_ORG_NR, kind=ProviderKind.REGION
    )
    clinic = make_clinic(provider=region, name="Vårdcentralen Getinge")
    reviewer = make_user(Role.REVIEWER, first_name="Rasmus", last_name="Berg")
    approve_answers(clinic, {BOOKING: AnswerStatus.NOT_MET}, reviewer=reviewer)
    return {
        "clinic": clinic,
        "requirement": catalogue.requirements.get(code=BOOKING),
        "reporter": make_user(
            Role.CLINIC_REPORTER, clinics=[clinic], first_name="Karin", last_name="Ek"
        ),
        "reviewer": reviewer,
    }


def test_an_approved_request_to_book_by_request_makes_web_booking_compliant_by_keyboard(
    page, live_server, world, screenshots, checked_pages
):
    clinic, requirement = world["clinic"], world["requirement"]
    clinic_url = url_of(live_server, reverse("clinic_detail", args=[clinic.pk]))
    today = timezone.localdate()
    until = three_months_after(today)

    # The reporter sees direct booking not met, and requests an exemption from the page.
    sign_in_by_keyboard(page, live_server, world["reporter"])
    page.goto(clinic_url)
    assert compliance_word(page, requirement.name_sv) == sv("Not compliant")
    press_link(page, sv("Request an exemption"))
    assert path_of(page) == reverse("case_create")
    assert page.locator("#id_clinic").input_value() == str(clinic.pk)
    check_axe(page, checked_pages, "case_create (flow)", "clinic_reporter")
    take_screenshot(page, screenshots, "flow case request form")

    exemption = page.locator(
        f"input[name=exemption][value='{requirement.pk}:request_appointment']"
    )
    choose_radio(page, "exemption", exemption.evaluate("el => el.labels[0].innerText.trim()"))
    choose_radio(page, "reason_category", sv("Technical"))
    type_into(page, page.locator("#id_justification"), JUSTIFICATION)
    type_into(page, page.locator("#id_alternative"), ALTERNATIVE)
    type_into(page, page.locator("#id_links"), "https://www.1177.se/hitta-vard/underlag/tidbok")
    type_date(page, page.locator("#id_requested_from"), today)
    type_date(page, page.locator("#id_requested_until"), until)
    press_button(page, sv("Submit for decision"))

    case = ExemptionCase.objects.get(clinic=clinic)
    assert path_of(page) == reverse("case_detail", args=[case.pk]), page.content()[:2000]
    assert case.state == CaseState.SUBMITTED
    assert case.exemption_kind == "request_appointment"
    assert case.alternative == ALTERNATIVE
    check_axe(page, checked_pages, "case_detail (flow, submitted)", "clinic_reporter")

    # The reviewer finds it first in the queue and approves it for three months.
    sign_out_by_keyboard(page, sv("Sign out"))
    sign_in_by_keyboard(page, live_server, world["reviewer"])
    page.goto(url_of(live_server, reverse("case_queue")))
    check_axe(page, checked_pages, "case_queue (flow)", "reviewer")
    take_screenshot(page, screenshots, "flow case queue")
    press(page, page.locator("tbody tr").first.get_by_role("link"))
    assert path_of(page) == reverse("case_detail", args=[case.pk])
    # Pre-filled with the requested period.
    assert page.locator("#id_valid_from").input_value() == today.isoformat()
    check_axe(page, checked_pages, "case_detail (flow, decision form)", "reviewer")
    take_screenshot(page, screenshots, "flow case decision")

    type_date(page, page.locator("#id_valid_until"), until)
    type_into(page, page.locator("#id_comment"), "Godkänt i tre månader.")
    press_button(page, sv("Approve"))

    case.refresh_from_db()
    assert case.state == CaseState.APPROVED
    assert (case.valid_from, case.valid_until) == (today, until)
    assert case.decided_by == world["reviewer"]
    check_axe(page, checked_pages, "case_detail (flow, approved)", "reviewer")

    # The clinic page now counts web booking as met through the exemption, and lists it.
    page.goto(clinic_url)
    assert compliance_word(page, requirement.name_sv) == sv("Compliant through exemption")
    assert compliance_word(page, requirement.name_sv) == "Uppfyllt genom undantag"
    assert page.locator(f"a[href='{reverse('case_detail', args=[case.pk])}']").count() == 1
    check_axe(page, checked_pages, "clinic_detail (flow, with exemption)", "reviewer")
    take_screenshot(page, screenshots, "flow clinic with exemption")
