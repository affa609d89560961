"""Reads that many pages share, each in a constant number of queries."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Case, CharField, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils import timezone

from clinics.models import (
    NO_ROLE,
    CaseEvent,
    CaseState,
    Clinic,
    ExemptionCase,
    Report,
    ReportingStatus,
    ReportState,
    User,
)


def awaiting_role() -> QuerySet[User]:
    """Active people who signed in and wait for a region admin to give them a role."""
    return User.objects.filter(role=NO_ROLE, is_active=True, is_superuser=False)


def awaiting_role_count() -> int:
    return awaiting_role().count()


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

    ``ClinicStatusPeriod.latest_report_under_way`` joins only the reports these branches
    can name; a new branch belongs in its condition too (a test holds the two together).
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


# Approved cases ending within this many days are marked in the lists of cases.
EXPIRING_SOON_DAYS = 30


def days_left(case: ExemptionCase, today: date) -> int | None:
    """Days from ``today`` to the last day of an approved case's period; None for a case
    not approved or approved until further notice."""
    if case.state != CaseState.APPROVED or case.valid_until is None:
        return None
    return (case.valid_until - today).days


@dataclass(frozen=True)
class CaseRow:
    """A case in a list, with what its "ends" column says."""

    case: ExemptionCase
    days_left: int | None

    @classmethod
    def of(cls, case: ExemptionCase, today: date) -> "CaseRow":
        return cls(case, days_left(case, today))

    @property
    def expiring_soon(self) -> bool:
        return self.days_left is not None and 0 <= self.days_left <= EXPIRING_SOON_DAYS

    @property
    def has_ended(self) -> bool:
        # Approved but past its end: the nightly job has not yet marked it expired.
        return self.days_left is not None and self.days_left < 0


def cases_in_force(cases: QuerySet[ExemptionCase], day: date) -> QuerySet[ExemptionCase]:
    """Of ``cases``, those whose approved period holds ``day``, counted as the compliance
    timeline counts them: a revoked one only on the days before the day it was revoked,
    an expired one for exactly its period, an approved one past its end (before the
    nightly job marks it expired) not at all. One query, with the revocation a subquery."""
    revoked_at = Subquery(
        CaseEvent.objects.filter(case=OuterRef("pk"), to_state=CaseState.REVOKED)
        .order_by("-at", "-pk")
        .values("at")[:1]
    )
    return (
        cases.alias(revoked_at=revoked_at)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day), valid_from__lte=day)
        .filter(
            Q(state__in=[CaseState.APPROVED, CaseState.EXPIRED])
            | Q(state=CaseState.REVOKED, revoked_at__gte=_end_of_day(day))
        )
    )
