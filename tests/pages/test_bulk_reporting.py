"""The pages on which a coordinator answers for several clinics, and submits several
reports, at once."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinics.models import Answer, Report, ReportEvent, ReportState, Role
from clinics.services.reports import start_report, submit_report
from requirements.vocabulary import AnswerStatus, Channel, ClinicKind
from tests.factories import answer_everything, make_clinic, make_user

CODE = "etjanster.fornya_recept"


@pytest.fixture
def requirement(catalogue):
    return catalogue.requirements.get(code=CODE)


@pytest.fixture
def drafts(catalogue, clinic, sibling_clinic, coordinator):
    return [start_report(clinic=c, actor=coordinator) for c in (clinic, sibling_clinic)]


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


def answer_url(code=CODE, **query):
    query = {"requirement": code} | query
    return reverse("bulk_answer") + "?" + "&".join(f"{k}={v}" for k, v in query.items())


def posted(requirement, clinics, status=AnswerStatus.MET, **fields):
    prefix = f"r{requirement.pk}"
    data = {f"{prefix}-status": status, "clinics": [c.pk for c in clinics]}
    if requirement.asks_channel:
        data[f"{prefix}-channel"] = fields.pop("channel", Channel.E_SERVICES_1177)
    data |= {f"{prefix}-{field}": value for field, value in fields.items()}
    return data


SUBMIT_URL = reverse("bulk_submit")


# --- who may use the pages ------------------------------------------------------------


def test_anonymous_users_are_sent_to_sign_in(client, drafts):
    login = reverse("login")
    assert client.get(answer_url()).url.startswith(login)
    assert client.get(SUBMIT_URL).url.startswith(login)


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.VIEWER, Role.REGION_ADMIN])
def test_every_role_but_clinic_reporters_gets_403(client, drafts, requirement, clinic, role):
    client.force_login(make_user(role, clinics=[clinic], providers=[clinic.provider]))
    assert client.get(reverse("bulk_answer")).status_code == 403
    assert client.get(answer_url()).status_code == 403
    assert client.post(answer_url(), posted(requirement, [clinic])).status_code == 403
    assert client.get(SUBMIT_URL).status_code == 403
    assert client.post(SUBMIT_URL, {"clinics": [clinic.pk]}).status_code == 403
    assert not Answer.objects.exists()


def test_a_reporter_of_one_clinic_sees_only_their_clinic(
    client, drafts, clinic, sibling_clinic, reporter
):
    client.force_login(reporter)
    page = client.get(answer_url()).content.decode()
    assert clinic.name in page
    assert sibling_clinic.name not in page
    assert sibling_clinic.name not in client.get(SUBMIT_URL).content.decode()


def test_the_coordinator_is_offered_the_requirements_in_force_and_their_clinics(
    coordinator_client, drafts, clinic, sibling_clinic, other_clinic, requirement
):
    first = coordinator_client.get(reverse("bulk_answer")).content.decode()
    assert f'<option value="{CODE}">{requirement.name}</option>' in first
    page = coordinator_client.get(answer_url()).content.decode()
    assert f'id="clinic-{clinic.pk}"' in page
    assert f'id="clinic-{sibling_clinic.pk}"' in page
    assert other_clinic.name not in page


def test_choose_all_checks_every_clinic_that_can_take_the_answer_without_javascript(
    coordinator_client, drafts, clinic, sibling_clinic
):
    page = coordinator_client.get(answer_url(all=1)).content.decode()
    assert page.count(" checked>") == 2
    assert coordinator_client.get(answer_url()).content.decode().count(" checked>") == 0


def test_the_kind_filter_narrows_the_clinics_listed(
    coordinator_client, drafts, clinic, coordinator
):
    specialist = make_clinic(provider=clinic.provider, kind=ClinicKind.SPECIALIST)
    page = coordinator_client.get(answer_url(kind=ClinicKind.SPECIALIST, all=1)).content.decode()
    assert f'id="clinic-{specialist.pk}"' in page
    assert f'id="clinic-{clinic.pk}"' not in page


def test_a_clinic_with_a_submitted_report_is_listed_with_its_reason_not_offered(
    coordinator_client, drafts, coordinator
):
    answer_everything(drafts[1], coordinator)
    submit_report(report=drafts[1], actor=coordinator)
    page = coordinator_client.get(answer_url(all=1)).content.decode()
    assert f'id="clinic-{drafts[1].clinic_id}"' not in page
    assert "Rapporten är inskickad eller godkänd och kan inte ändras." in page


# --- answering ------------------------------------------------------------------------


def test_saving_writes_one_answer_and_one_history_row_per_chosen_clinic(
    coordinator_client, drafts, requirement, coordinator
):
    response = coordinator_client.post(
        answer_url(),
        posted(requirement, [d.clinic for d in drafts], evidence_url="https://www.1177.se/r"),
    )
    assert response.status_code == 302
    assert response.url == answer_url()
    for draft in drafts:
        stored = Answer.objects.get(report=draft, requirement=requirement)
        assert stored.evidence_url == "https://www.1177.se/r"
        assert [h.history_user for h in stored.history.all()] == [coordinator]
    message = coordinator_client.get(response.url).content.decode()
    assert "Svaret har sparats för 2 mottagningar." in message


def test_a_clinic_of_another_provider_refuses_the_whole_save_with_the_reason(
    coordinator_client, drafts, requirement, other_clinic
):
    response = coordinator_client.post(
        answer_url(), posted(requirement, [drafts[0].clinic, other_clinic])
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Inget har sparats" in page
    assert "En mottagning som du inte rapporterar för: Du får inte rapportera" in page
    # Not the other provider's clinic's name: it is not theirs to read.
    assert other_clinic.name not in page
    assert not Answer.objects.exists()
    # What was chosen and typed is kept.
    assert f'value="{drafts[0].clinic_id}" id="clinic-{drafts[0].clinic_id}"' in page
    assert page.count(" checked>") >= 2


def test_bad_input_gives_field_errors_in_swedish_and_writes_nothing(
    coordinator_client, drafts, requirement
):
    response = coordinator_client.post(
        answer_url(),
        posted(
            requirement,
            [],
            status=AnswerStatus.NOT_APPLICABLE,
            evidence_url="http://www.1177.se/",
        ),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Motivera varför kravet inte är tillämpligt." in page
    assert "Länken till underlaget ska börja med https://." in page
    assert "Välj minst en mottagning." in page
    assert 'aria-invalid="true"' in page
    assert not Answer.objects.exists()


def test_an_unknown_requirement_shows_only_the_choice(coordinator_client, drafts):
    page = coordinator_client.get(answer_url(code="inget.sadant")).content.decode()
    assert 'name="clinics"' not in page


def test_the_answer_page_costs_the_same_queries_for_2_as_for_20_clinics(
    client, catalogue, requirement
):
    def queries(count) -> int:
        first = make_clinic()
        clinics = [first, *(make_clinic(provider=first.provider) for _ in range(count - 1))]
        user = make_user(Role.CLINIC_REPORTER, providers=[first.provider])
        for c in clinics[::2]:
            start_report(clinic=c, actor=user)
        client.force_login(user)
        client.get(answer_url())  # sessions, caches
        with CaptureQueriesContext(connection) as get:
            assert client.get(answer_url(all=1)).status_code == 200
        with CaptureQueriesContext(connection) as post:
            assert client.post(answer_url(), posted(requirement, clinics)).status_code == 302
        return len(get), len(post)

    assert queries(2) == queries(20)


# --- submitting many ------------------------------------------------------------------


def test_the_submit_page_offers_only_ready_reports_and_says_why_the_others_are_not(
    coordinator_client, drafts, coordinator
):
    answer_everything(drafts[0], coordinator)
    page = coordinator_client.get(SUBMIT_URL).content.decode()
    assert f'id="clinic-{drafts[0].clinic_id}"' in page
    assert f'id="clinic-{drafts[1].clinic_id}"' not in page
    assert "krav saknar ännu svar." in page


def test_submitting_several_ready_reports_gives_each_its_own_event(
    coordinator_client, drafts, coordinator
):
    for draft in drafts:
        answer_everything(draft, coordinator)
    response = coordinator_client.post(SUBMIT_URL, {"clinics": [d.clinic_id for d in drafts]})
    assert response.status_code == 302
    assert response.url == reverse("my_clinics")
    assert set(Report.objects.values_list("state", flat=True)) == {ReportState.SUBMITTED}
    assert ReportEvent.objects.filter(to_state=ReportState.SUBMITTED).count() == 2
    assert "2 rapporter har skickats in för granskning." in (
        coordinator_client.get(response.url).content.decode()
    )


def test_submitting_is_refused_for_a_report_not_ready_and_submits_none(
    coordinator_client, drafts, coordinator
):
    answer_everything(drafts[0], coordinator)
    response = coordinator_client.post(SUBMIT_URL, {"clinics": [d.clinic_id for d in drafts]})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Ingen rapport har skickats in" in page
    assert f"{drafts[1].clinic.name}: " in page
    assert set(Report.objects.values_list("state", flat=True)) == {ReportState.DRAFT}


def test_submitting_nothing_chosen_is_a_field_error(coordinator_client, drafts, coordinator):
    answer_everything(drafts[0], coordinator)
    page = coordinator_client.post(SUBMIT_URL, {}).content.decode()
    assert "Välj minst en mottagning." in page


def test_the_my_clinics_page_links_the_bulk_pages_for_a_coordinator(coordinator_client, drafts):
    page = coordinator_client.get(reverse("my_clinics")).content.decode()
    assert reverse("bulk_answer") in page
    assert reverse("bulk_submit") in page
