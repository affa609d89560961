"""Reads that many pages share, each in a constant number of queries."""

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from clinics.models import Answer, Clinic, Report, ReportState
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
    """clinic id -> exemptions approved for it. Exemption cases arrive with their own issue;
    until then no clinic has any, and compliance rests on the answers alone."""
    return {}


def compliance_for_clinics(
    clinics: QuerySet[Clinic],
    on_date: date | None = None,
    rules: CatalogueRules | None = None,
) -> dict[int, ClinicCompliance]:
    """Evaluate every clinic of ``clinics`` on ``on_date`` (default today).

    The number of queries does not depend on the number of clinics: the catalogue (two,
    unless ``rules`` is given), the clinics, and their answers.
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
