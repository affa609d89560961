"""The preview of a catalogue revision's impact on the clinics, which the apps above the
catalogue compute (``clinics.catalogue_preview``) and register here from their ``ready()``:
the catalogue's command shows it without importing them."""

from collections.abc import Callable
from datetime import date

from requirements.catalogue_parse import ParsedCatalogue

ImpactOf = Callable[[ParsedCatalogue, date | None], object]

_impact_of: ImpactOf | None = None


def register_impact(impact_of: ImpactOf) -> None:
    global _impact_of
    _impact_of = impact_of


def impact(catalogue: ParsedCatalogue, on: date | None = None):
    """The revision's impact on the clinics, or None when no app computes one."""
    return None if _impact_of is None else _impact_of(catalogue, on)
