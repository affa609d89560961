"""One clinic's compliance on a day, read from its stored timeline.

The clinic page and the clinic's compliance over the API show exactly what the overview
and the follow-up count, because all of them read the same rows.
"""

import logging
from datetime import date

from django.db.models import OuterRef, Subquery

from clinics.models import AreaStatusPeriod, RequirementStatusPeriod
from requirements.compliance import (
    AreaResult,
    CatalogueRules,
    ClinicCompliance,
    ExemptionGrant,
    RequirementResult,
)
from requirements.vocabulary import AreaStatus, ComplianceStatus

logger = logging.getLogger(__name__)


def compliance_on(clinic_id: int, day: date, rules: CatalogueRules) -> ClinicCompliance:
    """The clinic's compliance on ``day`` against ``rules`` (the catalogue version in force
    that day), in one query: its requirement rows, with the exemption behind each (its days
    as they count) and their area's status."""
    area_status = AreaStatusPeriod.objects.on(day).filter(
        clinic_id=OuterRef("clinic_id"), area_code=OuterRef("area_code")
    )
    rows = (
        RequirementStatusPeriod.objects.on(day)
        .filter(clinic_id=clinic_id)
        .select_related("case")
        .annotate(area_status=Subquery(area_status.values("status")[:1]))
    )
    area_statuses: dict[str, str] = {}
    advisory = {rule.code for rule in rules.requirements if rule.advisory}
    results: dict[str, RequirementResult] = {}
    for row in rows:
        area_statuses[row.area_code] = row.area_status
        exemption = None
        if row.case is not None:
            exemption = ExemptionGrant(
                row.requirement_code,
                row.exemption_kind,
                row.case.valid_from,
                row.case.valid_until,
                row.case_id,
            )
        results[row.requirement_code] = RequirementResult(
            row.requirement_code,
            row.area_code,
            ComplianceStatus(row.status),
            None,
            exemption,
            advisory=row.requirement_code in advisory,
        )
    missing = [rule.code for rule in rules.requirements if rule.code not in results]
    if missing:
        # Only a write past the services can cause this; rebuild_compliance mends it.
        logger.error("clinic %s has no timeline rows on %s for %s", clinic_id, day, missing)
    areas = []
    for area in rules.areas:
        own = tuple(
            results.get(rule.code)
            or RequirementResult(rule.code, area.code, ComplianceStatus.NOT_REPORTED)
            for rule in rules.requirements
            if rule.area_code == area.code
        )
        result = AreaResult(code=area.code, in_baseline=area.in_baseline, results=own)
        # A minimum of the area (GroupMinimum) is judged on answers the rows do not keep:
        # the stored area status says whether it failed.
        if (
            area_statuses.get(area.code) == AreaStatus.NOT_MET
            and result.status != AreaStatus.NOT_MET
        ):
            result = AreaResult(area.code, area.in_baseline, own, minimums_hold=False)
        areas.append(result)
    return ClinicCompliance(on_date=day, areas=tuple(areas))
