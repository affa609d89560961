"""What the follow-up keeps of the region: a complete snapshot of every indicator per period,
the yearly targets, and the recomputes started by hand."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from clinics.models.signed_history import history_records
from followup.periods import Period, PeriodKind
from followup.vocabulary import Dimension, Unit
from requirements.models import CatalogueVersion


def _copied_reference(to, verbose_name) -> models.ForeignKey:
    """A reference without a constraint or an index of its own: a national register has
    some 70,000 rows a period, and checking and indexing two references made writing them
    three times slower (measured on PostgreSQL). Catalogue versions and rounds are never
    deleted."""
    return models.ForeignKey(
        to,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=verbose_name,
    )


class SnapshotQuerySet(models.QuerySet):
    def region(self) -> "SnapshotQuerySet":
        return self.filter(dimension=Dimension.REGION)

    def of_period(self, period: Period) -> "SnapshotQuerySet":
        return self.filter(period=period.code)


class Snapshot(models.Model):
    """One indicator's figure for one period and one dimension value.

    A period's rows are written together and replaced together (``followup.snapshots``):
    there is never a period with some indicators from one computation and some from
    another. The figure is the state at the end of ``as_of`` (``followup.periods``).
    """

    # An id of followup.indicators (not choices: a new indicator needs no migration).
    indicator = models.CharField(_("indicator"), max_length=60)
    period = models.CharField(_("period"), max_length=7)
    period_kind = models.CharField(_("kind of period"), max_length=10, choices=PeriodKind.choices)
    period_start = models.DateField(_("first day of the period"))
    period_end = models.DateField(_("last day of the period"))
    as_of = models.DateField(_("figures as of"))
    dimension = models.CharField(_("dimension"), max_length=20, choices=Dimension.choices)
    dimension_value = models.CharField(_("dimension value"), max_length=40, blank=True)
    # The value's name when the figure was computed, in the region's language: a care
    # provider as it was named then. The breakdowns are ordered by it.
    dimension_label = models.CharField(_("name of the value"), max_length=200, blank=True)
    numerator = models.FloatField(_("numerator"))
    denominator = models.FloatField(_("denominator"), null=True, blank=True)
    value = models.FloatField(_("value"), null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices)
    computed_at = models.DateTimeField(_("computed"))
    catalogue_version = _copied_reference(CatalogueVersion, _("catalogue version"))
    # The reporting round the round indicators count (in progress on as_of).
    round = _copied_reference("clinics.ReportingRound", _("reporting round"))

    objects = SnapshotQuerySet.as_manager()

    class Meta:
        verbose_name = _("indicator snapshot")
        verbose_name_plural = _("indicator snapshots")
        # The unique index's order: a page of the API is a walk of that index.
        ordering = ["period", "dimension", "indicator", "dimension_value"]
        constraints = [
            # Also the index of every read: a period, its dimension, an indicator.
            models.UniqueConstraint(
                fields=["period", "dimension", "indicator", "dimension_value"],
                name="snapshot_one_per_period_and_value",
            ),
        ]
        indexes = [
            # The trends: an indicator's region figures over the periods.
            models.Index(
                fields=["indicator", "period_start"],
                condition=models.Q(dimension=Dimension.REGION),
                name="snapshot_region_trend",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.period} {self.dimension}={self.dimension_value}"


class Target(models.Model):
    """A yearly target for an indicator, from the region's plan and budget ("årsvisa mål
    i mål och budget"): for the whole region, or for one value of a dimension."""

    indicator = models.CharField(_("indicator"), max_length=60)
    year = models.PositiveSmallIntegerField(_("year"))
    dimension = models.CharField(
        _("dimension"), max_length=20, choices=Dimension.choices, default=Dimension.REGION
    )
    dimension_value = models.CharField(_("dimension value"), max_length=40, blank=True)
    # As the snapshots hold it: a share from 0 to 1, or a count.
    value = models.FloatField(_("target"))
    document = models.CharField(
        _("decided in"),
        max_length=200,
        help_text=_("The document the target is decided in, e.g. “Mål och budget 2026”."),
    )
    document_date = models.DateField(_("date of the decision"))
    history = history_records()

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["-year", "indicator", "dimension", "dimension_value"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "year", "dimension", "dimension_value"],
                name="target_one_per_indicator_year_and_value",
            ),
            models.CheckConstraint(condition=models.Q(value__gte=0), name="target_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.year}: {self.value}"


class RecomputeState(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Computing")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class Recompute(models.Model):
    """A recompute of the snapshots started by hand from the follow-up page, and how far
    it has come: what the page shows while the worker computes."""

    requested_by = models.ForeignKey(
        "clinics.User",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("started by"),
    )
    requested_at = models.DateTimeField(_("requested"))
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    # A period code, or empty for the nightly job's periods (yesterday's).
    period = models.CharField(_("period"), max_length=7, blank=True)
    state = models.CharField(
        _("status"), max_length=10, choices=RecomputeState.choices, default=RecomputeState.QUEUED
    )
    # True while queued or running, NULL once finished: unique, so that only one is ever
    # under way (NULLs never collide).
    under_way = models.BooleanField(default=True, null=True, unique=True, editable=False)
    done = models.PositiveIntegerField(_("steps done"), default=0)
    total = models.PositiveIntegerField(_("steps"), default=0)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    as_of = models.DateField(_("figures as of"), null=True, blank=True)
    periods = models.CharField(_("periods written"), max_length=100, blank=True)
    rows = models.PositiveIntegerField(_("figures a period"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("recompute")
        verbose_name_plural = _("recomputes")
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.period or '–'} {self.state}"

    @property
    def in_progress(self) -> bool:
        return self.state in (RecomputeState.QUEUED, RecomputeState.RUNNING)

    @property
    def succeeded(self) -> bool:
        return self.state == RecomputeState.DONE
