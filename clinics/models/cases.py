"""Exemptions and platform approvals (undantag och godkännanden): cases a clinic requests
and Region Halland decides, with enforced states, an event per transition, and an
approved period that changes compliance on the day it starts and ends."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinics.models.signed_history import history_records, sign_in_field
from requirements.models import Requirement
from requirements.vocabulary import ExemptionKind, ReasonCategory


class CaseKind(models.TextChoices):
    EXEMPTION = "exemption", _("Exemption")
    PLATFORM_APPROVAL = "platform_approval", _("Approval of an own platform")


class CaseState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for completion")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    REVOKED = "revoked", _("Revoked")
    EXPIRED = "expired", _("Expired")

    @classmethod
    def editable_states(cls) -> list[str]:
        return [cls.DRAFT, cls.RETURNED]

    @classmethod
    def open_states(cls) -> list[str]:
        """A request still in progress: being written, waiting for a decision, or back
        with the clinic to complete."""
        return [cls.DRAFT, cls.SUBMITTED, cls.RETURNED]

    @classmethod
    def decided_states(cls) -> list[str]:
        return [cls.APPROVED, cls.REJECTED, cls.REVOKED, cls.EXPIRED]


class ExemptionCase(models.Model):
    kind = models.CharField(_("kind of case"), max_length=20, choices=CaseKind.choices)
    clinic = models.ForeignKey(
        "clinics.Clinic", on_delete=models.PROTECT, related_name="cases", verbose_name=_("clinic")
    )
    requirement = models.ForeignKey(
        Requirement, on_delete=models.PROTECT, related_name="cases", verbose_name=_("requirement")
    )
    exemption_kind = models.CharField(_("exemption"), max_length=40, choices=ExemptionKind.choices)
    reason_category = models.CharField(_("reason"), max_length=20, choices=ReasonCategory.choices)
    justification = models.TextField(_("justification"))
    alternative = models.TextField(
        _("what the clinic offers instead"),
        blank=True,
        help_text=_("For example the e-service “request an appointment” instead of booking."),
    )
    links = models.JSONField(
        _("links to documents"),
        default=list,
        blank=True,
        help_text=_("The https links to the documents, in the order given."),
    )
    requested_from = models.DateField(_("requested from"))
    requested_until = models.DateField(_("requested until"), null=True, blank=True)
    state = models.CharField(
        _("status"), max_length=20, choices=CaseState.choices, default=CaseState.DRAFT
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_comment = models.TextField(_("decision comment"), blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(
        _("valid until"), null=True, blank=True, help_text=_("Inclusive.")
    )
    renews = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="renewals",
        verbose_name=_("renews"),
    )
    history = history_records()

    class Meta:
        verbose_name = _("exemption case")
        verbose_name_plural = _("exemption cases")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="approved") | Q(valid_from__isnull=False),
                name="case_approved_has_period",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_until__gte=models.F("valid_from")),
                name="case_period_ordered",
            ),
            # One open request a clinic for one exemption from one requirement: a double
            # click on "save" cannot open two (clinics.services.cases.create_case).
            models.UniqueConstraint(
                fields=["clinic", "requirement", "exemption_kind"],
                condition=Q(state__in=["draft", "submitted", "returned"]),
                name="case_one_open_request",
            ),
        ]
        indexes = [models.Index(fields=["clinic", "state", "valid_until"])]

    def __str__(self) -> str:
        return f"{self.clinic.name}: {self.get_exemption_kind_display()}"

    @property
    def is_submitted(self) -> bool:
        """Waiting for a reviewer's decision."""
        return self.state == CaseState.SUBMITTED

    @property
    def is_returned(self) -> bool:
        return self.state == CaseState.RETURNED

    @property
    def is_approved(self) -> bool:
        return self.state == CaseState.APPROVED


class CaseEvent(models.Model):
    """One transition of a case: who moved it from which state to which, and why."""

    case = models.ForeignKey(
        ExemptionCase, on_delete=models.PROTECT, related_name="events", verbose_name=_("case")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("performed by"),
        help_text=_("Empty when the system acted, e.g. on expiry."),
    )
    at = models.DateTimeField(_("time"), default=timezone.now)
    sign_in = sign_in_field()
    from_state = models.CharField(_("from"), max_length=20, choices=CaseState.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=20, choices=CaseState.choices)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_state or '–'} → {self.to_state}"
