"""The follow-up page: how the region is doing, read from the snapshots through
``followup.dashboard``."""

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from clinics import access
from clinics.selectors import awaiting_role_count
from followup.charts import bar_chart, trend_chart
from followup.dashboard import (
    Breakdown,
    IndicatorTrend,
    breakdown,
    default_period,
    follow_up,
    snapshot_periods,
)
from followup.figures import exemptions_ending
from followup.formatting import formatted
from followup.forms import RecomputeForm
from followup.indicators import ENDING_SOON_DAYS, HEADLINE, INDICATORS
from followup.models import Recompute
from followup.periods import Period, PeriodKind
from followup.vocabulary import Dimension
from requirements.models import in_language


class FollowUpForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"), required=False)
    dimension = forms.ChoiceField(
        label=_("Broken down by"),
        required=False,
        choices=[(d.value, d.label) for d in Dimension if d != Dimension.REGION],
    )

    trend = forms.ChoiceField(
        label=_("Trend of"),
        required=False,
        choices=[(i.id, i.name) for i in INDICATORS],
        initial=HEADLINE[0],
    )

    def __init__(self, data, *, periods: list[Period]):
        super().__init__(data)
        self.fields["period"].choices = [(p.code, period_label(p)) for p in periods]


def period_label(period: Period) -> str:
    if period.kind == PeriodKind.MONTH:
        return formats.date_format(period.start, "YEAR_MONTH_FORMAT").capitalize()
    if period.kind == PeriodKind.QUARTER:
        return _("Quarter %(quarter)s %(year)s") % {
            "quarter": period.code[-1],
            "year": period.start.year,
        }
    return _("The year %(year)s") % {"year": period.start.year}


# The exemptions ending soon the page lists; the figure above the list counts them all.
ENDING_SHOWN = 25


@access.role_required(access.sees_everything)
def follow_up_page(request: HttpRequest) -> HttpResponse:
    """How the region is doing: the figures of one period (the latest month by default),
    the year's trend and one breakdown, all read from the snapshots."""
    periods = snapshot_periods()
    form = FollowUpForm(request.GET or None, periods=periods)
    context = {"form": form, "periods": periods}
    if access.is_region_admin(request.user):
        context |= {
            "recompute_form": RecomputeForm(),
            "last_recompute": Recompute.objects.first(),
            "may_import_usage": True,
            "awaiting_role": awaiting_role_count(),
        }
    if form.is_bound and not form.is_valid():
        return render(request, "followup/follow_up.html", context, status=400)
    data = form.cleaned_data if form.is_bound else {}
    period = Period.parse(data["period"]) if data.get("period") else default_period(periods)
    if period is not None:
        form.fields["period"].initial = period.code  # the select shows the period shown
        dimension = Dimension(data.get("dimension") or Dimension.MUNICIPALITY)
        page = follow_up(period, data.get("trend") or HEADLINE[0])
        trend = page.chosen_trend if page else None
        by_dimension = breakdown(period, dimension, request.GET.get("page"))
        context |= {
            "period": period,
            "period_label": period_label(period),
            "follow_up": page,
            "breakdown": by_dimension,
            "breakdown_chart": _breakdown_chart(by_dimension),
            "trend": trend,
            "trend_chart": _trend_chart(trend, period) if trend and trend.months else None,
        }
        if page is not None:
            ending = exemptions_ending(page.as_of, ENDING_SOON_DAYS)
            context |= {
                "ending_days": ENDING_SOON_DAYS,
                "ending_exemptions": [
                    {**row, "requirement_name": in_language(row, "requirement_name")}
                    for row in ending[:ENDING_SHOWN]
                ],
                "ending_count": ending.count(),
            }
    return render(request, "followup/follow_up.html", context)


def _trend_chart(trend: IndicatorTrend, period: Period) -> str:
    name, year = trend.indicator.name, period.start.year
    if trend.target is None:
        description = _(
            "%(name)s at the end of each month of %(year)s. No target is set for the year. "
            "The numbers follow in the table below the chart."
        )
    else:
        description = _(
            "%(name)s at the end of each month of %(year)s, drawn with dots, and the dashed "
            "straight line from the start of the year to the year's target of %(target)s. "
            "The numbers follow in the table below the chart."
        )
    return trend_chart(
        trend.indicator,
        [formats.date_format(month.start, "M") for month in trend.months],
        trend.values,
        trend.line,
        title=_("%(name)s, month by month in %(year)s") % {"name": name, "year": year},
        description=description
        % {
            "name": name,
            "year": year,
            "target": formatted(trend.target, trend.indicator.unit),
        },
        value_label=str(name),
        target_label=str(_("The line to the target")),
    )


def _breakdown_chart(by_dimension: Breakdown) -> str | None:
    if not by_dimension.rows:
        return None
    first = by_dimension.indicators[0]
    dimension = by_dimension.dimension.label.lower()
    bars = [
        (row.label, row.cells[0].figure.value if row.cells[0] else None)
        for row in by_dimension.rows
    ]
    return bar_chart(
        first,
        bars,
        title=_("%(name)s by %(dimension)s") % {"name": first.name, "dimension": dimension},
        description=_(
            "A bar for each %(dimension)s shown, as long as its share. The numbers follow "
            "in the table below the chart, with every area beside them."
        )
        % {"dimension": dimension},
        value_label=str(first.name),
    )
