"""Text that a spreadsheet would read as a formula: in a workbook it is a text cell,
shown exactly as given (a text cell is never evaluated, so it needs no apostrophe); in
CSV, which has no cell types, the neutralising apostrophe stays. For every download that
writes both: the overview, the compliance matrix and the exemption list."""

import csv
import io
import zipfile

import openpyxl
import pytest
from django.urls import reverse

from clinics.models import Role
from tests.api.helpers import client_for
from tests.api.test_cases import submitted
from tests.factories import make_clinic, make_provider, make_user

NAMES = ["-2+3", "=1+1", "@SUM(A1:A2)", "+46 35 13 10 00"]
DOWNLOADS = {
    # (CSV, XLSX, the query that asks for the file, the column of the clinic's name)
    "overview": (reverse("overview_export_csv"), reverse("overview_export_xlsx"), {}, 1),
    "matrix": (
        reverse("api:compliance-matrix"),
        reverse("api:compliance-matrix"),
        "format",
        2,
    ),
    "exemptions": (reverse("exemption_export_csv"), reverse("exemption_export_xlsx"), {}, 2),
}


def body(response) -> bytes:
    assert response.status_code == 200
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def get(client, url: str, query, file_format: str) -> bytes:
    return body(client.get(url, {"format": file_format} if query == "format" else query))


@pytest.fixture
def named(catalogue, request):
    """A clinic named like a formula, of a provider named like one, with a case."""
    clinic = make_clinic(name=request.param, provider=make_provider(name="=1+1"))
    submitted(clinic, make_user(Role.CLINIC_REPORTER, clinics=[clinic]), catalogue)
    return clinic


@pytest.mark.parametrize("named", NAMES, indirect=True)
@pytest.mark.parametrize("download", DOWNLOADS)
def test_a_formula_like_name_is_a_text_cell_in_xlsx_and_neutralised_in_csv(
    named, download, viewer
):
    csv_url, xlsx_url, query, column = DOWNLOADS[download]
    client = client_for(viewer)

    text = get(client, csv_url, query, "csv").decode("utf-8-sig")
    csv_names = {row[column] for row in csv.reader(io.StringIO(text), delimiter=";")}
    assert csv_names - {csv_names_header(text, column)} == {"'" + named.name}

    content = get(client, xlsx_url, query, "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    cells = [row[column] for row in sheet.iter_rows(min_row=2)]
    assert cells
    assert {(cell.value, cell.data_type) for cell in cells} == {(named.name, "s")}
    # Nor a quote prefix: the style flag that makes Excel show an apostrophe before text.
    assert not any(cell.quotePrefix for cell in cells)
    # No formula anywhere in the workbook's sheets.
    with zipfile.ZipFile(io.BytesIO(content)) as workbook:
        sheets = [name for name in workbook.namelist() if name.startswith("xl/worksheets/")]
        assert sheets
        assert not any(b"<f>" in workbook.read(name) for name in sheets)


def csv_names_header(text: str, column: int) -> str:
    return next(csv.reader(io.StringIO(text), delimiter=";"))[column]
