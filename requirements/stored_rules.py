"""A rule from its stored form: the fields a catalogue file and the database both hold (lists
and mappings of plain values), turned into the pure rules of ``requirements.compliance``.
One place for both, so that a file previewed is judged as it will be once stored."""

from collections.abc import Iterable, Mapping

from requirements.compliance import (
    Applicability,
    AreaRule,
    ChannelCondition,
    ExemptionRule,
    GroupMinimum,
    RequirementRule,
)
from requirements.vocabulary import RequirementLevel


def requirement_rule(
    *,
    code: str,
    area_code: str,
    applies_when: Iterable[Mapping[str, Iterable[str]]] = (),
    may_be_not_applicable: bool = False,
    exemption_kinds: Iterable[str] = (),
    level: str = RequirementLevel.REQUIRED,
    approval_required: bool = False,
    applies_if_channel: Mapping | None = None,
    exemption_rules: Iterable[Mapping] = (),
    **_other_fields,
) -> RequirementRule:
    """A requirement's rule from its stored form (a catalogue file's or the database's
    fields: lists and mappings of plain values); fields that are not rules are ignored."""
    return RequirementRule(
        code=code,
        area_code=area_code,
        applicability=Applicability(
            any_of=tuple(
                {attribute: frozenset(values) for attribute, values in condition.items()}
                for condition in applies_when
            )
        ),
        may_be_not_applicable=may_be_not_applicable,
        exemption_kinds=frozenset(exemption_kinds),
        level=RequirementLevel(level),
        approval_required=approval_required,
        applies_if_channel=(
            ChannelCondition(applies_if_channel["area"], frozenset(applies_if_channel["channels"]))
            if applies_if_channel
            else None
        ),
        exemption_rules=tuple(
            ExemptionRule(
                kind=rule["kind"],
                reasons=frozenset(rule.get("reasons", ())),
                alternative_required=rule.get("alternative_required", False),
                while_met=rule.get("while_met", ""),
            )
            for rule in exemption_rules
        ),
    )


def area_rule(
    *, code: str, in_baseline: bool = True, minimums: Iterable[Mapping] = (), **_other_fields
) -> AreaRule:
    """An area's rule from its stored form; fields that are not rules are ignored."""
    return AreaRule(
        code=code,
        in_baseline=in_baseline,
        minimums=tuple(
            GroupMinimum(
                codes=frozenset(minimum["requirements"]),
                at_least_met=minimum.get("at_least_met", 0),
                not_all_not_applicable=minimum.get("not_all_not_applicable", False),
            )
            for minimum in minimums
        ),
    )
