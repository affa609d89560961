"""A clinic's own indicators over the API: every definition with its values as JSON, one
row per value as CSV and XLSX, for whoever may see the clinic and for nobody else."""

import csv
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinics.models import Role
from followup.api.clinic_indicators import COLUMNS
from followup.clinic_indicators import (
    change_clinic_indicator,
    define_clinic_indicator,
    previous_period,
    report_clinic_indicator_value,
)
from followup.exports import XLSX_CONTENT_TYPE
from followup.vocabulary import Direction, ReportingFrequency
from tests.api.helpers import client_for, token_client_for
from tests.factories import make_user
from tests.followup.test_overview_export import body, csv_rows


def url(clinic) -> str:
    return reverse("api:clinic-indicator-list", args=[clinic.pk])


@pytest.fixture
def indicators(clinic, reporter):
    """A monthly indicator with two values (one commented like a formula) and a retired
    quarterly one without values."""
    monthly = define_clinic_indicator(
        actor=reporter,
        clinic=clinic,
        name="Återuppringda samma dag",
        unit="%",
        direction=Direction.HIGHER,
        frequency=ReportingFrequency.MONTHLY,
        target=90.0,
        description="Ur telefonisystemet.",
    )
    last = previous_period(ReportingFrequency.MONTHLY, monthly.created_at.date())
    before = previous_period(ReportingFrequency.MONTHLY, last.start)
    for period, value, comment in [(before, 81.5, "=1+1"), (last, 88.0, "")]:
        report_clinic_indicator_value(
            actor=reporter, indicator=monthly, period=period.code, value=value, comment=comment
        )
    quarterly = define_clinic_indicator(
        actor=reporter,
        clinic=clinic,
        name="Akuta besök",
        unit="besök",
        direction=Direction.LOWER,
        frequency=ReportingFrequency.QUARTERLY,
    )
    change_clinic_indicator(actor=reporter, indicator=quarterly, active=False)
    return {"monthly": monthly, "quarterly": quarterly, "periods": (before, last)}


@pytest.mark.parametrize("role", [Role.REGION_ADMIN, Role.REVIEWER, Role.VIEWER])
def test_regional_staff_read_a_clinics_indicators_with_a_token(clinic, indicators, role):
    response = token_client_for(make_user(role)).get(url(clinic))

    assert response.status_code == 200
    monthly, quarterly = response.json()
    before, last = indicators["periods"]
    assert monthly == {
        "id": indicators["monthly"].pk,
        "clinic_id": clinic.pk,
        "name": "Återuppringda samma dag",
        "description": "Ur telefonisystemet.",
        "unit": "%",
        "direction": "higher",
        "frequency": "month",
        "target": 90.0,
        "active": True,
        "created_at": monthly["created_at"],
        "values": [
            {
                "period": before.code,
                "period_start": before.start.isoformat(),
                "value": 81.5,
                "comment": "=1+1",
                "reported_at": monthly["values"][0]["reported_at"],
            },
            {
                "period": last.code,
                "period_start": last.start.isoformat(),
                "value": 88.0,
                "comment": "",
                "reported_at": monthly["values"][1]["reported_at"],
            },
        ],
    }
    assert quarterly | {"values": None} == quarterly | {
        "name": "Akuta besök",
        "frequency": "quarter",
        "direction": "lower",
        "target": None,
        "active": False,
        "values": None,
    }
    assert quarterly["values"] == []


def test_the_clinics_reporter_reads_its_indicators(clinic, reporter, indicators):
    assert client_for(reporter).get(url(clinic)).status_code == 200


def test_another_clinics_reporter_finds_no_such_clinic(clinic, other_clinic, indicators):
    outsider = make_user(Role.CLINIC_REPORTER, clinics=[other_clinic])

    for params in ({}, {"format": "csv"}, {"format": "xlsx"}):
        assert token_client_for(outsider).get(url(clinic), params).status_code == 404


def test_anonymous_is_refused(clinic, indicators):
    assert client_for(None).get(url(clinic)).status_code in (401, 403)


def test_a_clinic_that_does_not_exist_is_a_404(viewer, db):
    assert client_for(viewer).get("/api/v1/clinics/999999/indicators/").status_code == 404


def test_the_csv_has_a_row_per_value_with_formulas_neutralised(clinic, indicators, viewer):
    response = token_client_for(viewer).get(url(clinic), {"format": "csv"})

    raw = body(response)
    header, *rows = csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";")
    assert response["Content-Type"].startswith("text/csv")
    assert raw.startswith("\ufeff".encode())
    assert header == COLUMNS
    before, last = indicators["periods"]
    first = dict(zip(header, rows[0], strict=True))
    assert len(rows) == 2  # the retired indicator has no values
    assert first | {"reported_at": ""} == {
        "indicator_id": str(indicators["monthly"].pk),
        "clinic_id": str(clinic.pk),
        "hsa_id": clinic.hsa_id,
        "name": "Återuppringda samma dag",
        "unit": "%",
        "direction": "higher",
        "frequency": "month",
        "target": "90,0000",
        "active": "1",
        "period": before.code,
        "period_start": before.start.isoformat(),
        "value": "81,5000",
        "comment": "'=1+1",
        "reported_at": "",
    }
    assert rows[1][header.index("period")] == last.code


def test_the_accept_header_asks_for_csv_too(clinic, indicators, viewer):
    response = token_client_for(viewer).get(url(clinic), HTTP_ACCEPT="text/csv")

    assert csv_rows(response)[0] == COLUMNS


def test_the_xlsx_holds_the_same_rows_numbers_as_numbers(clinic, indicators, viewer):
    response = token_client_for(viewer).get(url(clinic), {"format": "xlsx"})

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    sheet = openpyxl.load_workbook(io.BytesIO(body(response))).active
    header, *rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert header == COLUMNS
    assert [row[header.index("value")] for row in rows] == [81.5, 88.0]
    assert rows[0][header.index("comment")] == "=1+1"  # a text cell, never a formula


def test_an_unknown_format_is_a_400(clinic, indicators, viewer):
    assert client_for(viewer).get(url(clinic), {"format": "pdf"}).status_code == 400


def test_the_schema_documents_the_path_and_its_fields(viewer):
    response = client_for(viewer).get(reverse("api:schema"), HTTP_ACCEPT="application/json")

    schema = response.json()
    assert "/api/v1/clinics/{id}/indicators/" in schema["paths"]
    fields = schema["components"]["schemas"]["ClinicIndicator"]["properties"]
    assert set(fields) >= {"id", "name", "unit", "direction", "frequency", "target", "values"}
    undocumented = [name for name, field in fields.items() if not field.get("description")]
    assert undocumented == ["values"]


def test_the_api_reads_in_the_same_number_of_queries_for_1_and_10_indicators(
    clinic, reporter, viewer
):
    client = token_client_for(viewer)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url(clinic)).status_code == 200
        return len(captured)

    period = previous_period(ReportingFrequency.MONTHLY, timezone.localdate())
    for n in range(10):
        indicator = define_clinic_indicator(
            actor=reporter,
            clinic=clinic,
            name=f"Indikator {n}",
            unit="st",
            direction=Direction.HIGHER,
            frequency=ReportingFrequency.MONTHLY,
        )
        report_clinic_indicator_value(
            actor=reporter, indicator=indicator, period=period.code, value=n
        )
        if n == 0:
            one = queries()

    assert queries() == one
