"""The compliance rules of decision RS220477, as pure functions over plain values.

Given the catalogue in force on a date, a clinic's attributes, its reported answers and its
exemptions, each requirement gets one ``ComplianceStatus``; each area and the clinic as a
whole meet the baseline when every applicable requirement is met. Nothing here touches the
database, so the rules are tested exhaustively without one and reused unchanged for past
dates, nightly snapshots and exports.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from requirements.vocabulary import AnswerStatus, AreaStatus, ComplianceStatus

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
class RequirementRule:
    code: str
    area_code: str
    applicability: Applicability = field(default_factory=Applicability)
    may_be_not_applicable: bool = False
    exemption_kinds: frozenset[str] = frozenset()


@dataclass(frozen=True)
class AreaRule:
    code: str
    in_baseline: bool = True


@dataclass(frozen=True)
class CatalogueRules:
    """One catalogue version's areas and requirements, in catalogue order."""

    areas: tuple[AreaRule, ...]
    requirements: tuple[RequirementRule, ...]


@dataclass(frozen=True)
class ReportedAnswer:
    requirement_code: str
    status: AnswerStatus
    justification: str = ""


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


@dataclass(frozen=True)
class AreaResult:
    code: str
    in_baseline: bool
    results: tuple[RequirementResult, ...]

    # Cached: the timeline asks each of these several times for millions of areas.
    @cached_property
    def applicable(self) -> int:
        return sum(1 for r in self.results if r.status != ComplianceStatus.NOT_APPLICABLE)

    @cached_property
    def met(self) -> int:
        return sum(1 for r in self.results if r.status.counts_as_met)

    @property
    def meets(self) -> bool:
        """Every applicable requirement is met (an area with none applicable is met)."""
        return self.met == self.applicable

    @property
    def share(self) -> float | None:
        return share_of(self.met, self.applicable)

    @cached_property
    def status(self) -> AreaStatus:
        """Not applicable when no requirement of the area applies to the clinic; not
        reported when none of those that apply has an answer in force (no approved report,
        or one from before the area was in the catalogue); otherwise met or not."""
        applicable = [r for r in self.results if r.status != ComplianceStatus.NOT_APPLICABLE]
        if not applicable:
            return AreaStatus.NOT_APPLICABLE
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
        """The seven areas of the grundutbud are all met."""
        return all(area.meets for area in self.baseline_areas)

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
) -> RequirementResult:
    def result(status: ComplianceStatus, exemption: ExemptionGrant | None = None):
        return RequirementResult(rule.code, rule.area_code, status, answer, exemption)

    if not rule.applicability.applies_to(profile):
        return result(ComplianceStatus.NOT_APPLICABLE)
    if answer is not None and answer.status == AnswerStatus.MET:
        return result(ComplianceStatus.COMPLIANT)
    if (
        answer is not None
        and answer.status == AnswerStatus.NOT_APPLICABLE
        and rule.may_be_not_applicable
        and answer.justification.strip()
    ):
        return result(ComplianceStatus.NOT_APPLICABLE)
    valid = [
        grant
        for grant in exemptions
        if grant.requirement_code == rule.code
        and grant.kind in rule.exemption_kinds
        and grant.is_valid_on(on_date)
    ]
    # Cite the grant that lasts longest (a permanent one first), whatever the input order.
    exemption = max(valid, key=lambda g: g.valid_until or date.max, default=None)
    if exemption is not None:
        return result(ComplianceStatus.COMPLIANT_BY_EXEMPTION, exemption)
    if answer is None:
        return result(ComplianceStatus.NOT_REPORTED)
    # Partly met, not met, or "not applicable" where the catalogue does not allow it or
    # without the justification it demands: none of these meets the requirement.
    return result(ComplianceStatus.NOT_COMPLIANT)


def evaluate(
    catalogue: CatalogueRules,
    profile: ClinicProfile,
    answers: Mapping[str, ReportedAnswer],
    exemptions: Iterable[ExemptionGrant],
    on_date: date,
) -> ClinicCompliance:
    """Evaluate one clinic against one catalogue version on ``on_date``."""
    exemptions = tuple(exemptions)
    results = [
        evaluate_requirement(rule, profile, answers.get(rule.code), exemptions, on_date)
        for rule in catalogue.requirements
    ]
    areas = tuple(
        AreaResult(
            code=area.code,
            in_baseline=area.in_baseline,
            results=tuple(r for r in results if r.area_code == area.code),
        )
        for area in catalogue.areas
    )
    return ClinicCompliance(on_date=on_date, areas=areas)
