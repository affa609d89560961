"""The follow-up page: how the region is doing, read from the snapshots of one period.

Everything here is a few queries over the snapshot table: the period's region figures,
the months of its year for the trend and the targets' lines, the year's targets, and one
page of one breakdown. None of them grows
with the register, except the breakdown by care provider, which is paged.
"""

from dataclasses import dataclass
from datetime import date
from functools import cache
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.urls import reverse

from clinics.models import ReportingRound
from followup.indicators import (
    HEADLINE,
    INDICATORS,
    Indicator,
    Source,
    indicator,
    stored_indicator,
)
from followup.models import Snapshot, Target
from followup.periods import Period, PeriodKind
from followup.selectors import value_label
from followup.targets import TargetProgress, line_value, progress
from followup.vocabulary import Dimension

BREAKDOWN_PAGE_SIZE = 50


@dataclass(frozen=True)
class ShownFigure:
    """One snapshot row as the page shows it, with the overview behind it if there is one."""

    indicator: Indicator
    snapshot: Snapshot
    # Against the year's target for the region, if one is set.
    target: TargetProgress | None = None

    @property
    def value(self) -> float | None:
        return self.snapshot.value

    def overview_url(self, **criteria: str) -> str | None:
        if not self.indicator.overview_filter:
            return None
        query = urlencode({"on_date": self.snapshot.as_of.isoformat(), **criteria})
        return f"{_overview_path()}?{query}&{_encoded_filter(self.indicator)}"

    @property
    def url(self) -> str | None:
        return self.overview_url()


# A breakdown page links some 400 figures: the path and each indicator's part of the
# query are worked out once, not for each link.
@cache
def _overview_path() -> str:
    return reverse("overview")


_ENCODED_FILTERS: dict[str, str] = {}


def _encoded_filter(indicator: Indicator) -> str:
    if indicator.id not in _ENCODED_FILTERS:
        _ENCODED_FILTERS[indicator.id] = urlencode(indicator.overview_filter)
    return _ENCODED_FILTERS[indicator.id]


@dataclass(frozen=True)
class BreakdownCell:
    figure: ShownFigure
    url: str | None


@dataclass(frozen=True)
class BreakdownRow:
    value: str
    label: str
    cells: tuple[BreakdownCell | None, ...]


@dataclass(frozen=True)
class Breakdown:
    dimension: Dimension
    indicators: tuple[Indicator, ...]
    page: Page
    rows: tuple[BreakdownRow, ...]


@dataclass(frozen=True)
class TrendRow:
    month: Period
    cells: tuple[float | None, ...]


@dataclass(frozen=True)
class FollowUp:
    period: Period
    as_of: date
    computed_at: object
    catalogue_version: object
    round: ReportingRound | None
    headline: tuple[ShownFigure, ...]
    others: tuple[ShownFigure, ...]
    round_figures: tuple[ShownFigure, ...]
    # The self-reports set beside the measured usage.
    usage_figures: tuple[ShownFigure, ...]
    trend_indicators: tuple[Indicator, ...]
    trend: tuple[TrendRow, ...]
    # The indicator chosen for the chart, through the year, with its line to the target.
    chosen_trend: "IndicatorTrend | None" = None
    has_targets: bool = False

    def figure(self, id: str) -> ShownFigure | None:
        for figure in (*self.headline, *self.others, *self.round_figures, *self.usage_figures):
            if figure.indicator.id == id:
                return figure
        return None


def snapshot_periods() -> list[Period]:
    """The periods that have a snapshot, the newest first (a few dozen a year)."""
    codes = Snapshot.objects.region().order_by().values_list("period", flat=True).distinct()
    return sorted((Period.parse(code) for code in codes), key=_newest_first)


def _newest_first(period: Period):
    kinds = list(PeriodKind)
    return (-period.end.toordinal(), -kinds.index(period.kind))


def default_period(periods: list[Period]) -> Period | None:
    """Of ``periods`` (newest first), the latest month, or else the latest of any kind."""
    months = [p for p in periods if p.kind == PeriodKind.MONTH]
    return (months or periods or [None])[0]


def follow_up(period: Period, trend_id: str = HEADLINE[0]) -> FollowUp | None:
    """The period's region figures against the year's targets, the year's monthly trend
    and the chosen indicator's, in three queries; None if the period has no snapshot."""
    rows = list(
        Snapshot.objects.of_period(period)
        .region()
        .select_related("catalogue_version", "round")
        .order_by("pk")
    )
    if not rows:
        return None
    months = _region_months(period)
    targets = {
        target.indicator: target.value
        for target in Target.objects.filter(
            year=period.start.year, dimension=Dimension.REGION, dimension_value=""
        )
    }
    by_id = {row.indicator: row for row in rows}
    figures = [
        ShownFigure(i, by_id[i.id], _progress(i, by_id[i.id], targets.get(i.id), months, period))
        for i in INDICATORS
        if i.id in by_id
    ]
    first = rows[0]
    trend_indicators = tuple(indicator(id) for id in HEADLINE)
    return FollowUp(
        period=period,
        as_of=first.as_of,
        computed_at=first.computed_at,
        catalogue_version=first.catalogue_version,
        round=first.round,
        headline=tuple(f for f in figures if f.indicator.id in HEADLINE),
        others=tuple(
            f
            for f in figures
            if f.indicator.id not in HEADLINE
            and f.indicator.source != Source.ROUND
            and not f.indicator.measures_usage
        ),
        round_figures=tuple(f for f in figures if f.indicator.source == Source.ROUND),
        usage_figures=tuple(f for f in figures if f.indicator.measures_usage),
        trend_indicators=trend_indicators,
        trend=_trend(period, trend_indicators, months),
        chosen_trend=_indicator_trend(
            stored_indicator(trend_id), period.start.year, months, targets.get(trend_id)
        ),
        has_targets=bool(targets),
    )


# (period code, indicator id) -> (the day the figure is for, its value)
Months = dict[tuple[str, str], tuple[date, float | None]]


def _month_rows(period: Period):
    """Month snapshots from the previous December to the period's end: the trends, and
    where each target's line starts."""
    start = Period.month(period.start.year - 1, 12).start
    return Snapshot.objects.filter(
        period_kind=PeriodKind.MONTH, period_start__gte=start, period_end__lte=period.end
    )


def _region_months(period: Period) -> Months:
    return {
        (code, id): (as_of, value)
        for code, id, as_of, value in _month_rows(period)
        .filter(dimension=Dimension.REGION)
        .values_list("period", "indicator", "as_of", "value")
    }


def _months_of(period: Period, dimension: Dimension, values: set[str]) -> dict[str, Months]:
    """The month figures of some values of a dimension (those with a target), by value."""
    by_value: dict[str, Months] = {}
    if not values:
        return by_value
    rows = (
        _month_rows(period)
        .filter(dimension=dimension, dimension_value__in=values)
        .values_list("dimension_value", "period", "indicator", "as_of", "value")
    )
    for value, code, id, as_of, figure in rows:
        by_value.setdefault(value, {})[(code, id)] = (as_of, figure)
    return by_value


def _line_start(indicator_id: str, months: Months, year: int) -> tuple[date, float] | None:
    """Where the line to the year's target starts: the value at the end of last year, or
    the year's first figure placed at the start of the year."""
    december = months.get((Period.month(year - 1, 12).code, indicator_id))
    if december and december[1] is not None:
        return december
    firsts = sorted(
        (as_of, value)
        for (code, id), (as_of, value) in months.items()
        if id == indicator_id and code.startswith(f"{year}-") and value is not None
    )
    return (date(year - 1, 12, 31), firsts[0][1]) if firsts else None


def _progress(
    indicator: Indicator, snapshot: Snapshot, target: float | None, months: Months, period
) -> TargetProgress | None:
    if target is None:
        return None
    year = period.start.year
    return progress(
        target=target,
        direction=indicator.direction,
        year=year,
        start=_line_start(indicator.id, months, year),
        actual=(snapshot.as_of, snapshot.value),
    )


@dataclass(frozen=True)
class IndicatorTrend:
    """One indicator's month figures through the year, and the line to its target."""

    indicator: Indicator
    months: tuple[Period, ...]
    values: tuple[float | None, ...]
    target: float | None
    line: tuple[float | None, ...] | None

    @property
    def rows(self):
        line = self.line or (None,) * len(self.months)
        return tuple(zip(self.months, self.values, line, strict=True))


def _indicator_trend(
    item: Indicator, year: int, months: Months, target: float | None
) -> IndicatorTrend:
    """From the months and the target ``follow_up`` has read: no query of its own."""
    codes = sorted({code for code, id in months if id == item.id and code.startswith(f"{year}-")})
    shown = tuple(Period.parse(code) for code in codes)
    line = None
    if target is not None:
        start = _line_start(item.id, months, year)
        line = tuple(
            line_value(target=target, year=year, start=start, day=months[(m.code, item.id)][0])
            for m in shown
        )
    return IndicatorTrend(
        indicator=item,
        months=shown,
        values=tuple(months[(m.code, item.id)][1] for m in shown),
        target=target,
        line=line,
    )


def _trend(
    period: Period, indicators: tuple[Indicator, ...], months: Months
) -> tuple[TrendRow, ...]:
    """Each month of the period's year up to the period's end that has a snapshot."""
    year = f"{period.start.year}-"
    codes = sorted({code for code, _id in months if code.startswith(year)})
    return tuple(
        TrendRow(
            Period.parse(code),
            tuple(months.get((code, i.id), (None, None))[1] for i in indicators),
        )
        for code in codes
    )


def breakdown(period: Period, dimension: Dimension, page_number) -> Breakdown:
    """The headline figures of the period by ``dimension``, one page of its values, each
    against its target where one is set for that value: five queries (the count and the
    page of values, ordered by name, their figures, their months and their targets)."""
    indicators = tuple(indicator(id) for id in HEADLINE)
    values = (
        Snapshot.objects.of_period(period)
        .filter(dimension=dimension, indicator=HEADLINE[0])
        .order_by("dimension_label", "dimension_value")
        .values_list("dimension_value", "dimension_label")
    )
    page = Paginator(values, BREAKDOWN_PAGE_SIZE).get_page(page_number)
    names = dict(page.object_list)
    shown = list(names)
    cells = {
        (row.dimension_value, row.indicator): row
        for row in Snapshot.objects.of_period(period).filter(
            dimension=dimension,
            dimension_value__in=shown,
            indicator__in=[i.id for i in indicators],
        )
    }
    year = period.start.year
    targets = {
        (target.dimension_value, target.indicator): target.value
        for target in Target.objects.filter(
            year=year, dimension=dimension, dimension_value__in=shown
        )
    }
    months = _months_of(period, dimension, {value for value, _id in targets})

    def cell(item: Indicator, value: str) -> BreakdownCell | None:
        snapshot = cells.get((value, item.id))
        if snapshot is None:
            return None
        target = targets.get((value, item.id))
        progress = _progress(item, snapshot, target, months.get(value, {}), period)
        return _cell(ShownFigure(item, snapshot, progress), dimension, value)

    return Breakdown(
        dimension=dimension,
        indicators=indicators,
        page=page,
        rows=tuple(
            BreakdownRow(
                value=value,
                label=value_label(dimension, value, names[value]),
                cells=tuple(cell(i, value) for i in indicators),
            )
            for value in shown
        ),
    )


def _cell(figure: ShownFigure, dimension: Dimension, value: str) -> BreakdownCell:
    # The overview's filters are named as the dimensions are.
    return BreakdownCell(figure, figure.overview_url(**{dimension.value: value}))
