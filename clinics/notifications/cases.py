"""E-mail about exemption cases: the decision to the requester, the reminders before an
approved period ends and the notice when it has ended to the clinic and the reviewers.
Each is sent once per recipient (clinics.notifications.delivery)."""

from datetime import date

from clinics.models import CaseEvent, CaseState, Clinic, ExemptionCase, NotificationKind, User
from clinics.notifications.delivery import compose, deliver, reporters_of, reviewers, site_url


def case_recipients(case: ExemptionCase) -> list[User]:
    """The clinic's reporters (linked to the clinic or to its provider) and the reviewers;
    users without an address or no longer active get nothing."""
    reporters = reporters_of(Clinic.objects.filter(pk=case.clinic_id))
    return sorted({*reporters, *reviewers()}, key=lambda user: user.pk)


def _send(
    case: ExemptionCase,
    *,
    kind: str,
    key: str,
    recipients: list[User],
    template: str,
    context: dict,
) -> bool:
    """Record, then send; False when every recipient already had it."""
    link = site_url("case_detail", case.pk)
    return bool(
        deliver(
            compose(
                template,
                {"case": case, **context},
                recipient=user,
                kind=kind,
                key=key,
                link=link,
            )
            for user in recipients
        )
    )


def _case_for_mail(case_id: int) -> ExemptionCase:
    return ExemptionCase.objects.select_related(
        "clinic__provider", "requirement", "requester"
    ).get(pk=case_id)


def decision_key(event_id: int) -> str:
    return f"case-event:{event_id}"


def send_decision_notice(event_id: int) -> bool:
    """Tell the requester of the decision ``event_id`` (approved, rejected, returned or
    revoked), once."""
    event = CaseEvent.objects.select_related("actor").get(pk=event_id)
    case = _case_for_mail(event.case_id)
    requester = case.requester
    return _send(
        case,
        kind=NotificationKind.CASE_DECISION,
        key=decision_key(event.pk),
        recipients=[requester] if requester.is_active and requester.email else [],
        template="case_decision",
        context={
            "event": event,
            "comment": event.comment,
            # Which decision it was, for the templates to choose their text by (else revoked).
            "approved": event.to_state == CaseState.APPROVED,
            "rejected": event.to_state == CaseState.REJECTED,
            "returned": event.to_state == CaseState.RETURNED,
        },
    )


def reminder_key(case_id: int, kind: str) -> str:
    return f"case:{case_id}:{kind}"


def send_reminder(case: ExemptionCase, kind: str, today: date) -> bool:
    """Tell the clinic and the reviewers that the approved period ends soon, once per kind."""
    case = _case_for_mail(case.pk)
    return _send(
        case,
        kind=kind,
        key=reminder_key(case.pk, kind),
        recipients=case_recipients(case),
        template="case_reminder",
        context={"days_left": (case.valid_until - today).days},
    )


def send_expiry_notice(case: ExemptionCase) -> bool:
    """Tell the clinic and the reviewers that the approved period has ended, once."""
    case = _case_for_mail(case.pk)
    return _send(
        case,
        kind=NotificationKind.CASE_EXPIRED,
        key=reminder_key(case.pk, NotificationKind.CASE_EXPIRED),
        recipients=case_recipients(case),
        template="case_expired",
        context={},
    )
