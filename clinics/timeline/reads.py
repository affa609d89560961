"""One clinic's compliance on a day, read from its stored timeline.

The clinic page and the clinic's compliance over the API show exactly what the overview
and the follow-up count, because all of them read the same rows.
"""

import logging
from datetime import date

from clinics.models import RequirementStatusPeriod
from requirements.compliance import (
    AreaResult,
    CatalogueRules,
    ClinicCompliance,
    ExemptionGrant,
    RequirementResult,
)
from requirements.vocabulary import ComplianceStatus

logger = logging.getLogger(__name__)


def compliance_on(clinic_id: int, day: date, rules: CatalogueRules) -> ClinicCompliance:
    """The clinic's compliance on ``day`` against ``rules`` (the catalogue version in force
    that day), in one query: its requirement rows, with the exemption behind each (its days
    as they count)."""
    rows = (
        RequirementStatusPeriod.objects.on(day).filter(clinic_id=clinic_id).select_related("case")
    )
    advisory = {rule.code for rule in rules.requirements if rule.advisory}
    results: dict[str, RequirementResult] = {}
    for row in rows:
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
    return ClinicCompliance(
        on_date=day,
        areas=tuple(
            AreaResult(
                code=area.code,
                in_baseline=area.in_baseline,
                results=tuple(
                    results.get(rule.code)
                    or RequirementResult(rule.code, area.code, ComplianceStatus.NOT_REPORTED)
                    for rule in rules.requirements
                    if rule.area_code == area.code
                ),
            )
            for area in rules.areas
        ),
    )
