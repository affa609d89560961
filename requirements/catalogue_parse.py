"""Read the requirement catalogue from YAML and validate all of it, without a database.

``parse_catalogue`` turns the text into plain dataclasses or raises one ``CatalogueError``
listing every problem, so a broken file is rejected before anything is written
(``requirements.catalogue_import`` stores what it returns).
"""

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

import yaml
from django.utils.translation import gettext as _

from requirements.compliance import (
    PROFILE_ATTRIBUTES,
    CatalogueRules,
    area_rule,
    requirement_rule,
)
from requirements.models import Area, CatalogueVersion, Requirement
from requirements.vocabulary import (
    CareType,
    Channel,
    ClinicKind,
    ContractForm,
    ExemptionKind,
    ProviderKind,
    ReasonCategory,
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
_MINIMUM_KEYS = ("requirements", "at_least_met", "not_all_not_applicable")
_CHANNEL_CONDITION_KEYS = ("area", "channels")
_EXEMPTION_RULE_KEYS = ("kind", "reasons", "alternative_required", "while_met")


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


@dataclass(frozen=True)
class CatalogueProblem:
    key: str
    reason: str

    def __str__(self) -> str:
        return f"{self.key}: {self.reason}" if self.key else self.reason


class CatalogueError(Exception):
    """The catalogue file cannot be imported; ``problems`` lists every reason why."""

    def __init__(self, problems: list[CatalogueProblem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


class _Problems:
    """Collects every problem, and where each code was first seen to report duplicates."""

    def __init__(self) -> None:
        self.items: list[CatalogueProblem] = []
        self._code_paths: dict[tuple[str, str], str] = {}

    def add(self, key: str, reason: str) -> None:
        self.items.append(CatalogueProblem(key, reason))

    def check_unique(self, kind: str, code: str, path: str) -> None:
        if not code:
            return
        first = self._code_paths.setdefault((kind, code), path)
        if first != path:
            self.add(
                path,
                _("The code %(code)s is already used in %(other)s.")
                % {"code": code, "other": first},
            )


class _DuplicateKeyLoader(yaml.SafeLoader):
    """A safe loader that records keys repeated in one mapping instead of keeping the last.

    Plain YAML loading silently drops the first of two equal keys, which would hide a
    mistake in the catalogue.
    """

    def __init__(self, stream) -> None:
        super().__init__(stream)
        self.duplicates: list[tuple[str, int]] = []

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                key = key_node.value
                if key in seen:
                    self.duplicates.append((key, key_node.start_mark.line + 1))
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _load_yaml(text: str, problems: _Problems) -> Any:
    loader = _DuplicateKeyLoader(text)
    try:
        data = loader.get_single_data()
    except yaml.YAMLError as error:
        problems.add("", _("The file is not valid YAML: %(error)s") % {"error": error})
        return None
    finally:
        loader.dispose()
    for key, line in loader.duplicates:
        problems.add(
            key,
            _("The key occurs twice in the same section (line %(line)d).") % {"line": line},
        )
    return data


def _check_keys(
    data: dict,
    expected: tuple[str, ...],
    prefix: str,
    problems: _Problems,
    optional: tuple[str, ...] = (),
) -> None:
    for key in expected:
        if key not in data:
            problems.add(f"{prefix}{key}", _("The key is missing."))
    allowed = (*expected, *optional)
    for key in data:
        if key not in allowed:
            problems.add(
                f"{prefix}{key}",
                _("Unknown key; the allowed keys are: %(keys)s.") % {"keys": ", ".join(allowed)},
            )


# The field readers below take the mapping, its key and the mapping's path prefix (e.g.
# "areas[2]." or "" at the top); they report a wrong value and return a harmless stand-in,
# so that validation goes on and every problem is found in one pass. A missing key is
# already reported by _check_keys.


def _text(data: dict, key: str, prefix: str, problems: _Problems, max_length: int | None) -> str:
    value, path = data.get(key), f"{prefix}{key}"
    if key not in data:
        return ""
    if not isinstance(value, str):
        problems.add(path, _("The value must be a text."))
        return ""
    value = value.strip()
    if not value:
        problems.add(path, _("The text must not be empty."))
    elif max_length is not None and len(value) > max_length:
        problems.add(
            path,
            _("The text is %(length)d characters long; at most %(max)d characters are allowed.")
            % {"length": len(value), "max": max_length},
        )
    return value


def _bool(data: dict, key: str, prefix: str, problems: _Problems) -> bool:
    value = data.get(key, False)
    if not isinstance(value, bool):
        problems.add(f"{prefix}{key}", _("The value must be true or false."))
        return False
    return value


def _date(data: dict, key: str, prefix: str, problems: _Problems) -> date:
    value = data.get(key)
    if key not in data:
        return date.min
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    problems.add(f"{prefix}{key}", _("The value must be a date in the form YYYY-MM-DD."))
    return date.min


def _list(data: dict, key: str, prefix: str, problems: _Problems, *, non_empty: str = "") -> list:
    value = data.get(key, [])
    if not isinstance(value, list):
        problems.add(f"{prefix}{key}", _("The value must be a list."))
        return []
    if non_empty and key in data and not value:
        problems.add(f"{prefix}{key}", non_empty)
    return value


def _applies_when(data: dict, prefix: str, problems: _Problems) -> list[dict[str, list[str]]]:
    conditions = []
    for index, condition in enumerate(_list(data, "applies_when", prefix, problems)):
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


def _exemption_kinds(data: dict, prefix: str, problems: _Problems) -> list[str]:
    kinds: list[str] = []
    for index, kind in enumerate(_list(data, "exemption_kinds", prefix, problems)):
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
    if _bool(data, "permanent_exemption_allowed", prefix, problems) and not data.get(
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


def _choice(data: dict, key: str, choices, prefix: str, problems: _Problems) -> str:
    """An optional value of ``choices``, its first value when not given."""
    value = data.get(key, choices.values[0])
    if value not in choices.values:
        problems.add(
            f"{prefix}{key}",
            _("Unknown value %(value)r; the allowed values are: %(allowed)s.")
            % {"value": value, "allowed": ", ".join(choices.values)},
        )
        return choices.values[0]
    return value


def _mapping(data: dict, keys: tuple[str, ...], path: str, problems: _Problems):
    """A mapping with exactly ``keys`` (the first required, the others optional)."""
    if not isinstance(data, dict):
        problems.add(path, _("The value must be a mapping with keys."))
        return None
    _check_keys(data, keys[:1], f"{path}.", problems, keys[1:])
    return data


def _codes(data: dict, key: str, path: str, problems: _Problems) -> list[str]:
    values = _list(data, key, f"{path}.", problems, non_empty=_("The list must not be empty."))
    codes = [value for value in values if isinstance(value, str)]
    if len(codes) != len(values):
        problems.add(f"{path}.{key}", _("Each value must be a requirement's code."))
    return sorted(set(codes))


def _minimums(data: dict, prefix: str, problems: _Problems) -> list[dict]:
    minimums = []
    for index, raw in enumerate(_list(data, "minimums", prefix, problems)):
        path = f"{prefix}minimums[{index}]"
        if _mapping(raw, _MINIMUM_KEYS, path, problems) is None:
            continue
        at_least = raw.get("at_least_met", 0)
        if not isinstance(at_least, int) or isinstance(at_least, bool) or at_least < 0:
            problems.add(f"{path}.at_least_met", _("The value must be a whole number, 0 or more."))
            at_least = 0
        minimum = {
            "requirements": _codes(raw, "requirements", path, problems),
            "at_least_met": at_least,
            "not_all_not_applicable": _bool(raw, "not_all_not_applicable", f"{path}.", problems),
        }
        if not minimum["at_least_met"] and not minimum["not_all_not_applicable"]:
            problems.add(
                path,
                _("A minimum must ask for at_least_met or not_all_not_applicable."),
            )
        minimums.append(minimum)
    return minimums


def _channel_condition(data: dict, prefix: str, problems: _Problems) -> dict | None:
    if "applies_if_channel" not in data:
        return None
    raw, path = data["applies_if_channel"], f"{prefix}applies_if_channel"
    if _mapping(raw, _CHANNEL_CONDITION_KEYS, path, problems) is None:
        return None
    channels = _list(
        raw, "channels", f"{path}.", problems, non_empty=_("The list must not be empty.")
    )
    for index, channel in enumerate(channels):
        if channel not in Channel.values:
            problems.add(
                f"{path}.channels[{index}]",
                _("Unknown value %(value)r; the allowed values are: %(allowed)s.")
                % {"value": channel, "allowed": ", ".join(Channel.values)},
            )
    return {
        "area": _text(raw, "area", f"{path}.", problems, None),
        "channels": sorted({c for c in channels if c in Channel.values}),
    }


def _exemption_rules(data: dict, prefix: str, problems: _Problems) -> list[dict]:
    rules = []
    kinds = data.get("exemption_kinds") if isinstance(data.get("exemption_kinds"), list) else []
    for index, raw in enumerate(_list(data, "exemption_rules", prefix, problems)):
        path = f"{prefix}exemption_rules[{index}]"
        if _mapping(raw, _EXEMPTION_RULE_KEYS, path, problems) is None:
            continue
        kind = raw.get("kind")
        if kind not in kinds:
            problems.add(
                f"{path}.kind",
                _("The rule must name one of the requirement's exemption_kinds."),
            )
        reasons = _list(raw, "reasons", f"{path}.", problems)
        for reason_index, reason in enumerate(reasons):
            if reason not in ReasonCategory.values:
                problems.add(
                    f"{path}.reasons[{reason_index}]",
                    _("Unknown value %(value)r; the allowed values are: %(allowed)s.")
                    % {"value": reason, "allowed": ", ".join(ReasonCategory.values)},
                )
        while_met = raw.get("while_met", "")
        if not isinstance(while_met, str):
            problems.add(f"{path}.while_met", _("The value must be a requirement's code."))
            while_met = ""
        rules.append(
            {
                "kind": kind if isinstance(kind, str) else "",
                "reasons": sorted({r for r in reasons if r in ReasonCategory.values}),
                "alternative_required": _bool(raw, "alternative_required", f"{path}.", problems),
                "while_met": while_met.strip(),
            }
        )
    return rules


def _check_references(catalogue: ParsedCatalogue, problems: _Problems) -> None:
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
    data: Any, area_code: str, path: str, problems: _Problems
) -> ParsedRequirement | None:
    if not isinstance(data, dict):
        problems.add(path, _("A requirement must be a mapping with keys."))
        return None
    prefix = f"{path}."
    _check_keys(data, REQUIREMENT_KEYS, prefix, problems, OPTIONAL_REQUIREMENT_KEYS)

    def text(key: str) -> str:
        max_length = Requirement._meta.get_field(key).max_length
        return _text(data, key, prefix, problems, max_length)

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
        may_be_not_applicable=_bool(data, "may_be_not_applicable", prefix, problems),
        exemption_kinds=_exemption_kinds(data, prefix, problems),
        permanent_exemption_allowed=data.get("permanent_exemption_allowed") is True,
        asks_channel=_bool(data, "asks_channel", prefix, problems),
        level=_choice(data, "level", RequirementLevel, prefix, problems),
        approval_required=_bool(data, "approval_required", prefix, problems),
        applies_if_channel=_channel_condition(data, prefix, problems),
        exemption_rules=_exemption_rules(data, prefix, problems),
    )


def _parse_area(data: Any, path: str, problems: _Problems) -> ParsedArea | None:
    if not isinstance(data, dict):
        problems.add(path, _("An area must be a mapping with keys."))
        return None
    prefix = f"{path}."
    _check_keys(data, _AREA_KEYS, prefix, problems, _OPTIONAL_AREA_KEYS)

    def text(key: str) -> str:
        return _text(data, key, prefix, problems, Area._meta.get_field(key).max_length)

    code = text("code")
    problems.check_unique("area", code, f"{prefix}code")
    if code and not _SLUG.match(code):
        problems.add(
            f"{prefix}code",
            _("An area's code may only contain lowercase letters a–z, digits and underscores."),
        )
    raw_requirements = _list(
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
        in_baseline=_bool(data, "in_baseline", prefix, problems),
        requirements=[requirement for requirement in requirements if requirement],
        minimums=_minimums(data, prefix, problems),
    )


def parse_catalogue(text: str) -> ParsedCatalogue:
    """Validate the whole catalogue text; raise ``CatalogueError`` naming every problem."""
    problems = _Problems()
    data = _load_yaml(text, problems)
    if data is not None and not isinstance(data, dict):
        problems.add("", _("The file must contain a mapping with keys at the top level."))
    if not isinstance(data, dict):
        raise CatalogueError(problems.items)

    _check_keys(data, _CATALOGUE_KEYS, "", problems)
    raw_areas = _list(
        data, "areas", "", problems, non_empty=_("The catalogue must have at least one area.")
    )
    areas = [_parse_area(raw, f"areas[{index}]", problems) for index, raw in enumerate(raw_areas)]
    title_length = CatalogueVersion._meta.get_field("title").max_length
    catalogue = ParsedCatalogue(
        decision_id=_text(
            data,
            "decision_id",
            "",
            problems,
            CatalogueVersion._meta.get_field("decision_id").max_length,
        ),
        decision_date=_date(data, "decision_date", "", problems),
        effective_from=_date(data, "effective_from", "", problems),
        title=_text(data, "title", "", problems, title_length),
        title_en=_text(data, "title_en", "", problems, title_length),
        areas=[area for area in areas if area],
    )
    _check_references(catalogue, problems)
    if problems.items:
        raise CatalogueError(problems.items)
    return catalogue
