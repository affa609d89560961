"""The budget follow-up's API: the indicator definitions and the snapshots, as JSON, CSV
and XLSX, for the roles that see the whole region and for nobody else."""

import csv
import io
from datetime import timedelta

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinics.models import Role
from followup.indicators import INDICATORS
from followup.models import Snapshot
from followup.periods import Period
from followup.snapshots import take_snapshots
from tests.api.helpers import bulk_approved_reports, client_for, error_fields, token_client_for
from tests.factories import make_clinic, make_provider, make_user
from tests.followup.test_overview_export import body
from tests.followup.test_overview_page import bulk_clinics

SNAPSHOTS = reverse("api:snapshot-list")
INDICATOR_LIST = reverse("api:indicator-list")


@pytest.fixture
def figures(catalogue):
    """Two months and their year of ten clinics, one provider named like a formula."""
    provider = make_provider(name='=HYPERLINK("https://example.com")')
    clinics = bulk_clinics(10, provider=provider)
    bulk_approved_reports(clinics[:4], catalogue)
    yesterday = timezone.localdate() - timedelta(days=1)
    this_month = Period.containing(yesterday)[2]
    last_month = Period.containing(this_month.start - timedelta(days=1))[2]
    take_snapshots(periods=[last_month], as_of=last_month.end)
    take_snapshots(periods=[this_month, Period.year(yesterday.year)], as_of=yesterday)
    return {"this": this_month, "last": last_month, "provider": provider}


def viewer_client():
    return token_client_for(make_user(Role.VIEWER))


@pytest.mark.parametrize("url", [SNAPSHOTS, INDICATOR_LIST])
@pytest.mark.parametrize("role", [Role.REGION_ADMIN, Role.REVIEWER, Role.VIEWER])
def test_the_roles_that_see_the_region_read_it(url, role, figures):
    assert client_for(make_user(role)).get(url).status_code == 200


@pytest.mark.parametrize("url", [SNAPSHOTS, INDICATOR_LIST])
def test_a_clinic_reporter_is_refused_the_regions_figures(url, figures):
    reporter = make_user(Role.CLINIC_REPORTER, clinics=[make_clinic()])

    assert client_for(reporter).get(url).status_code == 403
    assert client_for(reporter).get(url, {"format": "csv"}).status_code == 403


@pytest.mark.parametrize("url", [SNAPSHOTS, INDICATOR_LIST])
def test_anonymous_is_refused(url, figures):
    assert client_for(None).get(url).status_code in (401, 403)


def test_a_token_reads_a_periods_region_figures(figures):
    response = viewer_client().get(
        SNAPSHOTS, {"period": figures["this"].code, "dimension": "region"}
    )

    rows = response.json()["results"]
    assert {row["indicator"] for row in rows} <= {i.id for i in INDICATORS}
    baseline = next(row for row in rows if row["indicator"] == "baseline")
    assert baseline == baseline | {
        "period": figures["this"].code,
        "period_kind": "month",
        "as_of": (timezone.localdate() - timedelta(days=1)).isoformat(),
        "dimension": "region",
        "dimension_value": "",
        "numerator": 4,
        "denominator": 10,
        "value": 0.4,
        "unit": "share",
        "direction": "higher",
    }


def test_the_filters_select_by_indicator_period_range_and_dimension(figures):
    client = viewer_client()
    this, last = figures["this"], figures["last"]

    by_range = client.get(
        SNAPSHOTS,
        {
            "indicator": "baseline",
            "period_from": last.code,
            "period_to": this.code,
            "dimension": "region",
        },
    ).json()
    by_kind = client.get(SNAPSHOTS, {"period_kind": "year", "dimension": "region"}).json()
    by_value = client.get(
        SNAPSHOTS,
        {
            "period": this.code,
            "dimension": "provider",
            "dimension_value": str(figures["provider"].pk),
        },
    ).json()

    assert [row["period"] for row in by_range["results"]] == [last.code, this.code]
    assert {row["period_kind"] for row in by_kind["results"]} == {"year"}
    assert {row["dimension_label"] for row in by_value["results"]} == {figures["provider"].name}


@pytest.mark.parametrize(
    "params",
    [
        {"period": "2026-13"},
        {"period_from": "2026-Q5"},
        {"period_from": "2026-11", "period_to": "2026-10"},
        {"indicator": "nothing"},
        {"dimension": "planet"},
        {"dimension_value": "1380"},
        {"format": "pdf"},
    ],
)
def test_a_bad_parameter_is_a_400_naming_it(figures, params):
    response = viewer_client().get(SNAPSHOTS, params)

    assert response.status_code == 400
    assert set(error_fields(response)) & (set(params) | {"period_to"})


def test_the_csv_holds_every_selected_row_in_swedish_excels_dialect(figures):
    response = viewer_client().get(SNAPSHOTS, {"period": figures["this"].code, "format": "csv"})

    content = body(response)
    assert response["Content-Type"].startswith("text/csv")
    assert content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert rows[0][:3] == ["indicator", "indicator_name", "period"]
    assert len(rows) - 1 == Snapshot.objects.filter(period=figures["this"].code).count()
    labels = {row[rows[0].index("dimension_label")] for row in rows[1:]}
    assert f"'{figures['provider'].name}" in labels  # neutralised, never a formula


def test_the_accept_header_asks_for_a_file_too(figures):
    response = viewer_client().get(
        SNAPSHOTS, {"period": figures["this"].code}, HTTP_ACCEPT="text/csv"
    )

    assert response["Content-Type"].startswith("text/csv")


def test_the_xlsx_holds_the_same_rows_with_numbers_as_numbers(figures):
    client = viewer_client()
    params = {"period": figures["this"].code, "dimension": "region"}

    response = client.get(SNAPSHOTS, {**params, "format": "xlsx"})

    sheet = openpyxl.load_workbook(io.BytesIO(body(response)), read_only=True).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    header = rows[0]
    as_json = client.get(SNAPSHOTS, params).json()["results"]
    assert len(rows) - 1 == len(as_json)
    baseline = next(r for r in rows[1:] if r[header.index("indicator")] == "baseline")
    assert baseline[header.index("value")] == 0.4
    assert baseline[header.index("numerator")] == 4


def test_the_indicators_are_described_in_the_language_asked_for(figures):
    client = viewer_client()

    swedish = client.get(INDICATOR_LIST, HTTP_ACCEPT_LANGUAGE="sv").json()
    english = client.get(INDICATOR_LIST, HTTP_ACCEPT_LANGUAGE="en").json()

    assert [row["id"] for row in swedish] == [i.id for i in INDICATORS]
    assert swedish[0]["name"] == "Uppfyller hela grundutbudet"
    assert english[0]["name"] == "Meets the whole baseline"


def test_the_number_of_queries_does_not_grow_with_the_rows(figures, catalogue):
    client = viewer_client()
    client.get(SNAPSHOTS)

    def queries(params) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(SNAPSHOTS, params)
            b"".join(response.streaming_content) if response.streaming else response.content
        return len(captured)

    few = [queries({}), queries({"format": "csv"}), queries({"dimension": "provider"})]
    for _ in range(5):
        bulk_clinics(5, provider=make_provider())
    take_snapshots(periods=[figures["this"]], as_of=timezone.localdate() - timedelta(days=1))
    many = [queries({}), queries({"format": "csv"}), queries({"dimension": "provider"})]

    assert few == many
