"""A reporter's work on several clinics at once (a provider's coordinator): one answer to one
requirement for many clinics, and many ready reports submitted together.

Each clinic's report still gets its own rows, exactly as if the reporter had acted on each
report in turn: an Answer with its history row, a ReportEvent for each submission. Each
report is then reviewed on its own; nothing changes in review.

Both actions are all or nothing. If any chosen clinic cannot take the action, nothing is
written and every refused clinic is named with its reason (``extra["refused"]``): for a
public record a batch either happened whole or not at all, and the reporter corrects the
selection and saves again. The rules are those of ``clinics.services.reports`` (the same
state checks, ``validate_answer``, every applicable requirement answered before submitting),
checked under the reports' locks. Every function costs the same number of queries for two
clinics as for two hundred.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from clinics import access
from clinics.models import Answer, AnswerAction, Clinic, Report, ReportEvent, ReportState, User
from clinics.models.reports import ANSWER_FIELDS
from clinics.services.reports import (
    _check_round_open,
    _target_state,
    answer_values,
    open_drafts,
    validate_answer,
)
from halland_utbud.errors import ApplicationError, InvalidTransition, NotAllowed
from requirements.compliance import RequirementRule
from requirements.models import CatalogueVersion, Requirement
from requirements.selectors import catalogue_in_force


@dataclass(frozen=True)
class Refusal:
    """A chosen clinic that cannot take the action, and why. ``clinic`` is None for a
    clinic the reporter may not see: its name is not theirs to read."""

    clinic_id: int
    clinic: Clinic | None
    reason: str


@dataclass(frozen=True)
class BulkAnswered:
    answers: list[Answer]  # the answers written (new or changed), one per clinic
    unchanged: int  # chosen clinics whose answer was already exactly this one
    started: int  # reports started for clinics that had none in progress


@dataclass(frozen=True)
class AnswerCandidate:
    """One of the reporter's clinics on the bulk answer page."""

    clinic: Clinic
    report: Report | None  # its report in progress
    answer: Answer | None  # its current answer to the requirement
    refusal: str  # why it cannot take the answer; "" when it can


@dataclass(frozen=True)
class SubmitCandidate:
    """One of the reporter's clinics on the bulk submit page."""

    clinic: Clinic
    report: Report | None  # its report in progress
    refusal: str  # why it cannot be submitted; "" when it is ready


def _not_theirs() -> str:
    return _("You may not report for this clinic.")


def _check_reporter(actor: User) -> None:
    if not access.is_reporter(actor):
        raise NotAllowed(_("Only clinic reporters report for clinics."))


def choice_errors(clinic_ids: Iterable[int]) -> dict[str, str]:
    """The field error of a choice of clinics; empty when some are chosen."""
    return {} if clinic_ids else {"clinics": _("Choose at least one clinic.")}


def _chosen(clinic_ids: Iterable[int]) -> list[int]:
    ids = sorted({int(pk) for pk in clinic_ids})
    if errors := choice_errors(ids):
        raise ApplicationError(errors["clinics"], extra={"errors": errors})
    return ids


def _reportable(actor: User, ids: Sequence[int]) -> dict[int, Clinic]:
    """id -> clinic, of the chosen clinics the actor may report for (two queries)."""
    allowed = access.reportable_clinic_ids(actor, ids)
    return Clinic.objects.filter(pk__in=allowed).select_related("provider").in_bulk()


def _refusals(
    ids: Sequence[int], clinics: dict[int, Clinic], reason: Callable[[Clinic], str]
) -> list[Refusal]:
    """Each chosen clinic that is not the actor's, or for which ``reason`` says why not."""
    refused = []
    for pk in ids:
        if pk not in clinics:
            refused.append(Refusal(pk, None, _not_theirs()))
        elif why := reason(clinics[pk]):
            refused.append(Refusal(pk, clinics[pk], why))
    return refused


def _refused(refused: list[Refusal], message: str) -> ApplicationError:
    return ApplicationError(message % {"count": len(refused)}, extra={"refused": refused})


def _open_reports(clinic_ids: Sequence[int], *, lock: bool) -> dict[int, Report]:
    """clinic id -> its report in progress (the database allows at most one)."""
    reports = Report.objects.filter(clinic_id__in=clinic_ids).exclude(
        state__in=ReportState.final_states()
    )
    if lock:
        reports = reports.select_for_update(of=("self",))
    return {
        report.clinic_id: report
        for report in reports.select_related("round").order_by("clinic_id")
    }


# Answering one requirement for many clinics ---------------------------------------------


def answer_refusal(
    *,
    clinic: Clinic,
    report: Report | None,
    rule: RequirementRule,
    version: CatalogueVersion,
) -> str:
    """Why ``clinic`` cannot take an answer to the requirement, or "" when it can. The page
    lists clinics with this, and the service checks them with it under the lock.

    A clinic without a report in progress can: a report is started for it.
    """
    if not rule.applicability.applies_to(clinic.profile()):
        return _("The requirement does not apply to this clinic.")
    if report is None:
        return ""
    try:
        _check_round_open(report)
    except InvalidTransition as error:
        return error.message
    if report.state not in ReportState.open_states():
        return _("The report is submitted or approved and cannot be changed.")
    if report.catalogue_version_id != version.pk:
        return _(
            "The clinic's report follows an earlier requirement catalogue; "
            "answer this requirement in the report form."
        )
    return ""


def _start_reports(
    clinics: list[Clinic], *, version: CatalogueVersion, actor: User, on_date: date, now
) -> list[Report]:
    """Start a draft for each clinic, as ``start_report`` does for one."""
    try:
        return open_drafts(
            [clinic.pk for clinic in clinics],
            version=version,
            actor=actor,
            on_date=on_date,
            now=now,
        )
    except IntegrityError:
        raise ApplicationError(
            _("Someone changed the same clinics at the same time. Try again.")
        ) from None


@transaction.atomic
def answer_for_clinics(
    *,
    clinic_ids: Iterable[int],
    requirement: Requirement,
    actor: User,
    status: str,
    channel: str = "",
    evidence_url: str = "",
    comment: str = "",
    justification: str = "",
    on_date: date | None = None,
) -> BulkAnswered:
    """Give one answer to ``requirement`` in the report in progress of every chosen clinic,
    starting a draft where a clinic has none: each clinic gets its own Answer and history
    row naming the actor. An answer already exactly this one is left as it is, so that the
    history shows only what changed.
    """
    _check_reporter(actor)
    on_date = on_date or timezone.localdate()
    version = catalogue_in_force(on_date)
    if version is None:
        raise ApplicationError(_("No requirement catalogue is in force today."))
    errors: dict[str, str] = {}
    if requirement.version_id != version.pk:
        errors["requirement"] = _("Choose a requirement of the catalogue in force.")
    errors |= validate_answer(
        requirement=requirement,
        status=status,
        channel=channel,
        evidence_url=evidence_url,
        justification=justification,
        comment=comment,
    )
    if errors:
        raise ApplicationError(_("The answer has errors."), extra={"errors": errors})
    ids = _chosen(clinic_ids)

    clinics = _reportable(actor, ids)
    reports = _open_reports(sorted(clinics), lock=True)
    rule = requirement.to_rule()
    refused = _refusals(
        ids,
        clinics,
        lambda clinic: answer_refusal(
            clinic=clinic, report=reports.get(clinic.pk), rule=rule, version=version
        ),
    )
    if refused:
        raise _refused(
            refused,
            _("%(count)d of the chosen clinics cannot take the answer; nothing was saved."),
        )

    now = timezone.now()
    started = _start_reports(
        [clinics[pk] for pk in ids if pk not in reports],
        version=version,
        actor=actor,
        on_date=on_date,
        now=now,
    )
    reports |= {report.clinic_id: report for report in started}
    existing = {
        answer.report_id: answer
        for answer in Answer.objects.filter(
            report__in=[report.pk for report in reports.values()], requirement=requirement
        )
    }
    given = answer_values(
        status=status,
        channel=channel,
        evidence_url=evidence_url,
        comment=comment,
        justification=justification,
    )
    created, changed = [], []
    for pk in ids:
        report = reports[pk]
        answer = existing.get(report.pk)
        if answer is not None and all(getattr(answer, f) == v for f, v in given.items()):
            continue
        answer = answer or Answer(report=report, requirement=requirement)
        for field, value in given.items():
            setattr(answer, field, value)
        answer.reported_by = actor
        answer.reported_at = now
        # Field checks only: the relations and the unique constraint are the database's,
        # and checking them here would cost a query per clinic.
        answer.full_clean(
            exclude=["report", "requirement", "reported_by"],
            validate_unique=False,
            validate_constraints=False,
        )
        (changed if answer.pk else created).append(answer)
    if changed:
        bulk_update_with_history(
            changed,
            Answer,
            [*ANSWER_FIELDS, "reported_by", "reported_at"],
            default_user=actor,
            default_date=now,
            default_change_reason=AnswerAction.ANSWERED,
        )
    if created:
        bulk_create_with_history(
            created,
            Answer,
            default_user=actor,
            default_date=now,
            default_change_reason=AnswerAction.ANSWERED,
        )
    # Someone has now answered in each of the reports: a round's draft is started.
    Report.objects.filter(
        pk__in=[answer.report_id for answer in created + changed], started_at__isnull=True
    ).update(started_at=now)
    return BulkAnswered(
        answers=created + changed,
        unchanged=len(ids) - len(created) - len(changed),
        started=len(started),
    )


def answer_candidates(
    user: User, requirement: Requirement, *, clinics: QuerySet[Clinic] | None = None
) -> list[AnswerCandidate]:
    """The reporter's active clinics (or those of ``clinics``) for the bulk answer page: each
    with its report in progress, its current answer to ``requirement`` and why it cannot
    take an answer ("" when it can). Three queries whatever the number of clinics."""
    today = timezone.localdate()
    version = requirement.version
    listed = access.visible_clinics(user).active_on(today) if access.is_reporter(user) else None
    if listed is None:
        return []
    if clinics is not None:
        listed = listed.filter(pk__in=clinics.values("pk"))
    rows = list(listed.select_related("provider").order_by("name", "pk"))
    reports = _open_reports([clinic.pk for clinic in rows], lock=False)
    answers = {
        answer.report_id: answer
        for answer in Answer.objects.filter(
            report__in=[report.pk for report in reports.values()], requirement=requirement
        )
    }
    rule = requirement.to_rule()
    result = []
    for clinic in rows:
        report = reports.get(clinic.pk)
        reason = answer_refusal(clinic=clinic, report=report, rule=rule, version=version)
        result.append(
            AnswerCandidate(clinic, report, answers.get(report.pk) if report else None, reason)
        )
    return result


# Submitting many reports ----------------------------------------------------------------


def unanswered_by_report(reports: Sequence[Report]) -> dict[int, list[Requirement]]:
    """report id -> the requirements that apply to its clinic and have no answer yet
    (``unanswered_requirements`` for many reports), in two queries. The reports come with
    their clinic and its provider."""
    requirements: dict[int, list[Requirement]] = defaultdict(list)
    for requirement in Requirement.objects.filter(
        version_id__in={report.catalogue_version_id for report in reports}
    ).select_related("area"):
        requirements[requirement.version_id].append(requirement)
    rules = {
        requirement.pk: requirement.to_rule()
        for version_requirements in requirements.values()
        for requirement in version_requirements
    }
    answered = set(
        Answer.objects.filter(report__in=[report.pk for report in reports]).values_list(
            "report_id", "requirement_id"
        )
    )
    unanswered = {}
    for report in reports:
        profile = report.clinic.profile()
        unanswered[report.pk] = [
            requirement
            for requirement in requirements[report.catalogue_version_id]
            if (report.pk, requirement.pk) not in answered
            and rules[requirement.pk].applicability.applies_to(profile)
        ]
    return unanswered


def submit_refusal(report: Report | None, unanswered: int) -> str:
    """Why a clinic's report cannot be submitted, or "" when it is ready: the rules of
    ``submit_report``. The page lists reports with this, and the service checks them."""
    if report is None:
        return _("The clinic has no report in progress.")
    try:
        _check_round_open(report)
        _target_state("submit", report)
    except InvalidTransition as error:
        return error.message
    if unanswered:
        return ngettext(
            "%(count)d requirement has no answer yet.",
            "%(count)d requirements have no answer yet.",
            unanswered,
        ) % {"count": unanswered}
    return ""


def _reports_with_clinics(reports: dict[int, Report], clinics: dict[int, Clinic]) -> None:
    for clinic_id, report in reports.items():
        report.clinic = clinics[clinic_id]


@transaction.atomic
def submit_reports(*, clinic_ids: Iterable[int], actor: User) -> list[Report]:
    """Submit the report in progress of every chosen clinic for review, all or none: each
    report gets its own state change, history row and event, as ``submit_report`` gives
    one."""
    _check_reporter(actor)
    ids = _chosen(clinic_ids)
    clinics = _reportable(actor, ids)
    reports = _open_reports(sorted(clinics), lock=True)
    _reports_with_clinics(reports, clinics)
    unanswered = unanswered_by_report(list(reports.values()))

    def reason(clinic: Clinic) -> str:
        report = reports.get(clinic.pk)
        return submit_refusal(report, len(unanswered[report.pk]) if report else 0)

    refused = _refusals(ids, clinics, reason)
    if refused:
        raise _refused(
            refused,
            _("%(count)d of the chosen reports cannot be submitted; none was submitted."),
        )

    now = timezone.now()
    submitted = [reports[pk] for pk in ids]
    events = [
        ReportEvent(
            report=report,
            actor=actor,
            at=now,
            from_state=report.state,
            to_state=ReportState.SUBMITTED,
        )
        for report in submitted
    ]
    for report in submitted:
        report.state = ReportState.SUBMITTED
        report.submitted_at = now
        report.submitted_by = actor
    bulk_update_with_history(
        submitted,
        Report,
        ["state", "submitted_at", "submitted_by"],
        default_user=actor,
        default_date=now,
    )
    ReportEvent.objects.bulk_create(events)
    return submitted


def submit_candidates(user: User) -> list[SubmitCandidate]:
    """The reporter's active clinics for the bulk submit page: each with its report in
    progress and why it cannot be submitted ("" when it is ready). Four queries whatever
    the number of clinics."""
    if not access.is_reporter(user):
        return []
    today = timezone.localdate()
    clinics = list(
        access.visible_clinics(user)
        .active_on(today)
        .select_related("provider")
        .order_by("name", "pk")
    )
    reports = _open_reports([clinic.pk for clinic in clinics], lock=False)
    _reports_with_clinics(reports, {clinic.pk: clinic for clinic in clinics})
    unanswered = unanswered_by_report(list(reports.values()))
    rows = []
    for clinic in clinics:
        report = reports.get(clinic.pk)
        count = len(unanswered[report.pk]) if report else 0
        rows.append(SubmitCandidate(clinic, report, submit_refusal(report, count)))
    return rows
