"""Every change to an exemption or platform-approval case goes through here.

The states move only along ``TRANSITIONS``; each function runs in one transaction, locks
the case row first and then checks the actor and the state, so two reviewers deciding at
once give exactly one decision: the second finds the case already decided. Every
transition writes a ``CaseEvent``; decided cases are never edited, only followed by new
events (revocation, expiry) or by a renewal, which is a new case.

A clinic has at most one open request (draft, submitted or returned) for one exemption from
one requirement (``case_one_open_request``): a second "save" of a new request (a double
click, two tabs) leads to the one the first started. What a request must hold is
``clinics.services.case_requests``.
"""

from collections.abc import Sequence
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clinics import tasks
from clinics.access import check_may_decide_case, check_may_request_case
from clinics.links import tidied_links
from clinics.models import CaseEvent, CaseKind, CaseState, Clinic, ExemptionCase, User
from clinics.notifications.delivery import after_commit
from clinics.services.case_requests import check_request
from clinics.timeline import rewrite_timelines
from halland_utbud.errors import ApplicationError, InvalidTransition
from requirements.models import Requirement
from requirements.vocabulary import ExemptionKind

# (action, from state) -> to state. Anything not listed is refused.
TRANSITIONS: dict[tuple[str, str], str] = {
    ("submit", CaseState.DRAFT): CaseState.SUBMITTED,
    ("submit", CaseState.RETURNED): CaseState.SUBMITTED,
    ("approve", CaseState.SUBMITTED): CaseState.APPROVED,
    ("reject", CaseState.SUBMITTED): CaseState.REJECTED,
    ("return", CaseState.SUBMITTED): CaseState.RETURNED,
    ("revoke", CaseState.APPROVED): CaseState.REVOKED,
    # Only expire_case (run by the nightly job) expires, as the system.
    ("expire", CaseState.APPROVED): CaseState.EXPIRED,
}

# What a reporter may change in a draft or returned case.
EDITABLE_FIELDS = frozenset(
    {
        "requirement",
        "exemption_kind",
        "reason_category",
        "justification",
        "alternative",
        "links",
        "requested_from",
        "requested_until",
        "renews",
    }
)

# One whole sentence per action, so that each language can word it as it needs.
_REFUSED_TRANSITION = {
    "submit": gettext_lazy("A case with the status “%(state)s” cannot be submitted."),
    "approve": gettext_lazy("A case with the status “%(state)s” cannot be approved."),
    "reject": gettext_lazy("A case with the status “%(state)s” cannot be rejected."),
    "return": gettext_lazy(
        "A case with the status “%(state)s” cannot be returned for completion."
    ),
    "revoke": gettext_lazy(
        "A case with the status “%(state)s” cannot be revoked; only an approved one can."
    ),
    "expire": gettext_lazy("A case with the status “%(state)s” cannot expire."),
}


def target_state(action: str, case: ExemptionCase) -> str:
    """The state ``action`` leads to from the case's state, or InvalidTransition saying why."""
    try:
        return TRANSITIONS[(action, case.state)]
    except KeyError:
        raise InvalidTransition(
            _REFUSED_TRANSITION[action] % {"state": case.get_state_display()}
        ) from None


def locked(case: ExemptionCase) -> ExemptionCase:
    """The case re-read under a row lock: its state is the one every check sees."""
    return (
        ExemptionCase.objects.select_for_update(of=("self",))
        .select_related("clinic__provider", "requirement__version", "requester")
        .get(pk=case.pk)
    )


class CaseAlreadyOpen(InvalidTransition):
    """The clinic already has an open request for this exemption: ``case``, which a second
    "save" should lead to instead (None when it was decided in between)."""

    def __init__(self, case: ExemptionCase | None) -> None:
        super().__init__(
            _("The clinic already has an open request for this exemption."),
            extra={"case": case.pk} if case is not None else None,
        )
        self.case = case


def _open_request(
    clinic: Clinic, requirement: Requirement, exemption_kind: str, *, other_than: int | None = None
) -> ExemptionCase | None:
    return (
        ExemptionCase.objects.filter(
            clinic=clinic,
            requirement=requirement,
            exemption_kind=exemption_kind,
            state__in=CaseState.open_states(),
        )
        .exclude(pk=other_than)
        .first()
    )


def record_event(
    case: ExemptionCase, *, actor: User | None, from_state: str, at=None, comment: str = ""
) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        actor=actor,
        at=at or timezone.now(),
        from_state=from_state,
        to_state=case.state,
        comment=comment,
    )


def _kind_for(exemption_kind: str) -> str:
    if exemption_kind == ExemptionKind.OWN_PLATFORM_APPROVAL:
        return CaseKind.PLATFORM_APPROVAL
    return CaseKind.EXEMPTION


@transaction.atomic
def create_case(
    *,
    clinic: Clinic,
    requirement: Requirement,
    actor: User,
    exemption_kind: str,
    reason_category: str,
    justification: str,
    alternative: str = "",
    links: Sequence[str] = (),
    requested_from: date | None,
    requested_until: date | None = None,
    renews: ExemptionCase | None = None,
) -> ExemptionCase:
    """Open a draft request for one of the clinic's requirements.

    Raises ``CaseAlreadyOpen`` with the clinic's open request for the same exemption if it
    has one, also when another request opened it a moment ago (both pass the check; the
    unique index lets one insert, and the other finds the winner's case)."""
    check_may_request_case(actor, clinic)
    case = ExemptionCase(
        kind=_kind_for(exemption_kind),
        clinic=clinic,
        requirement=requirement,
        exemption_kind=exemption_kind,
        reason_category=reason_category,
        justification=justification,
        alternative=alternative,
        links=tidied_links(links),
        requested_from=requested_from,
        requested_until=requested_until,
        renews=renews,
        requester=actor,
    )
    check_request(case)
    if (open_case := _open_request(clinic, requirement, exemption_kind)) is not None:
        raise CaseAlreadyOpen(open_case)
    # The constraints are the database's to enforce, at the insert: checked here, a request
    # committed a moment ago would be a ValidationError instead of the case to lead to.
    case.full_clean(validate_constraints=False)
    case._history_user = actor
    case._change_reason = "create"
    try:
        # A savepoint: after a refused insert the caller can still read the winner's case.
        with transaction.atomic():
            case.save()
    except IntegrityError:
        # case_one_open_request: the other request committed its case first (PostgreSQL
        # made this insert wait for it).
        raise CaseAlreadyOpen(_open_request(clinic, requirement, exemption_kind)) from None
    record_event(case, actor=actor, from_state="", at=case.created_at)
    return case


@transaction.atomic
def update_case(*, case: ExemptionCase, actor: User, **changes) -> ExemptionCase:
    """Change a draft or returned case; ``changes`` are fields of ``EDITABLE_FIELDS``."""
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"update_case() cannot change {sorted(unknown)}")
    case = locked(case)
    check_may_request_case(actor, case.clinic)
    if case.state not in CaseState.editable_states():
        raise InvalidTransition(
            _("A case with the status “%(state)s” can no longer be changed.")
            % {"state": case.get_state_display()}
        )
    for field, value in changes.items():
        setattr(case, field, tidied_links(value) if field == "links" else value)
    case.kind = _kind_for(case.exemption_kind)
    check_request(case)
    message = _("The clinic already has an open request for this exemption.")
    refused = ApplicationError(message, extra={"errors": {"exemption_kind": message}})
    if _open_request(case.clinic, case.requirement, case.exemption_kind, other_than=case.pk):
        raise refused
    case.full_clean(validate_constraints=False)
    case._history_user = actor
    case._change_reason = "edit"
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError:  # case_one_open_request: another request was opened meanwhile
        raise refused from None
    return case


@transaction.atomic
def submit_case(*, case: ExemptionCase, actor: User) -> ExemptionCase:
    """Send a draft or returned case to Region Halland for decision."""
    case = locked(case)
    check_may_request_case(actor, case.clinic)
    from_state = case.state
    to_state = target_state("submit", case)
    # The catalogue may have changed since the draft was written.
    check_request(case)
    case.state = to_state
    case.submitted_at = timezone.now()
    case._history_user = actor
    case._change_reason = "submit"
    case.save(update_fields=["state", "submitted_at"])
    record_event(case, actor=actor, from_state=from_state, at=case.submitted_at)
    return case


def _require_comment(comment: str, message: str) -> None:
    if not comment.strip():
        raise ApplicationError(message, extra={"errors": {"comment": message}})


def _decide(
    action: str,
    *,
    case: ExemptionCase,
    actor: User,
    comment: str,
    check_fields=None,
    **fields,
) -> ExemptionCase:
    """Lock, check the reviewer and the state, then record the decision and notify."""
    case = locked(case)
    check_may_decide_case(actor, case)
    from_state = case.state
    to_state = target_state(action, case)
    if check_fields is not None:
        check_fields(case)
    now = timezone.now()
    case.state = to_state
    update_fields = ["state"]
    if action != "revoke":
        # The decision fields describe the decision on the request; a later revocation
        # is its own event and leaves them as they were.
        case.decided_by = actor
        case.decided_at = now
        case.decision_comment = comment
        update_fields += ["decided_by", "decided_at", "decision_comment"]
    for field, value in fields.items():
        setattr(case, field, value)
        update_fields.append(field)
    case._history_user = actor
    case._change_reason = action
    case.save(update_fields=update_fields)
    event = record_event(case, actor=actor, from_state=from_state, at=now, comment=comment)
    _notify_requester(event)
    return case


def _notify_requester(event: CaseEvent) -> None:
    """E-mail the requester once the decision is committed, never for a rolled-back one."""
    after_commit(tasks.send_case_decision_notice, event.pk)


@transaction.atomic
def approve_case(
    *,
    case: ExemptionCase,
    actor: User,
    valid_from: date,
    valid_until: date | None = None,
    comment: str = "",
) -> ExemptionCase:
    """Approve a submitted case for the period from ``valid_from`` to ``valid_until``
    (both inclusive; none = until further notice, where the catalogue allows it)."""

    def check_period(case: ExemptionCase) -> None:
        errors: dict[str, str] = {}
        if valid_from is None:
            errors["valid_from"] = _("Give the date from which the decision applies.")
        if valid_until is None:
            if not case.requirement.permanent_exemption_allowed:
                errors["valid_until"] = _(
                    "Give an end date: the catalogue allows this exemption only for a "
                    "limited time."
                )
        elif valid_from is not None and valid_until < valid_from:
            errors["valid_until"] = _("The end date cannot be before the start date.")
        elif valid_until < timezone.localdate():
            errors["valid_until"] = _("The end date has already passed.")
        if errors:
            raise ApplicationError(_("The decision has errors."), extra={"errors": errors})

    case = _decide(
        "approve",
        case=case,
        actor=actor,
        comment=comment,
        check_fields=check_period,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    rewrite_timelines([case.clinic_id])
    return case


@transaction.atomic
def reject_case(*, case: ExemptionCase, actor: User, comment: str) -> ExemptionCase:
    """Refuse a submitted case; the clinic must be told why."""
    return _decide(
        "reject",
        case=case,
        actor=actor,
        comment=comment,
        check_fields=lambda case: _require_comment(
            comment, _("Write why the request is rejected.")
        ),
    )


@transaction.atomic
def return_case(*, case: ExemptionCase, actor: User, comment: str) -> ExemptionCase:
    """Send a submitted case back to the clinic, saying what to complete."""
    return _decide(
        "return",
        case=case,
        actor=actor,
        comment=comment,
        check_fields=lambda case: _require_comment(
            comment, _("Write what needs to be completed.")
        ),
    )


@transaction.atomic
def revoke_case(*, case: ExemptionCase, actor: User, comment: str) -> ExemptionCase:
    """End an approved case before its period ends; from today it no longer counts."""
    case = _decide(
        "revoke",
        case=case,
        actor=actor,
        comment=comment,
        check_fields=lambda case: _require_comment(
            comment, _("Write why the approval is revoked.")
        ),
    )
    rewrite_timelines([case.clinic_id])
    return case


def expire_case(*, case_id: int, today: date) -> bool:
    """Expire one approved case whose period ended before ``today``, as the system (no
    actor); False when there is nothing to do: revoked meanwhile, expired by another run,
    or its period not over. Safe to call twice, or from two workers at once."""
    with transaction.atomic():
        case = ExemptionCase.objects.select_for_update(of=("self",)).filter(pk=case_id).first()
        if (
            case is None
            or case.state != CaseState.APPROVED
            or case.valid_until is None
            or case.valid_until >= today
        ):
            return False
        from_state = case.state
        case.state = target_state("expire", case)
        case._history_user = None
        case._change_reason = "expire"
        case.save(update_fields=["state"])
        record_event(case, actor=None, from_state=from_state)
        # Expiry changes no day of the timeline (the period has already ended there), but
        # it is a write to an input: every such write rewrites, without exceptions.
        rewrite_timelines([case.clinic_id])
    return True


def expire_due_cases(today: date | None = None) -> int:
    """Expire every approved case whose period ended before ``today``, each in its own
    transaction (a killed run keeps what it did); the count expired. A night the job did
    not run is caught up by the next."""
    today = today or timezone.localdate()
    due = ExemptionCase.objects.filter(state=CaseState.APPROVED, valid_until__lt=today)
    return sum(
        expire_case(case_id=case_id, today=today)
        for case_id in due.order_by("pk").values_list("pk", flat=True)
    )
