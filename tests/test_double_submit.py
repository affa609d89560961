"""A double submit is harmless: the second click of a button gives the same result as the
first, or a clear message, never a server error."""

import threading

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse

from clinics.models import Report, ReportEvent, ReportState
from clinics.services.reports import ReportAlreadyOpen, start_report

THREADS = 10


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# --- starting a report ----------------------------------------------------------------


def test_starting_a_report_twice_leads_to_the_same_draft(client, catalogue, clinic, reporter):
    client.force_login(reporter)
    first = client.post(reverse("report_start", args=[clinic.pk]))
    second = client.post(reverse("report_start", args=[clinic.pk]), follow=True)

    report = Report.objects.get(clinic=clinic)
    assert first.url == reverse("report_edit", args=[report.pk])
    assert second.redirect_chain == [(first.url, 302)]
    assert _messages(second)[-1] == f"En rapport för {clinic.name} var redan påbörjad."


def test_the_service_names_the_report_already_in_progress(catalogue, clinic, reporter):
    draft = start_report(clinic=clinic, actor=reporter)
    with pytest.raises(ReportAlreadyOpen) as refused:
        start_report(clinic=clinic, actor=reporter)
    assert refused.value.report == draft


@pytest.mark.django_db(transaction=True)
def test_ten_simultaneous_starts_give_one_draft_and_no_server_error(
    on_postgresql, catalogue, clinic, reporter
):
    barrier = threading.Barrier(THREADS)
    results: list[tuple[int, str]] = []
    lock = threading.Lock()

    def start() -> None:
        browser = Client(raise_request_exception=False)
        browser.force_login(reporter)
        try:
            barrier.wait()
            response = browser.post(reverse("report_start", args=[clinic.pk]))
            outcome = (response.status_code, response.get("Location", ""))
        finally:
            connections.close_all()  # each thread had its own connection
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=start) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    [report] = Report.objects.filter(clinic=clinic)
    assert report.state == ReportState.DRAFT
    assert results == [(302, reverse("report_edit", args=[report.pk]))] * THREADS
    assert ReportEvent.objects.filter(report=report).count() == 1
