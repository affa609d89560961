"""The register: clinics and providers saved one at a time (the admin), and the CSV
import of many, all or nothing.

``clinics.services.clinics_csv`` checks the file; only a file without problems is written
here, in one transaction and a constant number of queries however long the file is. Every
write rewrites the timelines of the clinics it touches (a clinic's kind, provider, care
type, contract form and dates decide which requirements apply to it), in its transaction.
"""

from dataclasses import dataclass
from typing import IO

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from clinics.models import Clinic, Provider, User
from clinics.models.register import IMPORT_CHANGE_REASON
from clinics.services.clinics_csv import (
    ClinicRow,
    ImportProblem,
    ImportRejected,
    parse_clinics_csv,
    read_text,
)
from clinics.timeline import rewrite_timelines
from halland_utbud.errors import ApplicationError
from requirements.vocabulary import ProviderKind

REGION_HALLAND_ORG_NR = "232100-0115"

# Rows per INSERT or UPDATE: a file of up to this many rows is written in a fixed number
# of queries; a longer one in one more query per batch.
_BATCH = 1000


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int = 0
    providers_created: int = 0
    providers_updated: int = 0


@transaction.atomic
def save_clinic(*, clinic: Clinic, actor: User | None) -> Clinic:
    """Register a new clinic or save a change to one; its timeline follows in the same
    transaction."""
    clinic.full_clean()
    clinic._history_user = actor
    clinic.save()
    rewrite_timelines([clinic.pk])
    return clinic


@transaction.atomic
def save_provider(*, provider: Provider, actor: User | None) -> Provider:
    """Register or change a care provider; a change of kind (region or private) changes
    what applies to each of its clinics, so their timelines follow."""
    provider.full_clean()
    provider._history_user = actor
    provider.save()
    rewrite_timelines(provider.clinics.values_list("pk", flat=True))
    return provider


def _default_provider_kind(org_nr: str) -> str:
    return ProviderKind.REGION if org_nr == REGION_HALLAND_ORG_NR else ProviderKind.PRIVATE


def _full_clean(instance: Clinic | Provider, line: int, columns: dict[str, str]) -> list:
    """The model's own field rules, as a last guard. Uniqueness is settled by the lookups
    and the period constraint by ``parse_clinics_csv``; checking them here would cost a query
    per row. The provider is checked on its own (a new one has no id yet)."""
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


def _plan_providers(rows: list[ClinicRow]) -> tuple[dict[str, Provider], list, list, list]:
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
    parsed = parse_clinics_csv(read_text(stream_or_text))
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
        "default_change_reason": IMPORT_CHANGE_REASON,
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
    rewrite_timelines(
        [
            *(clinic.pk for clinic in to_create + to_update),
            *Clinic.objects.filter(provider__in=changed_providers).values_list("pk", flat=True),
        ]
    )
    return ImportResult(
        created=len(to_create),
        updated=len(to_update),
        unchanged=len(rows) - len(to_create) - len(to_update),
        providers_created=len(new_providers),
        providers_updated=len(changed_providers),
    )
