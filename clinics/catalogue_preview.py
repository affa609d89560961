"""What a catalogue revision would do to the clinics, before it is imported: every active
clinic judged on one day by the version in force and by the revision, on the same inputs
(its register entry, its approved report, its exemptions), and the differences counted.

Nothing is written. The judgement by the version in force is the one the timeline holds
for that day, and the revision's is the one the timeline will hold once the revision is
imported and in effect: both come from the pure rules on the timeline's own inputs.
Reading them is the rebuild's work, in its batches: a revision is previewed by a region
admin now and then, not on every page.
"""

from collections import Counter
from dataclasses import dataclass, replace
from datetime import date

from clinics.models import Clinic
from clinics.timeline.inputs import ClinicScope, read_inputs
from clinics.timeline.store import BATCH
from halland_utbud.batches import batched
from requirements.catalogue_diff import CatalogueDiff, compare, parsed_fields, stored_fields
from requirements.catalogue_parse import ParsedCatalogue
from requirements.compliance import ClinicCompliance
from requirements.models import CatalogueVersion
from requirements.selectors import catalogue_editions
from requirements.timeline import CatalogueEdition
from requirements.vocabulary import AreaStatus

BASELINE = "baseline"
# The breakdowns of the movements, each an attribute of the clinic on the day.
DIMENSIONS = ("municipality_code", "kind", "contract_form")


@dataclass(frozen=True)
class Movement:
    """How many clinics would stop meeting an area (or the baseline), and start."""

    to_not_met: int = 0
    to_met: int = 0


@dataclass(frozen=True)
class AffectedClinic:
    clinic_id: int
    name: str
    municipality_code: str
    kind: str
    contract_form: str
    # Areas (and "baseline") met now and not under the revision, and the other way.
    lost: tuple[str, ...]
    gained: tuple[str, ...]


@dataclass(frozen=True)
class ReportToRenew:
    """A clinic whose approved report has no answer yet to what the revision asks anew."""

    clinic_id: int
    name: str
    report_id: int
    codes: tuple[str, ...]


@dataclass(frozen=True)
class CatalogueImpact:
    on: date
    # The version the revision is compared with: the one in force on the day, if any.
    current: CatalogueVersion | None
    diff: CatalogueDiff
    clinics: int
    movements: dict[str, Movement]
    # (dimension, value, area or "baseline") -> the movement of those clinics.
    by_dimension: dict[tuple[str, str, str], Movement]
    affected: tuple[AffectedClinic, ...]
    reports: tuple[ReportToRenew, ...]


def catalogue_impact(catalogue: ParsedCatalogue, on: date | None = None) -> CatalogueImpact:
    """The revision's impact on ``on`` (default: the day it takes effect)."""
    on = on or catalogue.effective_from
    editions = catalogue_editions()
    current = _in_force(editions, on)
    version = CatalogueVersion.objects.get(pk=current.version_id) if current else None
    diff = compare(stored_fields(version) if version else {}, parsed_fields(catalogue))
    revision = CatalogueEdition(
        version_id=0, effective_from=catalogue.effective_from, revision=0, rules=catalogue.rules()
    )
    ids = list(Clinic.objects.order_by("pk").values_list("pk", flat=True))
    lost, gained = Counter(), Counter()
    lost_by, gained_by = Counter(), Counter()
    affected, reports = [], []
    judged = 0
    for chunk in batched(ids, BATCH):
        scope = ClinicScope(first=chunk[0], last=chunk[-1])
        for clinic_id, inputs in read_inputs(scope, editions).items():
            day = inputs.on(on)
            if not day.attributes.is_active_on(on):
                continue
            judged += 1
            after = replace(day, edition=revision).evaluate(on)
            before_met = _met(day.evaluate(on))
            after_met = _met(after)
            clinic_lost = _turned(before_met, after_met)
            clinic_gained = _turned(after_met, before_met)
            attributes = day.attributes
            for key in clinic_lost:
                lost[key] += 1
                for dimension in DIMENSIONS:
                    lost_by[dimension, getattr(attributes, dimension), key] += 1
            for key in clinic_gained:
                gained[key] += 1
                for dimension in DIMENSIONS:
                    gained_by[dimension, getattr(attributes, dimension), key] += 1
            if clinic_lost or clinic_gained:
                affected.append(
                    AffectedClinic(
                        clinic_id,
                        attributes.name,
                        attributes.municipality_code,
                        attributes.kind,
                        attributes.contract_form,
                        clinic_lost,
                        clinic_gained,
                    )
                )
            if day.report is not None:
                to_answer = _to_answer(diff, after, day.report.answers)
                if to_answer:
                    reports.append(
                        ReportToRenew(clinic_id, attributes.name, day.report.report_id, to_answer)
                    )
    keys = sorted(set(lost) | set(gained), key=lambda key: (key == BASELINE, key))
    return CatalogueImpact(
        on=on,
        current=version,
        diff=diff,
        clinics=judged,
        movements={key: Movement(lost[key], gained[key]) for key in keys},
        by_dimension={
            key: Movement(lost_by[key], gained_by[key])
            for key in sorted(set(lost_by) | set(gained_by))
        },
        affected=tuple(sorted(affected, key=lambda clinic: (clinic.name, clinic.clinic_id))),
        reports=tuple(sorted(reports, key=lambda report: (report.name, report.clinic_id))),
    )


def _in_force(editions: tuple[CatalogueEdition, ...], day: date) -> CatalogueEdition | None:
    in_force = [edition for edition in editions if edition.effective_from <= day]
    return in_force[-1] if in_force else None


def _turned(met: dict[str, bool], other: dict[str, bool]) -> tuple[str, ...]:
    """The areas met in ``met`` and applying but not met in ``other``."""
    return tuple(sorted(key for key, is_met in met.items() if is_met and other.get(key) is False))


def _met(compliance: ClinicCompliance | None) -> dict[str, bool]:
    """Each area that applies (and the baseline): met or not. An area that does not apply
    is left out: it neither stops nor starts being met."""
    if compliance is None:
        return {}
    met = {
        area.code: area.status == AreaStatus.MET
        for area in compliance.areas
        if area.status != AreaStatus.NOT_APPLICABLE
    }
    met[BASELINE] = compliance.meets_baseline
    return met


def _to_answer(diff: CatalogueDiff, after: ClinicCompliance | None, answers) -> tuple[str, ...]:
    """The requirements the revision asks anew (added, or changed in what is asked) that
    apply to the clinic and that its approved report has no answer to, or answered as
    they were asked before."""
    if after is None:
        return ()
    added = set(diff.added)
    return tuple(
        result.code
        for area in after.areas
        for result in area.results
        if result.applies
        and result.code in diff.asked_anew
        # An added code the report answers (one an older version had) keeps that answer.
        and (result.code not in answers or result.code not in added)
    )
