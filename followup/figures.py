"""Every indicator on a day, for the region and broken down by each dimension, as
``GROUP BY`` queries over the compliance timeline.

One query per source and dimension computes every indicator of that source at once, each
as a filtered aggregate (``COUNT(*) FILTER (WHERE ...)``), so the number of queries is the
same for 50 clinics as for 20,000, and nothing is evaluated per clinic in Python: what
comes back is one row per dimension value.

The area and requirement rows are broken down by the attributes on the clinic's status
row of the same day (a join), so that a clinic that moved municipality in March counts
where it was on each day.
"""

import operator
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from functools import reduce

from django.conf import settings
from django.db.models import (
    DateField,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone, translation

from clinics.models import (
    AreaStatusPeriod,
    ClinicStatusPeriod,
    Provider,
    Report,
    ReportEvent,
    ReportingRound,
    ReportState,
    RequirementStatusPeriod,
)
from followup.indicators import Dimension, Indicator, Source, dimension_choices, of_source
from requirements.models import CatalogueVersion
from requirements.selectors import catalogue_in_force


@dataclass(frozen=True)
class Figure:
    indicator: Indicator
    dimension: Dimension
    dimension_value: str  # "" for the region
    numerator: float
    denominator: float | None
    dimension_label: str = ""  # the value's name, in the region's language

    @property
    def value(self) -> float | None:
        return self.indicator.value(self.numerator, self.denominator)


@dataclass(frozen=True)
class Figures:
    """What the indicators were at the end of ``as_of``."""

    as_of: date
    catalogue_version: CatalogueVersion | None
    round: ReportingRound | None
    figures: tuple[Figure, ...]

    def __iter__(self) -> Iterator[Figure]:
        return iter(self.figures)

    def __len__(self) -> int:
        return len(self.figures)


# The queries a computation issues, for the progress of a recompute: one per source and
# dimension.
STEPS = len(Source) * len(Dimension)


def figures_on(day: date, *, progress: Callable[[int, int], None] | None = None) -> Figures:
    """Every indicator at the end of ``day``, for the region and by each dimension.

    ``progress(done, total)`` is called after each query, for a recompute's progress bar.
    """
    round = round_in_progress(day)
    figures: list[Figure] = []
    done = 0
    for source in Source:
        indicators = of_source(source)
        rows = _source_rows(source, day, round)
        for dimension in Dimension:
            if rows is not None and indicators:
                figures.extend(_grouped(rows, indicators, dimension, source, day))
            done += 1
            if progress is not None:
                progress(done, STEPS)
    return Figures(
        as_of=day,
        catalogue_version=catalogue_in_force(day),
        round=round,
        figures=_named(figures),
    )


def _named(figures: list[Figure]) -> tuple[Figure, ...]:
    """Each figure with its value's name, in the region's language (a care provider's
    name as it is now: the day's name, for a snapshot of yesterday). One query."""
    providers = {str(pk): name for pk, name in Provider.objects.values_list("pk", "name")}
    with translation.override(settings.LANGUAGE_CODE):
        labels = {
            dimension: {value: str(label) for value, label in dimension_choices(dimension)}
            for dimension in Dimension
        }
    named = []
    for figure in figures:
        if figure.dimension == Dimension.PROVIDER:
            label = providers.get(figure.dimension_value, "")
        else:
            label = labels[figure.dimension].get(figure.dimension_value, "")
        named.append(replace(figure, dimension_label=label))
    return tuple(named)


def round_in_progress(day: date) -> ReportingRound | None:
    """The round opened last by the end of ``day`` and still open at its end (a round
    closed that day has frozen its reports by then)."""
    _, end = _day_bounds(day)
    return (
        ReportingRound.objects.filter(opened_at__lt=end)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=end))
        .order_by("-opened_at")
        .first()
    )


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    start = datetime.combine(day, time.min, tzinfo=zone)
    return start, datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)


def _prefix(source: Source) -> str:
    """The path from a source's rows to the clinic's status row on the day."""
    return "" if source == Source.CLINIC else "day_clinic__"


def _source_rows(source: Source, day: date, round: ReportingRound | None) -> QuerySet | None:
    """The rows an indicator of ``source`` counts on ``day``, or None if there are none."""
    if source == Source.CLINIC:
        return ClinicStatusPeriod.objects.on(day).filter(active=True)
    if source == Source.ROUND:
        if round is None:
            return None
        _, end = _day_bounds(day)
        state_then = (
            ReportEvent.objects.filter(report=OuterRef("pk"), at__lt=end)
            .order_by("-at", "-pk")
            .values("to_state")[:1]
        )
        return _with_day_clinic(
            Report.objects.filter(round=round, created_at__lt=end), day
        ).annotate(
            state_then=Coalesce(Subquery(state_then), Value(ReportState.DRAFT.value)),
            as_of=Value(day, output_field=DateField()),
        )
    model = AreaStatusPeriod if source == Source.AREA else RequirementStatusPeriod
    return _with_day_clinic(model.objects.on(day), day).filter(day_clinic__active=True)


def _with_day_clinic(rows: QuerySet, day: date) -> QuerySet:
    return rows.annotate(
        day_clinic=FilteredRelation(
            "clinic__clinicstatusperiod",
            condition=Q(
                clinic__clinicstatusperiod__valid_from__lte=day,
                clinic__clinicstatusperiod__valid_to__gt=day,
            ),
        )
    )


def _grouped(
    rows: QuerySet,
    indicators: tuple[Indicator, ...],
    dimension: Dimension,
    source: Source,
    day: date,
) -> list[Figure]:
    """One query: the source's rows grouped by the dimension's value, with every
    indicator's numerator and denominator as filtered aggregates."""
    aggregates = {}
    for index, indicator in enumerate(indicators):
        aggregates[f"n{index}"] = indicator.numerator.aggregate(indicator.scope, day)
        if indicator.denominator is not None:
            aggregates[f"d{index}"] = indicator.denominator.aggregate(indicator.scope, day)
    rows = rows.order_by()
    # Only the rows some indicator is about (where each is about some): a few of the forty
    # requirement rows of each clinic, not all of them.
    scopes = [indicator.scope for indicator in indicators]
    if all(scopes):
        rows = rows.filter(reduce(operator.or_, scopes))
    if dimension.field is None:
        groups = [{"key": "", **rows.aggregate(**aggregates)}]
    else:
        key = _prefix(source) + dimension.field
        groups = rows.values(key).annotate(**aggregates)
        groups = [
            {"key": "" if (value := group.pop(key)) is None else str(value), **group}
            for group in groups
        ]
    figures = []
    for group in groups:
        for index, indicator in enumerate(indicators):
            denominator = group.get(f"d{index}")
            if indicator.denominator is not None and not denominator:
                continue  # nothing to share: no figure rather than a share of nothing
            figures.append(
                Figure(
                    indicator=indicator,
                    dimension=dimension,
                    dimension_value=group["key"],
                    numerator=float(group[f"n{index}"] or 0),
                    denominator=None if denominator is None else float(denominator),
                )
            )
    return figures
