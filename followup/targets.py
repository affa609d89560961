"""Yearly targets: whether an indicator is on track, and the one service that sets them.

On track means at least where a straight line from the start of the year to the target
says the value should be on the day the figures are for (at most, for an indicator where
lower is better). The line starts at the value at the end of the previous year, or, when
there is none, at the year's first figure, as if it had been the value then.
"""

from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from clinics import access
from clinics.models import Provider, User
from followup.indicators import INDICATORS, indicator
from followup.models import Target
from followup.vocabulary import Dimension, Direction, Unit, dimension_choices
from halland_utbud.errors import ApplicationError, NotAllowed


@dataclass(frozen=True)
class TargetProgress:
    target: float
    actual: float | None
    expected: float | None
    on_track: bool | None  # None: nothing to judge (no figure yet)


def line_value(*, target: float, year: int, start: tuple[date, float] | None, day: date) -> float:
    """Where the straight line from ``start`` to the target at the end of ``year`` is on
    ``day``; the target itself without a start."""
    end = date(year, 12, 31)
    if start is None or start[0] >= end:
        return target
    first_day, first_value = start
    share_of_year = min(1.0, max(0.0, (day - first_day).days / (end - first_day).days))
    return first_value + (target - first_value) * share_of_year


def progress(
    *,
    target: float,
    direction: Direction,
    year: int,
    start: tuple[date, float] | None,
    actual: tuple[date, float | None] | None,
) -> TargetProgress:
    """Where the indicator stands against its yearly target.

    ``start`` is the line's first point (a day and the value then), ``actual`` the latest
    figure (its day and value).
    """
    if actual is None or actual[1] is None:
        return TargetProgress(target, None, None, None)
    day, value = actual
    expected = line_value(target=target, year=year, start=start, day=day)
    on_track = value >= expected if direction == Direction.HIGHER else value <= expected
    return TargetProgress(target, value, expected, on_track)


def _errors(
    indicator_id: str, year: int, dimension: str, dimension_value: str, value: float
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if indicator_id not in {i.id for i in INDICATORS}:
        errors["indicator"] = _("Choose one of the indicators.")
    if not 2022 <= year <= 2100:
        errors["year"] = _("Give a year from 2022, when the decision was taken.")
    if dimension not in Dimension.values:
        errors["dimension"] = _("Choose one of the dimensions.")
    elif dimension == Dimension.REGION:
        if dimension_value:
            errors["dimension_value"] = _("A target for the whole region has no value here.")
    elif not dimension_value:
        errors["dimension_value"] = _("Give the value the target is for.")
    elif dimension == Dimension.PROVIDER:
        if not (
            dimension_value.isdigit() and Provider.objects.filter(pk=dimension_value).exists()
        ):
            errors["dimension_value"] = _("There is no care provider with this id.")
    elif dimension_value not in dict(dimension_choices(Dimension(dimension))):
        errors["dimension_value"] = _("This is not a value of the dimension.")
    if "indicator" not in errors:
        unit = indicator(indicator_id).unit
        if value < 0 or (unit == Unit.SHARE and value > 1):
            errors["value"] = (
                _("A target share is from 0 to 100 %.")
                if unit == Unit.SHARE
                else _("A target number cannot be negative.")
            )
    return errors


@transaction.atomic
def save_target(
    *,
    actor: User,
    indicator_id: str,
    year: int,
    value: float,
    document: str,
    document_date: date,
    dimension: str = Dimension.REGION,
    dimension_value: str = "",
    target: Target | None = None,
) -> Target:
    """Set a yearly target (or change ``target``); only region admins do. The history
    keeps who set which value when."""
    if not access.is_region_admin(actor):
        raise NotAllowed(_("Only region administrators set the yearly targets."))
    dimension_value = dimension_value.strip()
    errors = _errors(indicator_id, year, dimension, dimension_value, value)
    if not document.strip():
        errors["document"] = _("Name the document the target is decided in.")
    if errors:
        raise ApplicationError(_("The target could not be saved."), extra={"errors": errors})
    target = Target.objects.select_for_update().get(pk=target.pk) if target else Target()
    target.indicator = indicator_id
    target.year = year
    target.dimension = dimension
    target.dimension_value = dimension_value
    target.value = value
    target.document = document.strip()
    target.document_date = document_date
    target._history_user = actor
    try:
        with transaction.atomic():
            target.save()
    except IntegrityError:
        field = "dimension_value" if dimension_value else "indicator"
        message = (
            _("The indicator already has a target that year for this value.")
            if dimension_value
            else _("The indicator already has a target for the region that year.")
        )
        raise ApplicationError(
            _("The target could not be saved."), extra={"errors": {field: message}}
        ) from None
    return target


@transaction.atomic
def delete_target(*, actor: User, target: Target) -> None:
    if not access.is_region_admin(actor):
        raise NotAllowed(_("Only region administrators set the yearly targets."))
    target._history_user = actor
    target.delete()
