"""Reading and checking a CSV file of clinics, before anything is written.

Every row is checked against the register's rules, and every problem is collected with its
line and column, so that one refusal lists everything to fix. Nothing here touches the
database; ``clinics.services.register`` writes a file that passed.
"""

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from typing import IO

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from halland_utbud.errors import ApplicationError
from requirements.identifiers import (
    hsa_id_error,
    normalize_organisation_number,
    organisation_number_error,
)
from requirements.vocabulary import CareType, ClinicKind, ContractForm, Municipality, ProviderKind

REQUIRED_COLUMNS = (
    "hsa_id",
    "name",
    "provider_org_nr",
    "provider_name",
    "kind",
    "care_type",
    "municipality_code",
    "contract_form",
    "url_1177",
)
OPTIONAL_COLUMNS = ("provider_kind", "active_from", "active_until")
# Cells that must not be empty. A clinic may lack its 1177 page (the model allows it, and
# the follow-up reports it as unmet), so ``url_1177`` is a required column but may be blank.
_REQUIRED_CELLS = tuple(column for column in REQUIRED_COLUMNS if column != "url_1177")

_DENTAL_KINDS = {ClinicKind.GENERAL_DENTAL, ClinicKind.ORTHODONTICS}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class ImportProblem:
    """One reason a file was refused; ``line`` counts the header as line 1."""

    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        return _("line %(line)d, column %(column)s: %(reason)s") % {
            "line": self.line,
            "column": self.column or "–",
            "reason": self.reason,
        }


class ImportRejected(ApplicationError):
    """The file had problems, so nothing was written; ``problems`` lists every one."""

    def __init__(self, problems: list[ImportProblem]) -> None:
        super().__init__(
            ngettext(
                "The file has %(count)d error. Nothing was imported.",
                "The file has %(count)d errors. Nothing was imported.",
                len(problems),
            )
            % {"count": len(problems)},
            extra={
                "problems": [
                    {"line": p.line, "column": p.column, "reason": p.reason} for p in problems
                ]
            },
        )
        self.problems = problems


@dataclass
class ClinicRow:
    """A row that passed every check, in the register's terms."""

    line: int
    hsa_id: str
    name: str
    provider_org_nr: str
    provider_name: str
    provider_kind: str | None  # None: not given, keep an existing provider's kind
    kind: str
    care_type: str
    municipality_code: str
    contract_form: str
    url_1177: str
    active_from: date | None
    active_until: date | None


# Control characters no CSV file of names and figures holds (tab, newline and carriage
# return are kept): a NUL byte, say, from a file saved by the wrong program.
_CONTROL_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class FileTooLarge(ApplicationError):
    """A file over ``settings.IMPORT_MAX_BYTES``, refused before it is read."""


def check_file_size(size: int) -> None:
    """Refuse a file of ``size`` bytes over the import limit; call it before reading (a
    command with ``os.stat``, an upload form with ``UploadedFile.size``)."""
    if size > settings.IMPORT_MAX_BYTES:
        raise FileTooLarge(
            _("The file is larger than the %(limit)s that an import accepts.")
            % {"limit": filesizeformat(settings.IMPORT_MAX_BYTES)}
        )


def read_text(stream_or_text: str | bytes | IO) -> str:
    """The file's text; a file over the size limit, one that is not UTF-8 and one that
    holds control characters are refused."""
    if hasattr(stream_or_text, "read"):
        # Never more than one byte past the limit, whatever the caller checked.
        data = stream_or_text.read(settings.IMPORT_MAX_BYTES + 1)
    else:
        data = stream_or_text
    check_file_size(len(data.encode() if isinstance(data, str) else data))
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            raise ImportRejected(
                [ImportProblem(line, "", _("The file is not encoded in UTF-8."))]
            ) from None
    text = data.removeprefix("\ufeff")
    _check_control_characters(text)
    return text


def _check_control_characters(text: str) -> None:
    problems = []
    for number, line in enumerate(text.split("\n"), start=1):
        if found := _CONTROL_CHARACTER.search(line):
            reason = _(
                "The line holds the control character %(character)s, which an import does "
                "not accept (only tab, line feed and carriage return)."
            )
            problems.append(
                ImportProblem(number, "", reason % {"character": f"U+{ord(found[0]):04X}"})
            )
    if problems:
        raise ImportRejected(problems)


def _choice_problem(value: str, choices: type, label: str) -> str | None:
    if value in choices.values:
        return None
    return _("Unknown value “%(value)s” for %(label)s; allowed values: %(allowed)s.") % {
        "value": value,
        "label": label,
        "allowed": ", ".join(choices.values),
    }


def _parse_date(value: str) -> tuple[date | None, str | None]:
    if not value:
        return None, None
    try:
        if not _ISO_DATE.match(value):
            raise ValueError
        return date.fromisoformat(value), None
    except ValueError:
        return None, _("Invalid date “%(value)s”; write YYYY-MM-DD.") % {"value": value}


def _check_row(
    line: int, cells: dict[str, str], present: set[str]
) -> tuple[ClinicRow | None, list]:
    """The row in the register's terms, or the problems that stop it."""
    problems: list[ImportProblem] = []

    def problem(column: str, reason: str) -> None:
        problems.append(ImportProblem(line, column, reason))

    for column in _REQUIRED_CELLS:
        if not cells.get(column):
            problem(column, _("Value missing."))

    hsa_id = cells.get("hsa_id", "")
    if hsa_id and (error := hsa_id_error(hsa_id)):
        problem("hsa_id", str(error))

    org_nr = cells.get("provider_org_nr", "")
    if org_nr:
        if error := organisation_number_error(org_nr):
            problem("provider_org_nr", str(error))
        else:
            org_nr = normalize_organisation_number(org_nr)

    kind = cells.get("kind", "")
    if kind and (error := _choice_problem(kind, ClinicKind, _("kind of clinic"))):
        problem("kind", error)
    care_type = cells.get("care_type", "")
    if care_type and (error := _choice_problem(care_type, CareType, _("care type"))):
        problem("care_type", error)
    municipality = cells.get("municipality_code", "")
    if municipality and municipality not in Municipality.values:
        problem(
            "municipality_code",
            _(
                "Unknown municipality code “%(value)s”; Halland's municipalities have the "
                "codes %(allowed)s."
            )
            % {"value": municipality, "allowed": ", ".join(Municipality.values)},
        )
    contract_form = cells.get("contract_form", "")
    if contract_form and (
        error := _choice_problem(contract_form, ContractForm, _("contract form"))
    ):
        problem("contract_form", error)
    if kind in _DENTAL_KINDS and care_type and care_type != CareType.DENTAL:
        problem("care_type", _("A dental clinic must have the care type dental."))

    provider_kind = cells.get("provider_kind", "") or None
    if provider_kind and (
        error := _choice_problem(provider_kind, ProviderKind, _("provider kind"))
    ):
        problem("provider_kind", error)
        provider_kind = None
    url = cells.get("url_1177", "")
    if url and not url.lower().startswith("https://"):
        problem("url_1177", _("The address must start with https://."))

    active_from, error = _parse_date(cells.get("active_from", ""))
    if error:
        problem("active_from", error)
    active_until, error = _parse_date(cells.get("active_until", ""))
    if error:
        problem("active_until", error)
    if active_from and active_until and active_until < active_from:
        problem("active_until", _("The end date is before the start date."))

    if problems:
        return None, problems
    row = ClinicRow(
        line=line,
        hsa_id=hsa_id,
        name=cells["name"],
        provider_org_nr=org_nr,
        provider_name=cells["provider_name"],
        provider_kind=provider_kind if "provider_kind" in present else None,
        kind=kind,
        care_type=care_type,
        municipality_code=municipality,
        contract_form=contract_form,
        url_1177=url,
        active_from=active_from,
        active_until=active_until,
    )
    return row, []


@dataclass(frozen=True)
class ParsedFile:
    rows: list[ClinicRow]
    columns: frozenset[str]


@dataclass(frozen=True)
class Table:
    """A semicolon-separated file's rows as cells by column, with its line numbers."""

    columns: frozenset[str]
    rows: list[tuple[int, dict[str, str]]]
    # Rows that could not be read as cells (the wrong number of fields).
    problems: list[ImportProblem]


def read_table(text: str, *, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> Table:
    """The file's rows; raises ImportRejected for a header without the right columns,
    since every row would then repeat the same complaint. Blank rows are skipped."""
    if not text.strip():  # nothing, or only blank lines: not nine missing columns
        raise ImportRejected([ImportProblem(1, "", _("The file is empty."))])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    problems: list[ImportProblem] = []
    header = [column.strip().lower() for column in next(reader)]

    present = set(header)
    for column in required:
        if column not in present:
            problems.append(
                ImportProblem(1, column, _("The column is missing from the header row."))
            )
    for column in sorted(present - set(required) - set(optional)):
        if column:
            problems.append(ImportProblem(1, column, _("Unknown column.")))
    for column in sorted({c for c in header if header.count(c) > 1}):
        problems.append(ImportProblem(1, column, _("The column appears more than once.")))
    if len(header) == 1 and "," in header[0]:
        problems.append(
            ImportProblem(1, "", _("The file must be separated by semicolons (;), not commas."))
        )
    if problems:
        raise ImportRejected(problems)

    rows: list[tuple[int, dict[str, str]]] = []
    next_line = 2
    for values in reader:
        line, next_line = next_line, reader.line_num + 1
        if not any(value.strip() for value in values):
            continue
        if len(values) != len(header):
            reason = _("The row has %(found)d fields but the header row has %(expected)d.")
            problems.append(
                ImportProblem(line, "", reason % {"found": len(values), "expected": len(header)})
            )
            continue
        rows.append(
            (line, {column: value.strip() for column, value in zip(header, values, strict=True)})
        )
    return Table(columns=frozenset(present), rows=rows, problems=problems)


def parse_clinics_csv(text: str) -> ParsedFile:
    """Every row of the file, checked; raises ImportRejected listing every problem."""
    table = read_table(text, required=REQUIRED_COLUMNS, optional=OPTIONAL_COLUMNS)
    problems = list(table.problems)
    present = set(table.columns)
    rows: list[ClinicRow] = []
    hsa_id_lines: dict[str, int] = {}
    # (column, organisation number) -> the first value given for that provider, and its line
    provider_values: dict[tuple[str, str], tuple[str, int]] = {}
    for line, cells in table.rows:
        row, row_problems = _check_row(line, cells, present)
        problems.extend(row_problems)

        hsa_id = cells["hsa_id"]
        first = hsa_id_lines.setdefault(hsa_id, line) if hsa_id else line
        if first != line:
            reason = _("HSA-id %(hsa_id)s already appears on line %(line)d.")
            problems.append(
                ImportProblem(line, "hsa_id", reason % {"hsa_id": hsa_id, "line": first})
            )
        if row is None:
            continue
        rows.append(row)
        for column, value, reason in (
            (
                "provider_name",
                row.provider_name,
                _("Provider %(org_nr)s is called “%(value)s” on line %(line)d."),
            ),
            (
                "provider_kind",
                row.provider_kind,
                _("Provider %(org_nr)s is of kind %(value)s on line %(line)d."),
            ),
        ):
            if not value:
                continue
            earlier, earlier_line = provider_values.setdefault(
                (column, row.provider_org_nr), (value, line)
            )
            if earlier != value:
                params = {"org_nr": row.provider_org_nr, "value": earlier, "line": earlier_line}
                problems.append(ImportProblem(line, column, reason % params))

    if problems:
        raise ImportRejected(sorted(problems, key=lambda problem: problem.line))
    return ParsedFile(rows=rows, columns=frozenset(present))
