"""Measured usage: what residents did with a clinic's digital services in a month, as the
region gets it from the national e-service statistics per HSA unit. It stands beside the
clinic's own answers, so that a service answered "met" but never used shows. Figures are
never deleted: an import that replaces a month marks the old ones replaced."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from followup.vocabulary import UsageMeasure


class ImportedVia(models.TextChoices):
    UPLOAD = "upload", _("Upload page")
    COMMAND = "command", _("Command (manage.py import_usage)")


class UsageImport(models.Model):
    """One import of a usage file: who brought which file in, and what it replaced. The
    record of the import is kept when a later one replaces its months."""

    # Empty for the command, which runs as the server's operator: ``operator`` names them.
    imported_by = models.ForeignKey(
        "clinics.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("imported by"),
    )
    via = models.CharField(_("imported through"), max_length=10, choices=ImportedVia.choices)
    operator = models.CharField(_("operator"), max_length=150, blank=True)
    imported_at = models.DateTimeField(_("imported"))
    file_name = models.CharField(_("file"), max_length=255)
    rows = models.PositiveIntegerField(_("rows imported"))
    # The months and measures the file held, e.g. "2026-10 web_bookings, 2026-10 ...".
    months = models.TextField(_("months imported"))
    replaced = models.PositiveIntegerField(_("rows replaced"), default=0)

    class Meta:
        verbose_name = _("usage import")
        verbose_name_plural = _("usage imports")
        ordering = ["-imported_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.imported_at:%Y-%m-%d %H:%M})"


class UsageMonth(models.Model):
    """A month of one measure the region has figures for, and the import they came from.
    A clinic without a figure for a month that is here used the service zero times; for a
    month that is not here, nothing is known."""

    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    measure = models.CharField(_("measure"), max_length=30, choices=UsageMeasure.choices)
    usage_import = models.ForeignKey(
        UsageImport, on_delete=models.PROTECT, related_name="+", verbose_name=_("import")
    )

    class Meta:
        verbose_name = _("month of usage")
        verbose_name_plural = _("months of usage")
        ordering = ["-month", "measure"]
        constraints = [
            models.UniqueConstraint(fields=["measure", "month"], name="usage_month_once"),
            models.CheckConstraint(condition=models.Q(month__day=1), name="usage_month_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.measure}"


class UsageQuerySet(models.QuerySet):
    def current(self) -> "UsageQuerySet":
        """The figures in force: not replaced by a later import of their month."""
        return self.filter(replaced_by__isnull=True)


class Usage(models.Model):
    """How many times a measure was counted at a clinic in a month. A later import of the
    month replaces it, and it is kept: ``replaced_by`` says which import did."""

    clinic = models.ForeignKey(
        "clinics.Clinic", on_delete=models.PROTECT, related_name="+", verbose_name=_("clinic")
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    measure = models.CharField(_("measure"), max_length=30, choices=UsageMeasure.choices)
    value = models.PositiveBigIntegerField(_("count"))
    usage_import = models.ForeignKey(
        UsageImport, on_delete=models.PROTECT, related_name="+", verbose_name=_("import")
    )
    replaced_by = models.ForeignKey(
        UsageImport,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("replaced by"),
    )

    objects = UsageQuerySet.as_manager()

    class Meta:
        verbose_name = _("usage")
        verbose_name_plural = _("usage")
        ordering = ["month", "measure", "clinic_id"]
        constraints = [
            # Also the index of the indicators' lookups: a clinic's measure in a month.
            models.UniqueConstraint(
                fields=["clinic", "measure", "month"],
                condition=models.Q(replaced_by__isnull=True),
                name="usage_once_per_clinic_and_month",
            ),
            models.CheckConstraint(condition=models.Q(month__day=1), name="usage_first_day"),
        ]
        indexes = [
            # Replacing a month, and the API's walk by month.
            models.Index(
                fields=["measure", "month"],
                condition=models.Q(replaced_by__isnull=True),
                name="usage_by_month",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.clinic_id} {self.month:%Y-%m} {self.measure}={self.value}"
