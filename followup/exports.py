"""Files for the region: CSV that Swedish Excel opens as it is, and XLSX, both written as
the rows are read, so that an export of a national register costs the same memory as one
of a single municipality.

- CSV is semicolon-separated UTF-8 with a byte order mark (what makes Excel in a Swedish
  locale split the columns and read å, ä and ö), streamed to the client row by row. Text
  that a spreadsheet would read as a formula is neutralised with a leading apostrophe
  (OWASP: CSV injection): clinic and provider names come from outside the region.
- XLSX is written by XlsxWriter in its constant-memory mode to a temporary file, then sent
  from it. Text cells are typed as text, so nothing in them is ever a formula, and they
  hold the text as given: neutralising is CSV's alone, and records fed to a workbook are
  never neutralised (a stray apostrophe would show). Dates are dates and shares
  percentages. Each sheet has an autofilter and columns as wide as their
  contents, and a last sheet says what the file holds: the filter, the day, the catalogue.
"""

import csv
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date

import xlsxwriter
from django.db.models import Case, CharField, F, Q, Value, When
from django.db.models.functions import Concat
from django.http import FileResponse, StreamingHttpResponse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from followup.overview import AreaColumn, OverviewRow

# A cell starting with one of these is a formula to Excel and LibreOffice.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

# Share of requirements met, as a fraction with this many decimals.
SHARE_DECIMALS = 4

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Rows of data on one XLSX sheet (Excel's limit, less the header); more go on the next.
XLSX_ROWS_PER_SHEET = 1_048_575

# Rows per chunk of a streamed CSV: large enough that a chunk is worth sending.
_CSV_CHUNK = 500

# Columns of an XLSX sheet are sized to the widest of their first this many values.
_WIDTH_SAMPLE = 2000
_MIN_WIDTH, _MAX_WIDTH = 8, 60


class Share(float):
    """A share (0..1): a fraction with a decimal comma in CSV, a percentage in XLSX."""


Value_ = str | int | float | date | None


def neutralise(text: str) -> str:
    return f"'{text}" if text.startswith(FORMULA_TRIGGERS) else text


def neutralised(field: str) -> Case:
    """``neutralise`` as SQL, for files the database writes itself (``COPY``)."""
    starts = Q()
    for trigger in FORMULA_TRIGGERS:
        starts |= Q(**{f"{field}__startswith": trigger})
    return Case(
        When(starts, then=Concat(Value("'"), F(field), output_field=CharField())),
        default=F(field),
        output_field=CharField(),
    )


def csv_cell(value: Value_) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        # The active language's decimal separator: a comma in Swedish, as Excel expects
        # alongside the semicolon.
        return formats.number_format(value, SHARE_DECIMALS)
    if isinstance(value, bool | int):
        return str(value)
    return neutralise(str(value))


def plain_cell(value: Value_) -> str:
    """For values that are safe as they are (codes, numbers, dates, names neutralised by
    the database)."""
    return "" if value is None else str(value)


class _Line:
    """A file-like object that hands back what the csv writer writes."""

    def write(self, text: str) -> str:
        return text


def _writer(newline: str):
    return csv.writer(_Line(), delimiter=";", lineterminator=newline)


def csv_header(header: Sequence[str], *, newline: str = "\r\n") -> bytes:
    return "\ufeff".encode() + _writer(newline).writerow([csv_cell(t) for t in header]).encode()


def csv_body(
    records: Iterable[Sequence[Value_]], *, cell=csv_cell, newline: str = "\r\n"
) -> Iterator[bytes]:
    """The records as CSV lines, in chunks, as they are read."""
    writer = _writer(newline)
    chunk: list[str] = []
    for record in records:
        chunk.append(writer.writerow([cell(value) for value in record]))
        if len(chunk) == _CSV_CHUNK:
            yield "".join(chunk).encode()
            chunk = []
    if chunk:
        yield "".join(chunk).encode()


def csv_lines(header: Sequence[str], records: Iterable[Sequence[Value_]]) -> Iterator[bytes]:
    """The header and the records as CSV, in chunks, as they are read."""
    yield csv_header(header)
    yield from csv_body(records)


def _attachment(response, filename: str):
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_response(filename: str, content: Iterator[bytes]) -> StreamingHttpResponse:
    return _attachment(StreamingHttpResponse(content, content_type=CSV_CONTENT_TYPE), filename)


def xlsx_response(
    filename: str,
    title: str,
    header: Sequence[str],
    records: Iterable[Sequence[Value_]],
    *,
    about: Sequence[tuple[str, str]] = (),
) -> FileResponse:
    """The records as a workbook, written with constant memory to a temporary file; ``about``
    (label, value) pairs say on a last sheet what the file holds."""
    # Closed by the response once sent (or by the collector): a context manager would
    # close it before.
    file = tempfile.TemporaryFile()  # noqa: SIM115
    workbook = xlsxwriter.Workbook(
        file,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    bold = workbook.add_format({"bold": True})
    percent = workbook.add_format({"num_format": "0.0%"})
    day = workbook.add_format({"num_format": "yyyy-mm-dd"})
    widths = [len(str(text)) for text in header]
    sheets: list[tuple] = []  # (sheet, its last row)

    def new_sheet():
        name = title[:28] if not sheets else f"{title[:24]} ({len(sheets) + 1})"
        sheet = workbook.add_worksheet(name)
        sheet.freeze_panes(1, 2)
        sheet.write_row(0, 0, list(header), bold)
        sheets.append([sheet, 0])
        return sheet

    sheet, row = new_sheet(), 0
    for record in records:
        if row == XLSX_ROWS_PER_SHEET:
            sheet, row = new_sheet(), 0
        row += 1
        sheets[-1][1] = row
        for column, value in enumerate(record):
            if isinstance(value, str):
                sheet.write_string(row, column, value)
            elif isinstance(value, Share):
                sheet.write_number(row, column, value, percent)
            elif isinstance(value, date):
                sheet.write_datetime(row, column, value, day)
            elif value is not None:
                sheet.write_number(row, column, value)
            if row <= _WIDTH_SAMPLE and value is not None:
                width = 10 if isinstance(value, date | Share) else len(str(value))
                widths[column] = max(widths[column], width)
    for sheet, last_row in sheets:
        for column, width in enumerate(widths):
            sheet.set_column(column, column, min(max(width + 2, _MIN_WIDTH), _MAX_WIDTH))
        sheet.autofilter(0, 0, last_row, len(header) - 1)
    if about:
        sheet = workbook.add_worksheet(_("About the file")[:31])
        for line, (label, value) in enumerate(about):
            sheet.write_string(line, 0, str(label), bold)
            sheet.write_string(line, 1, str(value))
        sheet.set_column(0, 0, max(len(str(label)) for label, _value in about) + 2)
        sheet.set_column(1, 1, _MAX_WIDTH)
    workbook.close()
    file.seek(0)
    return FileResponse(
        file, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE
    )


# The overview as a file: one row per clinic of the filtered view, in the view's order.


def overview_header(areas: Sequence[AreaColumn]) -> list[str]:
    return [
        _("HSA-id"),
        _("Clinic"),
        _("Care provider"),
        _("Organisation number"),
        _("Municipality code"),
        _("Municipality"),
        _("Type of clinic"),
        _("Contract form"),
        _("Approved report in force, approved on"),
        _("Reporting under way"),
        _("Meets the whole baseline"),
        _("Meets the general requirements"),
        _("Share of requirements met"),
        _("Requirements met"),
        _("Requirements that apply"),
        *(area.name for area in areas),
    ]


def overview_record(row: OverviewRow) -> list[Value_]:
    """One clinic's values on the day; text stays text and numbers stay numbers."""
    period, clinic = row.period, row.clinic
    share = row.share
    return [
        clinic.hsa_id,
        period.name,
        period.provider.name,
        period.provider.organisation_number,
        period.municipality_code,
        period.get_municipality_code_display(),
        period.get_kind_display(),
        period.get_contract_form_display(),
        None if row.approved_on is None else timezone.localdate(row.approved_on),
        str(row.reporting.label),
        _yes_no(row.meets_baseline),
        _yes_no(row.meets_general),
        None if share is None else Share(round(share, SHARE_DECIMALS)),
        row.met,
        row.applicable,
        *("" if cell is None else str(cell.label) for cell in row.cells),
    ]


def _yes_no(value: bool | None) -> str:
    return "" if value is None else (_("Yes") if value else _("No"))
