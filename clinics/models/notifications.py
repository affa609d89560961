"""Notifications (meddelanden): every mail the system sends, one row per recipient, kept
so that the user can read it again in the app and so that nothing is sent twice.

A row is recorded before its mail is sent, and ``(recipient, key)`` is unique: the key
names what the mail is about and which occurrence it is (``round:7:reminder_14``,
``case-event:31``, ``digest:2026-04-01``), so a rerun, a retry or a parallel worker that
tries the same mail again inserts nothing and sends nothing (clinics.notifications).
The mail is sent after the row is committed; ``sent_at`` says it went, and a row left
unsent keeps the mail server's answer and is tried again later (``delivery``).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    ROUND_OPENED = "round_opened", _("A reporting round was opened")
    ROUND_REMINDER_14 = "round_reminder_14", _("Reminder 14 days before the deadline")
    ROUND_REMINDER_3 = "round_reminder_3", _("Reminder 3 days before the deadline")
    ROUND_LATE = "round_late", _("The deadline has passed")
    ROUND_MANUAL = "round_manual", _("Reminder from Region Halland")
    REPORT_RETURNED = "report_returned", _("A report was returned")
    REPORT_APPROVED = "report_approved", _("A report was approved")
    REVIEW_DIGEST = "review_digest", _("Submitted for review")
    CASE_DECISION = "case_decision", _("Decision on an exemption")
    CASE_30_DAYS = "case_30_days", _("An approval ends in 30 days")
    CASE_7_DAYS = "case_7_days", _("An approval ends in 7 days")
    CASE_1_DAY = "case_1_day", _("An approval ends today or tomorrow")
    CASE_EXPIRED = "case_expired", _("An approval has ended")
    ACTION_PLAN_OVERDUE = "action_plan_overdue", _("A date in an action plan has passed")


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=NotificationKind.choices)
    key = models.CharField(_("what it concerns"), max_length=200)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("text"))
    link = models.URLField(_("link"), max_length=500)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
        help_text=_("Who had it sent by hand; empty when the system sent it."),
    )
    # The delivery that recorded the row: it sends exactly the rows it managed to insert.
    batch = models.UUIDField(_("delivery"), db_index=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # Sending (clinics.notifications.delivery): how often a sender has taken the row, what
    # the mail server answered last, when the row may be taken next (after a failure, or
    # once a sender that was killed has surely stopped), and which sender holds it now.
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    claim = models.UUIDField(_("taken by"), null=True, blank=True, editable=False)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="notification_once"),
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox"),
            models.Index(fields=["key"], name="notification_key"),
            # What is left to send: few rows, read every few minutes.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(sent_at__isnull=True),
                name="notification_unsent",
            ),
        ]

    def __str__(self) -> str:
        return self.subject
