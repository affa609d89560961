"""Reporting rounds (rapporteringsomgångar): a region admin opens one for a set of clinics,
each clinic gets a draft report to fill in by the deadline, and closing the round freezes
whatever was not approved.

Every function works on the whole round at once in a constant number of queries: a round
covers every clinic of the region, and a query per clinic would make opening, closing and
the progress page slow exactly when everybody uses them.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import (
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from simple_history.utils import bulk_update_with_history

from clinics import access, tasks
from clinics.models import Answer, Clinic, Report, ReportEvent, ReportingRound, ReportState, User
from clinics.notifications.delivery import after_commit
from clinics.services.reports import open_drafts
from halland_utbud.errors import ApplicationError, InvalidTransition, NotAllowed
from requirements.selectors import catalogue_in_force

# Reports the clinic (or the reviewer) still has to act on; past the deadline they are late.
IN_PROGRESS = ReportState.in_progress_states()
# The same, as RoundProgress counts (a draft is either not started or started).
_IN_PROGRESS_COUNTS = ["not_started", "draft", "submitted", "returned"]


class ProgressStatus(models.TextChoices):
    """Where a clinic stands in a round: the report's state, with a draft that nobody has
    answered in yet told apart, and "overdue" across the states still in progress."""

    NOT_STARTED = "not_started", gettext_lazy("Not started")
    DRAFT = ReportState.DRAFT.value, ReportState.DRAFT.label
    SUBMITTED = ReportState.SUBMITTED.value, ReportState.SUBMITTED.label
    RETURNED = ReportState.RETURNED.value, ReportState.RETURNED.label
    APPROVED = ReportState.APPROVED.value, ReportState.APPROVED.label
    CLOSED = ReportState.CLOSED.value, ReportState.CLOSED.label
    OVERDUE = "overdue", gettext_lazy("Overdue")


@dataclass(frozen=True)
class RoundProgress:
    not_started: int = 0
    draft: int = 0
    submitted: int = 0
    returned: int = 0
    approved: int = 0
    closed: int = 0
    overdue: int = 0

    @property
    def total(self) -> int:
        """Clinics in the round: each has exactly one report in it."""
        return (
            self.not_started
            + self.draft
            + self.submitted
            + self.returned
            + self.approved
            + self.closed
        )


def _check_region_admin(actor: User) -> None:
    if not access.is_region_admin(actor):
        raise NotAllowed(_("Only region administrators run reporting rounds."))


def _in_default_language(text: str) -> str:
    # Event comments are records, read later by anyone in any language: they are written
    # in the region's language, not in the language the admin happened to use.
    with translation.override(settings.LANGUAGE_CODE):
        return str(text)


def covered_clinics(clinics: QuerySet[Clinic], on_date: date) -> QuerySet[Clinic]:
    """The clinics of ``clinics`` a round opened on ``on_date`` covers: the active ones."""
    return Clinic.objects.active_on(on_date).filter(pk__in=clinics.order_by().values("pk"))


def validate_round(*, name: str, deadline: date, selection: dict, today: date) -> dict[str, str]:
    """Field errors for a round to open, in the user's language; empty when it may open.
    Also asked when the page only counts the clinics, so that a wrong deadline is said
    before the round is opened."""
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = _("Give the round a name.")
    elif ReportingRound.objects.filter(name__iexact=name.strip()).exists():
        errors["name"] = _("There is already a reporting round with this name.")
    if deadline < today:
        errors["deadline"] = _("The deadline cannot be in the past.")
    if not selection:
        errors["selection"] = _("Choose the clinics the round covers.")
    return errors


@transaction.atomic
def open_round(
    *,
    name: str,
    deadline: date,
    clinics: QuerySet[Clinic],
    selection: dict,
    actor: User,
) -> ReportingRound:
    """Open a round: a draft for each active clinic of ``clinics``, pre-filled with its last
    approved answers. A clinic already working on a report (started outside any round)
    keeps that report, now attached to the round, rather than getting a second one.

    ``selection`` is the filter that chose ``clinics``, kept with the round so that one can
    tell later whom it was meant to cover.
    """
    _check_region_admin(actor)
    today = timezone.localdate()
    name = name.strip()
    if errors := validate_round(name=name, deadline=deadline, selection=selection, today=today):
        raise ApplicationError(_("The round could not be opened."), extra={"errors": errors})

    version = catalogue_in_force(today)
    if version is None:
        raise ApplicationError(_("No requirement catalogue is in force today."))
    clinic_ids = list(covered_clinics(clinics, today).values_list("pk", flat=True))
    if not clinic_ids:
        raise ApplicationError(
            _("The selection covers no active clinic."),
            extra={"errors": {"selection": _("The selection covers no active clinic.")}},
        )

    in_progress = list(
        Report.objects.select_for_update(of=("self",))
        .filter(clinic_id__in=clinic_ids)
        .exclude(state__in=ReportState.final_states())
        .select_related("round")
    )
    busy = sorted({report.round.name for report in in_progress if report.round is not None})
    if busy:
        count = sum(1 for report in in_progress if report.round is not None)
        raise ApplicationError(
            ngettext(
                "%(count)d clinic already has a report in another open round (%(rounds)s). "
                "Close that round first, or choose other clinics.",
                "%(count)d clinics already have a report in another open round (%(rounds)s). "
                "Close that round first, or choose other clinics.",
                count,
            )
            % {"count": count, "rounds": ", ".join(busy)}
        )

    now = timezone.now()
    round = ReportingRound(
        name=name, deadline=deadline, selection=selection, opened_at=now, opened_by=actor
    )
    round._history_user = actor
    attached = {report.clinic_id for report in in_progress}
    try:
        # The database has the last word: a name taken, or a report started for one of
        # the clinics, by someone acting at the same moment.
        with transaction.atomic():
            round.save()
            # A report in progress is its clinic's latest already, now in the round.
            for report in in_progress:
                report.round = round
            if in_progress:
                bulk_update_with_history(
                    in_progress, Report, ["round"], default_user=actor, default_date=now
                )
            open_drafts(
                [pk for pk in clinic_ids if pk not in attached],
                version=version,
                actor=actor,
                on_date=today,
                now=now,
                round=round,
            )
    except IntegrityError:
        raise ApplicationError(
            _("Someone changed the same clinics or rounds at the same time. Try again.")
        ) from None
    after_commit(tasks.send_round_opened, round.pk)  # mails the clinics' reporters
    return round


@transaction.atomic
def close_round(*, round: ReportingRound, actor: User) -> ReportingRound:
    """Close the round: every report in it that is not approved is frozen as it stands
    (state CLOSED, which no transition leaves), each with an event saying so."""
    _check_region_admin(actor)
    round = ReportingRound.objects.select_for_update().get(pk=round.pk)
    if not round.is_open:
        raise InvalidTransition(_("The reporting round is already closed."))
    now = timezone.now()
    # Locking waits for a submit or a decision under way; one that approved the report
    # meanwhile takes it out of this set.
    reports = list(
        Report.objects.select_for_update()
        .filter(round=round)
        .exclude(state__in=ReportState.final_states())
    )
    comment = _in_default_language(gettext_lazy("The reporting round was closed."))
    events = [
        ReportEvent(
            report=report,
            actor=actor,
            at=now,
            from_state=report.state,
            to_state=ReportState.CLOSED,
            comment=comment,
        )
        for report in reports
    ]
    for report in reports:
        report.state = ReportState.CLOSED
    bulk_update_with_history(reports, Report, ["state"], default_user=actor, default_date=now)
    ReportEvent.objects.bulk_create(events)
    round.closed_at = now
    round.closed_by = actor
    round._history_user = actor
    round.save(update_fields=["closed_at", "closed_by"])
    return round


def progress_by_round(rounds: Iterable[ReportingRound], today: date) -> dict[int, RoundProgress]:
    """round id -> its progress, for any number of rounds in one query."""
    rounds = list(rounds)
    rows = (
        Report.objects.filter(round__in=[round.pk for round in rounds])
        .order_by()
        .values("round_id")
        .annotate(
            not_started=Count("pk", filter=Q(state=ReportState.DRAFT, started_at__isnull=True)),
            draft=Count("pk", filter=Q(state=ReportState.DRAFT, started_at__isnull=False)),
            submitted=Count("pk", filter=Q(state=ReportState.SUBMITTED)),
            returned=Count("pk", filter=Q(state=ReportState.RETURNED)),
            approved=Count("pk", filter=Q(state=ReportState.APPROVED)),
            closed=Count("pk", filter=Q(state=ReportState.CLOSED)),
        )
    )
    counts = {row.pop("round_id"): row for row in rows}
    progress = {}
    for round in rounds:
        row = counts.get(round.pk, {})
        in_progress = sum(row.get(name, 0) for name in _IN_PROGRESS_COUNTS)
        progress[round.pk] = RoundProgress(
            **row, overdue=in_progress if round.deadline < today else 0
        )
    return progress


def round_progress(round: ReportingRound, today: date) -> RoundProgress:
    """Counts per status, and how many are overdue, in one query."""
    return progress_by_round([round], today)[round.pk]


def round_reports(
    round: ReportingRound,
    today: date,
    *,
    reports: QuerySet[Report] | None = None,
    status: str = "",
) -> QuerySet[Report]:
    """The round's reports with their clinic, ``progress`` (a ProgressStatus), ``overdue``
    and ``last_change`` (the latest transition or answer), optionally only one ``status``;
    one query however many clinics the round covers.

    ``reports`` is the set the user may see (``access.visible_reports``).
    """
    reports = Report.objects.all() if reports is None else reports
    late = round.deadline < today
    last_event = ReportEvent.objects.filter(report=OuterRef("pk")).order_by("-at")
    last_answer = Answer.objects.filter(report=OuterRef("pk")).order_by("-reported_at")
    rows = (
        reports.filter(round=round)
        .select_related("clinic")
        .annotate(
            progress=Case(
                When(state=ReportState.DRAFT, started_at__isnull=True, then=Value("not_started")),
                default=F("state"),
                output_field=models.CharField(),
            ),
            overdue=ExpressionWrapper(
                Q(state__in=IN_PROGRESS) if late else Value(False),
                output_field=BooleanField(),
            ),
            # Every report has at least the event that created it; answers may be newer.
            last_change=Greatest(
                Subquery(last_event.values("at")[:1]),
                Coalesce(
                    Subquery(last_answer.values("reported_at")[:1]),
                    Subquery(last_event.values("at")[:1]),
                ),
            ),
        )
        .order_by("clinic__name", "pk")
    )
    if status == ProgressStatus.OVERDUE:
        return rows.filter(state__in=IN_PROGRESS) if late else rows.none()
    if status in ProgressStatus.values:
        return rows.filter(progress=status)
    return rows
