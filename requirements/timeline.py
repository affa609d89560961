"""A clinic's compliance over time, derived from its inputs by the pure rules.

Everything compliance depends on changes on some day: a report is approved, an exemption
starts or ends (it stops counting the day after its last day, or on the day it was
revoked), a catalogue version takes effect, the clinic's attributes change (its kind, its
provider, its dates of opening and closing). Between two consecutive such days nothing
changes, so the rules evaluated on the first day of each stretch hold for every day of it.

``derive_timeline`` walks those stretches and merges neighbours that say the same, giving
intervals ``[valid_from, valid_to)`` per requirement, per area and for the clinic as a
whole. Stored, they answer "what was the status on day X" with one indexed query, and a
follow-up over a period with one ``GROUP BY``. Nothing here touches the database.
"""

from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from typing import Any, NamedTuple

from requirements.compliance import (
    CatalogueRules,
    ClinicCompliance,
    ClinicProfile,
    ExemptionGrant,
    ReportedAnswer,
    evaluate,
)
from requirements.vocabulary import AreaStatus, ComplianceStatus

# The first day of every clinic's timeline, and the end of an interval that has not ended.
BEGINNING = date.min
OPEN_END = date.max


def day_after(day: date) -> date:
    """The next day; the open end stays open."""
    return OPEN_END if day >= OPEN_END - timedelta(days=1) else day + timedelta(days=1)


@dataclass(frozen=True)
class ClinicAttributes:
    """What the register says of a clinic during one stretch of its history."""

    kind: str
    care_type: str
    municipality_code: str
    contract_form: str
    provider_id: int
    provider_kind: str
    active_from: date | None = None
    active_until: date | None = None
    name: str = ""

    def profile(self) -> ClinicProfile:
        return ClinicProfile(
            kind=self.kind,
            care_type=self.care_type,
            provider_kind=self.provider_kind,
            contract_form=self.contract_form,
        )

    def is_active_on(self, day: date) -> bool:
        return (self.active_from is None or self.active_from <= day) and (
            self.active_until is None or day <= self.active_until
        )


@dataclass(frozen=True)
class AttributeChange:
    """The clinic's attributes from ``since`` until the next change."""

    since: date
    attributes: ClinicAttributes


@dataclass(frozen=True)
class CatalogueEdition:
    """A catalogue version as the rules see it, with the ids of its rows."""

    version_id: int
    effective_from: date
    revision: int
    rules: CatalogueRules
    requirement_ids: Mapping[str, int] = field(default_factory=dict)
    area_ids: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class ApprovedAnswer:
    answer: ReportedAnswer
    answer_id: int | None = None
    channel: str = ""


@dataclass(frozen=True)
class ApprovedReport:
    """An approved report; it is the clinic's offering from the (local) day of approval."""

    report_id: int
    since: date
    answers: Mapping[str, ApprovedAnswer]

    @cached_property
    def reported(self) -> dict[str, ReportedAnswer]:
        return {code: approved.answer for code, approved in self.answers.items()}


@dataclass(frozen=True)
class DayInputs:
    """What holds on one day."""

    attributes: ClinicAttributes
    edition: CatalogueEdition | None
    report: ApprovedReport | None
    exemptions: tuple[ExemptionGrant, ...]

    def evaluate(self, day: date) -> ClinicCompliance | None:
        if self.edition is None:
            return None
        return evaluate(
            self.edition.rules,
            self.attributes.profile(),
            self.report.reported if self.report else {},
            self.exemptions,
            day,
        )


@dataclass(frozen=True)
class ClinicInputs:
    """Everything one clinic's compliance depends on, each input with the days it holds.

    - ``attributes``: in order of ``since``; the first holds from ``BEGINNING``;
    - ``reports``: in the order of approval; the last one approved by a day is in force;
    - ``exemptions``: as they count, so a revoked one ends the day before its revocation;
    - ``catalogue``: by effective date and revision; the last one in effect is in force.
    """

    clinic_id: int
    attributes: tuple[AttributeChange, ...]
    reports: tuple[ApprovedReport, ...] = ()
    exemptions: tuple[ExemptionGrant, ...] = ()
    catalogue: tuple[CatalogueEdition, ...] = ()

    def __post_init__(self) -> None:
        if not self.attributes or self.attributes[0].since != BEGINNING:
            raise ValueError("a clinic's attributes must hold from the beginning")

    @cached_property
    def _attribute_days(self) -> list[date]:
        return [change.since for change in self.attributes]

    @cached_property
    def _report_days(self) -> list[date]:
        return [report.since for report in self.reports]

    @cached_property
    def _catalogue_days(self) -> list[date]:
        return [edition.effective_from for edition in self.catalogue]

    def attributes_on(self, day: date) -> ClinicAttributes:
        return self.attributes[bisect_right(self._attribute_days, day) - 1].attributes

    def report_on(self, day: date) -> ApprovedReport | None:
        index = bisect_right(self._report_days, day)
        return self.reports[index - 1] if index else None

    def edition_on(self, day: date) -> CatalogueEdition | None:
        index = bisect_right(self._catalogue_days, day)
        return self.catalogue[index - 1] if index else None

    def exemptions_on(self, day: date) -> tuple[ExemptionGrant, ...]:
        return tuple(grant for grant in self.exemptions if grant.is_valid_on(day))

    def on(self, day: date) -> "DayInputs":
        return DayInputs(
            self.attributes_on(day),
            self.edition_on(day),
            self.report_on(day),
            self.exemptions_on(day),
        )

    def evaluate_on(self, day: date) -> ClinicCompliance | None:
        """The pure rules on this one day's inputs; None when no catalogue is in force."""
        return self.on(day).evaluate(day)

    def change_days(self) -> list[date]:
        """Every day on which some input may change, in order, starting with BEGINNING."""
        days = {BEGINNING}
        for change in self.attributes:
            days.add(change.since)
            if change.attributes.active_from is not None:
                days.add(change.attributes.active_from)
            if change.attributes.active_until is not None:
                days.add(day_after(change.attributes.active_until))
        days.update(self._report_days)
        days.update(self._catalogue_days)
        for grant in self.exemptions:
            days.add(grant.valid_from)
            if grant.valid_until is not None:
                days.add(day_after(grant.valid_until))
        days.discard(OPEN_END)
        return sorted(days)


# The intervals are named tuples: a national register derives some two million of them in
# one rebuild, and a tuple is built several times faster than a frozen dataclass.


class RequirementInterval(NamedTuple):
    valid_from: date
    valid_to: date
    version_id: int
    requirement_id: int | None
    code: str
    area_code: str
    status: ComplianceStatus
    answer_id: int | None = None
    answer_status: str = ""
    channel: str = ""
    case_id: int | None = None
    exemption_kind: str = ""
    exemption_from: date | None = None
    exemption_until: date | None = None


class AreaInterval(NamedTuple):
    valid_from: date
    valid_to: date
    version_id: int
    area_id: int | None
    code: str
    in_baseline: bool
    status: AreaStatus
    met: int
    applicable: int


class ClinicInterval(NamedTuple):
    """The clinic as a whole: its attributes, and the baseline when a catalogue is in force
    (``version_id`` None: no catalogue, so nothing to judge)."""

    valid_from: date
    valid_to: date
    version_id: int | None
    attributes: ClinicAttributes
    active: bool
    meets_baseline: bool | None
    met: int | None
    applicable: int | None
    report_id: int | None
    exemptions_in_force: int
    # (area code, status) of every area of the version, in catalogue order: the overview
    # counts and filters areas from here without reading the area rows.
    area_statuses: tuple[tuple[str, AreaStatus], ...] = ()
    # The general requirements, followed up beside the baseline; None without a catalogue
    # or when it has none.
    meets_general: bool | None = None


@dataclass(frozen=True)
class Timeline:
    clinic_id: int
    clinic: tuple[ClinicInterval, ...]
    areas: tuple[AreaInterval, ...]
    requirements: tuple[RequirementInterval, ...]


class _Runs:
    """Consecutive stretches with the same state, merged: one list per key."""

    def __init__(self) -> None:
        self.runs: dict[Any, list[list]] = {}

    def add(self, key: Any, start: date, end: date, state: tuple) -> None:
        runs = self.runs.setdefault(key, [])
        if runs and runs[-1][1] == start and runs[-1][2] == state:
            runs[-1][1] = end
        else:
            runs.append([start, end, state])

    def intervals(self, kind: type) -> tuple:
        return tuple(
            kind(start, end, *state) for runs in self.runs.values() for start, end, state in runs
        )


def derive_timeline(inputs: ClinicInputs) -> Timeline:
    """The clinic's intervals per requirement, per area and as a whole, from BEGINNING on."""
    days = inputs.change_days()
    clinic_runs, area_runs, requirement_runs = _Runs(), _Runs(), _Runs()
    for start, end in zip(days, [*days[1:], OPEN_END], strict=True):
        day = inputs.on(start)
        attributes, edition, report, grants = (
            day.attributes,
            day.edition,
            day.report,
            day.exemptions,
        )
        report_id = report.report_id if report else None
        active = attributes.is_active_on(start)
        compliance = day.evaluate(start)
        if compliance is None:
            state = (None, attributes, active, None, None, None, report_id, len(grants), (), None)
            clinic_runs.add(None, start, end, state)
            continue
        version_id = edition.version_id
        clinic_runs.add(
            None,
            start,
            end,
            (
                version_id,
                attributes,
                active,
                compliance.meets_baseline,
                compliance.met,
                compliance.applicable,
                report_id,
                len(grants),
                tuple((area.code, area.status) for area in compliance.areas),
                compliance.meets_general,
            ),
        )
        answers = report.answers if report else {}
        for area in compliance.areas:
            area_runs.add(
                area.code,
                start,
                end,
                (
                    version_id,
                    edition.area_ids.get(area.code),
                    area.code,
                    area.in_baseline,
                    area.status,
                    area.met,
                    area.applicable,
                ),
            )
            for result in area.results:
                approved = answers.get(result.code)
                exemption = result.exemption
                requirement_runs.add(
                    result.code,
                    start,
                    end,
                    (
                        version_id,
                        edition.requirement_ids.get(result.code),
                        result.code,
                        area.code,
                        result.status,
                        approved.answer_id if approved else None,
                        approved.answer.status if approved else "",
                        approved.channel if approved else "",
                        exemption.case_id if exemption else None,
                        exemption.kind if exemption else "",
                        exemption.valid_from if exemption else None,
                        exemption.valid_until if exemption else None,
                    ),
                )
    return Timeline(
        clinic_id=inputs.clinic_id,
        clinic=clinic_runs.intervals(ClinicInterval),
        areas=area_runs.intervals(AreaInterval),
        requirements=requirement_runs.intervals(RequirementInterval),
    )
