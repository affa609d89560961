"""Store a parsed requirement catalogue as a version that is never rewritten.

``import_catalogue`` stores a file as a new ``CatalogueVersion`` unless the same content is
already stored; a version's rows are never rewritten, so compliance on a past date can
always be reconstructed. Parsing and validation live in ``requirements.catalogue_parse``.
"""

from pathlib import Path

from django.db import IntegrityError, transaction
from django.db.models import Max

from requirements.catalogue_fields import CatalogueError, CatalogueProblem
from requirements.catalogue_parse import ParsedCatalogue, parse_catalogue
from requirements.models import Area, CatalogueVersion, Requirement
from requirements.signals import catalogue_version_stored

__all__ = [
    "DEFAULT_CATALOGUE_PATH",
    "CatalogueError",
    "CatalogueProblem",
    "ParsedCatalogue",
    "import_catalogue",
    "import_catalogue_text",
    "parse_catalogue",
]

DEFAULT_CATALOGUE_PATH = Path(__file__).resolve().parent / "catalogue" / "rs220477.yaml"


def import_catalogue(path: Path | str) -> tuple[CatalogueVersion, bool]:
    """Store the catalogue file as a version; ``(version, created)``.

    The same content (by hash) returns the stored version. Changed content becomes the next
    revision of its decision; earlier revisions are left exactly as they are. Raises
    ``OSError`` when the file cannot be read and ``CatalogueError`` when it is invalid.
    """
    path = Path(path)
    return import_catalogue_text(path.read_text(encoding="utf-8"), source_name=path.name)


def import_catalogue_text(text: str, *, source_name: str) -> tuple[CatalogueVersion, bool]:
    """``import_catalogue`` for a file's text (an upload); ``CatalogueError`` if invalid."""
    catalogue = parse_catalogue(text)
    content_hash = catalogue.content_hash()
    # Two imports at once collide on the unique hash or revision; the loser looks again.
    for attempt in range(3):
        existing = CatalogueVersion.objects.filter(content_hash=content_hash).first()
        if existing is not None:
            return existing, False
        try:
            return _store(catalogue, content_hash, source_name=source_name), True
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


@transaction.atomic
def _store(catalogue: ParsedCatalogue, content_hash: str, *, source_name: str) -> CatalogueVersion:
    latest = CatalogueVersion.objects.filter(decision_id=catalogue.decision_id).aggregate(
        latest=Max("revision")
    )["latest"]
    version = CatalogueVersion.objects.create(
        decision_id=catalogue.decision_id,
        decision_date=catalogue.decision_date,
        effective_from=catalogue.effective_from,
        title=catalogue.title,
        title_en=catalogue.title_en,
        revision=(latest or 0) + 1,
        content_hash=content_hash,
        source_name=source_name[: CatalogueVersion._meta.get_field("source_name").max_length],
    )
    requirements = []
    position = 0
    for area_position, parsed_area in enumerate(catalogue.areas):
        area = Area.objects.create(
            version=version,
            code=parsed_area.code,
            name_sv=parsed_area.name_sv,
            name_en=parsed_area.name_en,
            in_baseline=parsed_area.in_baseline,
            position=area_position,
            minimums=parsed_area.minimums,
        )
        for parsed in parsed_area.requirements:
            requirements.append(
                Requirement(
                    version=version,
                    area=area,
                    code=parsed.code,
                    name_sv=parsed.name_sv,
                    name_en=parsed.name_en,
                    description_sv=parsed.description_sv,
                    description_en=parsed.description_en,
                    decision_section=parsed.decision_section,
                    applies_when=parsed.applies_when,
                    may_be_not_applicable=parsed.may_be_not_applicable,
                    exemption_kinds=parsed.exemption_kinds,
                    permanent_exemption_allowed=parsed.permanent_exemption_allowed,
                    asks_channel=parsed.asks_channel,
                    level=parsed.level,
                    approval_required=parsed.approval_required,
                    applies_if_channel=parsed.applies_if_channel,
                    exemption_rules=parsed.exemption_rules,
                    position=position,
                )
            )
            position += 1
    Requirement.objects.bulk_create(requirements)
    catalogue_version_stored.send(sender=CatalogueVersion, version=version)
    return version
