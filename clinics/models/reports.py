"""A clinic's self-report (egenrapportering): its answer to each requirement, reviewed by
the region. Approved reports are never changed; the latest approved one is the clinic's
offering from its approval on, which is what compliance is computed from.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinics.models.signed_history import history_records, sign_in_field
from requirements.models import CatalogueVersion, Requirement
from requirements.vocabulary import AnswerStatus, Channel


class ReportState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for completion")
    APPROVED = "approved", _("Approved")
    CLOSED = "closed", _("Closed with its round")

    @classmethod
    def open_states(cls) -> list[str]:
        """States in which the report is still being worked on (answers may change)."""
        return [cls.DRAFT, cls.RETURNED]

    @classmethod
    def in_progress_states(cls) -> list[str]:
        """States in which a report of a round still has to be acted on (by the clinic or
        the reviewer): past the round's deadline it is overdue."""
        return [cls.DRAFT, cls.SUBMITTED, cls.RETURNED]

    @classmethod
    def final_states(cls) -> list[str]:
        """States a report never leaves: approved, or frozen when its round closed."""
        return [cls.APPROVED, cls.CLOSED]


class ReportingStatus(models.TextChoices):
    """Where a clinic's reporting under way stands: the state of its latest report while
    that is being worked on, or approved in a round still open. Kept apart from what
    counts (the latest approved report): a round opened for a clinic never hides the
    approval its compliance still rests on."""

    NONE = "none", _("Nothing under way")
    NOT_STARTED = "not_started", _("Not started")
    DRAFT = ReportState.DRAFT.value, ReportState.DRAFT.label
    SUBMITTED = ReportState.SUBMITTED.value, ReportState.SUBMITTED.label
    RETURNED = ReportState.RETURNED.value, ReportState.RETURNED.label
    APPROVED = ReportState.APPROVED.value, _("Approved in the round")


class ReportingRound(models.Model):
    """A yearly (or other) reporting round: a draft report for each clinic it covers, a
    deadline, and, once closed, every report that was not approved frozen as it stood."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    deadline = models.DateField(_("deadline"))
    selection = models.JSONField(
        _("selection"),
        default=dict,
        blank=True,
        help_text=_("The filter that chose the clinics when the round was opened."),
    )
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("opened by"),
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    history = history_records()

    class Meta:
        verbose_name = _("reporting round")
        verbose_name_plural = _("reporting rounds")
        ordering = ["-opened_at"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


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
    round = models.ForeignKey(
        ReportingRound,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("reporting round"),
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
    # When someone first answered in it. A round opens a report for every clinic, filled
    # with the answers of the last approved one; until a reporter answers, nobody has
    # started it ("not started"), which the overview counts without reading the answers.
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    # The approved report its answers were copied from when it was opened, if any: the
    # history says "opened as a copy of the report approved on ...".
    prefilled_from = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("copy of"),
    )
    # The clinic's most recently started report, whatever its state: what the overview
    # shows as the clinic's report status. Set by the services that start reports, so the
    # region's pages join it instead of looking for each clinic's latest. Not a change to
    # the report, so not in its history.
    is_latest = models.BooleanField(_("latest report of the clinic"), default=False)
    history = history_records(excluded_fields=["is_latest"])

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-created_at"]
        constraints = [
            # A clinic works on one report at a time; approved and closed ones are history.
            models.UniqueConstraint(
                fields=["clinic"],
                condition=~Q(state__in=ReportState.final_states()),
                name="report_one_unapproved_per_clinic",
            ),
            models.UniqueConstraint(
                fields=["clinic"], condition=Q(is_latest=True), name="report_one_latest_per_clinic"
            ),
            models.CheckConstraint(
                condition=~Q(state=ReportState.APPROVED) | Q(decided_at__isnull=False),
                name="report_approved_has_decision_time",
            ),
        ]
        indexes = [models.Index(fields=["clinic", "state", "decided_at"])]

    def __str__(self) -> str:
        return f"{self.clinic.name}: {self.get_state_display()}"

    @property
    def is_draft(self) -> bool:
        return self.state == ReportState.DRAFT

    @property
    def is_submitted(self) -> bool:
        """Waiting for a reviewer's decision."""
        return self.state == ReportState.SUBMITTED

    @property
    def is_returned(self) -> bool:
        return self.state == ReportState.RETURNED

    @property
    def is_approved(self) -> bool:
        return self.state == ReportState.APPROVED

    @property
    def is_closed(self) -> bool:
        return self.state == ReportState.CLOSED


class AnswerAction(models.TextChoices):
    """What a change to an answer was, kept as its history row's change reason: the
    history tells a reporter's answer from a reviewer's comment and from a copy."""

    ANSWERED = "answered", _("Answered")
    REVIEW_COMMENT = "review_comment", _("Commented by the reviewer")
    COPIED = "copied", _("Copied from the approved report")
    IMPORTED = "imported", _("Imported")


# The fields of an answer a reporter gives; reported_by/reported_at change with every save.
ANSWER_FIELDS = ("status", "channel", "evidence_url", "comment", "justification")


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
    history = history_records()

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
    sign_in = sign_in_field()
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
