"""Reads that many pages share, each in a constant number of queries."""

from datetime import date, datetime, time, timedelta

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from clinics.models import (
    Clinic,
    Report,
    ReportState,
)


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
