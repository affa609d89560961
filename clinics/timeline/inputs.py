"""The inputs of clinics' timelines, read from the sources for many clinics at once.

A fixed number of queries whatever the number of clinics: the register as it is and its
history, the providers' history, the approved reports and their answers, the exemption
cases that were approved. Days are local (Europe/Stockholm): a report approved at 23:30
counts from that day, as the clinic page and the region's staff read it.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from clinics.models import (
    Answer,
    CaseEvent,
    CaseState,
    Clinic,
    ExemptionCase,
    Provider,
    Report,
    ReportState,
)
from requirements.compliance import ExemptionGrant, ReportedAnswer
from requirements.timeline import (
    BEGINNING,
    ApprovedAnswer,
    ApprovedReport,
    AttributeChange,
    CatalogueEdition,
    ClinicAttributes,
    ClinicInputs,
)
from requirements.vocabulary import AnswerStatus

# The clinic fields an attribute stretch is made of, besides the provider's kind.
_CLINIC_FIELDS = (
    "name",
    "kind",
    "care_type",
    "municipality_code",
    "contract_form",
    "provider_id",
    "active_from",
    "active_until",
)
# Cases whose approved period counts, each for the days it was approved for.
_GRANTED_STATES = [CaseState.APPROVED, CaseState.EXPIRED, CaseState.REVOKED]


@dataclass(frozen=True)
class ClinicScope:
    """Which clinics to read: by id, or every clinic with an id in ``[first, last]``."""

    ids: tuple[int, ...] | None = None
    first: int | None = None
    last: int | None = None

    def on(self, field: str) -> Q:
        if self.ids is not None:
            return Q(**{f"{field}__in": self.ids})
        return Q(**{f"{field}__gte": self.first, f"{field}__lte": self.last})


def _local_day(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def _stretches(records: Iterable[tuple[date, object]], current: object) -> list[tuple]:
    """``(day, value)`` records in time order -> stretches ``(since, value)``.

    The last record of a day is what held that day; the first stretch holds from the
    beginning (before its first record a clinic was as first recorded), and the last one
    is the row as it is now, which a bulk update may have changed without a record.
    """
    stretches: list[list] = []
    for day, value in records:
        if stretches and stretches[-1][0] == day:
            stretches[-1][1] = value
        else:
            stretches.append([day, value])
    if not stretches:
        return [(BEGINNING, current)]
    stretches[0][0] = BEGINNING
    stretches[-1][1] = current
    return [tuple(stretch) for stretch in stretches]


def _value_on(stretches: list[tuple], day: date):
    value = stretches[0][1]
    for since, candidate in stretches:
        if since > day:
            break
        value = candidate
    return value


def _attribute_changes(
    clinic_stretches: list[tuple], provider_kinds: dict[int, list[tuple]]
) -> tuple[AttributeChange, ...]:
    """The clinic's own stretches, split where its provider's kind changed."""
    days = {since for since, _values in clinic_stretches}
    for _since, values in clinic_stretches:
        days.update(since for since, _kind in provider_kinds[values["provider_id"]])
    changes: list[AttributeChange] = []
    for day in sorted(days):
        values = _value_on(clinic_stretches, day)
        attributes = ClinicAttributes(
            **values, provider_kind=_value_on(provider_kinds[values["provider_id"]], day)
        )
        if not changes or changes[-1].attributes != attributes:
            changes.append(AttributeChange(day, attributes))
    return tuple(changes)


def _attributes(scope: ClinicScope) -> dict[int, tuple[AttributeChange, ...]]:
    current: dict[int, dict] = {}
    for row in Clinic.objects.filter(scope.on("pk")).values("id", *_CLINIC_FIELDS):
        current[row.pop("id")] = row
    history: dict[int, list[tuple]] = defaultdict(list)
    for row in (
        Clinic.history.filter(scope.on("id"))
        .order_by("id", "history_date", "history_id")
        .values("id", "history_date", *_CLINIC_FIELDS)
    ):
        clinic_id, moment = row.pop("id"), row.pop("history_date")
        history[clinic_id].append((_local_day(moment), row))

    provider_ids = {row["provider_id"] for row in current.values()} | {
        values["provider_id"] for records in history.values() for _day, values in records
    }
    provider_now = dict(Provider.objects.filter(pk__in=provider_ids).values_list("pk", "kind"))
    provider_history: dict[int, list[tuple]] = defaultdict(list)
    for provider_id, moment, kind in (
        Provider.history.filter(id__in=provider_ids)
        .order_by("id", "history_date", "history_id")
        .values_list("id", "history_date", "kind")
    ):
        provider_history[provider_id].append((_local_day(moment), kind))
    provider_kinds = {
        provider_id: _stretches(provider_history[provider_id], kind)
        for provider_id, kind in provider_now.items()
    }
    return {
        clinic_id: _attribute_changes(_stretches(history[clinic_id], row), provider_kinds)
        for clinic_id, row in current.items()
    }


def _reports(scope: ClinicScope) -> dict[int, tuple[ApprovedReport, ...]]:
    answers: dict[int, dict[str, ApprovedAnswer]] = defaultdict(dict)
    for report_id, code, answer_id, status, justification, channel in Answer.objects.filter(
        scope.on("report__clinic_id"), report__state=ReportState.APPROVED
    ).values_list("report_id", "requirement__code", "id", "status", "justification", "channel"):
        answers[report_id][code] = ApprovedAnswer(
            ReportedAnswer(code, AnswerStatus(status), justification, channel or ""),
            answer_id,
            channel,
        )
    reports: dict[int, list[ApprovedReport]] = defaultdict(list)
    for report_id, clinic_id, decided_at in (
        Report.objects.filter(scope.on("clinic_id"), state=ReportState.APPROVED)
        .order_by("clinic_id", "decided_at", "id")
        .values_list("id", "clinic_id", "decided_at")
    ):
        reports[clinic_id].append(
            ApprovedReport(report_id, _local_day(decided_at), answers.get(report_id, {}))
        )
    return {clinic_id: tuple(rows) for clinic_id, rows in reports.items()}


def _exemptions(scope: ClinicScope) -> dict[int, tuple[ExemptionGrant, ...]]:
    """The approved periods as they count: a revoked case counts only on the days before
    the day it was revoked, an expired one for exactly the period it was approved for."""
    revoked_at = Subquery(
        CaseEvent.objects.filter(case=OuterRef("pk"), to_state=CaseState.REVOKED)
        .order_by("-at", "-pk")
        .values("at")[:1]
    )
    grants: dict[int, list[ExemptionGrant]] = defaultdict(list)
    for case_id, clinic_id, code, kind, valid_from, valid_until, state, revoked in (
        ExemptionCase.objects.filter(
            scope.on("clinic_id"), state__in=_GRANTED_STATES, valid_from__isnull=False
        )
        .annotate(revoked_at=revoked_at)
        .order_by("clinic_id", "valid_from", "pk")
        .values_list(
            "pk",
            "clinic_id",
            "requirement__code",
            "exemption_kind",
            "valid_from",
            "valid_until",
            "state",
            "revoked_at",
        )
    ):
        if state == CaseState.REVOKED:
            if revoked is None:
                continue
            last_day = _local_day(revoked) - timedelta(days=1)
            valid_until = last_day if valid_until is None else min(valid_until, last_day)
            if valid_until < valid_from:
                continue
        grants[clinic_id].append(ExemptionGrant(code, kind, valid_from, valid_until, case_id))
    return {clinic_id: tuple(rows) for clinic_id, rows in grants.items()}


def read_inputs(
    scope: ClinicScope, catalogue: tuple[CatalogueEdition, ...]
) -> dict[int, ClinicInputs]:
    """Clinic id -> its inputs, for every clinic in ``scope``, in seven queries."""
    attributes = _attributes(scope)
    reports = _reports(scope)
    exemptions = _exemptions(scope)
    return {
        clinic_id: ClinicInputs(
            clinic_id=clinic_id,
            attributes=changes,
            reports=reports.get(clinic_id, ()),
            exemptions=exemptions.get(clinic_id, ()),
            catalogue=catalogue,
        )
        for clinic_id, changes in attributes.items()
    }
