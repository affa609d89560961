"""Read the requirement catalogue from YAML and validate all of it, without a database.

``parse_catalogue`` turns the text into plain dataclasses or raises one ``CatalogueError``
listing every problem, so a broken file is rejected before anything is written
(``requirements.catalogue_import`` stores what it returns).
"""

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from requirements import catalogue_fields as fields
from requirements import catalogue_rule_kinds as rule_kinds
from requirements.catalogue_fields import CatalogueError
from requirements.compliance import PROFILE_ATTRIBUTES, CatalogueRules
from requirements.models import Area, CatalogueVersion, Requirement
from requirements.stored_rules import area_rule, requirement_rule
from requirements.vocabulary import (
    CareType,
    ClinicKind,
    ContractForm,
    ExemptionKind,
    ProviderKind,
    RequirementLevel,
)

# The values each clinic attribute in an applicability condition may take.
PROFILE_VALUES: dict[str, frozenset[str]] = {
    "kind": frozenset(ClinicKind.values),
    "care_type": frozenset(CareType.values),
    "provider_kind": frozenset(ProviderKind.values),
    "contract_form": frozenset(ContractForm.values),
}
assert set(PROFILE_VALUES) == set(PROFILE_ATTRIBUTES)

# Codes are stable ASCII identifiers: areas are slugs, requirements "area.slug".
_SLUG = re.compile(r"^[a-z0-9_]+$")

_CATALOGUE_KEYS = ("decision_id", "decision_date", "effective_from", "title", "title_en", "areas")
_AREA_KEYS = ("code", "name_sv", "name_en", "in_baseline", "requirements")
# Rules a revision may state; a file without them is judged as revision 1 was.
_OPTIONAL_AREA_KEYS = ("minimums",)
REQUIREMENT_KEYS = (
    "code",
    "name_sv",
    "name_en",
    "description_sv",
    "description_en",
    "decision_section",
    "applies_when",
    "may_be_not_applicable",
    "exemption_kinds",
    "permanent_exemption_allowed",
    "asks_channel",
)
OPTIONAL_REQUIREMENT_KEYS = (
    "level",
    "approval_required",
    "applies_if_channel",
    "exemption_rules",
)


@dataclass(frozen=True)
class ParsedRequirement:
    code: str
    name_sv: str
    name_en: str
    description_sv: str
    description_en: str
    decision_section: str
    # As stored: a list of {attribute: [values]} conditions, values sorted.
    applies_when: list[dict[str, list[str]]]
    may_be_not_applicable: bool
    exemption_kinds: list[str]
    permanent_exemption_allowed: bool
    asks_channel: bool
    level: str = RequirementLevel.REQUIRED.value
    approval_required: bool = False
    # {"area": code, "channels": [...]}: applies only when an answer in the area names one.
    applies_if_channel: dict | None = None
    # [{"kind", "reasons", "alternative_required", "while_met"}], one per exemption kind.
    exemption_rules: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class ParsedArea:
    code: str
    name_sv: str
    name_en: str
    in_baseline: bool
    requirements: list[ParsedRequirement]
    # [{"requirements": [codes], "at_least_met": n, "not_all_not_applicable": bool}]
    minimums: list[dict] = field(default_factory=list)


# The optional rules at their defaults, left out of the content hash: a file that states
# none of them hashes as it did before they existed (revision 1 stays revision 1).
_REQUIREMENT_DEFAULTS = {
    "level": RequirementLevel.REQUIRED.value,
    "approval_required": False,
    "applies_if_channel": None,
    "exemption_rules": [],
}
_AREA_DEFAULTS = {"minimums": []}


def _without_defaults(item: dict, defaults: dict) -> dict:
    return {key: value for key, value in item.items() if defaults.get(key, object()) != value}


@dataclass(frozen=True)
class ParsedCatalogue:
    decision_id: str
    decision_date: date
    effective_from: date
    title: str
    title_en: str
    areas: list[ParsedArea]

    @property
    def requirements(self) -> list[ParsedRequirement]:
        return [requirement for area in self.areas for requirement in area.requirements]

    def rules(self) -> CatalogueRules:
        """The catalogue as the pure rules judge it, without storing it."""
        return CatalogueRules(
            areas=tuple(area_rule(**asdict(area)) for area in self.areas),
            requirements=tuple(
                requirement_rule(area_code=area.code, **asdict(requirement))
                for area in self.areas
                for requirement in area.requirements
            ),
        )

    def content_hash(self) -> str:
        """sha256 of a canonical JSON dump: layout and comments in the file do not count."""
        content = asdict(self)
        content["areas"] = [
            {
                **_without_defaults(area, _AREA_DEFAULTS),
                "requirements": [
                    _without_defaults(requirement, _REQUIREMENT_DEFAULTS)
                    for requirement in area["requirements"]
                ],
            }
            for area in content["areas"]
        ]
        canonical = json.dumps(
            content,
            sort_keys=True,
            ensure_ascii=False,
            separators=(",", ":"),
            default=lambda value: value.isoformat(),
        )
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _applies_when(
    data: dict, prefix: str, problems: fields.Problems
) -> list[dict[str, list[str]]]:
    conditions = []
    for index, condition in enumerate(fields.listed(data, "applies_when", prefix, problems)):
        condition_path = f"{prefix}applies_when[{index}]"
        if not isinstance(condition, dict) or not condition:
            problems.add(
                condition_path,
                _(
                    "A condition must be a non-empty mapping from an attribute to a list "
                    "of allowed values, e.g. care_type: [health]."
                ),
            )
            continue
        parsed: dict[str, list[str]] = {}
        for attribute, values in condition.items():
            attribute_path = f"{condition_path}.{attribute}"
            if attribute not in PROFILE_VALUES:
                problems.add(
                    attribute_path,
                    _("Unknown clinic attribute; the allowed ones are: %(attributes)s.")
                    % {"attributes": ", ".join(PROFILE_ATTRIBUTES)},
                )
                continue
            if not isinstance(values, list) or not values:
                problems.add(attribute_path, _("The value must be a non-empty list."))
                continue
            allowed = PROFILE_VALUES[attribute]
            for value_index, value in enumerate(values):
                if not isinstance(value, str) or value not in allowed:
                    problems.add(
                        f"{attribute_path}[{value_index}]",
                        _("Unknown value %(value)r; the allowed values are: %(allowed)s.")
                        % {"value": value, "allowed": ", ".join(sorted(allowed))},
                    )
            # The values form a set; sorting keeps the stored form and the hash canonical.
            parsed[attribute] = sorted({value for value in values if value in allowed})
        conditions.append(parsed)
    return conditions


def _exemption_kinds(data: dict, prefix: str, problems: fields.Problems) -> list[str]:
    kinds: list[str] = []
    for index, kind in enumerate(fields.listed(data, "exemption_kinds", prefix, problems)):
        path = f"{prefix}exemption_kinds[{index}]"
        if not isinstance(kind, str) or kind not in ExemptionKind.values:
            problems.add(
                path,
                _("Unknown exemption %(kind)r; the allowed ones are: %(allowed)s.")
                % {"kind": kind, "allowed": ", ".join(ExemptionKind.values)},
            )
        elif kind in kinds:
            problems.add(path, _("The exemption is listed twice."))
        else:
            kinds.append(kind)
    # Judged on the list as written, so an unknown kind is not reported twice.
    if fields.boolean(data, "permanent_exemption_allowed", prefix, problems) and not data.get(
        "exemption_kinds"
    ):
        problems.add(
            f"{prefix}permanent_exemption_allowed",
            _(
                "Exemptions until further notice can only be allowed for requirements that "
                "have allowed exemptions."
            ),
        )
    return kinds


def _check_references(catalogue: ParsedCatalogue, problems: fields.Problems) -> None:
    """The codes the rules name exist where they must: a minimum's requirements in its
    area, a demanded requirement and a channel's area in the catalogue."""
    codes = {requirement.code for requirement in catalogue.requirements}
    areas = {area.code for area in catalogue.areas}
    for area_index, area in enumerate(catalogue.areas):
        own = {requirement.code for requirement in area.requirements}
        for index, minimum in enumerate(area.minimums):
            for code in minimum["requirements"]:
                if code not in own:
                    problems.add(
                        f"areas[{area_index}].minimums[{index}].requirements",
                        _("%(code)s is not a requirement of the area.") % {"code": code},
                    )
        for requirement_index, requirement in enumerate(area.requirements):
            path = f"areas[{area_index}].requirements[{requirement_index}]"
            condition = requirement.applies_if_channel
            if condition and condition["area"] and condition["area"] not in areas:
                problems.add(
                    f"{path}.applies_if_channel.area",
                    _("%(code)s is not an area of the catalogue.") % {"code": condition["area"]},
                )
            for index, rule in enumerate(requirement.exemption_rules):
                if rule["while_met"] and rule["while_met"] not in codes:
                    problems.add(
                        f"{path}.exemption_rules[{index}].while_met",
                        _("%(code)s is not a requirement of the catalogue.")
                        % {"code": rule["while_met"]},
                    )


def _parse_requirement(
    data: Any, area_code: str, path: str, problems: fields.Problems
) -> ParsedRequirement | None:
    if not isinstance(data, dict):
        problems.add(path, _("A requirement must be a mapping with keys."))
        return None
    prefix = f"{path}."
    fields.check_keys(data, REQUIREMENT_KEYS, prefix, problems, OPTIONAL_REQUIREMENT_KEYS)

    def text(key: str) -> str:
        max_length = Requirement._meta.get_field(key).max_length
        return fields.text(data, key, prefix, problems, max_length)

    code = text("code")
    problems.check_unique("requirement", code, f"{prefix}code")
    slug = code.removeprefix(f"{area_code}.")
    if code and not (code.startswith(f"{area_code}.") and _SLUG.match(slug)):
        problems.add(
            f"{prefix}code",
            _(
                "A requirement's code must be the area's code, a full stop and lowercase "
                "letters a–z, digits or underscores, e.g. %(example)s."
            )
            % {"example": f"{area_code}.exempel"},
        )
    return ParsedRequirement(
        code=code,
        name_sv=text("name_sv"),
        name_en=text("name_en"),
        description_sv=text("description_sv"),
        description_en=text("description_en"),
        decision_section=text("decision_section"),
        applies_when=_applies_when(data, prefix, problems),
        may_be_not_applicable=fields.boolean(data, "may_be_not_applicable", prefix, problems),
        exemption_kinds=_exemption_kinds(data, prefix, problems),
        permanent_exemption_allowed=data.get("permanent_exemption_allowed") is True,
        asks_channel=fields.boolean(data, "asks_channel", prefix, problems),
        level=fields.choice(data, "level", RequirementLevel, prefix, problems),
        approval_required=fields.boolean(data, "approval_required", prefix, problems),
        applies_if_channel=rule_kinds.channel_condition(data, prefix, problems),
        exemption_rules=rule_kinds.exemption_rules(data, prefix, problems),
    )


def _parse_area(data: Any, path: str, problems: fields.Problems) -> ParsedArea | None:
    if not isinstance(data, dict):
        problems.add(path, _("An area must be a mapping with keys."))
        return None
    prefix = f"{path}."
    fields.check_keys(data, _AREA_KEYS, prefix, problems, _OPTIONAL_AREA_KEYS)

    def text(key: str) -> str:
        return fields.text(data, key, prefix, problems, Area._meta.get_field(key).max_length)

    code = text("code")
    problems.check_unique("area", code, f"{prefix}code")
    if code and not _SLUG.match(code):
        problems.add(
            f"{prefix}code",
            _("An area's code may only contain lowercase letters a–z, digits and underscores."),
        )
    raw_requirements = fields.listed(
        data,
        "requirements",
        prefix,
        problems,
        non_empty=_("An area must have at least one requirement."),
    )
    requirements = [
        _parse_requirement(raw, code, f"{prefix}requirements[{index}]", problems)
        for index, raw in enumerate(raw_requirements)
    ]
    return ParsedArea(
        code=code,
        name_sv=text("name_sv"),
        name_en=text("name_en"),
        in_baseline=fields.boolean(data, "in_baseline", prefix, problems),
        requirements=[requirement for requirement in requirements if requirement],
        minimums=rule_kinds.minimums(data, prefix, problems),
    )


def parse_catalogue(text: str) -> ParsedCatalogue:
    """Validate the whole catalogue text; raise ``CatalogueError`` naming every problem."""
    problems = fields.Problems()
    data = fields.load_yaml(text, problems)
    if data is not None and not isinstance(data, dict):
        problems.add("", _("The file must contain a mapping with keys at the top level."))
    if not isinstance(data, dict):
        raise CatalogueError(problems.items)

    fields.check_keys(data, _CATALOGUE_KEYS, "", problems)
    raw_areas = fields.listed(
        data, "areas", "", problems, non_empty=_("The catalogue must have at least one area.")
    )
    areas = [_parse_area(raw, f"areas[{index}]", problems) for index, raw in enumerate(raw_areas)]
    title_length = CatalogueVersion._meta.get_field("title").max_length
    catalogue = ParsedCatalogue(
        decision_id=fields.text(
            data,
            "decision_id",
            "",
            problems,
            CatalogueVersion._meta.get_field("decision_id").max_length,
        ),
        decision_date=fields.date_value(data, "decision_date", "", problems),
        effective_from=fields.date_value(data, "effective_from", "", problems),
        title=fields.text(data, "title", "", problems, title_length),
        title_en=fields.text(data, "title_en", "", problems, title_length),
        areas=[area for area in areas if area],
    )
    _check_references(catalogue, problems)
    if problems.items:
        raise CatalogueError(problems.items)
    return catalogue
