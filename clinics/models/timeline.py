"""Each clinic's compliance timeline: intervals ``[valid_from, valid_to)`` per requirement,
per area and for the clinic as a whole, derived by ``requirements.timeline`` and kept by
``clinics.timeline`` in the same transaction as every write that changes an input.

Compliance on a day is then the rows whose interval holds the day, one indexed query,
whatever the number of clinics. A clinic has exactly one clinic row for every day (its
attributes as they were); area and requirement rows exist from the first catalogue on.
The rows are derived data: ``manage.py rebuild_compliance`` rebuilds them from the sources.
So their foreign keys are not constraints in the database, and each table has only the
indexes its reads use (codes are plain text, not slugs, which Django indexes twice): a
national register has some two million requirement rows, and checking five references and
maintaining nine indexes per row made a rebuild three times slower (measured on PostgreSQL
at 20,000 clinics). The writers read every row they refer to in the same transaction.
"""

from datetime import date

from django.db import models
from django.db.models import F, Q
from django.db.models.sql.where import AND, OR, WhereNode
from django.utils.translation import gettext_lazy as _

from clinics.models.reports import ReportState
from requirements.compliance import share_of
from requirements.models import Area, CatalogueVersion, Requirement
from requirements.timeline import OPEN_END
from requirements.vocabulary import (
    AnswerStatus,
    AreaStatus,
    CareType,
    Channel,
    ClinicKind,
    ComplianceStatus,
    ContractForm,
    ExemptionKind,
    Municipality,
    ProviderKind,
)


def _ordered(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(condition=Q(valid_to__gt=F("valid_from")), name=name)


def _reference(to, verbose_name, **options) -> models.ForeignKey:
    """A reference to a source row, with no constraint or index of its own (see above).
    Nothing cascades: a deleted source is mended by rebuilding, not by the collector."""
    options.setdefault("on_delete", models.DO_NOTHING)
    options.setdefault("related_name", "+")
    return models.ForeignKey(
        to,
        verbose_name=verbose_name,
        db_constraint=False,
        db_index=False,
        **options,
    )


class LatestReport(models.ForeignObject):
    """The clinic's latest report (``Report.is_latest``), joined on the clinic id itself:
    ``LEFT JOIN report ON report.clinic_id = row.clinic_id AND report.is_latest``.

    The overview counts the latest reports' states in the same GROUP BY as the statuses;
    joined through the clinics, as a relation through ``clinic`` would be, that query took
    twice as long (measured at 20,000 clinics). The report's clinic is unique among the
    latest reports (``report_one_latest_per_clinic``), which the join's condition makes
    the target; Django's check knows only unconditional uniqueness.
    """

    def __init__(self, **kwargs):
        kwargs.update(
            to="clinics.Report",
            on_delete=models.DO_NOTHING,
            from_fields=["clinic"],
            to_fields=["clinic"],
            null=True,
            related_name="+",
            # A join, not a value of the row: not in dumps, forms or the admin.
            serialize=False,
            editable=False,
        )
        super().__init__(**kwargs)

    def deconstruct(self):
        name, path, _args, _kwargs = super().deconstruct()
        return name, path, [], {}

    def _check_unique_target(self):
        return []

    def get_extra_descriptor_filter(self, instance):
        # ``row.latest_report`` as the join reads it, not any report of the clinic.
        return {"is_latest": True}

    def get_extra_restriction(self, alias, related_alias):
        field = self.related_model._meta.get_field("is_latest")
        return field.get_lookup("exact")(field.get_col(alias), True)


class LatestReportUnderWay(LatestReport):
    """The clinic's latest report if its reporting may be under way, else no row: the
    reports whose ``clinics.selectors.reporting_status`` can be other than NONE (in
    progress, or approved in a round). Every other latest report is NONE, as no report
    is, so the overview's totals read the same statuses through this join from a few
    rows instead of every clinic's (measured at 20,000 clinics: the query 25 → 18 ms
    while most latest reports are approved outside a round)."""

    def get_extra_descriptor_filter(self, instance):
        return Q(is_latest=True) & (
            Q(state__in=ReportState.in_progress_states())
            | Q(state=ReportState.APPROVED, round__isnull=False)
        )

    def get_extra_restriction(self, alias, related_alias):
        # The descriptor's filter above, as the join's condition.
        state = self.related_model._meta.get_field("state")
        round_ = self.related_model._meta.get_field("round")
        in_progress = state.get_lookup("in")(
            state.get_col(alias), ReportState.in_progress_states()
        )
        approved_in_round = WhereNode(
            [
                state.get_lookup("exact")(state.get_col(alias), ReportState.APPROVED),
                round_.get_lookup("isnull")(round_.get_col(alias), False),
            ],
            AND,
        )
        return WhereNode(
            [
                super().get_extra_restriction(alias, related_alias),
                WhereNode([in_progress, approved_in_round], OR),
            ],
            AND,
        )


class PeriodQuerySet(models.QuerySet):
    def on(self, day: date) -> "PeriodQuerySet":
        """The rows in force on ``day``: one per clinic (and area or requirement)."""
        return self.filter(valid_from__lte=day, valid_to__gt=day)


class Period(models.Model):
    # clinic.clinicstatusperiod, clinic.areastatusperiod...: for joins on a day's rows.
    clinic = _reference("clinics.Clinic", _("clinic"), related_name="%(class)s")
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(
        _("valid until (exclusive)"),
        default=OPEN_END,
        help_text=_("The first day the row no longer holds; 9999-12-31 while it holds."),
    )
    catalogue_version = _reference(CatalogueVersion, _("catalogue version"), null=True)

    objects = PeriodQuerySet.as_manager()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.clinic_id}: {self.valid_from}–{self.valid_to}"


def encode_area_statuses(pairs) -> str:
    """``(area code, status)`` pairs as the clinic row stores them: ``,hemsida:met,npo:not_met,``.

    Text rather than JSON, because the overview's totals group the day's rows by it:
    PostgreSQL groups 20,000 short texts in about half the time it groups as many JSON
    documents (measured). The commas at both ends make every pair findable whole.
    """
    return "".join(f",{code}:{status}" for code, status in pairs) + "," if pairs else ""


def decode_area_statuses(text: str) -> dict[str, str]:
    return dict(pair.split(":", 1) for pair in text.strip(",").split(",") if pair)


def in_area(code: str, status: str) -> Q:
    """The clinic row says the clinic has ``status`` in the area ``code``."""
    return Q(area_statuses__contains=f",{code}:{status},")


class ClinicStatusPeriod(Period):
    """The clinic as a whole: its attributes as they were, and the baseline as a whole."""

    name = models.CharField(_("name"), max_length=200)

    kind = models.CharField(_("type of clinic"), max_length=30, choices=ClinicKind.choices)
    care_type = models.CharField(_("type of care"), max_length=20, choices=CareType.choices)
    municipality_code = models.CharField(
        _("municipality"), max_length=4, choices=Municipality.choices
    )
    contract_form = models.CharField(
        _("contract form"), max_length=20, choices=ContractForm.choices
    )
    provider = _reference("clinics.Provider", _("care provider"))
    provider_kind = models.CharField(_("type"), max_length=20, choices=ProviderKind.choices)
    active = models.BooleanField(_("active"))
    # Null where no catalogue is in force: there is nothing to judge the clinic against.
    meets_baseline = models.BooleanField(_("meets the whole baseline"), null=True)
    # The general requirements, beside the baseline; null also for a catalogue without.
    meets_general = models.BooleanField(_("meets the general requirements"), null=True)
    met = models.PositiveSmallIntegerField(_("requirements met"), null=True)
    applicable = models.PositiveSmallIntegerField(_("requirements that apply"), null=True)
    report = _reference("clinics.Report", _("approved report in force"), null=True)
    exemptions_in_force = models.PositiveSmallIntegerField(_("exemptions in force"), default=0)
    # Every area's status, as the area rows have them (encode_area_statuses): the
    # overview's totals are one GROUP BY over the clinic rows alone.
    area_statuses = models.TextField(_("status per area"), blank=True)
    # The clinic's latest report (a join, no column): see LatestReport.
    latest_report = LatestReport()
    # The same when its reporting may be under way: see LatestReportUnderWay.
    latest_report_under_way = LatestReportUnderWay()

    class Meta:
        verbose_name = _("clinic status period")
        verbose_name_plural = _("clinic status periods")
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "valid_from"], name="clinic_period_one_per_day"
            ),
            _ordered("clinic_period_ordered"),
        ]
        indexes = [
            # Everything the overview's totals count (and its most common filter), so that
            # PostgreSQL answers them from the index alone: half the time of reading the
            # rows (measured at 20,000 clinics).
            models.Index(
                fields=["valid_to", "valid_from"],
                include=[
                    "clinic",
                    "catalogue_version",
                    "meets_baseline",
                    "met",
                    "applicable",
                    "exemptions_in_force",
                    "area_statuses",
                    "municipality_code",
                ],
                name="clinic_period_on_day",
            ),
            # The overview's and the clinics API's order by name: a page is the next rows
            # of this index. The day and the id beside it let a page deep into the list
            # (the API's ?page=300) be read from the index alone, rather than sorting the
            # day's rows of every clinic.
            models.Index(
                fields=["name", "clinic"],
                include=["valid_from", "valid_to", "id"],
                name="clinic_period_by_name",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.valid_from}–{self.valid_to}"

    @property
    def statuses(self) -> dict[str, str]:
        """Area code -> its AreaStatus value."""
        return decode_area_statuses(self.area_statuses)


class AreaStatusPeriod(Period):
    area = _reference(Area, _("area"))
    area_code = models.CharField(_("area"), max_length=40)
    in_baseline = models.BooleanField(_("part of the baseline offering"))
    status = models.CharField(_("status"), max_length=20, choices=AreaStatus.choices)
    met = models.PositiveSmallIntegerField(_("requirements met"))
    applicable = models.PositiveSmallIntegerField(_("requirements that apply"))

    class Meta:
        verbose_name = _("area status period")
        verbose_name_plural = _("area status periods")
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "area_code", "valid_from"], name="area_period_one_per_day"
            ),
            _ordered("area_period_ordered"),
        ]
        indexes = [
            models.Index(fields=["valid_to", "valid_from", "area_code"], name="area_period_on_day")
        ]

    def __str__(self) -> str:
        return f"{self.area_code} {super().__str__()}"

    @property
    def meets(self) -> bool:
        return self.met == self.applicable

    @property
    def share(self) -> float | None:
        return share_of(self.met, self.applicable)


class RequirementStatusPeriod(Period):
    requirement = _reference(Requirement, _("requirement"))
    requirement_code = models.CharField(_("requirement"), max_length=80)
    area_code = models.CharField(_("area"), max_length=40)
    status = models.CharField(_("status"), max_length=30, choices=ComplianceStatus.choices)
    # The approved answer behind the status, copied: approved answers are never changed.
    answer = _reference("clinics.Answer", _("answer"), null=True)
    answer_status = models.CharField(
        _("answer"), max_length=20, choices=AnswerStatus.choices, blank=True
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, blank=True)
    case = _reference("clinics.ExemptionCase", _("exemption"), null=True)
    exemption_kind = models.CharField(
        _("exemption"), max_length=40, choices=ExemptionKind.choices, blank=True
    )
    # The exemption's days as they count: a revoked one ends the day before its revocation.
    exemption_from = models.DateField(_("exemption from"), null=True)
    exemption_until = models.DateField(
        _("exemption until"), null=True, help_text=_("Empty: until further notice.")
    )

    class Meta:
        verbose_name = _("requirement status period")
        verbose_name_plural = _("requirement status periods")
        constraints = [
            # Also the order the matrix is read in, page by page: by clinic, and by
            # requirement in catalogue order (a version's ids follow its positions).
            models.UniqueConstraint(
                fields=["clinic", "requirement", "valid_from"],
                name="requirement_period_one_per_day",
            ),
            _ordered("requirement_period_ordered"),
        ]
        indexes = [
            models.Index(fields=["valid_to", "valid_from"], name="requirement_period_on_day"),
            # The exemptions ending soon (the follow-up page's list): a few hundred rows of
            # the millions, found without reading the day's rows.
            models.Index(
                fields=["exemption_until"],
                condition=models.Q(case__isnull=False),
                name="requirement_period_exemptions",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.requirement_code} {super().__str__()}"
