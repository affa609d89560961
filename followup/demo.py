"""Demo usage for the demo register (``make run``, ``make bench``): some months of the
national e-service statistics, as a region would import them. A clinic that offers a
service by its answer mostly uses it; one in eight does not, which the clinic page and
the usage indicators then show."""

import random
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from clinics.models import AreaStatusPeriod, RequirementStatusPeriod
from followup.models import ImportedVia, Usage, UsageImport, UsageMonth
from followup.vocabulary import UsageMeasure
from requirements.vocabulary import ComplianceStatus

DEMO_MONTHS = 3
_UNUSED_SHARE = 1 / 8
# Typical monthly counts at a clinic offering the service (the upper end of a draw).
_TYPICAL = {
    UsageMeasure.WEB_BOOKINGS: 600,
    UsageMeasure.E_SERVICE_CASES: 900,
    UsageMeasure.VIDEO_VISITS: 60,
    UsageMeasure.JOURNALEN_LOGINS: 2500,
}


@transaction.atomic
def seed_demo_usage(
    *, months: int = DEMO_MONTHS, seed: int = 1, today: date | None = None
) -> UsageImport | None:
    """The last ``months`` complete months of every measure, for the clinics that offer
    the service by their answer today; None when usage already exists."""
    if UsageMonth.objects.exists():
        return None
    today = today or timezone.localdate()
    first = today.replace(day=1)
    shown = []
    for _ in range(months):
        first = (first - timedelta(days=1)).replace(day=1)
        shown.append(first)
    offering = _offering(today)
    rng = random.Random(seed)
    record = UsageImport.objects.create(
        via=ImportedVia.COMMAND,
        operator="demo",
        imported_at=timezone.now(),
        file_name="demo",
        rows=0,
        months=", ".join(f"{m:%Y-%m} {measure}" for m in shown for measure in UsageMeasure),
    )
    rows = []
    for measure in UsageMeasure:
        for clinic_id in sorted(offering[measure]):
            if rng.random() < _UNUSED_SHARE:
                continue  # offered by the answer, never used: no row is zero use
            for month in shown:
                value = rng.randint(1, _TYPICAL[measure])
                rows.append(
                    Usage(
                        clinic_id=clinic_id,
                        month=month,
                        measure=measure,
                        value=value,
                        usage_import=record,
                    )
                )
    Usage.objects.bulk_create(rows, batch_size=5000)
    UsageMonth.objects.bulk_create(
        UsageMonth(month=month, measure=measure, usage_import=record)
        for month in shown
        for measure in UsageMeasure
    )
    record.rows = len(rows)
    record.save(update_fields=["rows"])
    return record


def _offering(day: date) -> dict[UsageMeasure, set[int]]:
    """The clinics offering what each measure counts on ``day``, as the usage indicators
    count them. Two queries."""
    offering: dict[UsageMeasure, set[int]] = {measure: set() for measure in UsageMeasure}
    by_code = {measure.evidences: measure for measure in UsageMeasure}
    rows = RequirementStatusPeriod.objects.on(day).filter(
        requirement_code__in=list(by_code), status=ComplianceStatus.COMPLIANT
    )
    for code, clinic_id in rows.values_list("requirement_code", "clinic_id"):
        offering[by_code[code]].add(clinic_id)
    areas = AreaStatusPeriod.objects.on(day).filter(Q(area_code__in=list(by_code), met__gt=0))
    for code, clinic_id in areas.values_list("area_code", "clinic_id"):
        offering[by_code[code]].add(clinic_id)
    return offering
