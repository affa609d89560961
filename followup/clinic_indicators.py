"""A clinic's own indicators ("verksamhetsspecifika indikatorer"): the services that define,
change and retire them and report their values, and the rules for the period a value is
for.

Only the clinic's own reporters keep them (``access.check_may_keep_clinic_indicators``,
asked here, under the lock); regional staff read them on the clinic page and over the API.
Indicators are retired, never deleted, and a value is reported once per period: reporting
a period again corrects its value. The history of both says who did what, and which action
(``define``, ``change``, ``retire``, ``resume``; ``report``, ``correct``) it was.
"""

import math
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clinics.access import check_may_keep_clinic_indicators
from clinics.models import Clinic, User
from followup.models import ClinicIndicator, ClinicIndicatorValue
from followup.periods import Period, PeriodError, PeriodKind
from followup.vocabulary import ReportingFrequency
from halland_utbud.errors import InvalidTransition

# What a reporter may change in an indicator's definition.
EDITABLE_FIELDS = frozenset(
    {"name", "description", "unit", "direction", "frequency", "target", "active"}
)

_PERIOD_KINDS = {
    ReportingFrequency.MONTHLY: PeriodKind.MONTH,
    ReportingFrequency.QUARTERLY: PeriodKind.QUARTER,
}


# The first year a value may be for: the follow-up of the digital offering is younger.
FIRST_YEAR = 2000


# The periods: pure rules


def period_kind(frequency: str) -> PeriodKind:
    """The kind of period an indicator reported at ``frequency`` has a value for."""
    return _PERIOD_KINDS[ReportingFrequency(frequency)]


def reporting_period(frequency: str, code: str | Period, today: date) -> Period:
    """The period a value is reported for: a month of a monthly indicator, a quarter of a
    quarterly one, and one that has begun by ``today``. Anything else is a ValidationError
    on ``period``, in the user's language."""
    try:
        period = code if isinstance(code, Period) else Period.parse(code)
    except PeriodError as error:
        raise ValidationError({"period": str(error)}) from None
    if period.start.year < FIRST_YEAR:
        raise ValidationError(
            {"period": _("Give a period from %(year)d on.") % {"year": FIRST_YEAR}}
        )
    kind = period_kind(frequency)
    if period.kind != kind:
        message = (
            _("The indicator is reported monthly: give a month, e.g. 2026-11.")
            if kind == PeriodKind.MONTH
            else _("The indicator is reported quarterly: give a quarter, e.g. 2026-Q4.")
        )
        raise ValidationError({"period": message})
    if period.start > today:
        raise ValidationError(
            {
                "period": _("%(period)s has not begun yet: report a period that has begun.")
                % {"period": period.code}
            }
        )
    return period


def period_holding(frequency: str, day: date) -> Period:
    """The month or quarter (as the indicator is reported) that holds ``day``."""
    _year, quarter, month = Period.containing(day)
    return month if period_kind(frequency) == PeriodKind.MONTH else quarter


def previous_period(frequency: str, today: date) -> Period:
    """The last whole period before the one holding ``today``: what is usually reported
    next."""
    return period_holding(frequency, period_holding(frequency, today).start - _ONE_DAY)


def periods_between(frequency: str, first: Period, last: Period) -> list[Period]:
    """Every period of the indicator's kind from ``first`` to ``last``, in order."""
    periods = []
    day = first.start
    while day <= last.start:
        periods.append(period_holding(frequency, day))
        day = periods[-1].end + _ONE_DAY
    return periods


_ONE_DAY = timedelta(days=1)


# The services


def _check_finite(field: str, value: float | None) -> None:
    if value is not None and not math.isfinite(value):
        raise ValidationError({field: _("Give a number.")})


def _check_name_free(indicator: ClinicIndicator) -> None:
    taken = (
        ClinicIndicator.objects.filter(clinic_id=indicator.clinic_id, name__iexact=indicator.name)
        .exclude(pk=indicator.pk)
        .exists()
    )
    if taken:
        raise ValidationError({"name": _("The clinic already has an indicator with this name.")})


def _save_indicator(indicator: ClinicIndicator, *, actor: User, reason: str) -> None:
    indicator.name = indicator.name.strip()
    indicator.unit = indicator.unit.strip()
    indicator.description = indicator.description.strip()
    _check_finite("target", indicator.target)
    _check_name_free(indicator)
    indicator.full_clean()
    indicator._history_user = actor
    indicator._change_reason = reason
    try:
        # Two reporters naming an indicator alike at once: the constraint decides.
        with transaction.atomic():
            indicator.save()
    except IntegrityError:
        raise ValidationError(
            {"name": _("The clinic already has an indicator with this name.")}
        ) from None


@transaction.atomic
def define_clinic_indicator(
    *,
    actor: User,
    clinic: Clinic,
    name: str,
    unit: str,
    direction: str,
    frequency: str,
    target: float | None = None,
    description: str = "",
) -> ClinicIndicator:
    """A new indicator of the clinic's own, followed up from now on."""
    check_may_keep_clinic_indicators(actor, clinic)
    indicator = ClinicIndicator(
        clinic=clinic,
        name=name,
        description=description,
        unit=unit,
        direction=direction,
        frequency=frequency,
        target=target,
        active=True,
        created_by=actor,
        created_at=timezone.now(),
    )
    _save_indicator(indicator, actor=actor, reason="define")
    return indicator


@transaction.atomic
def change_clinic_indicator(
    *, actor: User, indicator: ClinicIndicator, **changes
) -> ClinicIndicator:
    """Change the definition; ``changes`` are fields of ``EDITABLE_FIELDS``. ``active=False``
    retires the indicator (its values are kept, and no new ones are reported) and
    ``active=True`` resumes it. How often it is reported changes only while it has no
    values: they are for periods of the old kind."""
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"change_clinic_indicator() cannot change {sorted(unknown)}")
    indicator = (
        ClinicIndicator.objects.select_for_update(of=("self",))
        .select_related("clinic")
        .get(pk=indicator.pk)
    )
    check_may_keep_clinic_indicators(actor, indicator.clinic)
    was_active = indicator.active
    if (
        "frequency" in changes
        and changes["frequency"] != indicator.frequency
        and indicator.values.exists()
    ):
        raise ValidationError(
            {
                "frequency": _(
                    "Values are already reported for the indicator, so how often it is "
                    "reported cannot change. Retire it and define a new one instead."
                )
            }
        )
    for field, value in changes.items():
        setattr(indicator, field, value)
    if was_active and not indicator.active:
        reason = "retire"
    elif indicator.active and not was_active:
        reason = "resume"
    else:
        reason = "change"
    _save_indicator(indicator, actor=actor, reason=reason)
    return indicator


@transaction.atomic
def report_clinic_indicator_value(
    *,
    actor: User,
    indicator: ClinicIndicator,
    period: str | Period,
    value: float,
    comment: str = "",
) -> ClinicIndicatorValue:
    """The indicator's value for a month or quarter (as the indicator is reported); a
    period already reported gets the new value, and the history keeps the old one."""
    # The indicator's row is the lock: two reports of one period at once are one after
    # the other, and the second corrects the first.
    indicator = (
        ClinicIndicator.objects.select_for_update(of=("self",))
        .select_related("clinic")
        .get(pk=indicator.pk)
    )
    check_may_keep_clinic_indicators(actor, indicator.clinic)
    if not indicator.active:
        raise InvalidTransition(
            _("The indicator is no longer followed up, so no values are reported for it.")
        )
    reported = reporting_period(indicator.frequency, period, timezone.localdate())
    _check_finite("value", value)
    row = ClinicIndicatorValue.objects.filter(indicator=indicator, period=reported.code).first()
    reason = "correct" if row is not None else "report"
    row = row or ClinicIndicatorValue(indicator=indicator, period=reported.code)
    row.period_start = reported.start
    row.value = value
    row.comment = comment.strip()
    row.reported_by = actor
    row.reported_at = timezone.now()
    row.full_clean()
    row._history_user = actor
    row._change_reason = reason
    row.save()
    return row
