"""What the clinic page shows: the catalogue in force, the clinic's compliance with each
requirement, the approved answers it rests on, and the report being worked on.

Everything is read in a constant number of queries, however many requirements the
catalogue has: the page must cost the same for a clinic with 40 answers as with 4.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from clinics.models import Answer, Clinic, Report, ReportState, User
from clinics.selectors import latest_approved_reports
from clinics.timeline.reads import compliance_on
from requirements.compliance import (
    AreaResult,
    CatalogueRules,
    ClinicCompliance,
    ExemptionGrant,
    RequirementResult,
)
from requirements.models import Area, CatalogueVersion, Requirement
from requirements.selectors import catalogue_in_force
from requirements.vocabulary import ExemptionKind


@dataclass(frozen=True)
class RequirementRow:
    requirement: Requirement
    result: RequirementResult
    # The answer in the approved report, with its evidence and comments; None if unanswered.
    answer: Answer | None

    @property
    def exemption(self) -> ExemptionGrant | None:
        return self.result.exemption

    @property
    def exemption_kind_label(self) -> str:
        if self.result.exemption is None:
            return ""
        kind = self.result.exemption.kind
        return str(dict(ExemptionKind.choices).get(kind, kind))


@dataclass(frozen=True)
class AreaSection:
    area: Area
    result: AreaResult
    rows: tuple[RequirementRow, ...]

    @property
    def percent(self) -> int | None:
        return _percent(self.result.share)


@dataclass(frozen=True)
class ClinicPage:
    clinic: Clinic
    on_date: date
    version: CatalogueVersion | None
    compliance: ClinicCompliance | None
    sections: tuple[AreaSection, ...]
    # The report the answers come from: the latest approved one, with its approver.
    approved_report: Report | None
    # The report being worked on (draft, submitted or returned), if any.
    current_report: Report | None

    @property
    def percent(self) -> int | None:
        return _percent(self.compliance.share) if self.compliance else None

    @property
    def approver_name(self) -> str:
        approver = self.approved_report.decided_by if self.approved_report else None
        return person_name(approver)


@dataclass(frozen=True)
class Section:
    """A part of the clinic page that another app draws: its template and what it shows."""

    template: str
    context: dict = field(default_factory=dict)


# What makes a section from the page and the reader; None to show nothing. Each must read
# in a constant number of queries.
SectionMaker = Callable[[ClinicPage, User], Section | None]

_section_makers: list[SectionMaker] = []


def add_section(maker: SectionMaker) -> SectionMaker:
    """Add a section to every clinic page, below the clinic's own. The follow-up adds its
    measured usage and the clinic's own indicators this way, from its app's ``ready()``,
    so that the clinic page shows them and ``clinics`` imports nothing of ``followup``."""
    if maker not in _section_makers:
        _section_makers.append(maker)
    return maker


def added_sections(page: ClinicPage, user: User) -> list[Section]:
    return [section for maker in _section_makers if (section := maker(page, user)) is not None]


def person_name(user: User | None) -> str:
    """How the interface names a person: full name, else user name; empty for nobody."""
    if user is None:
        return ""
    return user.get_full_name() or user.username


def _percent(share: float | None) -> int | None:
    return None if share is None else round(share * 100)


def clinic_page(clinic: Clinic, on_date: date | None = None) -> ClinicPage:
    """The clinic's page as of ``on_date`` (default today), in eight queries."""
    on_date = on_date or timezone.localdate()
    clinics = Clinic.objects.filter(pk=clinic.pk)
    current_report = (
        Report.objects.filter(clinic=clinic)
        .exclude(state__in=ReportState.final_states())
        .select_related("submitted_by", "round")
        .order_by("-created_at", "-pk")
        .first()
    )
    approved_report = (
        latest_approved_reports(clinics, on_date).select_related("decided_by", "round").first()
    )
    version = catalogue_in_force(on_date)
    if version is None:
        return ClinicPage(clinic, on_date, None, None, (), approved_report, current_report)

    areas = list(Area.objects.filter(version=version).order_by("position"))
    requirements = list(
        Requirement.objects.filter(version=version).select_related("area").order_by("position")
    )
    # The catalogue's order, built from the rows already read; the statuses are the
    # timeline's, which the overview and the follow-up count.
    rules = CatalogueRules(
        areas=tuple(area.to_rule() for area in areas),
        requirements=tuple(requirement.to_rule() for requirement in requirements),
    )
    compliance = compliance_on(clinic.pk, on_date, rules)

    # Answers are matched by code: an approved report may predate the version in force.
    answers: dict[str, Answer] = {}
    if approved_report is not None:
        answers = {
            answer.requirement.code: answer
            for answer in Answer.objects.filter(report=approved_report).select_related(
                "requirement"
            )
        }

    requirements_by_area: dict[int, list[Requirement]] = {}
    for requirement in requirements:
        requirements_by_area.setdefault(requirement.area_id, []).append(requirement)
    results = {result.code: result for area in compliance.areas for result in area.results}
    sections = tuple(
        AreaSection(
            area=area,
            result=compliance.area(area.code),
            rows=tuple(
                RequirementRow(
                    requirement=requirement,
                    result=results[requirement.code],
                    answer=answers.get(requirement.code),
                )
                for requirement in requirements_by_area.get(area.pk, [])
            ),
        )
        # The baseline's areas first, in catalogue order; the general requirements last.
        for area in sorted(areas, key=lambda area: not area.in_baseline)
    )
    return ClinicPage(
        clinic, on_date, version, compliance, sections, approved_report, current_report
    )
