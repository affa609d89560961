"""Every record keeps the sign-in it was made in, beside who made it: a history row, one
written singly or in bulk, and a report's or case's event. The clinic's history page
shows the method and level of assurance. What a task, a command or an API key writes has
no sign-in. (SITHS sign-ins, with their acr, are tested in tests/test_oidc_sign_in.py.)"""

from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clinics.models import (
    Answer,
    CaseEvent,
    ExemptionCase,
    Report,
    ReportEvent,
    ReportingRound,
    Role,
    SignIn,
    SignInMethod,
)
from clinics.services.reports import save_answer, start_report
from requirements.vocabulary import AnswerStatus, ExemptionKind
from tests.api.helpers import key_client
from tests.factories import make_clinic, make_user

BOOKING = "webbtidbok.boka_direkt"


def signed_in(user) -> tuple[Client, SignIn]:
    client = Client()
    client.force_login(user)
    return client, SignIn.objects.filter(user=user).latest("at", "pk")


def test_what_a_reporter_does_keeps_the_sign_in_of_their_session(catalogue, clinic, reporter):
    client, first = signed_in(reporter)
    client.post(reverse("report_start", args=[clinic.pk]))
    report = Report.objects.get(clinic=clinic)
    requirement = catalogue.requirements.get(code="hemsida.sida_1177")
    later, second = signed_in(reporter)
    saved = later.post(
        reverse("report_edit", args=[report.pk]),
        {f"r{requirement.pk}-status": AnswerStatus.MET, "action": "save"},
    )

    assert saved.status_code == 302
    assert first != second
    assert first.method == SignInMethod.PASSWORD
    assert ReportEvent.objects.get(report=report).sign_in == first
    assert report.history.earliest("history_date", "history_id").history_sign_in == first
    answer = Answer.objects.get(report=report, requirement=requirement)
    assert {row.history_sign_in for row in answer.history.all()} == {second}
    assert {row.history_user for row in answer.history.all()} == {reporter}


def test_records_written_in_bulk_keep_the_sign_in_too(client, catalogue, region_admin):
    clinics = [make_clinic() for _ in range(3)]
    client, sign_in = signed_in(region_admin)

    response = client.post(
        reverse("round_create"),
        {
            "name": "Uppföljning 2027",
            "deadline": (timezone.localdate() + timedelta(days=60)).isoformat(),
            "scope": "all",
        },
    )

    assert response.status_code == 302
    reports = Report.objects.filter(round=ReportingRound.objects.get())
    assert reports.count() == len(clinics)
    rows = Report.history.filter(id__in=reports.values("pk"))
    assert rows.count() == len(clinics)
    assert {row.history_sign_in for row in rows} == {sign_in}
    assert {event.sign_in for event in ReportEvent.objects.filter(report__in=reports)} == {sign_in}


def test_what_is_done_outside_a_sign_in_has_none(catalogue, clinic, reporter):
    report = start_report(clinic=clinic, actor=reporter)

    assert ReportEvent.objects.get(report=report).sign_in is None
    assert report.history.get().history_sign_in is None
    assert report.history.get().history_user == reporter


def test_an_api_key_is_no_sign_in_even_beside_a_session_cookie(catalogue, clinic, reporter):
    other = make_user(Role.CLINIC_REPORTER, clinics=[clinic])
    _, others_sign_in = signed_in(other)
    client = key_client(_key_of(reporter))
    client.force_login(other)  # someone else's session cookie on the same client

    response = client.post(
        reverse("api:case-list"),
        {
            "clinic": clinic.pk,
            "requirement": BOOKING,
            "exemption_kind": ExemptionKind.REQUEST_APPOINTMENT,
            "reason_category": "technical",
            "justification": "Journalsystemet kan inte ta emot direktbokade tider.",
            "requested_from": timezone.localdate().isoformat(),
            "requested_until": (timezone.localdate() + timedelta(days=90)).isoformat(),
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    case = ExemptionCase.objects.get()
    assert case.requester == reporter
    assert {(row.history_user, row.history_sign_in) for row in case.history.all()} == {
        (reporter, None)
    }
    assert CaseEvent.objects.get(case=case).sign_in is None
    assert others_sign_in.user == other


def test_the_history_page_says_how_each_actor_signed_in(catalogue, clinic, reporter, reviewer):
    client, _ = signed_in(reporter)
    client.post(reverse("report_start", args=[clinic.pk]))
    save_answer(  # outside a sign-in: its row names no sign-in
        report=Report.objects.get(clinic=clinic),
        requirement=catalogue.requirements.get(code="hemsida.sida_1177"),
        actor=reporter,
        status=AnswerStatus.MET,
    )
    SignIn.objects.filter(user=reporter).update(acr="http://id.sambi.se/loa/loa3")
    reading, _ = signed_in(reviewer)

    page = reading.get(
        reverse("clinic_history", args=[clinic.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()

    assert (
        '<span class="help sign-in"><span class="visually-hidden">Signed in with:</span> '
        "Password (level of assurance http://id.sambi.se/loa/loa3)</span>"
    ) in page
    assert page.count('class="help sign-in"') == 1
    assert "Answered" in page


def _key_of(user) -> str:
    from clinics.services.api_tokens import create_api_token

    return create_api_token(user=user, name="Uppföljningen").key
