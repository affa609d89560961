"""What the clinic page shows of a clinic's own indicators: each with its recent values as
a chart and a table of the same numbers, and whether the latest value reaches its target.

Every indicator and every value of the clinic are read in two queries, however many
indicators it keeps; the rest is arithmetic over the rows read.
"""

from dataclasses import dataclass
from datetime import date

from django.utils import formats, timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from clinics.models import Clinic
from clinics.templatetags.status import badge
from followup.charts import trend_chart
from followup.clinic_indicators import period_kind, periods_between, previous_period
from followup.models import ClinicIndicator, ClinicIndicatorValue
from followup.periods import Period, PeriodKind
from followup.vocabulary import Direction

# How far back the clinic page draws an indicator: two years of months or of quarters.
WINDOW = {PeriodKind.MONTH: 24, PeriodKind.QUARTER: 8}


def number_text(value: float) -> str:
    """A value as a person writes it: whole numbers without decimals, others with up to
    two, in the active language's format."""
    rounded = round(value, 2)
    if float(rounded).is_integer():
        return formats.number_format(int(rounded), 0, force_grouping=True)
    text = formats.number_format(rounded, 2, force_grouping=True)
    return text.rstrip("0") if text[-1] == "0" else text


def value_text(value: float | None, unit: str) -> str:
    """The value with its unit (``12,5 %``, ``340 besök``); empty for no value."""
    if value is None:
        return ""
    return f"{number_text(value)} {unit}".strip()


def period_name(period: Period) -> str:
    """``november 2026`` or ``kvartal 4 2026``, in the active language."""
    if period.kind == PeriodKind.MONTH:
        return formats.date_format(period.start, "YEAR_MONTH_FORMAT").capitalize()
    return _("Quarter %(quarter)s %(year)s") % {
        "quarter": period.code[-1],
        "year": period.start.year,
    }


def reaches_target(indicator: ClinicIndicator, value: float | None) -> bool | None:
    """Whether ``value`` reaches the indicator's target, as its direction reads it; None
    when there is no target or no value."""
    if indicator.target is None or value is None:
        return None
    if indicator.direction == Direction.LOWER:
        return value <= indicator.target
    return value >= indicator.target


@dataclass(frozen=True)
class TrendRow:
    period: Period
    value: ClinicIndicatorValue | None  # None: nothing reported for the period
    text: str

    @property
    def label(self) -> str:
        return period_name(self.period)


@dataclass(frozen=True)
class ClinicIndicatorTrend:
    indicator: ClinicIndicator
    # The periods the chart draws, oldest first, each with its value if reported.
    rows: tuple[TrendRow, ...]
    latest: ClinicIndicatorValue | None
    chart: SafeString | None

    @property
    def target_text(self) -> str:
        return value_text(self.indicator.target, self.indicator.unit)

    @property
    def latest_text(self) -> str:
        return value_text(self.latest.value if self.latest else None, self.indicator.unit)

    @property
    def latest_period(self) -> Period | None:
        return Period.parse(self.latest.period) if self.latest else None

    @property
    def reaches_target(self) -> bool | None:
        return reaches_target(self.indicator, self.latest.value if self.latest else None)

    @property
    def target_badge(self) -> str:
        """Whether the latest value reaches the target, as an icon and words; empty when
        there is nothing to judge."""
        reaches = self.reaches_target
        if reaches is None:
            return ""
        if reaches:
            return badge("ok", "✓", _("Reaches the target"))
        return badge("fail", "✗", _("Does not reach the target"))

    @property
    def latest_period_name(self) -> str:
        return period_name(self.latest_period) if self.latest else ""


def _rows(
    indicator: ClinicIndicator, values: list[ClinicIndicatorValue], today: date
) -> tuple[TrendRow, ...]:
    """The last ``WINDOW`` periods up to the latest value, or, for an indicator still
    followed up, up to the last whole period, so that a value not yet reported shows."""
    if not values:
        return ()
    by_code = {value.period: value for value in values}
    first, last = Period.parse(values[0].period), Period.parse(values[-1].period)
    if indicator.active:
        last = max(last, previous_period(indicator.frequency, today))
    periods = periods_between(indicator.frequency, first, last)
    periods = periods[-WINDOW[period_kind(indicator.frequency)] :]
    return tuple(
        TrendRow(
            period,
            by_code.get(period.code),
            value_text(by_code[period.code].value, indicator.unit)
            if period.code in by_code
            else "",
        )
        for period in periods
    )


def _chart(indicator: ClinicIndicator, rows: tuple[TrendRow, ...]) -> SafeString | None:
    """None when nothing is reported in the periods drawn (all of them long ago)."""
    if not any(row.value for row in rows):
        return None
    unit = indicator.unit
    names = {
        "name": indicator.name,
        "unit": unit,
        "first": rows[0].label,
        "last": rows[-1].label,
        "target": value_text(indicator.target, unit),
    }
    if indicator.target is None:
        description = _(
            "%(name)s in %(unit)s for each period from %(first)s to %(last)s, drawn with "
            "dots; a period without a dot has no value reported. No target is set. The "
            "numbers follow in the table below the chart."
        )
    else:
        description = _(
            "%(name)s in %(unit)s for each period from %(first)s to %(last)s, drawn with "
            "dots; a period without a dot has no value reported. The dashed line is the "
            "target of %(target)s. The numbers follow in the table below the chart."
        )
    return trend_chart(
        None,
        [row.period.code for row in rows],
        [row.value.value if row.value else None for row in rows],
        None if indicator.target is None else [indicator.target] * len(rows),
        title=_("%(name)s from %(first)s to %(last)s") % names,
        description=description % names,
        value_label=indicator.name,
        target_label=_("Target"),
        share=False,
        formatter=number_text,
        value_range=_scale(rows, indicator.target),
    )


def _scale(rows: tuple[TrendRow, ...], target: float | None) -> tuple[float, float]:
    """The values and the target with a tenth of their spread around them, so that
    neither the line nor the target lies on the chart's edge; not below zero when none
    of them is."""
    numbers = [row.value.value for row in rows if row.value] + ([] if target is None else [target])
    low, high = min(numbers), max(numbers)
    margin = (high - low) / 10 or abs(high) / 10 or 1
    bottom = low - margin
    if low >= 0 and bottom < 0:
        bottom = 0
    return bottom, high + margin


def clinic_indicator_trends(
    clinic: Clinic, *, today: date | None = None
) -> list[ClinicIndicatorTrend]:
    """Every indicator of the clinic, those still followed up first, by name; in two
    queries."""
    today = today or timezone.localdate()
    indicators = list(ClinicIndicator.objects.filter(clinic=clinic).order_by("-active", "name"))
    values: dict[int, list[ClinicIndicatorValue]] = {indicator.pk: [] for indicator in indicators}
    for value in ClinicIndicatorValue.objects.filter(indicator__clinic=clinic).order_by(
        "indicator_id", "period_start"
    ):
        values[value.indicator_id].append(value)
    trends = []
    for indicator in indicators:
        rows = _rows(indicator, values[indicator.pk], today)
        latest = values[indicator.pk][-1] if values[indicator.pk] else None
        trends.append(ClinicIndicatorTrend(indicator, rows, latest, _chart(indicator, rows)))
    return trends


def indicator_trend(indicator: ClinicIndicator) -> ClinicIndicatorTrend:
    """One indicator's trend, as the clinic page draws it."""
    values = list(indicator.values.order_by("period_start"))
    rows = _rows(indicator, values, timezone.localdate())
    return ClinicIndicatorTrend(
        indicator, rows, values[-1] if values else None, _chart(indicator, rows)
    )
