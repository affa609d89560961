"""The region's indicators of the shift to digital ("indikatorer på regionnivå för att visa
på omställning", RS220477), as definitions: what is counted, over which rows, and which
way is better. They are plain values; ``followup.figures`` turns them into ``GROUP BY``
queries over the compliance timeline, and nothing here touches the database.

An indicator counts the rows of one *source* on a day:

- ``clinic``: the active clinics' status rows (one per clinic);
- ``area``: the area rows of the active clinics (one per clinic and area);
- ``requirement``: the requirement rows of the active clinics;
- ``round``: the reports of the reporting round in progress on the day, each in the state
  it had at the end of the day (all of the round's reports: a round covers the clinics
  that were active when it opened, and the round's page counts them all).

Its ``scope`` picks the source's rows it is about (one area, one requirement), its
``numerator`` and ``denominator`` measure them. A share is the numerator over the
denominator; a count has no denominator.

Where the decision's words are counted, the definition says so. A clinic that meets a
requirement through an approved exemption (e.g. "beställa tid" instead of booking
directly) meets the baseline, but does not *offer* the service: the indicators of what
is offered count answers, not exemptions.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import models
from django.db.models import (
    Aggregate,
    Count,
    Exists,
    F,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Cast
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from clinics.models import ReportState
from followup.models import Usage, UsageMonth
from followup.vocabulary import Direction, Unit, UsageMeasure
from requirements.vocabulary import AreaStatus, Channel, ComplianceStatus


class Source(models.TextChoices):
    CLINIC = "clinic", _("Clinics")
    AREA = "area", _("Areas of the clinics")
    REQUIREMENT = "requirement", _("Requirements of the clinics")
    ROUND = "round", _("Reports of the reporting round")


# Measures: how the rows in an indicator's scope are counted on a day.


@dataclass(frozen=True)
class Rows:
    """The number of rows (in scope) that match ``where``."""

    where: Q = field(default_factory=Q)

    def aggregate(self, scope: Q, day: date) -> Aggregate:
        return Count("pk", filter=scope & self.where)


@dataclass(frozen=True)
class Total:
    """The sum of a numeric field over the rows in scope."""

    name: str

    def aggregate(self, scope: Q, day: date) -> Aggregate:
        return Sum(self.name, filter=scope, default=0)


@dataclass(frozen=True)
class SharesSum:
    """The sum of each row's share ``met / applicable`` (rows where something applies):
    over ``Rows(APPLIES)`` it makes the mean share."""

    def aggregate(self, scope: Q, day: date) -> Aggregate:
        share = Cast("met", FloatField()) / F("applicable")
        return Sum(share, filter=scope & Q(applicable__gt=0), default=0.0)


@dataclass(frozen=True)
class EndingWithin:
    """Rows (in scope) whose exemption ends within ``days`` days of the day counted."""

    days: int

    def aggregate(self, scope: Q, day: date) -> Aggregate:
        until = day + timedelta(days=self.days)
        return Count("pk", filter=scope & Q(exemption_until__gte=day, exemption_until__lte=until))


def _latest_usage_month(measure: UsageMeasure, day: date) -> QuerySet:
    """The latest month of ``measure`` the region has figures for, up to ``day``'s month."""
    return (
        UsageMonth.objects.filter(measure=measure, month__lte=day)
        .order_by("-month")
        .values("month")[:1]
    )


@dataclass(frozen=True)
class WithUsageFigures:
    """The rows (in scope) once the region has figures of ``measure``: all of them, or
    none before the first month of it is imported (then there is no figure)."""

    measure: UsageMeasure

    def aggregate(self, scope: Q, day: date) -> Aggregate:
        return Count("pk", filter=scope & Exists(_latest_usage_month(self.measure, day)))


@dataclass(frozen=True)
class WithoutUsage:
    """The rows (in scope) whose clinic did not use ``measure`` once in the latest month
    the region has figures for."""

    measure: UsageMeasure

    def aggregate(self, scope: Q, day: date) -> Aggregate:
        month = _latest_usage_month(self.measure, day)
        used = Usage.objects.current().filter(
            clinic_id=OuterRef("clinic_id"),
            measure=self.measure,
            month=Subquery(month),
            value__gt=0,
        )
        return Count("pk", filter=scope & Exists(month) & ~Exists(used))


Measure = Rows | Total | SharesSum | EndingWithin | WithUsageFigures | WithoutUsage


@dataclass(frozen=True)
class Indicator:
    id: str
    name: Promise
    description: Promise
    source: Source
    numerator: Measure
    denominator: Measure | None
    scope: Q = field(default_factory=Q)
    direction: Direction = Direction.HIGHER
    # The catalogue's area the indicator is about, if one.
    area_code: str = ""
    # The overview's filter that lists the clinics counted in the numerator, where the
    # overview has one: the follow-up links each such figure to them.
    overview_filter: tuple[tuple[str, str], ...] = ()

    @property
    def measures_usage(self) -> bool:
        """The indicator sets the measured usage beside the answers."""
        return isinstance(self.numerator, WithoutUsage)

    @property
    def unit(self) -> Unit:
        return Unit.COUNT if self.denominator is None else Unit.SHARE

    def value(self, numerator: float, denominator: float | None) -> float | None:
        """The figure: the share, or the count; None for a share of nothing."""
        if self.denominator is None:
            return numerator
        return numerator / denominator if denominator else None


# "Ending soon": an exemption whose last day is this many days away or fewer.
ENDING_SOON_DAYS = 90

# Shorthands for the conditions the definitions repeat.
_COMPLIANT = Q(status=ComplianceStatus.COMPLIANT)
_APPLIES = ~Q(status=ComplianceStatus.NOT_APPLICABLE)
_AREA_MET = Q(status=AreaStatus.MET)
_AREA_APPLIES = ~Q(status=AreaStatus.NOT_APPLICABLE)


def _area(code: str, name: Promise, description: Promise) -> Indicator:
    return Indicator(
        id=f"area.{code}",
        name=name,
        description=description,
        source=Source.AREA,
        scope=Q(area_code=code),
        numerator=Rows(_AREA_MET),
        denominator=Rows(_AREA_APPLIES),
        area_code=code,
        overview_filter=(
            ("active", "true"),
            ("area", code),
            ("area_status", AreaStatus.MET.value),
        ),
    )


def _offered(id: str, code: str, name: Promise, description: Promise) -> Indicator:
    """The share of the clinics the requirement applies to that meet it by their own
    answer (an exemption is not the service)."""
    return Indicator(
        id=id,
        name=name,
        description=description,
        source=Source.REQUIREMENT,
        scope=Q(requirement_code=code),
        numerator=Rows(_COMPLIANT),
        denominator=Rows(_APPLIES),
        area_code=code.split(".", 1)[0],
    )


def _round(id: str, states: Q, name: Promise, description: Promise, **options) -> Indicator:
    return Indicator(
        id=id,
        name=name,
        description=description,
        source=Source.ROUND,
        numerator=Rows(states),
        denominator=Rows(),
        **options,
    )


_AREA_DESCRIPTION = _(
    "The share of the active clinics the area applies to that meet every requirement of "
    "the area that applies to them (met, or met through an approved exemption)."
)

# The seven areas of the baseline, in the decision's order.
_BASELINE_AREAS = (
    ("hemsida", _("Area: the clinic's page on 1177")),
    ("etjanster", _("Area: e-services")),
    ("webbtidbok", _("Area: booking on the web")),
    ("journalen", _("Area: Journalen on the web")),
    ("npo", _("Area: national patient summary (NPÖ)")),
    ("distans", _("Area: remote contact")),
    ("behandling", _("Area: treatment on the web")),
)


def _unused(measure: UsageMeasure, name: Promise, description: Promise) -> Indicator:
    """The share of the clinics that answer they offer what ``measure`` counts (by their
    own answer: an exemption is not the service) but did not use it once in the latest
    month with figures: a self-report the usage does not bear out."""
    code = measure.evidences
    if "." in code:
        source, scope = Source.REQUIREMENT, Q(requirement_code=code) & _COMPLIANT
    else:  # an area: at least one of its services met
        source, scope = Source.AREA, Q(area_code=code, met__gt=0)
    return Indicator(
        id=f"usage.{measure.value}_unused",
        name=name,
        description=format_lazy("{} {}", description, _USAGE_DESCRIPTION),
        source=source,
        scope=scope,
        numerator=WithoutUsage(measure),
        denominator=WithUsageFigures(measure),
        direction=Direction.LOWER,
        area_code=code.split(".", 1)[0],
    )


_USAGE_DESCRIPTION = _(
    "Counted in the latest month the region has usage figures for (imported from the "
    "national e-service statistics); a clinic without figures for that month used none."
)

INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        id="baseline",
        name=_("Meets the whole baseline"),
        description=_(
            "The share of the active clinics that meet every requirement of the baseline "
            "offering (grundutbud) that applies to them."
        ),
        source=Source.CLINIC,
        scope=Q(catalogue_version__isnull=False),
        numerator=Rows(Q(meets_baseline=True)),
        denominator=Rows(),
        overview_filter=(("active", "true"), ("meets_baseline", "true")),
    ),
    *(_area(code, name, _AREA_DESCRIPTION) for code, name in _BASELINE_AREAS),
    _area(
        "generella",
        _("General requirements"),
        _(
            "The share of the active clinics that meet every general requirement (patient "
            "data act, information security, data processing agreements, risk analyses). "
            "They are followed up beside the baseline, not as a part of it."
        ),
    ),
    _offered(
        "web_booking.direct",
        "webbtidbok.boka_direkt",
        _("Offers direct web booking"),
        _(
            "The share of the active clinics the requirement applies to that let residents "
            "book an appointment directly on the web. A clinic offering “request an "
            "appointment” under an approved exemption is not counted as offering it."
        ),
    ),
    Indicator(
        id="e_services.mean_share",
        name=_("Mean share of e-services offered"),
        description=_(
            "For each active clinic, the share of the e-services that apply to it that it "
            "offers (or is exempted from); the mean over the clinics."
        ),
        source=Source.AREA,
        scope=Q(area_code="etjanster"),
        numerator=SharesSum(),
        denominator=Rows(Q(applicable__gt=0)),
        area_code="etjanster",
    ),
    Indicator(
        id="e_services.via_1177",
        name=_("E-services offered through 1177"),
        description=_(
            "Of the e-services the active clinics offer, the share offered through the 1177 "
            "e-services (alone or beside an own solution)."
        ),
        source=Source.REQUIREMENT,
        scope=Q(area_code="etjanster") & _COMPLIANT,
        numerator=Rows(Q(channel__in=[Channel.E_SERVICES_1177, Channel.BOTH])),
        denominator=Rows(),
        area_code="etjanster",
    ),
    _offered(
        "remote.video",
        "distans.video",
        _("Offers video visits"),
        _("The share of the active clinics the requirement applies to that offer video visits."),
    ),
    _offered(
        "remote.chat",
        "distans.chatt",
        _("Offers chat"),
        _("The share of the active clinics the requirement applies to that offer chat."),
    ),
    _offered(
        "remote.telephone",
        "distans.telefon",
        _("Offers telephone visits"),
        _(
            "The share of the active clinics the requirement applies to that offer "
            "telephone visits."
        ),
    ),
    Indicator(
        id="exemptions.in_force",
        name=_("Exemptions in force"),
        description=_(
            "The number of approved exemptions and platform approvals in force at the "
            "active clinics, one per clinic and requirement."
        ),
        source=Source.CLINIC,
        numerator=Total("exemptions_in_force"),
        denominator=None,
        direction=Direction.LOWER,
    ),
    Indicator(
        id="exemptions.ending_90_days",
        name=_("Exemptions ending within 90 days"),
        description=_(
            "The number of exemptions in force at the active clinics whose last day is "
            "within 90 days: clinics that must offer the service, or apply again, soon."
        ),
        source=Source.REQUIREMENT,
        scope=Q(case__isnull=False),
        numerator=EndingWithin(ENDING_SOON_DAYS),
        denominator=None,
        direction=Direction.LOWER,
    ),
    _round(
        "round.submitted",
        Q(state_then__in=[ReportState.SUBMITTED, ReportState.APPROVED]),
        _("Reporting round: submitted"),
        _(
            "The share of the reports of the reporting round in progress that have been "
            "submitted (awaiting review or approved)."
        ),
    ),
    _round(
        "round.approved",
        Q(state_then=ReportState.APPROVED),
        _("Reporting round: approved"),
        _("The share of the reports of the reporting round in progress that are approved."),
    ),
    _round(
        "round.overdue",
        Q(state_then__in=ReportState.in_progress_states(), round__deadline__lt=F("as_of")),
        _("Reporting round: overdue"),
        _(
            "The share of the reports of the reporting round in progress that are still in "
            "progress (a draft, submitted for review, or returned) after the round's "
            "deadline, as the round's page counts them."
        ),
        direction=Direction.LOWER,
    ),
    _unused(
        UsageMeasure.WEB_BOOKINGS,
        _("Direct web booking answered, no web bookings"),
        _(
            "Of the active clinics that answer that they offer direct web booking, the share "
            "with no web booking in the month."
        ),
    ),
    _unused(
        UsageMeasure.E_SERVICE_CASES,
        _("E-services offered, no e-service cases"),
        _(
            "Of the active clinics that meet at least one e-service requirement, the share "
            "with no e-service case in the month."
        ),
    ),
    _unused(
        UsageMeasure.VIDEO_VISITS,
        _("Video visits answered, no video visits"),
        _(
            "Of the active clinics that answer that they offer video visits, the share with "
            "no video visit in the month."
        ),
    ),
    _unused(
        UsageMeasure.JOURNALEN_LOGINS,
        _("Journalen answered, no Journalen logins"),
        _(
            "Of the active clinics that answer that their records can be read in Journalen, "
            "the share whose records no patient opened in the month."
        ),
    ),
)


_BY_ID = {indicator.id: indicator for indicator in INDICATORS}


# The figures the follow-up page leads with, and breaks down: the baseline and its areas.
HEADLINE = ("baseline", *(f"area.{code}" for code, _name in _BASELINE_AREAS))


def indicator(id: str) -> Indicator:
    """The indicator with this id; KeyError for one that does not exist."""
    return _BY_ID[id]


def stored_indicator(id: str) -> Indicator:
    """The indicator a stored row (a snapshot, a target) names, or, for one no longer
    defined, a stand-in named by its id: old rows stay readable when a definition goes."""
    try:
        return _BY_ID[id]
    except KeyError:
        return Indicator(
            id=id,
            name=id,
            description=_("No longer followed up."),
            source=Source.CLINIC,
            numerator=Rows(),
            denominator=Rows(),
        )


def of_source(source: Source) -> tuple[Indicator, ...]:
    return tuple(indicator for indicator in INDICATORS if indicator.source == source)
