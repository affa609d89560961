"""A clinic's change history: who changed what and when, from three records.

- changes to the clinic's register entry (simple_history's ``Clinic.history``);
- transitions of its reports (``ReportEvent``: submitted, returned, approved...);
- changes to the answers in its reports (simple_history's ``Answer.history``).

Each source is read in one query with its users joined, and consecutive history rows of
the same object are diffed in Python, so the page costs the same number of queries
however long the history is. A clinic's history grows by some hundred rows a year (one
report of about forty answers, a few saves each), so reading it whole is cheap; the page
paginates the merged list.
"""

from dataclasses import dataclass
from datetime import date, datetime
from itertools import pairwise

from django.db import models
from django.utils import formats
from django.utils.translation import gettext as _

from clinics.models import Answer, Clinic, Provider, ReportEvent, User

# The answer fields a person changes; reported_by/reported_at change with every save.
ANSWER_FIELDS = ("status", "channel", "evidence_url", "comment", "justification", "review_comment")


class EntryKind(models.TextChoices):
    CLINIC = "clinic"
    REPORT = "report"
    ANSWER = "answer"


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    actor: User | None
    kind: str
    # What changed, in words: "Clinic details", a requirement's name, "Report".
    subject: str
    changes: tuple[FieldChange, ...] = ()
    # True for the row that created the object (a clinic registered, a first answer).
    created: bool = False
    # Report transitions only.
    from_state: str = ""
    to_state: str = ""
    comment: str = ""
    round_name: str = ""


def _display(model_field: models.Field, value, names: dict | None = None) -> str:
    """A stored value as the interface shows it: choice labels, names, local dates."""
    if value is None or value == "":
        return ""
    if names is not None:
        return names.get(value, str(value))
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, date | datetime):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


def _field_changes(
    newer, older, fields: list[str], model: type[models.Model], names: dict
) -> tuple[FieldChange, ...]:
    delta = newer.diff_against(older, included_fields=fields)
    by_name = {change.field: change for change in delta.changes}
    return tuple(
        FieldChange(
            label=str(model._meta.get_field(name).verbose_name),
            old=_display(model._meta.get_field(name), by_name[name].old, names.get(name)),
            new=_display(model._meta.get_field(name), by_name[name].new, names.get(name)),
        )
        # In the model's own field order, not diff_against's alphabetical one.
        for name in fields
        if name in by_name
    )


def _clinic_entries(clinic: Clinic) -> list[HistoryEntry]:
    records = list(clinic.history.select_related("history_user").order_by("history_date", "pk"))
    fields = [f.name for f in Clinic._meta.concrete_fields if f.editable and not f.primary_key]
    # A change of provider reads as names, not ids: one query for every provider named.
    provider_ids = {record.provider_id for record in records}
    names = {
        "provider": dict(Provider.objects.filter(pk__in=provider_ids).values_list("pk", "name"))
    }
    subject = _("Clinic details")
    entries = []
    if records:
        first = records[0]
        entries.append(
            HistoryEntry(
                first.history_date, first.history_user, EntryKind.CLINIC, subject, created=True
            )
        )
    for older, newer in pairwise(records):
        changes = _field_changes(newer, older, fields, Clinic, names)
        if changes:  # a save that changed nothing is not news
            entries.append(
                HistoryEntry(
                    newer.history_date, newer.history_user, EntryKind.CLINIC, subject, changes
                )
            )
    return entries


def _report_entries(clinic: Clinic) -> list[HistoryEntry]:
    events = ReportEvent.objects.filter(report__clinic=clinic).select_related(
        "actor", "report__round"
    )
    return [
        HistoryEntry(
            at=event.at,
            actor=event.actor,
            kind=EntryKind.REPORT,
            subject=_("Report"),
            from_state=event.from_state,
            to_state=event.to_state,
            comment=event.comment,
            round_name=event.report.round.name if event.report.round else "",
        )
        for event in events
    ]


def _answer_entries(clinic: Clinic) -> list[HistoryEntry]:
    # Ordered by answer, then time: each row's predecessor is the row before it.
    records = (
        Answer.history.filter(report__clinic=clinic)
        .select_related("history_user", "requirement")
        .order_by("id", "history_date", "history_id")
    )
    status_field = Answer._meta.get_field("status")
    entries = []
    previous = None
    for record in records:
        if previous is None or previous.id != record.id:
            # The first answer: what it said is news, there is nothing to compare it with.
            changes = (
                FieldChange(
                    str(status_field.verbose_name), "", _display(status_field, record.status)
                ),
            )
            created = True
        else:
            changes = _field_changes(record, previous, list(ANSWER_FIELDS), Answer, {})
            created = False
        if changes:
            entries.append(
                HistoryEntry(
                    record.history_date,
                    record.history_user,
                    EntryKind.ANSWER,
                    record.requirement.name,
                    changes,
                    created=created,
                )
            )
        previous = record
    return entries


def clinic_history(clinic: Clinic) -> list[HistoryEntry]:
    """Every change to the clinic and its reports, newest first, in four queries."""
    entries = [*_clinic_entries(clinic), *_report_entries(clinic), *_answer_entries(clinic)]
    return sorted(entries, key=lambda entry: entry.at, reverse=True)
