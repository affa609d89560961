"""The compliance rules of decision RS220477, as pure functions over plain values.

Given the catalogue in force on a date, a clinic's attributes, its reported answers and its
exemptions, each requirement gets one ``ComplianceStatus``; an area is met when every
applicable requirement of it is met and its minimums hold, and the clinic meets the
baseline when every baseline area that applies to it is met. Nothing here touches the
database, so the rules are tested exhaustively without one and reused unchanged for past
dates, nightly snapshots and exports.

Besides applicability by the clinic's attributes, a catalogue can state (each a plain
value, each optional, so a catalogue that states none is judged as before):

- a **minimum of a group** (``GroupMinimum``): at least N of some requirements met, or not
  all of them "not applicable" ("ett grundpaket av en minsta nivå");
- a requirement **met only with an approval in force** (``approval_required``): an own
  treatment platform "ska ... godkännas av Region Halland innan start";
- **applicability by an answer** (``ChannelCondition``): a requirement that exists only for
  a clinic with an own solution applies when its answers in the area name one;
- an **advisory** requirement (``bör``): judged and shown, never counted for the baseline;
- per exemption kind (``ExemptionRule``): the reasons allowed, whether the alternative
  must be described, and a requirement that must be met while the exemption counts
  ("beställa tid" while the booking exception is in force).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from requirements.vocabulary import AnswerStatus, AreaStatus, ComplianceStatus, RequirementLevel

# The clinic attributes an applicability rule may speak of.
PROFILE_ATTRIBUTES = ("kind", "care_type", "provider_kind", "contract_form")


@dataclass(frozen=True)
class ClinicProfile:
    kind: str
    care_type: str
    provider_kind: str
    contract_form: str


def share_of(met: int | None, applicable: int | None) -> float | None:
    """The share of the applicable requirements that are met; None when none applies."""
    return met / applicable if applicable else None


@dataclass(frozen=True)
class Applicability:
    """Which clinics a requirement applies to: any of the conditions, each a conjunction.

    A condition maps a profile attribute to the values it allows, e.g. the decision's web
    booking rule is ``({care_type: {health}}, {care_type: {dental}, provider_kind: {region}})``.
    No conditions means the requirement applies to every clinic.
    """

    any_of: tuple[Mapping[str, frozenset[str]], ...] = ()

    def __post_init__(self) -> None:
        for condition in self.any_of:
            unknown = set(condition) - set(PROFILE_ATTRIBUTES)
            if unknown:
                raise ValueError(f"unknown clinic attributes: {sorted(unknown)}")

    def applies_to(self, profile: ClinicProfile) -> bool:
        if not self.any_of:
            return True
        return any(
            all(getattr(profile, attribute) in allowed for attribute, allowed in cond.items())
            for cond in self.any_of
        )


@dataclass(frozen=True)
class ChannelCondition:
    """The requirement applies only when one of the clinic's answers in ``area_code``
    names one of ``channels`` (e.g. an own solution, alone or beside 1177)."""

    area_code: str
    channels: frozenset[str]

    def holds(self, channels_by_area: Mapping[str, frozenset[str]]) -> bool:
        return bool(channels_by_area.get(self.area_code, frozenset()) & self.channels)


@dataclass(frozen=True)
class ExemptionRule:
    """What an exemption kind of a requirement demands beyond being approved.

    ``reasons`` and ``alternative_required`` are checked when the exemption is requested
    (an empty ``reasons`` allows any); ``while_met`` names a requirement that must be met
    for the exemption to count on a day.
    """

    kind: str
    reasons: frozenset[str] = frozenset()
    alternative_required: bool = False
    while_met: str = ""


@dataclass(frozen=True)
class RequirementRule:
    code: str
    area_code: str
    applicability: Applicability = field(default_factory=Applicability)
    may_be_not_applicable: bool = False
    exemption_kinds: frozenset[str] = frozenset()
    level: RequirementLevel = RequirementLevel.REQUIRED
    # Met only when an approval (a grant of one of ``exemption_kinds``) is in force: a
    # "met" answer alone is not enough.
    approval_required: bool = False
    applies_if_channel: ChannelCondition | None = None
    exemption_rules: tuple[ExemptionRule, ...] = ()

    @property
    def advisory(self) -> bool:
        return self.level == RequirementLevel.ADVISORY

    def exemption_rule(self, kind: str) -> ExemptionRule | None:
        for rule in self.exemption_rules:
            if rule.kind == kind:
                return rule
        return None


@dataclass(frozen=True)
class GroupMinimum:
    """A minimum of a group of an area's requirements: at least ``at_least_met`` of
    them met, and, with ``not_all_not_applicable``, not every one of them "not
    applicable". Only the requirements that apply to the clinic's attributes count: a
    group none of which applies to the clinic demands nothing."""

    codes: frozenset[str]
    at_least_met: int = 0
    not_all_not_applicable: bool = False

    def holds(self, results: Iterable["RequirementResult"]) -> bool:
        group = [r for r in results if r.code in self.codes and r.applies]
        if not group:
            return True
        if sum(1 for r in group if r.status.counts_as_met) < self.at_least_met:
            return False
        return not (
            self.not_all_not_applicable
            and all(r.status == ComplianceStatus.NOT_APPLICABLE for r in group)
        )


@dataclass(frozen=True)
class AreaRule:
    code: str
    in_baseline: bool = True
    minimums: tuple[GroupMinimum, ...] = ()


@dataclass(frozen=True)
class CatalogueRules:
    """One catalogue version's areas and requirements, in catalogue order."""

    areas: tuple[AreaRule, ...]
    requirements: tuple[RequirementRule, ...]

    # Worked out once per version, not for each of the millions of evaluations.
    @cached_property
    def reads_channels(self) -> bool:
        """Some requirement's applicability depends on the channels answered."""
        return any(rule.applies_if_channel is not None for rule in self.requirements)

    @cached_property
    def dependent(self) -> tuple[int, ...]:
        """The requirements (by position) with an exemption that demands another met."""
        return tuple(
            index
            for index, rule in enumerate(self.requirements)
            if any(exemption_rule.while_met for exemption_rule in rule.exemption_rules)
        )


@dataclass(frozen=True)
class ReportedAnswer:
    requirement_code: str
    status: AnswerStatus
    justification: str = ""
    # How the service reaches the resident (requirements.vocabulary.Channel), if asked.
    channel: str = ""


@dataclass(frozen=True)
class ExemptionGrant:
    """An approved exemption; both dates are inclusive, no end date means permanent.

    ``case_id`` names the decision behind it, for whoever stores or shows the result.
    """

    requirement_code: str
    kind: str
    valid_from: date
    valid_until: date | None = None
    case_id: int | None = None

    def is_valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


@dataclass(frozen=True)
class RequirementResult:
    code: str
    area_code: str
    status: ComplianceStatus
    answer: ReportedAnswer | None = None
    exemption: ExemptionGrant | None = None
    # Judged and shown, but not counted for the area or the baseline ("bör").
    advisory: bool = False
    # False when the clinic's attributes put it outside the requirement (not an answer).
    applies: bool = True


@dataclass(frozen=True)
class AreaResult:
    code: str
    in_baseline: bool
    results: tuple[RequirementResult, ...]
    # Whether the area's minimums (GroupMinimum) hold; True when it has none.
    minimums_hold: bool = True

    @cached_property
    def counted(self) -> tuple[RequirementResult, ...]:
        """The requirements the area is judged by: all but the advisory ones."""
        return tuple(r for r in self.results if not r.advisory)

    # Cached: the timeline asks each of these several times for millions of areas.
    @cached_property
    def applicable(self) -> int:
        return sum(1 for r in self.counted if r.status != ComplianceStatus.NOT_APPLICABLE)

    @cached_property
    def met(self) -> int:
        return sum(1 for r in self.counted if r.status.counts_as_met)

    @property
    def meets(self) -> bool:
        """The area stands in no way of the baseline: every applicable requirement met
        and its minimums holding, or nothing of it applies (then its status is "not
        applicable", never "met")."""
        return self.met == self.applicable and self.minimums_hold

    @property
    def share(self) -> float | None:
        return share_of(self.met, self.applicable)

    @cached_property
    def status(self) -> AreaStatus:
        """Not applicable when no requirement of the area applies to the clinic; not
        reported when none of those that apply has an answer in force (no approved report,
        or one from before the area was in the catalogue); otherwise met or not."""
        applicable = [r for r in self.counted if r.status != ComplianceStatus.NOT_APPLICABLE]
        if not applicable:
            # Everything answered "not applicable" where a minimum forbids it is not met.
            return AreaStatus.NOT_APPLICABLE if self.minimums_hold else AreaStatus.NOT_MET
        if all(r.status == ComplianceStatus.NOT_REPORTED for r in applicable):
            return AreaStatus.NOT_REPORTED
        return AreaStatus.MET if self.meets else AreaStatus.NOT_MET


@dataclass(frozen=True)
class ClinicCompliance:
    on_date: date
    areas: tuple[AreaResult, ...]

    @property
    def baseline_areas(self) -> tuple[AreaResult, ...]:
        return tuple(area for area in self.areas if area.in_baseline)

    @property
    def meets_baseline(self) -> bool:
        """Every area of the grundutbud that applies to the clinic is met."""
        return all(area.meets for area in self.baseline_areas)

    @property
    def general_areas(self) -> tuple[AreaResult, ...]:
        """The areas followed up beside the baseline (the general requirements)."""
        return tuple(area for area in self.areas if not area.in_baseline)

    @property
    def meets_general(self) -> bool | None:
        """Every general requirement that applies is met; None for a catalogue without
        general requirements."""
        areas = self.general_areas
        return all(area.meets for area in areas) if areas else None

    @property
    def applicable(self) -> int:
        return sum(area.applicable for area in self.baseline_areas)

    @property
    def met(self) -> int:
        return sum(area.met for area in self.baseline_areas)

    @property
    def share(self) -> float | None:
        return share_of(self.met, self.applicable)

    def area(self, code: str) -> AreaResult:
        for area in self.areas:
            if area.code == code:
                return area
        raise KeyError(code)

    def requirement(self, code: str) -> RequirementResult:
        for area in self.areas:
            for result in area.results:
                if result.code == code:
                    return result
        raise KeyError(code)


def evaluate_requirement(
    rule: RequirementRule,
    profile: ClinicProfile,
    answer: ReportedAnswer | None,
    exemptions: Iterable[ExemptionGrant],
    on_date: date,
    *,
    channels_by_area: Mapping[str, frozenset[str]] | None = None,
    met_codes: frozenset[str] | None = None,
) -> RequirementResult:
    """One requirement's status. ``channels_by_area`` (the channels the clinic's answers
    name, by area) decides a ``ChannelCondition``; ``met_codes`` (the requirements met
    without this one) decides an exemption that demands another requirement met."""

    def result(status: ComplianceStatus, exemption: ExemptionGrant | None = None, applies=True):
        return RequirementResult(
            rule.code, rule.area_code, status, answer, exemption, rule.advisory, applies
        )

    if not rule.applicability.applies_to(profile):
        return result(ComplianceStatus.NOT_APPLICABLE, applies=False)
    if rule.applies_if_channel is not None and not rule.applies_if_channel.holds(
        channels_by_area or {}
    ):
        return result(ComplianceStatus.NOT_APPLICABLE, applies=False)
    answered_met = answer is not None and answer.status == AnswerStatus.MET
    # The common case first: the timeline judges millions of requirements, most of them
    # met by the answer alone, and needs no exemption for those.
    if answered_met and not rule.approval_required:
        return result(ComplianceStatus.COMPLIANT)
    valid = [
        grant
        for grant in exemptions
        if grant.requirement_code == rule.code
        and grant.kind in rule.exemption_kinds
        and grant.is_valid_on(on_date)
        and _conditions_hold(rule.exemption_rule(grant.kind), met_codes)
    ]
    # Cite the grant that lasts longest (a permanent one first), whatever the input order.
    exemption = max(valid, key=lambda g: g.valid_until or date.max, default=None)
    if answered_met:
        if exemption is not None:
            # Met as answered, and approved by the region: the approval is cited.
            return result(ComplianceStatus.COMPLIANT, exemption)
        return result(ComplianceStatus.NOT_COMPLIANT)
    if (
        answer is not None
        and answer.status == AnswerStatus.NOT_APPLICABLE
        and rule.may_be_not_applicable
        and answer.justification.strip()
    ):
        return result(ComplianceStatus.NOT_APPLICABLE)
    if exemption is not None and not rule.approval_required:
        return result(ComplianceStatus.COMPLIANT_BY_EXEMPTION, exemption)
    if answer is None:
        return result(ComplianceStatus.NOT_REPORTED)
    # Partly met, not met, or "not applicable" where the catalogue does not allow it or
    # without the justification it demands: none of these meets the requirement.
    return result(ComplianceStatus.NOT_COMPLIANT)


def _conditions_hold(rule: ExemptionRule | None, met_codes: frozenset[str] | None) -> bool:
    """An exemption that demands another requirement met counts only while it is."""
    if rule is None or not rule.while_met:
        return True
    return met_codes is not None and rule.while_met in met_codes


def evaluate(
    catalogue: CatalogueRules,
    profile: ClinicProfile,
    answers: Mapping[str, ReportedAnswer],
    exemptions: Iterable[ExemptionGrant],
    on_date: date,
) -> ClinicCompliance:
    """Evaluate one clinic against one catalogue version on ``on_date``."""
    exemptions = tuple(exemptions)
    channels_by_area = _channels_by_area(catalogue, answers)
    results = [
        evaluate_requirement(
            rule,
            profile,
            answers.get(rule.code),
            exemptions,
            on_date,
            channels_by_area=channels_by_area,
        )
        for rule in catalogue.requirements
    ]
    # An exemption that demands another requirement met is judged once the others are.
    if catalogue.dependent:
        met = frozenset(r.code for r in results if r.status.counts_as_met)
        for index in catalogue.dependent:
            rule = catalogue.requirements[index]
            results[index] = evaluate_requirement(
                rule,
                profile,
                answers.get(rule.code),
                exemptions,
                on_date,
                channels_by_area=channels_by_area,
                met_codes=met - {rule.code},
            )
    areas = []
    for area in catalogue.areas:
        own = tuple(r for r in results if r.area_code == area.code)
        areas.append(
            AreaResult(
                code=area.code,
                in_baseline=area.in_baseline,
                results=own,
                minimums_hold=all(minimum.holds(own) for minimum in area.minimums),
            )
        )
    return ClinicCompliance(on_date=on_date, areas=tuple(areas))


def _channels_by_area(
    catalogue: CatalogueRules, answers: Mapping[str, ReportedAnswer]
) -> dict[str, frozenset[str]]:
    """The channels the clinic's answers name, by area; only read when a requirement's
    applicability depends on them."""
    if not catalogue.reads_channels:
        return {}
    channels: dict[str, set[str]] = {}
    for rule in catalogue.requirements:
        answer = answers.get(rule.code)
        if answer is not None and answer.channel:
            channels.setdefault(rule.area_code, set()).add(answer.channel)
    return {area: frozenset(found) for area, found in channels.items()}
