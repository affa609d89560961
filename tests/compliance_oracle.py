"""Compliance on one day, read straight from the sources and judged by the pure rules.

This is the reference the stored timeline is held against: it shares none of the
timeline's code (no stretches, no merging), only the rules. It reads each input as it was
on the day: the catalogue version in force, the register entry and the provider as
recorded by the end of that day (django-simple-history's ``as_of``), the last report
approved by then, and the exemptions approved for that day.
"""

from datetime import date, datetime, time, timedelta

from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from clinics.models import Answer, CaseEvent, CaseState, Clinic, ExemptionCase, Provider
from clinics.selectors import latest_approved_reports
from requirements.compliance import (
    ClinicCompliance,
    ClinicProfile,
    ExemptionGrant,
    ReportedAnswer,
    evaluate,
)
from requirements.selectors import catalogue_in_force, catalogue_rules
from requirements.vocabulary import AnswerStatus


def end_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def _as_of(instance, moment: datetime):
    """The object as last recorded before ``moment``; before the day of its first record,
    as it stood at the end of that day."""
    records = instance.history.order_by("-history_date", "-history_id")
    record = records.filter(history_date__lt=moment).first()
    if record is None:
        first = records.last()
        if first is None:
            return instance
        first_day = timezone.localtime(first.history_date).date()
        record = records.filter(history_date__lt=end_of_day(first_day)).first()
    return record.instance


def profile_on(clinic: Clinic, day: date) -> ClinicProfile:
    moment = end_of_day(day)
    recorded = _as_of(clinic, moment)
    provider = _as_of(Provider.objects.get(pk=recorded.provider_id), moment)
    return ClinicProfile(
        kind=recorded.kind,
        care_type=recorded.care_type,
        provider_kind=provider.kind,
        contract_form=recorded.contract_form,
    )


def answers_on(clinic: Clinic, day: date) -> dict[str, ReportedAnswer]:
    rows = Answer.objects.filter(
        report__in=latest_approved_reports(Clinic.objects.filter(pk=clinic.pk), day)
    ).values_list("requirement__code", "status", "justification")
    return {
        code: ReportedAnswer(code, AnswerStatus(status), justification)
        for code, status, justification in rows
    }


def exemptions_on(clinic: Clinic, day: date) -> list[ExemptionGrant]:
    """Approved and expired cases whose period covers the day; revoked ones only on the
    days before the day of their revocation."""
    revoked_at = Subquery(
        CaseEvent.objects.filter(case=OuterRef("pk"), to_state=CaseState.REVOKED)
        .order_by("-at", "-pk")
        .values("at")[:1]
    )
    rows = (
        ExemptionCase.objects.filter(clinic=clinic, valid_from__lte=day)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day))
        .annotate(revoked_at=revoked_at)
        .filter(
            Q(state__in=[CaseState.APPROVED, CaseState.EXPIRED])
            | Q(state=CaseState.REVOKED, revoked_at__gte=end_of_day(day))
        )
        .values_list("requirement__code", "exemption_kind", "valid_from", "valid_until", "pk")
    )
    return [ExemptionGrant(*row) for row in rows]


def compliance_on(clinic: Clinic, day: date) -> ClinicCompliance | None:
    version = catalogue_in_force(day)
    if version is None:
        return None
    return evaluate(
        catalogue_rules(version),
        profile_on(clinic, day),
        answers_on(clinic, day),
        exemptions_on(clinic, day),
        day,
    )
