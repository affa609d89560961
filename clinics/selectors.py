"""Reads that many pages share, each in a constant number of queries."""

from datetime import date, datetime, time, timedelta

from django.db.models import Case, CharField, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils import timezone

from clinics.models import (
    Clinic,
    Report,
    ReportingStatus,
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


def reporting_status(report: str) -> Case:
    """The ``ReportingStatus`` of the report at the path ``report`` (a clinic's latest
    report: ``latest_report`` on a status row), as an expression; NULL for ``NONE``.

    A draft that a round opened and nobody has answered in is not started; a report
    approved in a round still open shows as approved there; a report approved outside a
    round, or in a closed round, is no longer under way (it is what counts).
    """
    state, round = f"{report}__state", f"{report}__round"
    return Case(
        When(
            Q(**{state: ReportState.DRAFT, f"{report}__started_at__isnull": True})
            & Q(**{f"{round}__isnull": False}),
            then=Value(ReportingStatus.NOT_STARTED.value),
        ),
        When(Q(**{f"{state}__in": ReportState.in_progress_states()}), then=F(state)),
        When(
            Q(**{state: ReportState.APPROVED, f"{round}__closed_at__isnull": True})
            & Q(**{f"{round}__isnull": False}),
            then=Value(ReportingStatus.APPROVED.value),
        ),
        default=Value(None),
        output_field=CharField(null=True),
    )
