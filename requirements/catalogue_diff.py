"""What a catalogue file changes against a stored version, requirement by requirement and
field by field: the first part of a revision's preview. Pure: it compares plain values."""

from dataclasses import asdict, dataclass

from requirements.catalogue_parse import (
    OPTIONAL_REQUIREMENT_KEYS,
    REQUIREMENT_KEYS,
    ParsedCatalogue,
)
from requirements.models import CatalogueVersion, Requirement

# The fields compared, as the file and the database both hold them: a requirement's area,
# and every key of the file but its code.
COMPARED_FIELDS = (
    "area",
    *(key for key in REQUIREMENT_KEYS if key != "code"),
    *OPTIONAL_REQUIREMENT_KEYS,
)

# The fields that change what a clinic is asked: a change to one of them asks for a new
# answer (applicability or exemption rules change how an answer is judged, not the answer).
ASKED_FIELDS = frozenset({"name_sv", "description_sv", "may_be_not_applicable", "asks_channel"})


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: object
    new: object


@dataclass(frozen=True)
class RequirementChange:
    code: str
    changes: tuple[FieldChange, ...]

    @property
    def asks_anew(self) -> bool:
        return any(change.field in ASKED_FIELDS for change in self.changes)


@dataclass(frozen=True)
class CatalogueDiff:
    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[RequirementChange, ...]

    @property
    def asked_anew(self) -> frozenset[str]:
        """The codes a clinic must answer anew: added, or changed in what is asked."""
        return frozenset(self.added) | {c.code for c in self.changed if c.asks_anew}


def compare(old: dict[str, dict], new: dict[str, dict]) -> CatalogueDiff:
    """``old`` and ``new``: requirement code -> its fields (``COMPARED_FIELDS``)."""
    changed = []
    for code in new:
        if code not in old:
            continue
        changes = tuple(
            FieldChange(field, old[code].get(field), new[code].get(field))
            for field in COMPARED_FIELDS
            if _canonical(old[code].get(field)) != _canonical(new[code].get(field))
        )
        if changes:
            changed.append(RequirementChange(code, changes))
    return CatalogueDiff(
        added=tuple(code for code in new if code not in old),
        removed=tuple(code for code in old if code not in new),
        changed=tuple(changed),
    )


def _canonical(value):
    """Lists compare as sets of their items: the order of allowed values carries nothing."""
    if isinstance(value, list):
        return sorted(_canonical(item) for item in value)
    if isinstance(value, dict):
        return tuple(sorted((key, repr(_canonical(item))) for key, item in value.items()))
    return value


def stored_fields(version: CatalogueVersion) -> dict[str, dict]:
    """A stored version's requirements, in catalogue order, as ``compare`` takes them."""
    rows = Requirement.objects.filter(version=version).select_related("area").order_by("position")
    return {
        row.code: {
            "area": row.area.code,
            **{field: getattr(row, field) for field in COMPARED_FIELDS if field != "area"},
        }
        for row in rows
    }


def parsed_fields(catalogue: ParsedCatalogue) -> dict[str, dict]:
    """A catalogue file's requirements, in its order, as ``compare`` takes them."""
    return {
        requirement.code: {"area": area.code, **asdict(requirement)}
        for area in catalogue.areas
        for requirement in area.requirements
    }
