"""The yearly targets over REST: for the roles that see the region, as JSON, CSV and XLSX."""

import csv
import io
from datetime import date

import openpyxl
import pytest
from django.urls import reverse

from clinics.models import Role
from followup.targets import save_target
from tests.api.helpers import client_for, error_fields, token_client_for
from tests.factories import make_clinic, make_user
from tests.followup.test_overview_export import body

TARGETS = reverse("api:target-list")


@pytest.fixture
def targets(db):
    admin = make_user(Role.REGION_ADMIN)
    for year, value in ((2026, 0.8), (2027, 0.9)):
        save_target(
            actor=admin,
            indicator_id="baseline",
            year=year,
            value=value,
            document=f"Mål och budget {year}",
            document_date=date(year - 1, 11, 20),
        )
    save_target(
        actor=admin,
        indicator_id="exemptions.in_force",
        year=2026,
        value=12,
        dimension="municipality",
        dimension_value="1380",
        document="Mål och budget 2026",
        document_date=date(2025, 11, 20),
    )


@pytest.mark.parametrize("role", [Role.REGION_ADMIN, Role.REVIEWER, Role.VIEWER])
def test_the_roles_that_see_the_region_read_the_targets(role, targets):
    response = client_for(make_user(role)).get(TARGETS)

    assert response.status_code == 200
    assert len(response.json()) == 3


def test_a_clinic_reporter_is_refused_the_targets(targets):
    reporter = make_user(Role.CLINIC_REPORTER, clinics=[make_clinic()])

    assert client_for(reporter).get(TARGETS).status_code == 403
    assert client_for(reporter).get(TARGETS, {"format": "csv"}).status_code == 403


def test_anonymous_is_refused_the_targets(targets):
    assert client_for(None).get(TARGETS).status_code in (401, 403)


def test_a_token_reads_a_years_targets_with_their_decisions(targets):
    response = token_client_for(make_user(Role.VIEWER)).get(TARGETS, {"year": 2026})

    rows = response.json()
    assert [(r["indicator"], r["dimension"], r["dimension_value"], r["value"]) for r in rows] == [
        ("baseline", "region", "", 0.8),
        ("exemptions.in_force", "municipality", "1380", 12.0),
    ]
    assert rows[0]["unit"] == "share"
    assert rows[0]["document"] == "Mål och budget 2026"
    assert rows[0]["document_date"] == "2025-11-20"


def test_the_targets_come_as_csv_and_xlsx(targets):
    client = client_for(make_user(Role.VIEWER))

    text = body(client.get(TARGETS, {"format": "csv", "indicator": "baseline"})).decode()
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
    workbook = openpyxl.load_workbook(
        io.BytesIO(body(client.get(TARGETS, {"format": "xlsx", "year": 2027})))
    )
    sheet = list(workbook.active.iter_rows(values_only=True))

    assert rows[0][:3] == ["indicator", "indicator_name", "year"]
    assert [row[2] for row in rows[1:]] == ["2026", "2027"]
    assert sheet[1][0] == "baseline"
    assert sheet[1][2] == 2027


@pytest.mark.parametrize("params", [{"year": "nästa"}, {"indicator": "finns.inte"}])
def test_a_bad_filter_is_a_400_naming_it(targets, params):
    response = client_for(make_user(Role.VIEWER)).get(TARGETS, params)

    assert response.status_code == 400
    assert set(error_fields(response)) == set(params)
