"""The one way a mail is sent: recorded first, sent after the record is committed, once.

``deliver`` inserts a ``Notification`` row for each mail in a short transaction, ignoring
those whose ``(recipient, key)`` is already taken: the unique constraint decides which
run owns a mail, so a rerun, a retry or a parallel worker trying the same mails inserts
nothing and sends nothing. Once the rows are committed it sends them, outside any
transaction (a slow mail server holds no lock and no connection in a transaction), and
marks each row sent. A mail the server refuses stays recorded and unsent, with the
server's answer and the number of attempts, and ``send_pending`` (every few minutes, a
Celery task) tries it again with a growing delay.

A row is sent by whoever takes it: ``_take`` marks a few hundred due rows as held by one
sender (``claim``), under ``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL and by a
conditional ``UPDATE`` everywhere, so two senders never hold the same row. A held row
becomes due again only when its sender has surely stopped (``CLAIM_EXPIRES``, longer than
any task may run): a worker killed between the server's acceptance and the mark may send
that one mail again, which is the one duplicate this design allows, against losing it.

Mails are multipart (the text, and the same text as HTML with its link) and in the
region's language (``LANGUAGE_CODE``) whatever language was active. The work is a constant
number of queries for each ``CHUNK`` of mails: a round reaches every clinic at once.
"""

import logging
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from smtplib import SMTPException

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import CharField, Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from clinics.models import Clinic, Notification, Role, User

logger = logging.getLogger(__name__)

# After a failed send the row waits 5 minutes, then 10, 20, ... at most 6 hours; after 10
# attempts (about a day) it is left unsent, with the server's last answer, for a person.
RETRY_FIRST = timedelta(minutes=5)
RETRY_LONGEST = timedelta(hours=6)
MAX_ATTEMPTS = 10
# A sender holds the rows it took this long at most: longer than any task may run (the
# settings allow an hour), so a row held longer belongs to a sender that was killed.
CLAIM_EXPIRES = timedelta(hours=2)
# Rows taken, sent and marked together: a sender killed mid-way leaves at most this many
# held rows, and a huge round costs a few queries per chunk.
CHUNK = 200


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


def retry_delay(attempts: int) -> timedelta:
    """How long a row waits after its ``attempts``-th failed send."""
    return min(RETRY_FIRST * 2 ** (attempts - 1), RETRY_LONGEST)


def deliver(mails: Iterable[Mail], *, at: datetime | None = None) -> int:
    """Record each mail (as created ``at``, default now) unless its recipient already had
    its key, then send what was recorded; the number recorded. A mail the server refuses
    is kept unsent, with the error, for ``send_pending``. Call it outside a transaction
    (tasks and the nightly job do), so that the send waits on no lock."""
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
    recorded = Notification.objects.filter(batch=batch)
    count = recorded.count()
    if count:
        _send(recorded)
    return count


def send_pending(now: datetime | None = None) -> int:
    """Send every recorded mail that is due: never sent, its retry delay over, and held by
    no live sender; the number sent."""
    return _send(Notification.objects.all(), now=now)


def _due(now: datetime) -> Q:
    waited = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    return Q(sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS) & waited


def _send(candidates: QuerySet[Notification], now: datetime | None = None) -> int:
    """Take the due rows of ``candidates`` a chunk at a time and send them; the number
    sent."""
    now = now or timezone.now()
    count = 0
    while True:
        taken = _take(candidates, now)
        sent, reached = _send_taken(taken) if taken else (0, True)
        count += sent
        # A server that cannot be reached is not tried again for each chunk (each attempt
        # may take EMAIL_TIMEOUT): the rest waits for the next run.
        if len(taken) < CHUNK or not reached:
            return count


def _take(candidates: QuerySet[Notification], now: datetime) -> list[Notification]:
    """Hold up to ``CHUNK`` due rows for this sender, in a short transaction: the row
    locks (PostgreSQL; skipped rows are another sender's) and the condition in the
    ``UPDATE`` (every database) let no two senders hold one row."""
    claim = uuid.uuid4()
    with transaction.atomic():
        pks = list(
            candidates.filter(_due(now))
            .select_for_update(skip_locked=True)
            .order_by("pk")
            .values_list("pk", flat=True)[:CHUNK]
        )
        if not pks:
            return []
        Notification.objects.filter(_due(now), pk__in=pks).update(
            claim=claim,
            attempts=F("attempts") + 1,
            next_attempt_at=timezone.now() + CLAIM_EXPIRES,
        )
    return list(Notification.objects.filter(claim=claim).select_related("recipient"))


def _send_taken(taken: list[Notification]) -> tuple[int, bool]:
    """Send each held row's mail over one connection, outside any transaction, and mark
    each row sent or failed (also when the task is stopped half-way); the number sent, and
    whether the server could be reached at all."""
    sent: list[int] = []
    failed: dict[int, str] = {}
    reached = True
    try:
        with get_connection(fail_silently=False) as connection:
            for notification in taken:
                try:
                    connection.send_messages([_message(notification)])
                except (OSError, SMTPException) as error:
                    failed[notification.pk] = _describe(error)
                else:
                    sent.append(notification.pk)
    except (OSError, SMTPException) as error:  # opening or closing the connection
        done = {*sent, *failed}
        failed |= {n.pk: _describe(error) for n in taken if n.pk not in done}
        reached = bool(sent)
    finally:
        _mark(taken, sent, failed)
    return len(sent), reached


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:2000]


def _mark(taken: list[Notification], sent: list[int], failed: dict[int, str]) -> None:
    """Sent rows are done; failed ones wait their retry delay. A row neither sent nor failed
    (the sender was stopped before it) stays held until ``CLAIM_EXPIRES``."""
    now = timezone.now()
    if sent:
        Notification.objects.filter(pk__in=sent).update(sent_at=now, claim=None, last_error="")
    if failed:
        rows = [notification for notification in taken if notification.pk in failed]
        for notification in rows:
            notification.claim = None
            notification.last_error = failed[notification.pk]
            notification.next_attempt_at = now + retry_delay(notification.attempts)
        Notification.objects.bulk_update(rows, ["claim", "last_error", "next_attempt_at"])
        logger.warning(
            "%d of %d mails not sent, retried later: %s",
            len(rows),
            len(taken),
            rows[0].last_error,
        )


def notified(prefix: str, suffix: str = "") -> Exists:
    """The mail whose key is ``prefix`` + the outer row's pk + ``suffix`` was recorded for
    someone (sent, or kept for a retry): for excluding, in the query itself, what a nightly
    job already did."""
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
