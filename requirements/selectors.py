from datetime import date

from requirements.compliance import CatalogueRules
from requirements.models import Area, CatalogueVersion, Requirement


def catalogue_in_force(on_date: date) -> CatalogueVersion | None:
    return CatalogueVersion.objects.in_force(on_date)


def catalogue_rules(version: CatalogueVersion) -> CatalogueRules:
    """The version's areas and requirements as plain rules, in two queries."""
    areas = Area.objects.filter(version=version).order_by("position")
    requirements = (
        Requirement.objects.filter(version=version).select_related("area").order_by("position")
    )
    return CatalogueRules(
        areas=tuple(area.to_rule() for area in areas),
        requirements=tuple(requirement.to_rule() for requirement in requirements),
    )
