"""Every change to a report goes through here: the state machine, the actor checks, the
event rows. Each function runs in one transaction and locks the report it changes, so two
people acting at once cannot both win.
"""

from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history

from clinics import tasks
from clinics.access import check_may_report, check_may_review
from clinics.links import evidence_url_error
from clinics.models import (
    Answer,
    AnswerAction,
    Clinic,
    Report,
    ReportEvent,
    ReportingRound,
    ReportState,
    User,
)
from clinics.notifications.delivery import after_commit
from clinics.selectors import latest_approved_reports
from clinics.timeline import rewrite_timelines
from halland_utbud.errors import ApplicationError, InvalidTransition
from halland_utbud.limits import LONG_TEXT_MAX, too_long
from requirements.catalogue_diff import ASKED_FIELDS
from requirements.models import CatalogueVersion, Requirement
from requirements.selectors import catalogue_in_force
from requirements.vocabulary import AnswerStatus, Channel

# (action, from state) -> to state. Anything not listed is refused.
TRANSITIONS: dict[tuple[str, str], str] = {
    ("submit", ReportState.DRAFT): ReportState.SUBMITTED,
    ("submit", ReportState.RETURNED): ReportState.SUBMITTED,
    ("approve", ReportState.SUBMITTED): ReportState.APPROVED,
    ("return", ReportState.SUBMITTED): ReportState.RETURNED,
}


def _target_state(action: str, report: Report) -> str:
    try:
        return TRANSITIONS[(action, report.state)]
    except KeyError:
        raise InvalidTransition(
            _REFUSED_TRANSITION[action] % {"state": report.get_state_display()}
        ) from None


# One whole sentence per action, so that each language can word it as it needs.
_REFUSED_TRANSITION = {
    "submit": gettext_lazy("A report with the status “%(state)s” cannot be submitted."),
    "approve": gettext_lazy("A report with the status “%(state)s” cannot be approved."),
    "return": gettext_lazy("A report with the status “%(state)s” cannot be returned."),
}


def _locked(report: Report) -> Report:
    return (
        Report.objects.select_for_update(of=("self",))
        .select_related("clinic__provider", "round")
        .get(pk=report.pk)
    )


def _check_round_open(report: Report) -> None:
    """A closed round froze its reports. Closing moves them to CLOSED, which no transition
    leaves; this also holds if a report of a closed round somehow kept another state."""
    if report.round is not None and not report.round.is_open:
        raise InvalidTransition(
            _("The report's reporting round is closed; the report can no longer be changed.")
        )


def _record(report: Report, *, actor: User, from_state: str, comment: str = "") -> ReportEvent:
    return ReportEvent.objects.create(
        report=report,
        actor=actor,
        from_state=from_state,
        to_state=report.state,
        comment=comment,
    )


class ReportAlreadyOpen(InvalidTransition):
    """The clinic already has a report in progress: ``report``, which a second "start"
    (a double click, two tabs) should lead to instead."""

    def __init__(self, report: Report | None) -> None:
        super().__init__(_("The clinic already has a report that is not approved."))
        self.report = report


def _open_report(clinic: Clinic) -> Report | None:
    return (
        Report.objects.filter(clinic=clinic).exclude(state__in=ReportState.final_states()).first()
    )


@transaction.atomic
def start_report(*, clinic: Clinic, actor: User, on_date: date | None = None) -> Report:
    """Open a draft against the catalogue in force, pre-filled with the last approved answers.

    Raises ``ReportAlreadyOpen`` with the clinic's report in progress if it has one, also
    when another request started it a moment ago (two requests at once both pass the check;
    the unique indexes let one insert, and the other finds the winner's report).
    """
    check_may_report(actor, clinic)
    on_date = on_date or timezone.localdate()
    version = catalogue_in_force(on_date)
    if version is None:
        raise ApplicationError(_("No requirement catalogue is in force today."))
    if (open_report := _open_report(clinic)) is not None:
        raise ReportAlreadyOpen(open_report)
    try:
        [report] = open_drafts(
            [clinic.pk], version=version, actor=actor, on_date=on_date, now=timezone.now()
        )
    except IntegrityError:
        # report_one_unapproved_per_clinic / report_one_latest_per_clinic: the other request
        # committed its report first (PostgreSQL made this insert wait for it).
        raise ReportAlreadyOpen(_open_report(clinic)) from None
    report.clinic = clinic
    return report


def open_drafts(
    clinic_ids: list[int],
    *,
    version: CatalogueVersion,
    actor: User,
    on_date: date,
    now: datetime,
    round: ReportingRound | None = None,
) -> list[Report]:
    """A new draft for each clinic, its clinic's latest report, opened as a copy of its
    last approved one (``copy_sources``, ``prefill_copies``), with the event that opened
    it; a constant number of queries for any number of clinics.

    A reporter who starts a draft has started it, and gives the copied answers now; a
    draft a ``round`` opens is not started until someone answers in it, and the copied
    answers keep who gave them. Raises IntegrityError, with nothing written, when someone
    opened a report for one of the clinics at the same moment (a savepoint: the caller
    can still read the winner's report, and says so in its own words).
    """
    if not clinic_ids:
        return []
    sources = copy_sources(clinic_ids, on_date)
    reports = [
        Report(
            clinic_id=pk,
            catalogue_version=version,
            round=round,
            created_at=now,
            started_at=None if round is not None else now,
            is_latest=True,
            prefilled_from_id=sources.get(pk),
        )
        for pk in clinic_ids
    ]
    with transaction.atomic():
        Report.objects.filter(clinic_id__in=clinic_ids, is_latest=True).update(is_latest=False)
        bulk_create_with_history(reports, Report, default_user=actor, default_date=now)
    ReportEvent.objects.bulk_create(
        ReportEvent(report=report, actor=actor, at=now, from_state="", to_state=ReportState.DRAFT)
        for report in reports
    )
    prefill_copies(reports, version=version, actor=actor, keep_provenance=round is not None)
    return reports


def copy_sources(clinic_ids: list[int], on_date: date) -> dict[int, int]:
    """clinic id -> the id of its last report approved by ``on_date``, which a new report
    of the clinic starts as a copy of (``Report.prefilled_from``); one query."""
    return dict(
        latest_approved_reports(Clinic.objects.filter(pk__in=clinic_ids), on_date).values_list(
            "clinic_id", "pk"
        )
    )


def prefill_copies(
    reports: list[Report],
    *,
    version: CatalogueVersion,
    actor: User,
    keep_provenance: bool = False,
) -> list[Answer]:
    """Copy into each (new, empty) report the answers of the report it is a copy of
    (``prefilled_from``, see ``copy_sources``).

    Answers are carried over by requirement code, so a new catalogue version keeps what
    still applies and drops what it no longer asks; a requirement it asks otherwise (its
    name, description, or what may be answered: ``ASKED_FIELDS``) is left to answer anew.
    Three queries (requirements, old answers, the insert with its history) for any number
    of reports: a reporting round pre-fills every clinic of the region at once.

    With ``keep_provenance`` an answer keeps who gave it and when (a round pre-fills on the
    reporters' behalf: the answer is still theirs); otherwise the actor, who opened the
    report, gives it now. The history names ``actor`` and the action ``COPIED`` either way:
    a copy changes nothing the clinic offers, and its history says so.
    """
    by_source = {
        report.prefilled_from_id: report for report in reports if report.prefilled_from_id
    }
    if not by_source:
        return []
    requirements = {requirement.code: requirement for requirement in version.requirements.all()}
    asked = sorted(ASKED_FIELDS)
    previous = Answer.objects.filter(report__in=list(by_source)).values(
        "report_id",
        "status",
        "channel",
        "evidence_url",
        "comment",
        "justification",
        "reported_by_id",
        "reported_at",
        code=F("requirement__code"),
        **{f"asked_{field}": F(f"requirement__{field}") for field in asked},
    )
    now = timezone.now()
    answers = [
        Answer(
            report=by_source[row["report_id"]],
            requirement=requirements[row["code"]],
            status=row["status"],
            channel=row["channel"],
            evidence_url=row["evidence_url"],
            comment=row["comment"],
            justification=row["justification"],
            reported_by_id=row["reported_by_id"] if keep_provenance else actor.pk,
            reported_at=row["reported_at"] if keep_provenance else now,
        )
        for row in previous
        # A requirement the new version asks otherwise is asked anew: its old answer
        # answered another question.
        if row["code"] in requirements
        and all(
            row[f"asked_{field}"] == getattr(requirements[row["code"]], field) for field in asked
        )
    ]
    return bulk_create_with_history(
        answers, Answer, default_user=actor, default_change_reason=AnswerAction.COPIED
    )


def validate_answer(
    *,
    requirement: Requirement,
    status: str,
    channel: str,
    evidence_url: str,
    justification: str,
    comment: str = "",
) -> dict[str, str]:
    """Field errors for an answer, in the user's language; empty when it is acceptable."""
    errors: dict[str, str] = {}
    if error := too_long(comment, LONG_TEXT_MAX):
        errors["comment"] = error
    if status not in AnswerStatus.values:
        errors["status"] = _("Choose one of the statuses.")
    if status == AnswerStatus.NOT_APPLICABLE:
        if not requirement.may_be_not_applicable:
            errors["status"] = _("This requirement cannot be reported as not applicable.")
        elif not justification.strip():
            errors["justification"] = _("Explain why the requirement is not applicable.")
        elif error := too_long(justification, LONG_TEXT_MAX):
            errors["justification"] = error
    if channel and not requirement.asks_channel:
        errors["channel"] = _("This requirement does not ask for a channel.")
    elif channel not in ("", *Channel.values):
        errors["channel"] = _("Choose one of the channels.")
    if error := evidence_url_error(evidence_url):
        errors["evidence_url"] = error
    return errors


def answer_values(
    *, status: str, channel: str, evidence_url: str, comment: str, justification: str
) -> dict[str, str]:
    """What an answer keeps, by field (``ANSWER_FIELDS``). A channel or justification the
    status has no use for is not kept: the form hides such a field, and a value left in it
    from an earlier choice would mislead."""
    return {
        "status": status,
        "channel": channel if AnswerStatus(status).names_channel else "",
        "evidence_url": evidence_url,
        "comment": comment,
        "justification": justification if AnswerStatus(status).needs_justification else "",
    }


@transaction.atomic
def save_answer(
    *,
    report: Report,
    requirement: Requirement,
    actor: User,
    status: str,
    channel: str = "",
    evidence_url: str = "",
    comment: str = "",
    justification: str = "",
) -> Answer:
    """Create or change the clinic's answer to one requirement in an open report."""
    report = _locked(report)
    check_may_report(actor, report.clinic)
    _check_round_open(report)
    if report.state not in ReportState.open_states():
        raise InvalidTransition(_("The report is submitted or approved and cannot be changed."))
    if requirement.version_id != report.catalogue_version_id:
        raise ApplicationError(
            _("The requirement does not belong to the report's catalogue version.")
        )
    errors = validate_answer(
        requirement=requirement,
        status=status,
        channel=channel,
        evidence_url=evidence_url,
        justification=justification,
        comment=comment,
    )
    if errors:
        raise ApplicationError(_("The answer has errors."), extra={"errors": errors})

    answer = Answer.objects.filter(report=report, requirement=requirement).first() or Answer(
        report=report, requirement=requirement
    )
    for field, value in answer_values(
        status=status,
        channel=channel,
        evidence_url=evidence_url,
        comment=comment,
        justification=justification,
    ).items():
        setattr(answer, field, value)
    answer.reported_by = actor
    answer.reported_at = timezone.now()
    answer.full_clean()
    answer._history_user = actor  # history names the actor, also outside a request
    answer._change_reason = AnswerAction.ANSWERED
    answer.save()
    if report.started_at is None:
        report.started_at = answer.reported_at
        report._history_user = actor
        report.save(update_fields=["started_at"])
    return answer


def unanswered_requirements(report: Report) -> list[Requirement]:
    """The requirements that apply to the report's clinic and have no answer yet.

    A requirement the catalogue does not apply to the clinic (web booking at a private
    dental clinic) needs no answer: the clinic could not answer it truthfully.
    """
    profile = report.clinic.profile()
    answered = set(report.answers.values_list("requirement_id", flat=True))
    return [
        requirement
        for requirement in report.catalogue_version.requirements.select_related("area")
        if requirement.pk not in answered
        and requirement.to_rule().applicability.applies_to(profile)
    ]


@transaction.atomic
def submit_report(*, report: Report, actor: User) -> Report:
    report = _locked(report)
    check_may_report(actor, report.clinic)
    _check_round_open(report)
    from_state = report.state
    to_state = _target_state("submit", report)
    missing = unanswered_requirements(report)
    if missing:
        raise ApplicationError(
            _("Every requirement must be answered before the report is submitted."),
            extra={"missing": [requirement.code for requirement in missing]},
        )
    report.state = to_state
    report.submitted_at = timezone.now()
    report.submitted_by = actor
    report._history_user = actor
    report.save(update_fields=["state", "submitted_at", "submitted_by"])
    _record(report, actor=actor, from_state=from_state)
    return report


def submission_token(report: Report) -> str:
    """Which submission of the report someone read: a review page carries it, so that a
    decision is never taken on a submission the reviewer has not seen."""
    return report.submitted_at.isoformat() if report.submitted_at else ""


def _decide(
    action: str, *, report: Report, actor: User, comment: str, seen_submission: str
) -> Report:
    report = _locked(report)
    check_may_review(actor, report)
    _check_round_open(report)
    # Under the lock: a resubmission cannot slip in between this check and the decision.
    if (
        seen_submission
        and report.state == ReportState.SUBMITTED
        and seen_submission != submission_token(report)
    ):
        raise ApplicationError(
            _(
                "The clinic submitted the report again after you opened it. Read it again "
                "before you decide."
            )
        )
    from_state = report.state
    report.state = _target_state(action, report)
    report.decided_at = timezone.now()
    report.decided_by = actor
    report.review_comment = comment
    report._history_user = actor
    report.save(update_fields=["state", "decided_at", "decided_by", "review_comment"])
    event = _record(report, actor=actor, from_state=from_state, comment=comment)
    after_commit(tasks.send_report_decision_notice, event.pk)  # mails the clinic's reporters
    return report


@transaction.atomic
def approve_report(
    *, report: Report, actor: User, comment: str = "", seen_submission: str = ""
) -> Report:
    """Approve a submitted report: from today its answers are the clinic's offering.
    ``seen_submission`` (``submission_token``) is the submission the reviewer read; a
    report submitted again since is not decided."""
    report = _decide(
        "approve", report=report, actor=actor, comment=comment, seen_submission=seen_submission
    )
    rewrite_timelines([report.clinic_id])
    return report


@transaction.atomic
def return_report(
    *,
    report: Report,
    actor: User,
    comment: str,
    answer_comments: dict[int, str] | None = None,
    seen_submission: str = "",
) -> Report:
    """Send the report back for completion; the reviewer must say what is missing.
    ``seen_submission`` as for ``approve_report``."""
    if not comment.strip() and not any((answer_comments or {}).values()):
        raise ApplicationError(
            _("Write what needs to be completed."), extra={"errors": {"comment": _("Required.")}}
        )
    report = _decide(
        "return", report=report, actor=actor, comment=comment, seen_submission=seen_submission
    )
    for answer in report.answers.filter(pk__in=list(answer_comments or {})):
        if answer.review_comment == answer_comments[answer.pk]:
            continue  # a save that changes nothing would be a history row saying nothing
        answer.review_comment = answer_comments[answer.pk]
        answer._history_user = actor
        answer._change_reason = AnswerAction.REVIEW_COMMENT
        answer.save(update_fields=["review_comment"])
    return report
