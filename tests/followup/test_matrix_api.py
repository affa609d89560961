"""The compliance matrix over REST: one row per clinic and requirement on a day, chosen by
the overview's filters, page by page on a cursor as JSON, or whole as CSV and XLSX."""

import csv
import io
from datetime import timedelta

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinics.models import Clinic, Role
from clinics.services.cases import approve_case, revoke_case, submit_case
from requirements.vocabulary import AnswerStatus, ComplianceStatus, Municipality
from tests.api.helpers import (
    approve_answers,
    bulk_approved_reports,
    client_for,
    error_detail,
    error_fields,
)
from tests.clinics.test_case_services import request
from tests.factories import make_clinic, make_provider, make_user
from tests.followup.test_overview_export import body
from tests.followup.test_overview_page import bulk_clinics

MATRIX = reverse("api:compliance-matrix")
COLUMNS = [
    "clinic_id",
    "hsa_id",
    "clinic_name",
    "requirement_code",
    "area_code",
    "status",
    "answer_status",
    "channel",
    "exemption_case_id",
    "exemption_kind",
    "exemption_valid_from",
    "exemption_valid_until",
    "catalogue_version",
    "status_since",
]


def every_row(client, query: dict | None = None) -> list[dict]:
    """Every row of the JSON matrix, following ``next`` to the last page."""
    rows, url, params = [], MATRIX, dict(query or {})
    while url:
        response = client.get(url, params)
        assert response.status_code == 200, response.content
        page = response.json()
        rows.extend(page["results"])
        url, params = page["next"], None
    return rows


def csv_matrix(client, query: dict | None = None) -> list[list[str]]:
    response = client.get(MATRIX, {**(query or {}), "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = body(response).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


@pytest.fixture
def two_clinics(catalogue):
    """One clinic meeting everything, one with nothing approved."""
    meeting = make_clinic(name="Vårdcentralen Andersberg")
    silent = make_clinic(name="Vårdcentralen Centrum", municipality_code=Municipality.VARBERG)
    approve_answers(meeting)
    return meeting, silent


# Who sees what


def test_anonymous_is_refused_with_json(db):
    response = client_for(None).get(MATRIX)

    assert response.status_code == 401
    assert error_detail(response)


@pytest.mark.parametrize("role", [Role.REGION_ADMIN, Role.REVIEWER, Role.VIEWER])
def test_regional_staff_get_every_clinics_rows(role, two_clinics, catalogue):
    rows = every_row(client_for(make_user(role)))

    assert {row["clinic_id"] for row in rows} == {clinic.pk for clinic in two_clinics}
    assert len(rows) == 2 * catalogue.requirements.count()


def test_it_validates_ownership(reporter, clinic, catalogue, other_clinic):
    client = client_for(reporter)

    assert {row["clinic_id"] for row in every_row(client)} == {clinic.pk}
    assert {row[0] for row in csv_matrix(client)[1:]} == {str(clinic.pk)}
    response = client.get(MATRIX, {"provider": other_clinic.provider_id})
    assert response.status_code == 400
    assert "provider" in error_fields(response)


def test_a_reporter_without_clinics_gets_no_rows(catalogue, clinic):
    assert every_row(client_for(make_user(Role.CLINIC_REPORTER))) == []


# What a row says


def test_each_row_is_a_clinic_and_a_requirement_with_its_status_and_answer(
    viewer, catalogue, two_clinics
):
    meeting, silent = two_clinics

    rows = every_row(client_for(viewer))

    assert list(rows[0]) == COLUMNS
    by_key = {(row["clinic_id"], row["requirement_code"]): row for row in rows}
    page = by_key[(meeting.pk, "hemsida.sida_1177")]
    assert page["hsa_id"] == meeting.hsa_id
    assert page["clinic_name"] == meeting.name
    assert page["area_code"] == "hemsida"
    assert (page["status"], page["answer_status"]) == (
        ComplianceStatus.COMPLIANT,
        AnswerStatus.MET,
    )
    assert page["catalogue_version"] == catalogue.pk
    assert page["status_since"] == timezone.localdate().isoformat()
    unanswered = by_key[(silent.pk, "hemsida.sida_1177")]
    assert (unanswered["status"], unanswered["answer_status"]) == (
        ComplianceStatus.NOT_REPORTED,
        None,
    )
    assert unanswered["exemption_case_id"] is None


def test_the_rows_agree_with_each_clinics_compliance(viewer, catalogue, two_clinics):
    client = client_for(viewer)
    matrix = every_row(client)

    for clinic in two_clinics:
        detail = client.get(reverse("api:clinic-compliance", args=[clinic.pk])).json()
        expected = {row["code"]: row["status"] for row in detail["requirements"]}
        assert {
            row["requirement_code"]: row["status"]
            for row in matrix
            if row["clinic_id"] == clinic.pk
        } == expected


def test_rows_come_by_clinic_in_catalogue_order(viewer, catalogue, two_clinics):
    rows = every_row(client_for(viewer))

    order = list(catalogue.requirements.order_by("position").values_list("code", flat=True))
    for clinic in two_clinics:
        codes = [row["requirement_code"] for row in rows if row["clinic_id"] == clinic.pk]
        assert codes == order
    assert [row["clinic_id"] for row in rows] == sorted(row["clinic_id"] for row in rows)


def test_a_past_date_gives_the_status_as_it_was_then(viewer, catalogue, two_clinics):
    meeting, _silent = two_clinics
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()

    rows = every_row(client_for(viewer), {"on_date": yesterday})

    assert {row["status"] for row in rows if row["clinic_id"] == meeting.pk} <= {
        ComplianceStatus.NOT_REPORTED,
        ComplianceStatus.NOT_APPLICABLE,
    }


def test_the_overviews_filters_choose_the_clinics(viewer, catalogue, two_clinics):
    meeting, silent = two_clinics
    client = client_for(viewer)

    varberg = every_row(client, {"municipality": Municipality.VARBERG})
    meets = every_row(client, {"meets_baseline": "true"})

    assert {row["clinic_id"] for row in varberg} == {silent.pk}
    assert {row["clinic_id"] for row in meets} == {meeting.pk}


# Pages


def test_the_cursor_walks_every_row_once_in_order(viewer, catalogue, two_clinics):
    client = client_for(viewer)
    whole = every_row(client, {"page_size": 10_000})

    walked = every_row(client, {"page_size": 7})

    assert walked == whole
    first = client.get(MATRIX, {"page_size": 7}).json()
    assert len(first["results"]) == 7
    assert "cursor=" in first["next"]
    assert "page_size=7" in first["next"]


@pytest.mark.parametrize(
    ("parameter", "value"),
    [
        ("cursor", "not-a-cursor"),
        ("page_size", "0"),
        ("page_size", "10001"),
        ("page_size", "ten"),
        ("format", "pdf"),
        ("on_date", "2026-02-30"),
        ("municipality", "9999"),
        ("area", "webbtidbok"),
    ],
)
def test_a_bad_parameter_is_a_400_naming_it(viewer, catalogue, parameter, value):
    response = client_for(viewer).get(MATRIX, {parameter: value})

    assert response.status_code == 400
    assert parameter in error_fields(response) or "area_status" in error_fields(response)


# Files


def test_the_csv_has_the_same_rows_as_the_json(viewer, catalogue, two_clinics):
    client = client_for(viewer)

    rows = csv_matrix(client)

    assert rows[0] == COLUMNS
    as_text = [
        ["" if row[column] is None else str(row[column]) for column in COLUMNS]
        for row in every_row(client)
    ]
    assert rows[1:] == as_text


def test_the_csv_neutralises_names_a_spreadsheet_would_read_as_formulas(viewer, catalogue):
    make_clinic(name="=HYPERLINK(1)", provider=make_provider())

    rows = csv_matrix(client_for(viewer))

    assert {row[2] for row in rows[1:]} == {"'=HYPERLINK(1)"}


def test_the_csv_streams_the_header_before_reading_a_row(viewer, catalogue, two_clinics):
    response = client_for(viewer).get(MATRIX, {"format": "csv"})

    assert response.streaming
    chunks = iter(response.streaming_content)
    with CaptureQueriesContext(connection) as queries:
        first = next(chunks)
    assert first == "\ufeff".encode() + (";".join(COLUMNS) + "\n").encode()
    assert len(queries) == 0
    assert b"".join(chunks).count(b"\n") == 2 * catalogue.requirements.count()
    assert response["Content-Disposition"].startswith('attachment; filename="digitalt-utbud-')


def test_the_xlsx_has_the_same_rows_as_the_csv(viewer, catalogue, two_clinics):
    client = client_for(viewer)

    response = client.get(MATRIX, {"format": "xlsx"})

    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(body(response)), read_only=True)
    rows = [
        ["" if value is None else str(value) for value in row]
        for row in workbook.worksheets[0].iter_rows(values_only=True)
    ]
    assert rows == csv_matrix(client)


# Cost


def _queries(client, query: dict) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(MATRIX, query)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "query",
    [{}, {"meets_baseline": "false", "municipality": "1380"}, {"format": "csv"}],
)
def test_the_matrix_costs_the_same_queries_for_10_and_1000_clinics(viewer, catalogue, query):
    client = client_for(viewer)
    clinics = bulk_clinics(10)
    bulk_approved_reports(clinics, catalogue, failing={clinics[0].pk})
    few = _queries(client, query)

    more = bulk_clinics(990, start=10)
    bulk_approved_reports(more, catalogue, failing={clinic.pk for clinic in more[::3]})
    many = _queries(client, query)

    assert Clinic.objects.count() == 1000
    assert many == few


def test_a_revoked_exemption_shows_the_days_it_counted(viewer, reviewer, catalogue, clinic):
    today = timezone.localdate()
    reporter = make_user(Role.CLINIC_REPORTER, clinics=[clinic])
    approve_answers(clinic, {"webbtidbok.boka_direkt": AnswerStatus.NOT_MET})
    booking = catalogue.requirements.get(code="webbtidbok.boka_direkt")
    case = request(
        clinic, reporter, booking, requested_from=today - timedelta(days=10), requested_until=None
    )
    submit_case(case=case, actor=reporter)
    approve_case(case=case, actor=reviewer, valid_from=today - timedelta(days=10))
    revoke_case(case=case, actor=reviewer, comment="Direktbokning finns nu.")

    def booking(day) -> dict:
        rows = every_row(client_for(viewer), {"on_date": day.isoformat()})
        return next(row for row in rows if row["requirement_code"] == "webbtidbok.boka_direkt")

    before = booking(today - timedelta(days=1))
    assert before["status"] == ComplianceStatus.COMPLIANT_BY_EXEMPTION
    assert (before["exemption_case_id"], before["exemption_valid_from"]) == (
        case.pk,
        (today - timedelta(days=10)).isoformat(),
    )
    # Approved until further notice, revoked today: it counted until yesterday.
    assert before["exemption_valid_until"] == (today - timedelta(days=1)).isoformat()
    assert booking(today)["status"] == ComplianceStatus.NOT_COMPLIANT
