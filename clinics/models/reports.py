"""A clinic's self-report (egenrapportering): its answer to each requirement, reviewed by
the region. Approved reports are never changed; the latest approved one is the clinic's
offering from its approval on, which is what compliance is computed from.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from requirements.models import CatalogueVersion, Requirement
from requirements.vocabulary import AnswerStatus, Channel


class ReportState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for completion")
    APPROVED = "approved", _("Approved")

    @classmethod
    def open_states(cls) -> list[str]:
        """States in which the report is still being worked on (answers may change)."""
        return [cls.DRAFT, cls.RETURNED]


class Report(models.Model):
    clinic = models.ForeignKey(
        "clinics.Clinic",
        on_delete=models.PROTECT,
        related_name="reports",
        verbose_name=_("clinic"),
    )
    catalogue_version = models.ForeignKey(
        CatalogueVersion,
        on_delete=models.PROTECT,
        related_name="reports",
        verbose_name=_("catalogue version"),
    )
    state = models.CharField(
        _("status"), max_length=20, choices=ReportState.choices, default=ReportState.DRAFT
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    review_comment = models.TextField(_("reviewer's comment"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-created_at"]
        constraints = [
            # A clinic works on one report at a time; approved ones are its history.
            models.UniqueConstraint(
                fields=["clinic"],
                condition=~Q(state=ReportState.APPROVED),
                name="report_one_unapproved_per_clinic",
            ),
            models.CheckConstraint(
                condition=~Q(state=ReportState.APPROVED) | Q(decided_at__isnull=False),
                name="report_approved_has_decision_time",
            ),
        ]
        indexes = [models.Index(fields=["clinic", "state", "decided_at"])]

    def __str__(self) -> str:
        return f"{self.clinic.name}: {self.get_state_display()}"


class Answer(models.Model):
    report = models.ForeignKey(
        Report, on_delete=models.PROTECT, related_name="answers", verbose_name=_("report")
    )
    requirement = models.ForeignKey(
        Requirement,
        on_delete=models.PROTECT,
        related_name="answers",
        verbose_name=_("requirement"),
    )
    status = models.CharField(_("status"), max_length=20, choices=AnswerStatus.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, blank=True)
    evidence_url = models.URLField(_("link to evidence"), max_length=500, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    justification = models.TextField(
        _("justification"),
        blank=True,
        help_text=_("Required when the requirement is reported as not applicable."),
    )
    review_comment = models.TextField(_("reviewer's comment"), blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reported by"),
    )
    reported_at = models.DateTimeField(_("reported"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["report", "requirement__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "requirement"], name="answer_one_per_requirement"
            ),
            models.CheckConstraint(
                condition=~Q(status=AnswerStatus.NOT_APPLICABLE) | ~Q(justification=""),
                name="answer_not_applicable_is_justified",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.requirement.code}: {self.get_status_display()}"


class ReportEvent(models.Model):
    """One transition of a report: who moved it from which state to which, and why."""

    report = models.ForeignKey(
        Report, on_delete=models.PROTECT, related_name="events", verbose_name=_("report")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("performed by"),
    )
    at = models.DateTimeField(_("time"), default=timezone.now)
    from_state = models.CharField(
        _("from"), max_length=20, choices=ReportState.choices, blank=True
    )
    to_state = models.CharField(_("to"), max_length=20, choices=ReportState.choices)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("report event")
        verbose_name_plural = _("report events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_state or '–'} → {self.to_state}"
