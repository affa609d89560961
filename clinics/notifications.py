"""E-mail about exemption cases, through Django's mail backend (console in development,
locmem in tests, SMTP in production), in Swedish whatever language was active.

Each notification is sent at most once: the ``CaseNotification`` row is inserted first, in
the same transaction as the sending, and its unique constraints decide who sends. A second
run (a retry, a rerun of the nightly job, a parallel worker) fails to insert and sends
nothing; a failed send rolls the row back, so the next run tries again.
"""

import re
from datetime import date

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import translation

from clinics.models import (
    CaseEvent,
    CaseNotification,
    ExemptionCase,
    ReminderKind,
    Role,
    User,
)


def case_recipients(case: ExemptionCase) -> list[str]:
    """The clinic's reporters (linked to the clinic or to its provider) and the reviewers,
    by e-mail address; users without an address or no longer active get nothing."""
    reporters = Q(role=Role.CLINIC_REPORTER) & (
        Q(clinics=case.clinic_id) | Q(providers=case.clinic.provider_id)
    )
    users = (
        User.objects.filter(reporters | Q(role=Role.REVIEWER), is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )
    return sorted(set(users))


def render_mail(template: str, context: dict) -> tuple[str, str]:
    """(subject, body) from templates/email/<template>_subject.txt and _body.txt."""
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"email/{template}_subject.txt", context)
        body = render_to_string(f"email/{template}_body.txt", context)
    subject = " ".join(subject.split())
    body = re.sub(r"\n{3,}", "\n\n", body.strip()) + "\n"
    return subject, body


def _send(template: str, context: dict, recipients: list[str]) -> None:
    """One message per recipient, so that no one sees who else received it."""
    subject, body = render_mail(template, context)
    messages = [EmailMessage(subject, body, to=[address]) for address in recipients]
    if messages:
        get_connection(fail_silently=False).send_messages(messages)


def _send_once(
    *,
    case: ExemptionCase,
    kind: str,
    event: CaseEvent | None,
    recipients: list[str],
    template: str,
    context: dict,
) -> bool:
    """Record, then send; False when the notification was already recorded."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                CaseNotification.objects.create(
                    case=case, kind=kind, event=event, recipients="\n".join(recipients)
                )
        except IntegrityError:
            return False
        _send(template, {"case": case, **context}, recipients)
    return True


def _case_for_mail(case_id: int) -> ExemptionCase:
    return ExemptionCase.objects.select_related(
        "clinic__provider", "requirement", "requester"
    ).get(pk=case_id)


def send_decision_notice(event_id: int) -> bool:
    """Tell the requester of the decision ``event_id`` (approved, rejected, returned or
    revoked), once."""
    event = CaseEvent.objects.select_related("actor").get(pk=event_id)
    case = _case_for_mail(event.case_id)
    email = case.requester.email if case.requester.is_active else ""
    return _send_once(
        case=case,
        kind=ReminderKind.DECISION,
        event=event,
        recipients=[email] if email else [],
        template="case_decision",
        context={"event": event, "state": event.to_state, "comment": event.comment},
    )


def send_reminder(case: ExemptionCase, kind: str, today: date) -> bool:
    """Tell the clinic and the reviewers that the approved period ends soon, once per kind."""
    case = _case_for_mail(case.pk)
    return _send_once(
        case=case,
        kind=kind,
        event=None,
        recipients=case_recipients(case),
        template="case_reminder",
        context={"days_left": (case.valid_until - today).days},
    )


def send_expiry_notice(case: ExemptionCase) -> bool:
    """Tell the clinic and the reviewers that the approved period has ended, once."""
    case = _case_for_mail(case.pk)
    return _send_once(
        case=case,
        kind=ReminderKind.EXPIRED,
        event=None,
        recipients=case_recipients(case),
        template="case_expired",
        context={},
    )
