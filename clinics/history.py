"""A clinic's change history: for every change, which action it was, who took it, when,
and what it changed, as before → after. Read from five records:

- changes to the clinic's register entry (simple_history's ``Clinic.history``);
- transitions of its reports (``ReportEvent``: opened, submitted, returned, approved...);
- changes to the answers in its reports (simple_history's ``Answer.history``, whose change
  reason is the ``AnswerAction``: answered, commented by the reviewer, copied, imported);
- transitions of its exemption cases (``CaseEvent``) and changes to what a case asks
  (``ExemptionCase.history``);
- transitions of its action plans (``ActionPlanEvent``) and changes to their rows
  (``ActionPlanItem.history``).

Nothing is credited to the wrong person: answers a report was opened with are copies,
folded into the row that says who opened it and from which report, and a reviewer's
comment beside an answer is a row of its own, by the reviewer, showing only the comment.
Rows that change nothing are left out.

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
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clinics.models import (
    ActionPlanEvent,
    ActionPlanItem,
    ActionPlanState,
    Answer,
    AnswerAction,
    CaseEvent,
    CaseKind,
    CaseState,
    Clinic,
    ExemptionCase,
    Provider,
    ReportEvent,
    ReportState,
    SignIn,
    User,
)
from clinics.models.register import IMPORT_CHANGE_REASON
from clinics.models.reports import ANSWER_FIELDS
from clinics.templatetags.dates import short_day

# What a reviewer's comment on an answer changes.
REVIEW_FIELDS = ("review_comment",)
# What a case asks; its state, decision and period are told by its events.
CASE_FIELDS = (
    "exemption_kind",
    "reason_category",
    "justification",
    "alternative",
    "links",
    "requested_from",
    "requested_until",
)


class EntryKind(models.TextChoices):
    CLINIC = "clinic"
    REPORT = "report"
    ANSWER = "answer"
    CASE = "case"
    ACTION_PLAN = "action_plan"


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
    # Which action it was, in words: "Answered", "Returned with a comment"...
    action: str
    # What it concerned: "Clinic details", a requirement's name, "Report".
    subject: str
    changes: tuple[FieldChange, ...] = ()
    # True where there is nothing to compare with: ``changes`` are the values given.
    created: bool = False
    # Report and case transitions only.
    from_state: str = ""
    to_state: str = ""
    comment: str = ""
    # The page of what the row concerns, where it has one (a case).
    url: str = ""
    # The sign-in the actor made it in: its method and level of assurance (None for the
    # system, and for rows written before sign-ins were kept).
    sign_in: SignIn | None = None

    @property
    def is_report(self) -> bool:
        """A transition of a report: its states are a report's."""
        return self.kind == EntryKind.REPORT

    @property
    def is_answer(self) -> bool:
        return self.kind == EntryKind.ANSWER


def _display(model_field: models.Field, value, names: dict | None = None) -> str:
    """A stored value as the interface shows it: choice labels, names, local dates, a
    list (a case's links) one entry after the other."""
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, list):
        return ", ".join(str(entry) for entry in value)
    if names is not None:
        return names.get(value, str(value))
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, date | datetime):
        return short_day(value)
    return str(value)


def _field_changes(
    newer, older, fields, model: type[models.Model], names: dict | None = None
) -> tuple[FieldChange, ...]:
    """What changed from ``older`` to ``newer`` (history rows), in the fields' order."""
    names = names or {}
    delta = newer.diff_against(older, included_fields=list(fields))
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


def _values_given(record, fields, model: type[models.Model]) -> tuple[FieldChange, ...]:
    """The non-empty values of a first history row: what was given, with nothing before."""
    return tuple(
        FieldChange(
            str(model._meta.get_field(name).verbose_name),
            "",
            _display(model._meta.get_field(name), getattr(record, name)),
        )
        for name in fields
        if _display(model._meta.get_field(name), getattr(record, name))
    )


def _with_predecessors(records):
    """Each history row of ``records`` (a historical queryset) with the row before it of
    the same object, or None for the object's first: ordered by object, then time."""
    previous = None
    for record in records.order_by("id", "history_date", "history_id"):
        yield record, previous if previous is not None and previous.id == record.id else None
        previous = record


def _changes(record, previous, fields, model: type[models.Model]) -> tuple[FieldChange, ...]:
    """What a history row changed, or for an object's first row the values it was given."""
    if previous is None:
        return _values_given(record, fields, model)
    return _field_changes(record, previous, fields, model)


def _clinic_entries(clinic: Clinic) -> list[HistoryEntry]:
    records = list(
        clinic.history.select_related("history_user", "history_sign_in").order_by(
            "history_date", "pk"
        )
    )
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
        imported = first.history_change_reason == IMPORT_CHANGE_REASON
        entries.append(
            HistoryEntry(
                first.history_date,
                first.history_user,
                EntryKind.CLINIC,
                _("Imported") if imported else _("Registered"),
                subject,
                created=True,
                sign_in=first.history_sign_in,
            )
        )
    for older, newer in pairwise(records):
        changes = _field_changes(newer, older, fields, Clinic, names)
        if changes:  # a save that changed nothing is not news
            imported = newer.history_change_reason == IMPORT_CHANGE_REASON
            entries.append(
                HistoryEntry(
                    newer.history_date,
                    newer.history_user,
                    EntryKind.CLINIC,
                    _("Changed by an import") if imported else _("Changed"),
                    subject,
                    changes,
                    sign_in=newer.history_sign_in,
                )
            )
    return entries


_REPORT_ACTIONS = {
    ReportState.SUBMITTED: gettext_lazy("Submitted"),
    ReportState.RETURNED: gettext_lazy("Returned with a comment"),
    ReportState.APPROVED: gettext_lazy("Approved"),
    ReportState.CLOSED: gettext_lazy("Closed with its round"),
}


def _report_opened(event: ReportEvent) -> str:
    """How a report came to be: started by a reporter or opened by a round, fresh or as a
    copy of an approved report."""
    report = event.report
    source = report.prefilled_from
    approved_on = short_day(source.decided_at) if source is not None else ""
    if report.round is not None:
        if source is not None:
            return _(
                "Opened by the round “%(round)s” as a copy of the report approved on %(date)s"
            ) % {"round": report.round.name, "date": approved_on}
        return _("Opened by the round “%(round)s”") % {"round": report.round.name}
    if source is not None:
        return _("Started as a copy of the report approved on %(date)s") % {"date": approved_on}
    return _("Started")


def _report_entries(clinic: Clinic) -> list[HistoryEntry]:
    events = ReportEvent.objects.filter(report__clinic=clinic).select_related(
        "actor", "sign_in", "report__round", "report__prefilled_from"
    )
    return [
        HistoryEntry(
            at=event.at,
            actor=event.actor,
            sign_in=event.sign_in,
            kind=EntryKind.REPORT,
            action=str(_REPORT_ACTIONS.get(event.to_state, ""))
            if event.from_state
            else _report_opened(event),
            subject=_("Report"),
            from_state=event.from_state,
            to_state=event.to_state,
            comment=event.comment,
        )
        for event in events
    ]


_ANSWER_ACTIONS = {
    AnswerAction.ANSWERED: gettext_lazy("Answered"),
    AnswerAction.REVIEW_COMMENT: gettext_lazy("Commented by the reviewer"),
    AnswerAction.IMPORTED: gettext_lazy("Imported"),
}


def _answer_entry(record, previous) -> HistoryEntry | None:
    """The row for one history row of an answer, or None when it is not news: a copy
    (told by the row that opened the report), or a save that changed nothing."""
    reason = record.history_change_reason or ""
    if reason == AnswerAction.COPIED:
        return None
    if reason == AnswerAction.REVIEW_COMMENT:
        fields = REVIEW_FIELDS
    elif reason:
        fields = ANSWER_FIELDS
    else:
        # Written before the action was recorded: what changed tells which it was.
        fields = (*ANSWER_FIELDS, *REVIEW_FIELDS)
    changes = _changes(record, previous, fields, Answer)
    # Written before the action was recorded, a change of the comment alone was a review.
    reviewed = previous is not None and changes
    if not reason and reviewed and all(c.label == _review_label() for c in changes):
        reason = AnswerAction.REVIEW_COMMENT
    if not changes:
        return None
    return HistoryEntry(
        record.history_date,
        record.history_user,
        EntryKind.ANSWER,
        str(_ANSWER_ACTIONS.get(reason, _("Answered"))),
        record.requirement.name,
        changes,
        created=previous is None,
        sign_in=record.history_sign_in,
    )


def _review_label() -> str:
    return str(Answer._meta.get_field("review_comment").verbose_name)


def _answer_entries(clinic: Clinic) -> list[HistoryEntry]:
    records = Answer.history.filter(report__clinic=clinic).select_related(
        "history_user", "history_sign_in", "requirement"
    )
    entries = (_answer_entry(record, previous) for record, previous in _with_predecessors(records))
    return [entry for entry in entries if entry is not None]


_CASE_ACTIONS = {
    CaseState.DRAFT: gettext_lazy("Case drafted"),
    CaseState.SUBMITTED: gettext_lazy("Case submitted"),
    CaseState.RETURNED: gettext_lazy("Case returned for completion"),
    CaseState.APPROVED: gettext_lazy("Case approved"),
    CaseState.REJECTED: gettext_lazy("Case rejected"),
    CaseState.REVOKED: gettext_lazy("Case revoked"),
    CaseState.EXPIRED: gettext_lazy("Case expired"),
}


def _case_subject(kind: str, requirement_name: str) -> str:
    if kind == CaseKind.PLATFORM_APPROVAL:
        return _("Approval of an own platform: %(requirement)s") % {
            "requirement": requirement_name
        }
    return _("Exemption: %(requirement)s") % {"requirement": requirement_name}


def _case_entries(clinic: Clinic) -> list[HistoryEntry]:
    """The clinic's exemption cases: every transition, and every change to what a case
    asks made after it was drafted (the draft's own values are in its case page)."""
    events = CaseEvent.objects.filter(case__clinic=clinic).select_related(
        "actor", "sign_in", "case__requirement"
    )
    entries = [
        HistoryEntry(
            at=event.at,
            actor=event.actor,
            sign_in=event.sign_in,
            kind=EntryKind.CASE,
            action=str(_CASE_ACTIONS.get(event.to_state, "")),
            subject=_case_subject(event.case.kind, event.case.requirement.name),
            from_state=event.from_state,
            to_state=event.to_state,
            comment=event.comment,
            url=reverse("case_detail", args=[event.case_id]),
        )
        for event in events
    ]
    records = ExemptionCase.history.filter(clinic=clinic).select_related(
        "history_user", "history_sign_in", "requirement"
    )
    for record, previous in _with_predecessors(records):
        # A draft's own values are its case page's; its event says it was drafted.
        if previous is not None and (
            changes := _field_changes(record, previous, CASE_FIELDS, ExemptionCase)
        ):
            entries.append(
                HistoryEntry(
                    record.history_date,
                    record.history_user,
                    EntryKind.CASE,
                    _("Case changed"),
                    _case_subject(record.kind, record.requirement.name),
                    changes,
                    url=reverse("case_detail", args=[record.id]),
                    sign_in=record.history_sign_in,
                )
            )
    return entries


_PLAN_ACTIONS = {
    ActionPlanState.DRAFT: gettext_lazy("Action plan started"),
    ActionPlanState.SUBMITTED: gettext_lazy("Action plan submitted"),
    ActionPlanState.RETURNED: gettext_lazy("Action plan returned with a comment"),
    ActionPlanState.ACCEPTED: gettext_lazy("Action plan accepted"),
    ActionPlanState.DONE: gettext_lazy("Action plan carried out"),
}
PLAN_ITEM_FIELDS = ("measure", "responsible", "due_date")


def _plan_entries(clinic: Clinic) -> list[HistoryEntry]:
    """The clinic's action plans: every transition, and every change to a row's measure,
    person responsible or date (a row starts empty, one per unmet requirement)."""
    url = reverse("clinic_action_plan", args=[clinic.pk])
    events = ActionPlanEvent.objects.filter(plan__clinic=clinic).select_related("actor", "sign_in")
    entries = [
        HistoryEntry(
            at=event.at,
            actor=event.actor,
            sign_in=event.sign_in,
            kind=EntryKind.ACTION_PLAN,
            action=str(_PLAN_ACTIONS.get(event.to_state, "")),
            subject=_("Action plan"),
            from_state=event.from_state,
            to_state=event.to_state,
            comment=event.comment,
            url=url,
        )
        for event in events
    ]
    records = ActionPlanItem.history.filter(plan__clinic=clinic).select_related(
        "history_user", "history_sign_in", "answer__requirement"
    )
    for record, previous in _with_predecessors(records):
        if changes := _changes(record, previous, PLAN_ITEM_FIELDS, ActionPlanItem):
            entries.append(
                HistoryEntry(
                    record.history_date,
                    record.history_user,
                    EntryKind.ACTION_PLAN,
                    _("Action plan changed"),
                    _("Action plan: %(requirement)s")
                    % {"requirement": record.answer.requirement.name},
                    changes,
                    created=previous is None,
                    url=url,
                    sign_in=record.history_sign_in,
                )
            )
    return entries


def clinic_history(clinic: Clinic) -> list[HistoryEntry]:
    """Every change to the clinic, its reports, its cases and its action plans, newest
    first, in eight queries."""
    entries = [
        *_clinic_entries(clinic),
        *_report_entries(clinic),
        *_answer_entries(clinic),
        *_case_entries(clinic),
        *_plan_entries(clinic),
    ]
    return sorted(entries, key=lambda entry: entry.at, reverse=True)
