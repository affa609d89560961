from collections import defaultdict
from datetime import date

from requirements.compliance import CatalogueRules
from requirements.models import Area, CatalogueVersion, Requirement
from requirements.timeline import CatalogueEdition


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


def catalogue_editions() -> tuple[CatalogueEdition, ...]:
    """Every catalogue version as rules, by effective date and revision, in three queries:
    the timeline judges each day against the version in force on it."""
    versions = list(CatalogueVersion.objects.order_by("effective_from", "revision"))
    areas: dict[int, list[Area]] = defaultdict(list)
    for area in Area.objects.order_by("version_id", "position"):
        areas[area.version_id].append(area)
    requirements: dict[int, list[Requirement]] = defaultdict(list)
    for requirement in Requirement.objects.select_related("area").order_by(
        "version_id", "position"
    ):
        requirements[requirement.version_id].append(requirement)
    return tuple(
        CatalogueEdition(
            version_id=version.pk,
            effective_from=version.effective_from,
            revision=version.revision,
            rules=CatalogueRules(
                areas=tuple(area.to_rule() for area in areas[version.pk]),
                requirements=tuple(r.to_rule() for r in requirements[version.pk]),
            ),
            requirement_ids={r.code: r.pk for r in requirements[version.pk]},
            area_ids={area.code: area.pk for area in areas[version.pk]},
        )
        for version in versions
    )
