"""A clinic's own indicators ("verksamhetsspecifika indikatorer", RS220477): what the
clinic itself follows up, defined and reported by its reporters, read by the region."""

from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from clinics.models.signed_history import history_records
from followup.vocabulary import Direction, ReportingFrequency


class ClinicIndicator(models.Model):
    clinic = models.ForeignKey(
        "clinics.Clinic",
        on_delete=models.PROTECT,
        related_name="own_indicators",
        verbose_name=_("clinic"),
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(
        _("description"), blank=True, help_text=_("What is counted, and where it comes from.")
    )
    unit = models.CharField(
        _("unit"),
        max_length=40,
        help_text=_("What a value is counted in, e.g. percent or visits."),
    )
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.HIGHER
    )
    frequency = models.CharField(
        _("reported"),
        max_length=10,
        choices=ReportingFrequency.choices,
        default=ReportingFrequency.MONTHLY,
    )
    target = models.FloatField(_("target"), null=True, blank=True)
    # Indicators are retired, never deleted: their values are records.
    active = models.BooleanField(_("followed up"), default=True)
    created_by = models.ForeignKey(
        "clinics.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created"))
    history = history_records()

    class Meta:
        verbose_name = _("clinic indicator")
        verbose_name_plural = _("clinic indicators")
        ordering = ["clinic", "-active", "name"]
        constraints = [
            # One name per clinic, whatever its case: "Callbacks" and "callbacks" are one.
            models.UniqueConstraint("clinic", Lower("name"), name="clinic_indicator_name_once"),
        ]

    def __str__(self) -> str:
        return self.name


class ClinicIndicatorValue(models.Model):
    """An indicator's value for one month (``2026-11``) or quarter (``2026-Q4``)."""

    indicator = models.ForeignKey(
        ClinicIndicator,
        on_delete=models.PROTECT,
        related_name="values",
        verbose_name=_("indicator"),
    )
    period = models.CharField(_("period"), max_length=7)
    period_start = models.DateField(_("first day of the period"))
    value = models.FloatField(_("value"))
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    reported_by = models.ForeignKey(
        "clinics.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("reported by")
    )
    reported_at = models.DateTimeField(_("reported"))
    history = history_records()

    class Meta:
        verbose_name = _("clinic indicator value")
        verbose_name_plural = _("clinic indicator values")
        ordering = ["indicator", "period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period"], name="clinic_indicator_value_once_per_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.period}: {self.value}"
