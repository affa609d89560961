"""The one way a mail is sent: recorded first, sent in the same transaction, once.

``deliver`` inserts a ``Notification`` row for each mail, ignoring those whose
``(recipient, key)`` is already taken, and sends exactly the rows it inserted (those that
carry its batch id). A rerun, a retry or a parallel worker trying the same mails inserts
nothing and sends nothing: the unique constraint decides who sends. A failed send raises
and rolls the rows back, so the next run tries again. Mails are multipart (the text, and
the same text as HTML with its link) and in the region's language (``LANGUAGE_CODE``)
whatever language was active. The work is a constant number of queries however many
mails: a round reaches every clinic of the region at once.
"""

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import CharField, Exists, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from clinics.models import Clinic, Notification, Role, User


@dataclass(frozen=True)
class Mail:
    """One mail to one person, not yet recorded."""

    recipient: User
    kind: str
    key: str
    subject: str
    body: str
    link: str
    sent_by: User | None = None


def site_url(url_name: str, *args) -> str:
    """The absolute address of a page, for a mail read outside the app."""
    return settings.SITE_URL + reverse(url_name, args=args)


def compose(
    template: str, context: dict, *, recipient: User, kind: str, key: str, link: str
) -> Mail:
    """A mail from templates/email/<template>_subject.txt and _body.txt, in the region's
    language; the templates get ``link`` to show."""
    context = {**context, "link": link, "recipient": recipient}
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"email/{template}_subject.txt", context)
        body = render_to_string(f"email/{template}_body.txt", context)
    subject = " ".join(subject.split())
    body = re.sub(r"\n{3,}", "\n\n", body.strip()) + "\n"
    return Mail(recipient=recipient, kind=kind, key=key, subject=subject, body=body, link=link)


def _message(notification: Notification) -> EmailMultiAlternatives:
    """One message per recipient, so that no one sees who else received it."""
    message = EmailMultiAlternatives(
        notification.subject, notification.body, to=[notification.recipient.email]
    )
    with translation.override(settings.LANGUAGE_CODE):
        html = render_to_string(
            "email/message.html",
            {"notification": notification, "body": notification.body.strip()},
        )
    message.attach_alternative(html, "text/html")
    return message


def deliver(mails: Iterable[Mail], *, at: datetime | None = None) -> int:
    """Record each mail (as created ``at``, default now) and send it, unless its recipient
    already had its key; the number sent. Raises, and records nothing, when the mail
    server refuses."""
    batch = uuid.uuid4()
    now = at or timezone.now()
    rows = [
        Notification(
            recipient=mail.recipient,
            kind=mail.kind,
            key=mail.key,
            subject=mail.subject[:300],
            body=mail.body,
            link=mail.link,
            sent_by=mail.sent_by,
            batch=batch,
            created_at=now,
        )
        for mail in mails
        if mail.recipient.email
    ]
    if not rows:
        return 0
    with transaction.atomic():
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
        mine = Notification.objects.filter(batch=batch)
        recorded = list(mine.select_related("recipient"))
        if recorded:
            get_connection(fail_silently=False).send_messages(
                [_message(notification) for notification in recorded]
            )
            mine.update(sent_at=timezone.now())
    return len(recorded)


def notified(prefix: str, suffix: str = "") -> Exists:
    """Someone was sent the mail whose key is ``prefix`` + the outer row's pk + ``suffix``:
    for excluding, in the query itself, what a nightly job already did."""
    key = Concat(Value(prefix), Cast(OuterRef("pk"), output_field=CharField()), Value(suffix))
    return Exists(Notification.objects.filter(key=key))


def after_commit(task, *args) -> None:
    """Queue ``task`` once the transaction commits, never for one rolled back.

    A queue that is down must not turn a committed change into an error page: the failure
    is logged (robust) and the nightly job sends what was not sent.
    """
    transaction.on_commit(partial(task.delay, *args), robust=True)


def _mailable(prefix: str = "") -> Q:
    return Q(**{f"{prefix}is_active": True}) & ~Q(**{f"{prefix}email": ""})


def reviewers() -> list[User]:
    """The reviewers who can be mailed: active, with an e-mail address."""
    return list(User.objects.filter(_mailable(), role=Role.REVIEWER).order_by("pk"))


def reporters_of(clinics: QuerySet[Clinic]) -> dict[User, list[Clinic]]:
    """Each clinic reporter who can be mailed (active, with an e-mail address), and the
    clinics of ``clinics`` they report for: linked to the clinic, or to its provider (a
    coordinator). Four queries however many clinics; the clinics sorted by name."""
    ids = clinics.order_by().values("pk")
    reporter = _mailable("user__") & Q(user__role=Role.CLINIC_REPORTER)
    direct = User.clinics.through.objects.filter(reporter, clinic_id__in=ids)
    coordinating = User.providers.through.objects.filter(
        reporter, provider_id__in=Clinic.objects.filter(pk__in=ids).values("provider_id")
    )
    by_provider: dict[int, list[Clinic]] = {}
    by_pk: dict[int, Clinic] = {}
    for clinic in Clinic.objects.filter(pk__in=ids).only("pk", "name", "provider_id"):
        by_pk[clinic.pk] = clinic
        by_provider.setdefault(clinic.provider_id, []).append(clinic)
    theirs: dict[int, set[int]] = {}
    for user_id, clinic_id in direct.values_list("user_id", "clinic_id"):
        theirs.setdefault(user_id, set()).add(clinic_id)
    for user_id, provider_id in coordinating.values_list("user_id", "provider_id"):
        theirs.setdefault(user_id, set()).update(c.pk for c in by_provider.get(provider_id, []))
    users = User.objects.filter(
        Q(pk__in=direct.values("user_id")) | Q(pk__in=coordinating.values("user_id"))
    ).order_by("pk")
    return {
        user: sorted((by_pk[pk] for pk in theirs[user.pk]), key=lambda c: (c.name, c.pk))
        for user in users
    }
