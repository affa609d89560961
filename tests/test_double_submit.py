"""A double submit is harmless: the second click of a button (or ten at once) gives the
same result as the first, or a clear message, never a server error.

The simultaneous cases run on PostgreSQL, where requests really overlap: each thread has
its own connection and its own browser, and they all post at the same moment."""

import threading

import pytest
from django.contrib.messages import get_messages
from django.db import connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clinics.models import (
    ActionPlan,
    Answer,
    ApiToken,
    CaseEvent,
    CaseState,
    ExemptionCase,
    Report,
    ReportEvent,
    ReportingRound,
    ReportState,
)
from clinics.services.api_tokens import create_api_token
from clinics.services.reports import ReportAlreadyOpen, start_report
from tests.api.helpers import approve_answers
from tests.api.test_cases import submitted
from tests.factories import make_clinic
from tests.pages.test_action_plans import UNMET, plan_url, row_data
from tests.pages.test_bulk_reporting import answer_url, posted
from tests.pages.test_cases import request_data
from tests.pages.test_reporting import edit_url, full_answers
from tests.pages.test_rounds import form_data

THREADS = 10
BULK_CODE = "etjanster.fornya_recept"


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def at_once(user, url: str, data: dict, *, threads: int = THREADS) -> list[tuple[int, str]]:
    """``threads`` browsers signed in as ``user`` post ``data`` to ``url`` at the same
    moment; each answer's status and where it redirects to."""
    barrier = threading.Barrier(threads)
    results: list[tuple[int, str]] = []
    lock = threading.Lock()

    def post() -> None:
        browser = Client(raise_request_exception=False)
        browser.force_login(user)
        try:
            barrier.wait()
            response = browser.post(url, data)
            outcome = (response.status_code, response.get("Location", ""))
        finally:
            connections.close_all()  # each thread had its own connection
        with lock:
            results.append(outcome)

    workers = [threading.Thread(target=post) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert len(results) == threads
    return results


def no_server_error(results: list[tuple[int, str]]) -> None:
    assert [status for status, _location in results if status >= 500] == []


concurrently = pytest.mark.django_db(transaction=True)


# --- starting a report ----------------------------------------------------------------


def test_starting_a_report_twice_leads_to_the_same_draft(client, catalogue, clinic, reporter):
    client.force_login(reporter)
    first = client.post(reverse("report_start", args=[clinic.pk]))
    second = client.post(reverse("report_start", args=[clinic.pk]), follow=True)

    report = Report.objects.get(clinic=clinic)
    assert first.url == edit_url(report)
    assert second.redirect_chain == [(first.url, 302)]
    assert messages_of(second)[-1] == f"En rapport för {clinic.name} var redan påbörjad."


def test_the_service_names_the_report_already_in_progress(catalogue, clinic, reporter):
    draft = start_report(clinic=clinic, actor=reporter)
    with pytest.raises(ReportAlreadyOpen) as refused:
        start_report(clinic=clinic, actor=reporter)
    assert refused.value.report == draft


@concurrently
def test_ten_simultaneous_starts_give_one_draft_and_no_server_error(
    on_postgresql, catalogue, clinic, reporter
):
    results = at_once(reporter, reverse("report_start", args=[clinic.pk]), {})

    [report] = Report.objects.filter(clinic=clinic)
    assert report.state == ReportState.DRAFT
    assert results == [(302, edit_url(report))] * THREADS
    assert ReportEvent.objects.filter(report=report).count() == 1


# --- submitting a report --------------------------------------------------------------


@pytest.fixture
def draft(catalogue, clinic, reporter):
    return start_report(clinic=clinic, actor=reporter)


def test_submitting_a_report_twice_says_it_is_submitted(client, draft, reporter):
    client.force_login(reporter)
    data = {**full_answers(draft), "action": "submit"}
    assert client.post(edit_url(draft), data).status_code == 302

    again = client.post(edit_url(draft), data)

    assert (again.status_code, again.url) == (302, edit_url(draft))
    assert messages_of(again)[-1] == "Rapporten är inskickad eller godkänd och kan inte ändras."
    draft.refresh_from_db()
    assert draft.state == ReportState.SUBMITTED
    assert draft.events.filter(to_state=ReportState.SUBMITTED).count() == 1


@concurrently
def test_ten_simultaneous_submits_submit_once_and_no_server_error(
    on_postgresql, catalogue, clinic, reporter
):
    draft = start_report(clinic=clinic, actor=reporter)

    results = at_once(reporter, edit_url(draft), {**full_answers(draft), "action": "submit"})

    no_server_error(results)
    draft.refresh_from_db()
    assert draft.state == ReportState.SUBMITTED
    assert draft.events.filter(to_state=ReportState.SUBMITTED).count() == 1


# --- opening a round ------------------------------------------------------------------


def test_opening_a_round_twice_with_one_name_is_an_error_at_the_name(
    client, catalogue, region_admin
):
    make_clinic()
    client.force_login(region_admin)
    assert client.post(reverse("round_create"), form_data()).status_code == 302

    again = client.post(reverse("round_create"), form_data())

    assert again.status_code == 200
    assert again.context["form"].errors["name"] == [
        "Det finns redan en rapporteringsomgång med det här namnet."
    ]
    assert ReportingRound.objects.count() == 1


@concurrently
def test_ten_simultaneous_openings_open_one_round_and_no_server_error(
    on_postgresql, catalogue, region_admin
):
    clinics = [make_clinic() for _ in range(3)]

    results = at_once(region_admin, reverse("round_create"), form_data())

    no_server_error(results)
    [round] = ReportingRound.objects.all()
    assert Report.objects.filter(round=round).count() == len(clinics)
    assert sum(1 for status, _location in results if status == 302) == 1


# --- requesting an exemption ----------------------------------------------------------


def test_requesting_an_exemption_twice_leads_to_the_same_draft(
    client, catalogue, clinic, reporter
):
    client.force_login(reporter)
    first = client.post(reverse("case_create"), request_data(clinic, catalogue))
    second = client.post(reverse("case_create"), request_data(clinic, catalogue), follow=True)

    case = ExemptionCase.objects.get()
    assert first.url == reverse("case_detail", args=[case.pk])
    assert second.redirect_chain == [(first.url, 302)]
    assert messages_of(second)[-1] == (
        f"En ansökan om det här undantaget för {clinic.name} var redan påbörjad."
    )
    assert CaseEvent.objects.filter(case=case).count() == 1


def test_submitting_a_new_request_twice_submits_one_case(client, catalogue, clinic, reporter):
    client.force_login(reporter)
    data = request_data(clinic, catalogue, action="submit")
    first = client.post(reverse("case_create"), data)

    again = client.post(reverse("case_create"), data)

    case = ExemptionCase.objects.get()
    assert (again.status_code, again.url) == (302, first.url)
    assert case.state == CaseState.SUBMITTED
    assert case.events.filter(to_state=CaseState.SUBMITTED).count() == 1


@concurrently
def test_ten_simultaneous_requests_give_one_draft_and_no_server_error(
    on_postgresql, catalogue, clinic, reporter
):
    results = at_once(reporter, reverse("case_create"), request_data(clinic, catalogue))

    [case] = ExemptionCase.objects.filter(clinic=clinic)
    assert case.state == CaseState.DRAFT
    assert results == [(302, reverse("case_detail", args=[case.pk]))] * THREADS
    assert CaseEvent.objects.filter(case=case).count() == 1


# --- deciding a case ------------------------------------------------------------------


def _approval() -> dict:
    today = timezone.localdate()
    return {
        "action": "approve",
        "valid_from": today.isoformat(),
        "valid_until": (today + timezone.timedelta(days=90)).isoformat(),
    }


def test_deciding_a_case_twice_says_it_is_decided(client, catalogue, clinic, reporter, reviewer):
    case = submitted(clinic, reporter, catalogue)
    client.force_login(reviewer)
    url = reverse("case_detail", args=[case.pk])
    assert client.post(url, _approval()).status_code == 302

    again = client.post(url, _approval())

    assert again.status_code == 409
    assert "message--error" in again.content.decode()
    case.refresh_from_db()
    assert case.state == CaseState.APPROVED
    assert CaseEvent.objects.filter(case=case, to_state=CaseState.APPROVED).count() == 1


@concurrently
def test_ten_simultaneous_decisions_decide_once_and_no_server_error(
    on_postgresql, catalogue, clinic, reporter, reviewer
):
    case = submitted(clinic, reporter, catalogue)

    results = at_once(reviewer, reverse("case_detail", args=[case.pk]), _approval())

    no_server_error(results)
    assert CaseEvent.objects.filter(case=case, to_state=CaseState.APPROVED).count() == 1


# --- answering for several clinics ----------------------------------------------------


def test_answering_for_several_clinics_twice_gives_the_same_answers(
    client, catalogue, clinic, sibling_clinic, coordinator
):
    requirement = catalogue.requirements.get(code=BULK_CODE)
    client.force_login(coordinator)
    data = posted(requirement, [clinic, sibling_clinic])
    assert client.post(answer_url(), data).status_code == 302

    again = client.post(answer_url(), data)

    assert again.status_code == 302
    assert Report.objects.count() == 2
    assert Answer.objects.filter(requirement=requirement).count() == 2


@concurrently
def test_ten_simultaneous_bulk_answers_give_one_draft_a_clinic_and_no_server_error(
    on_postgresql, catalogue, clinic, sibling_clinic, coordinator
):
    requirement = catalogue.requirements.get(code=BULK_CODE)

    results = at_once(coordinator, answer_url(), posted(requirement, [clinic, sibling_clinic]))

    no_server_error(results)
    assert Report.objects.count() == 2
    assert Answer.objects.filter(requirement=requirement).count() == 2


# --- saving an action plan ------------------------------------------------------------


def test_saving_an_action_plan_twice_keeps_one_plan(client, catalogue, clinic, reporter):
    approved = approve_answers(clinic, UNMET)
    client.force_login(reporter)
    assert client.post(plan_url(clinic), row_data(approved)).status_code == 302

    again = client.post(plan_url(clinic), row_data(approved))

    assert again.status_code == 302
    plan = ActionPlan.objects.get()
    assert plan.items.count() == 1
    assert plan.events.count() == 1


@concurrently
def test_ten_simultaneous_first_saves_start_one_plan_and_no_server_error(
    on_postgresql, catalogue, clinic, reporter
):
    approved = approve_answers(clinic, UNMET)

    results = at_once(reporter, plan_url(clinic), row_data(approved))

    no_server_error(results)
    assert ActionPlan.objects.count() == 1


# --- a round's manual reminder ----------------------------------------------------------


@concurrently
def test_ten_simultaneous_presses_of_one_reminder_send_it_once(
    on_postgresql, catalogue, clinic, reporter, region_admin, mailoutbox
):
    round_client = Client()
    round_client.force_login(region_admin)
    round_client.post(reverse("round_create"), form_data())
    round = ReportingRound.objects.get()
    page = round_client.get(reverse("round_detail", args=[round.pk])).content.decode()
    press = page.split('name="press" value="')[1].split('"')[0]
    mailoutbox.clear()

    results = at_once(region_admin, reverse("round_remind", args=[round.pk]), {"press": press})

    no_server_error(results)
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [reporter.email]


# --- an API key -------------------------------------------------------------------------


def test_making_a_key_twice_makes_one_and_says_the_name_is_taken(client, viewer):
    client.force_login(viewer)
    first = client.post(reverse("api_tokens"), {"name": "Budgetsystemet"})
    second = client.post(reverse("api_tokens"), {"name": "Budgetsystemet"})

    assert (first.status_code, second.status_code) == (200, 400)
    assert second.context["form"].errors["name"] == ["Du har redan en API-nyckel med det namnet."]
    assert ApiToken.objects.filter(user=viewer).count() == 1


@concurrently
def test_ten_simultaneous_makes_of_one_key_make_one_and_no_server_error(on_postgresql, viewer):
    results = at_once(viewer, reverse("api_tokens"), {"name": "Budgetsystemet"})

    no_server_error(results)
    assert sorted(status for status, _location in results) == [200] + [400] * (THREADS - 1)
    assert ApiToken.objects.filter(user=viewer).count() == 1


@concurrently
def test_ten_simultaneous_revokes_of_one_key_revoke_it_once(on_postgresql, viewer):
    token = create_api_token(user=viewer, name="Budgetsystemet").token

    results = at_once(viewer, reverse("api_token_revoke", args=[token.token_key]), {})

    no_server_error(results)
    assert {status for status, _location in results} <= {302, 404}
    assert not ApiToken.objects.exists()
    assert ApiToken.history.filter(history_type="-").count() == 1
