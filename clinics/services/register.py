"""The register's write side: providers, clinics and the people who use the register.

A CSV file of clinics is imported all or nothing: every row is checked first, every problem
is collected with its line and column, and only a file without problems is written, in one
transaction and a constant number of queries however long the file is.
"""

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import IO

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from rest_framework.authtoken.models import Token
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from clinics.models import Clinic, Provider, Role, User
from halland_utbud.errors import ApplicationError
from requirements.identifiers import (
    hsa_id_error,
    normalize_organisation_number,
    organisation_number_error,
)
from requirements.vocabulary import CareType, ClinicKind, ContractForm, Municipality, ProviderKind

REGION_HALLAND_ORG_NR = "232100-0115"

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
_CHANGE_REASON = "CSV-import"
# Rows per INSERT or UPDATE: a file of up to this many rows is written in a fixed number
# of queries; a longer one in one more query per batch.
_BATCH = 1000


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


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int = 0
    providers_created: int = 0
    providers_updated: int = 0


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
class _Row:
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


def _read_text(stream_or_text: str | bytes | IO) -> str:
    data = stream_or_text.read() if hasattr(stream_or_text, "read") else stream_or_text
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            raise ImportRejected(
                [ImportProblem(line, "", _("The file is not encoded in UTF-8."))]
            ) from None
    return data.removeprefix("\ufeff")


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


def _check_row(line: int, cells: dict[str, str], present: set[str]) -> tuple[_Row | None, list]:
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
    row = _Row(
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


def _default_provider_kind(org_nr: str) -> str:
    return ProviderKind.REGION if org_nr == REGION_HALLAND_ORG_NR else ProviderKind.PRIVATE


@dataclass(frozen=True)
class ParsedFile:
    rows: list[_Row]
    columns: frozenset[str]


def parse_clinics_csv(text: str) -> ParsedFile:
    """Every row of the file, checked; raises ImportRejected listing every problem."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    problems: list[ImportProblem] = []
    try:
        header = [column.strip().lower() for column in next(reader)]
    except StopIteration:
        raise ImportRejected([ImportProblem(1, "", _("The file is empty."))]) from None

    present = set(header)
    for column in REQUIRED_COLUMNS:
        if column not in present:
            problems.append(
                ImportProblem(1, column, _("The column is missing from the header row."))
            )
    for column in sorted(present - set(REQUIRED_COLUMNS) - set(OPTIONAL_COLUMNS)):
        if column:
            problems.append(ImportProblem(1, column, _("Unknown column.")))
    for column in sorted({c for c in header if header.count(c) > 1}):
        problems.append(ImportProblem(1, column, _("The column appears more than once.")))
    if len(header) == 1 and "," in header[0]:
        problems.append(
            ImportProblem(1, "", _("The file must be separated by semicolons (;), not commas."))
        )
    if problems:
        # Without the right columns every row would repeat the same complaint.
        raise ImportRejected(problems)

    rows: list[_Row] = []
    hsa_id_lines: dict[str, int] = {}
    # (column, organisation number) -> the first value given for that provider, and its line
    provider_values: dict[tuple[str, str], tuple[str, int]] = {}
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
        cells = {column: value.strip() for column, value in zip(header, values, strict=True)}
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
        raise ImportRejected(problems)
    return ParsedFile(rows=rows, columns=frozenset(present))


def _full_clean(instance: Clinic | Provider, line: int, columns: dict[str, str]) -> list:
    """The model's own field rules, as a last guard. Uniqueness is settled by the lookups
    and the period constraint by ``_check_row``; checking them here would cost a query per
    row. The provider is checked on its own (a new one has no id yet)."""
    try:
        instance.full_clean(
            exclude=["provider"], validate_unique=False, validate_constraints=False
        )
    except ValidationError as error:
        return [
            ImportProblem(line, columns.get(field, field), " ".join(messages))
            for field, messages in error.message_dict.items()
        ]
    return []


_CLINIC_FIELDS = (
    "name",
    "kind",
    "care_type",
    "municipality_code",
    "contract_form",
    "url_1177",
    "active_from",
    "active_until",
)
_PROVIDER_COLUMNS = {"name": "provider_name", "organisation_number": "provider_org_nr"}
_CLINIC_COLUMNS = {field: field for field in ("hsa_id", *_CLINIC_FIELDS)}


def _plan_providers(rows: list[_Row]) -> tuple[dict[str, Provider], list, list, list]:
    """Each organisation number's provider (existing or new), which ones to create and
    to change, and the problems found; one query."""
    providers = {
        p.organisation_number: p
        for p in Provider.objects.filter(
            organisation_number__in={row.provider_org_nr for row in rows}
        )
    }
    to_create: list[Provider] = []
    to_update: list[Provider] = []
    problems: list[ImportProblem] = []
    seen: set[str] = set()
    for row in rows:
        # The file gives one name (and at most one kind) per provider: see parse_clinics_csv.
        if row.provider_org_nr in seen:
            continue
        seen.add(row.provider_org_nr)
        provider = providers.get(row.provider_org_nr)
        if provider is None:
            provider = Provider(
                organisation_number=row.provider_org_nr,
                name=row.provider_name,
                kind=row.provider_kind or _default_provider_kind(row.provider_org_nr),
            )
            providers[row.provider_org_nr] = provider
            to_create.append(provider)
        else:
            kind = row.provider_kind or provider.kind
            if (provider.name, provider.kind) == (row.provider_name, kind):
                continue
            provider.name, provider.kind = row.provider_name, kind
            to_update.append(provider)
        problems.extend(_full_clean(provider, row.line, _PROVIDER_COLUMNS))
    return providers, to_create, to_update, problems


@transaction.atomic
def import_clinics_csv(
    stream_or_text: str | bytes | IO, *, actor: User | None = None
) -> ImportResult:
    """Create and update clinics (and their providers) from a CSV file, all or nothing.

    Clinics are matched by HSA-id, providers by organisation number; a provider's name
    (and its kind, when the file has that column) follows the file. A clinic's dates are
    only changed when the file has their columns. Every change leaves a history row, and
    the number of queries does not depend on the number of rows.
    """
    parsed = parse_clinics_csv(_read_text(stream_or_text))
    rows = parsed.rows
    if not rows:
        return ImportResult(created=0, updated=0)
    providers, new_providers, changed_providers, problems = _plan_providers(rows)

    fields = [f for f in _CLINIC_FIELDS if not f.startswith("active_") or f in parsed.columns]
    existing = {c.hsa_id: c for c in Clinic.objects.filter(hsa_id__in=[r.hsa_id for r in rows])}
    to_create: list[Clinic] = []
    to_update: list[Clinic] = []
    for row in rows:
        provider = providers[row.provider_org_nr]
        clinic = existing.get(row.hsa_id)
        if clinic is None:
            clinic = Clinic(hsa_id=row.hsa_id, provider=provider)
            to_create.append(clinic)
        else:
            changed = clinic.provider_id != provider.pk or any(
                getattr(clinic, field) != getattr(row, field) for field in fields
            )
            if not changed:
                continue
            clinic.provider = provider
            to_update.append(clinic)
        for field in fields:
            setattr(clinic, field, getattr(row, field))
        problems.extend(_full_clean(clinic, row.line, _CLINIC_COLUMNS))
    if problems:
        raise ImportRejected(problems)

    history = {
        "batch_size": _BATCH,
        "default_user": actor,
        "default_change_reason": _CHANGE_REASON,
    }
    try:
        with transaction.atomic():
            if new_providers:
                bulk_create_with_history(new_providers, Provider, **history)
            if changed_providers:
                bulk_update_with_history(changed_providers, Provider, ["name", "kind"], **history)
            if to_create:
                bulk_create_with_history(to_create, Clinic, **history)
            if to_update:
                bulk_update_with_history(to_update, Clinic, ["provider", *fields], **history)
    except IntegrityError:
        # Someone added the same HSA-id or organisation number since we looked.
        raise ApplicationError(
            _(
                "Someone else changed the register at the same time. Nothing was imported; "
                "try again."
            )
        ) from None
    return ImportResult(
        created=len(to_create),
        updated=len(to_update),
        unchanged=len(rows) - len(to_create) - len(to_update),
        providers_created=len(new_providers),
        providers_updated=len(changed_providers),
    )


@dataclass(frozen=True)
class CreatedUser:
    user: User
    token: str | None = None


@transaction.atomic
def create_user(
    *,
    username: str,
    role: str,
    password: str | None,
    email: str = "",
    clinic_hsa_ids: Iterable[str] = (),
    provider_org_nrs: Iterable[str] = (),
    with_token: bool = False,
) -> CreatedUser:
    """Create a person or system account with its role and, for a clinic reporter, the
    clinics and providers it reports for. ``password=None`` makes an account that cannot
    sign in with a password (a system reading the API with its token).

    Region admins also get the Django admin (staff and superuser), where the register is kept.
    """
    if role not in Role.values:
        raise ApplicationError(
            _("Unknown role “%(role)s”; choose one of %(roles)s.")
            % {"role": role, "roles": ", ".join(Role.values)}
        )
    hsa_ids = sorted({value.strip() for value in clinic_hsa_ids})
    org_nrs = sorted({value.strip() for value in provider_org_nrs})
    if role == Role.CLINIC_REPORTER and not (hsa_ids or org_nrs):
        raise ApplicationError(
            _("A clinic reporter must be linked to at least one clinic or provider.")
        )
    if role != Role.CLINIC_REPORTER and (hsa_ids or org_nrs):
        raise ApplicationError(_("Only a clinic reporter is linked to clinics and providers."))
    if User.objects.filter(username__iexact=username).exists():
        raise ApplicationError(
            _("There is already a user named %(username)s.") % {"username": username}
        )

    clinics = list(Clinic.objects.filter(hsa_id__in=hsa_ids))
    unknown = sorted(set(hsa_ids) - {clinic.hsa_id for clinic in clinics})
    if unknown:
        raise ApplicationError(
            _("There is no clinic with HSA-id %(hsa_ids)s.") % {"hsa_ids": ", ".join(unknown)}
        )
    invalid = [value for value in org_nrs if organisation_number_error(value)]
    normalized = {
        normalize_organisation_number(value) for value in org_nrs if value not in invalid
    }
    providers = list(Provider.objects.filter(organisation_number__in=normalized))
    unknown = invalid + sorted(normalized - {p.organisation_number for p in providers})
    if unknown:
        raise ApplicationError(
            _("There is no provider with organisation number %(org_nrs)s.")
            % {"org_nrs": ", ".join(unknown)}
        )

    is_admin = role == Role.REGION_ADMIN
    user = User(
        username=username, email=email, role=role, is_staff=is_admin, is_superuser=is_admin
    )
    if password is None:
        user.set_unusable_password()
    else:
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise ApplicationError(
                " ".join(error.messages), extra={"errors": {"password": error.messages}}
            ) from None
        user.set_password(password)
    try:
        user.full_clean()
    except ValidationError as error:
        raise ApplicationError(
            " ".join(error.messages), extra={"errors": error.message_dict}
        ) from None
    user.save()
    user.clinics.set(clinics)
    user.providers.set(providers)
    token = Token.objects.create(user=user).key if with_token else None
    return CreatedUser(user=user, token=token)
