"""An action plan from due to accepted, in Swedish, in a real browser.

A clinic whose approved report does not meet chat visits (distans.chatt): its reporter
follows the link on the clinic page, writes the measure, the person and the date, and
submits; a reviewer opens it from the queue and accepts it. axe-core checks every page on
the way, the reviewer's decision form included.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, pgettext

from clinics.models import ActionPlan, ActionPlanState, Role
from requirements.vocabulary import AnswerStatus, ProviderKind
from tests.api.helpers import approve_answers
from tests.browser.conftest import path_of, sign_in_with_session, take_screenshot, url_of
from tests.browser.test_case_flow import check_axe
from tests.factories import REGION_HALLAND_ORG_NR, make_clinic, make_provider, make_user

pytestmark = pytest.mark.browser


def sv(message: str, context: str = "") -> str:
    with translation.override("sv"):
        return pgettext(context, message) if context else gettext(message)


def test_a_plan_is_written_submitted_and_accepted_in_the_browser(
    page, context, live_server, catalogue, screenshots, checked_pages
):
    region = make_provider(
        name="Region Halland", organisation_number=REGION_HALLAND_ORG_NR, kind=ProviderKind.REGION
    )
    clinic = make_clinic(provider=region, name="Vårdcentralen Getinge")
    approve_answers(clinic, {"distans.chatt": AnswerStatus.NOT_MET})
    reporter = make_user(
        Role.CLINIC_REPORTER, clinics=[clinic], first_name="Karin", last_name="Ek"
    )
    reviewer = make_user(Role.REVIEWER, first_name="Rasmus", last_name="Berg")
    due = timezone.localdate() + timedelta(days=45)

    sign_in_with_session(page, live_server, reporter)
    page.goto(url_of(live_server, reverse("clinic_detail", args=[clinic.pk])))
    with page.expect_navigation():
        page.get_by_role("link", name=sv("Write the action plan")).click()
    assert path_of(page) == reverse("clinic_action_plan", args=[clinic.pk])
    check_axe(page, checked_pages, "clinic_action_plan (flow, due)", "clinic_reporter")

    page.get_by_label(sv("Measure", "action plan")).fill("Införa chatt via 1177.")
    page.get_by_label(sv("Responsible person")).fill("Karin Ek, verksamhetschef")
    page.get_by_label(sv("Done by")).fill(due.isoformat())
    with page.expect_navigation():
        page.get_by_role("button", name=sv("Submit for review")).click()
    plan = ActionPlan.objects.get(clinic=clinic)
    assert plan.state == ActionPlanState.SUBMITTED
    assert plan.items.get().due_date == due
    check_axe(page, checked_pages, "clinic_action_plan (flow, submitted)", "clinic_reporter")

    context.clear_cookies()
    sign_in_with_session(page, live_server, reviewer)
    page.goto(url_of(live_server, reverse("review_queue")))
    with page.expect_navigation():
        page.get_by_role("link", name="Vårdcentralen Getinge").click()
    assert path_of(page) == reverse("review_action_plan", args=[plan.pk])
    check_axe(page, checked_pages, "review_action_plan (flow, decision form)", "reviewer")
    take_screenshot(page, screenshots, "flow action plan decision")

    page.get_by_label(sv("Accept the action plan")).check()
    with page.expect_navigation():
        page.get_by_role("button", name=sv("Decide")).click()
    plan.refresh_from_db()
    assert plan.state == ActionPlanState.ACCEPTED
    assert plan.decided_by == reviewer
