"""The region overview as a file: CSV that Swedish Excel opens as it is, and XLSX.

Both carry the same columns and rows: one row per clinic of the filtered view, in the
view's order, with the header in the active language. Text that a spreadsheet would read
as a formula is neutralised, since clinic and provider names come from outside the region.
"""

import csv
import io
from collections.abc import Sequence

from django.utils import formats
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from clinics.overview import AreaColumn, OverviewRow

# A cell starting with one of these is a formula to Excel and LibreOffice (OWASP: CSV
# injection); a leading apostrophe makes it text.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

# Share of requirements met, as a fraction with this many decimals.
SHARE_DECIMALS = 4

Value = str | int | float | None


def neutralise(text: str) -> str:
    return f"'{text}" if text.startswith(FORMULA_TRIGGERS) else text


def header(areas: Sequence[AreaColumn]) -> list[str]:
    return [
        _("HSA-id"),
        _("Clinic"),
        _("Care provider"),
        _("Organisation number"),
        _("Municipality code"),
        _("Municipality"),
        _("Type of clinic"),
        _("Contract form"),
        _("Report status"),
        _("Meets the whole baseline"),
        _("Share of requirements met"),
        _("Requirements met"),
        _("Requirements that apply"),
        *(area.name for area in areas),
    ]


def record(row: OverviewRow) -> list[Value]:
    """One clinic's values; text stays text and numbers stay numbers until written."""
    clinic, compliance = row.clinic, row.compliance
    meets = row.meets_baseline
    share = row.share
    return [
        clinic.hsa_id,
        clinic.name,
        clinic.provider.name,
        clinic.provider.organisation_number,
        clinic.municipality_code,
        clinic.get_municipality_code_display(),
        clinic.get_kind_display(),
        clinic.get_contract_form_display(),
        row.report_state_label,
        "" if meets is None else (_("Yes") if meets else _("No")),
        None if share is None else round(share, SHARE_DECIMALS),
        None if compliance is None else compliance.met,
        None if compliance is None else compliance.applicable,
        *(cell.label for cell in row.cells),
    ]


def _csv_cell(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        # The active language's decimal separator: a comma in Swedish, as Excel expects
        # alongside the semicolon.
        return formats.number_format(value, SHARE_DECIMALS)
    if isinstance(value, int):
        return str(value)
    return neutralise(str(value))


def overview_csv(rows: Sequence[OverviewRow], areas: Sequence[AreaColumn]) -> bytes:
    """Semicolon-separated UTF-8 with a byte order mark, which is what makes Excel in a
    Swedish locale split the columns and read å, ä and ö."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([_csv_cell(title) for title in header(areas)])
    for row in rows:
        writer.writerow([_csv_cell(value) for value in record(row)])
    return buffer.getvalue().encode("utf-8-sig")


def _xlsx_cell(sheet, value: Value, *, bold: bool = False) -> WriteOnlyCell:
    if isinstance(value, str):
        # XML cannot hold most control characters; openpyxl refuses them.
        value = neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # text, even where openpyxl would see a formula
    if bold:
        cell.font = Font(bold=True)
    return cell


def overview_xlsx(rows: Sequence[OverviewRow], areas: Sequence[AreaColumn]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Overview")[:31])
    sheet.freeze_panes = "C2"
    sheet.append([_xlsx_cell(sheet, title, bold=True) for title in header(areas)])
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in record(row)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
