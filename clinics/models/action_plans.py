"""A clinic's action plan (åtgärdsplan): when a report is approved with requirements not
met, the clinic says per unmet requirement what it will do, who is responsible, and by
when. The clinic's reporters write and submit it; a reviewer accepts it or returns it.

A plan belongs to one approved report: the report in force on the clinic's timeline
(``ClinicStatusPeriod.report``) is what the region's filters ask about.
"""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from clinics.models.signed_history import history_records, sign_in_field

# What the form and the service allow; the service checks them, the form shows them.
MEASURE_MAX_LENGTH = 2000
RESPONSIBLE_MAX_LENGTH = 200
COMMENT_MAX_LENGTH = 4000


class ActionPlanState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for completion")
    ACCEPTED = "accepted", _("Accepted")
    DONE = "done", _("Carried out")

    @classmethod
    def open_states(cls) -> list[str]:
        """States in which the clinic's reporters may change the rows."""
        return [cls.DRAFT, cls.RETURNED]

    @classmethod
    def pending_states(cls) -> list[str]:
        """States in which the measures are still to be carried out: a passed date is late."""
        return [cls.DRAFT, cls.SUBMITTED, cls.RETURNED, cls.ACCEPTED]


class ActionPlanQuerySet(models.QuerySet):
    def overdue(self, today: date) -> "ActionPlanQuerySet":
        """Plans not carried out with a row whose date is before ``today``."""
        return self.filter(
            state__in=ActionPlanState.pending_states(),
            pk__in=ActionPlanItem.objects.filter(due_date__lt=today).values("plan_id"),
        )


class ActionPlan(models.Model):
    report = models.OneToOneField(
        "clinics.Report",
        on_delete=models.PROTECT,
        related_name="action_plan",
        verbose_name=_("approved report"),
    )
    # The report's clinic, kept on the plan so that access and lists need no join.
    clinic = models.ForeignKey(
        "clinics.Clinic",
        on_delete=models.PROTECT,
        related_name="action_plans",
        verbose_name=_("clinic"),
    )
    state = models.CharField(
        _("status"), max_length=20, choices=ActionPlanState.choices, default=ActionPlanState.DRAFT
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
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
    review_comment = models.TextField(
        _("reviewer's comment"), blank=True, max_length=COMMENT_MAX_LENGTH
    )
    done_at = models.DateTimeField(_("carried out"), null=True, blank=True)
    history = history_records()

    objects = ActionPlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state__in=[ActionPlanState.ACCEPTED, ActionPlanState.DONE])
                | Q(decided_at__isnull=False),
                name="action_plan_accepted_has_decision_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.clinic.name}: {self.get_state_display()}"

    @property
    def is_open(self) -> bool:
        return self.state in ActionPlanState.open_states()

    @property
    def is_submitted(self) -> bool:
        return self.state == ActionPlanState.SUBMITTED

    @property
    def is_accepted(self) -> bool:
        return self.state == ActionPlanState.ACCEPTED

    def is_overdue(self, today: date | None = None) -> bool:
        """A row's date has passed and the plan is not carried out (reads the rows)."""
        today = today or timezone.localdate()
        return self.state in ActionPlanState.pending_states() and any(
            item.due_date is not None and item.due_date < today for item in self.items.all()
        )


class ActionPlanItem(models.Model):
    """One unmet requirement of the approved report: the measure, who, and by when."""

    plan = models.ForeignKey(
        ActionPlan, on_delete=models.PROTECT, related_name="items", verbose_name=_("action plan")
    )
    # The approved answer that fell short; approved answers are never changed.
    answer = models.ForeignKey(
        "clinics.Answer",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("answer"),
    )
    measure = models.TextField(
        pgettext_lazy("action plan", "measure"), blank=True, max_length=MEASURE_MAX_LENGTH
    )
    responsible = models.CharField(
        _("responsible person"), max_length=RESPONSIBLE_MAX_LENGTH, blank=True
    )
    due_date = models.DateField(_("done by"), null=True, blank=True)
    history = history_records()

    class Meta:
        verbose_name = _("action plan row")
        verbose_name_plural = _("action plan rows")
        ordering = ["plan", "answer__requirement__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "answer"], name="action_plan_item_one_per_answer"
            )
        ]

    def __str__(self) -> str:
        return f"{self.plan_id}: {self.measure[:40]}"

    @property
    def is_complete(self) -> bool:
        return bool(self.measure.strip() and self.responsible.strip() and self.due_date)


class ActionPlanEvent(models.Model):
    """One transition of a plan: who moved it from which state to which, and why."""

    plan = models.ForeignKey(
        ActionPlan, on_delete=models.PROTECT, related_name="events", verbose_name=_("action plan")
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
        _("from"), max_length=20, choices=ActionPlanState.choices, blank=True
    )
    to_state = models.CharField(_("to"), max_length=20, choices=ActionPlanState.choices)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("action plan event")
        verbose_name_plural = _("action plan events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_state or '–'} → {self.to_state}"
