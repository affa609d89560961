"""Reads that many pages share, each in a constant number of queries."""

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from clinics.models import (
    Answer,
    CaseEvent,
    CaseState,
    Clinic,
    ExemptionCase,
    Report,
    ReportState,
)
from requirements.compliance import (
    CatalogueRules,
    ClinicCompliance,
    ExemptionGrant,
    ReportedAnswer,
    evaluate,
)
from requirements.selectors import catalogue_in_force, catalogue_rules
from requirements.vocabulary import AnswerStatus


def _end_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def latest_approved_reports(clinics: QuerySet[Clinic], on_date: date) -> QuerySet[Report]:
    """Each clinic's offering on ``on_date``: its last report approved by the end of that day."""
    latest = (
        Report.objects.filter(
            clinic=OuterRef("pk"),
            state=ReportState.APPROVED,
            decided_at__lt=_end_of_day(on_date),
        )
        .order_by("-decided_at", "-pk")
        .values("pk")[:1]
    )
    return Report.objects.filter(
        pk__in=clinics.order_by().annotate(latest=Subquery(latest)).values("latest")
    )


def approved_answers(
    clinics: QuerySet[Clinic], on_date: date
) -> dict[int, dict[str, ReportedAnswer]]:
    """clinic id -> requirement code -> the answer in force on ``on_date``, in one query."""
    rows = Answer.objects.filter(report__in=latest_approved_reports(clinics, on_date)).values_list(
        "report__clinic_id", "requirement__code", "status", "justification"
    )
    answers: dict[int, dict[str, ReportedAnswer]] = defaultdict(dict)
    for clinic_id, code, status, justification in rows:
        answers[clinic_id][code] = ReportedAnswer(code, AnswerStatus(status), justification)
    return answers


def approved_exemptions(
    clinics: QuerySet[Clinic], on_date: date
) -> dict[int, list[ExemptionGrant]]:
    """clinic id -> the exemptions in force for it on ``on_date``, in one query.

    A case counts when its approved period (both ends inclusive, no end = until further
    notice) covers ``on_date`` and it was approved for that day:
    - approved cases;
    - expired cases, which were approved for exactly that period (expiry only records that
      the period ended), so a past date is judged as it was;
    - revoked cases only on days before the day of revocation (the local date of their last
      event to "revoked"): from that day on the approval no longer holds.
    Rejected, returned, submitted and draft cases never count. The requirement is matched
    by code, so an approval carries over to a new catalogue version that keeps the code.
    """
    revoked_at = Subquery(
        CaseEvent.objects.filter(case=OuterRef("pk"), to_state=CaseState.REVOKED)
        .order_by("-at", "-pk")
        .values("at")[:1]
    )
    rows = (
        ExemptionCase.objects.filter(
            clinic__in=clinics.order_by().values("pk"), valid_from__lte=on_date
        )
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on_date))
        .annotate(revoked_at=revoked_at)
        .filter(
            Q(state__in=[CaseState.APPROVED, CaseState.EXPIRED])
            | Q(state=CaseState.REVOKED, revoked_at__gte=_end_of_day(on_date))
        )
        .order_by("clinic_id", "valid_from", "pk")
        .values_list(
            "clinic_id", "requirement__code", "exemption_kind", "valid_from", "valid_until"
        )
    )
    grants: dict[int, list[ExemptionGrant]] = defaultdict(list)
    for clinic_id, code, kind, valid_from, valid_until in rows:
        grants[clinic_id].append(ExemptionGrant(code, kind, valid_from, valid_until))
    return grants


def compliance_for_clinics(
    clinics: QuerySet[Clinic],
    on_date: date | None = None,
    rules: CatalogueRules | None = None,
) -> dict[int, ClinicCompliance]:
    """Evaluate every clinic of ``clinics`` on ``on_date`` (default today).

    The number of queries does not depend on the number of clinics: the catalogue (two,
    unless ``rules`` is given), the clinics, their answers and their exemptions.
    """
    on_date = on_date or timezone.localdate()
    if rules is None:
        version = catalogue_in_force(on_date)
        if version is None:
            return {}
        rules = catalogue_rules(version)
    clinic_list = list(clinics.select_related("provider"))
    answers = approved_answers(clinics, on_date)
    exemptions = approved_exemptions(clinics, on_date)
    return {
        clinic.pk: evaluate(
            rules,
            clinic.profile(),
            answers.get(clinic.pk, {}),
            exemptions.get(clinic.pk, ()),
            on_date,
        )
        for clinic in clinic_list
    }
