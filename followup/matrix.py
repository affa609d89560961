"""The compliance matrix: one row per clinic and requirement on a day, for the clinics of a
selection, read straight from the timeline.

As JSON it is read page by page on a cursor (the last clinic and requirement seen), so a
page costs the same at the end of a national register as at its start. As CSV it streams:
on PostgreSQL the database writes it itself (``COPY (SELECT ...) TO STDOUT``), elsewhere
Python's csv writer does, row by row, from the same query. As XLSX it is written with
constant memory.
"""

import base64
import binascii
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connection
from django.db.models import F, FilteredRelation, Q, QuerySet, Value
from django.db.models.functions import NullIf

from clinics.models import RequirementStatusPeriod
from followup.exports import csv_body, csv_header, neutralised, plain_cell
from followup.filters import ClinicSelection, selected_clinics

# The columns, in the files' order; the JSON rows carry the same names.
COLUMNS = (
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
)


def _blank_as_null(field: str):
    # A blank text is "none" here: null in JSON, an empty cell in CSV, whichever backend
    # writes the file (COPY would quote an empty string, Python's csv would not).
    return NullIf(F(field), Value(""))


# The query's names for ``COLUMNS``, in the same order.
_SELECT = (
    "clinic_id",
    "m_hsa_id",
    "m_clinic_name",
    "requirement_code",
    "area_code",
    "m_status",
    "m_answer_status",
    "m_channel",
    "case_id",
    "m_exemption_kind",
    "exemption_from",
    "exemption_until",
    "catalogue_version_id",
    "valid_from",
)


def _matrix(selection: ClinicSelection, *, for_csv: bool) -> QuerySet[RequirementStatusPeriod]:
    day = selection.on_date
    # The clinic's name on the day, from its status row, as the overview shows it.
    name = "day_row__name"
    return (
        RequirementStatusPeriod.objects.on(day)
        .filter(clinic_id__in=selected_clinics(selection).order_by().values("clinic_id"))
        .alias(
            day_row=FilteredRelation(
                "clinic__clinicstatusperiod",
                condition=Q(
                    clinic__clinicstatusperiod__valid_from__lte=day,
                    clinic__clinicstatusperiod__valid_to__gt=day,
                ),
            )
        )
        .annotate(
            m_hsa_id=F("clinic__hsa_id"),
            m_clinic_name=neutralised(name) if for_csv else F(name),
            m_status=F("status"),
            m_answer_status=_blank_as_null("answer_status"),
            m_channel=_blank_as_null("channel"),
            m_exemption_kind=_blank_as_null("exemption_kind"),
        )
        .order_by("clinic_id", "requirement_id")
    )


def matrix_rows(selection: ClinicSelection, *, for_csv: bool = False) -> QuerySet:
    """The matrix rows as tuples in ``COLUMNS`` order, by clinic and in catalogue order.
    ``for_csv`` neutralises names that a spreadsheet would read as formulas: only CSV
    needs it, since a workbook types them as text (``matrix_records``)."""
    return _matrix(selection, for_csv=for_csv).values_list(*_SELECT)


# JSON, page by page


class BadCursor(ValueError):
    pass


@dataclass(frozen=True)
class Cursor:
    """Where the previous page ended: its last clinic and requirement."""

    clinic_id: int
    requirement_id: int

    def encode(self) -> str:
        raw = f"{self.clinic_id}:{self.requirement_id}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> "Cursor":
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode("ascii")
            clinic_id, requirement_id = (int(part) for part in raw.split(":"))
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise BadCursor(text) from None
        if clinic_id < 0 or requirement_id < 0:
            raise BadCursor(text)
        return cls(clinic_id, requirement_id)


def matrix_page(
    selection: ClinicSelection, *, after: Cursor | None, size: int
) -> tuple[list[dict], Cursor | None]:
    """One page of rows as dicts, and the cursor of the next page (None on the last)."""
    rows = _matrix(selection, for_csv=False).values_list("requirement_id", *_SELECT)
    if after is not None:
        rows = rows.filter(
            Q(clinic_id__gt=after.clinic_id)
            | Q(clinic_id=after.clinic_id, requirement_id__gt=after.requirement_id)
        )
    found = list(rows[: size + 1])
    page = found[:size]
    next_cursor = Cursor(page[-1][1], page[-1][0]) if len(found) > size else None
    return [dict(zip(COLUMNS, row[1:], strict=True)) for row in page], next_cursor


# CSV, streamed


def matrix_csv(selection: ClinicSelection) -> Iterator[bytes]:
    """The header, then every row; the database writes the rows where it can. Lines end
    in a bare newline, as COPY writes them."""
    yield csv_header(COLUMNS, newline="\n")
    rows = matrix_rows(selection, for_csv=True)
    if connection.vendor != "postgresql":
        yield from csv_body(rows.iterator(chunk_size=2000), cell=plain_cell, newline="\n")
        return
    sql, params = rows.query.sql_with_params()
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(
            f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, DELIMITER ';')", params
        ) as copy,
    ):
        for data in copy:
            yield bytes(data)


def matrix_records(selection: ClinicSelection) -> Iterator[tuple]:
    """Every row as values for a workbook: dates as text, names as they are."""
    for row in matrix_rows(selection).iterator(chunk_size=2000):
        yield tuple(value.isoformat() if hasattr(value, "isoformat") else value for value in row)
