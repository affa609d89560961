"""The self-report form: one answer for each requirement that applies to the clinic,
grouped by area.

Plain classes rather than Django forms: the rules live in ``validate_answer`` (the one
place the services also use, so the page can never accept what they would refuse), and
every answer needs ids for its errors, help texts and reviewer comment that the template
ties together with ``aria-describedby``.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction

from clinics.models import Answer, Report, User
from clinics.services.reports import save_answer, validate_answer
from halland_utbud.limits import LONG_TEXT_MAX, URL_MAX
from requirements.models import Area, Requirement
from requirements.vocabulary import AnswerStatus, Channel

FIELDS = ("status", "channel", "evidence_url", "comment", "justification")
# The area whose decision text the form explains in plain words before its questions.
WEB_BOOKING_AREA = "webbtidbok"
# The textareas' maxlength; the service refuses a longer text whatever the browser sends.
_MAX_LENGTHS = {
    "evidence_url": URL_MAX,
    "comment": LONG_TEXT_MAX,
    "justification": LONG_TEXT_MAX,
}


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    id: str
    checked: bool


class BoundField:
    """One input of one answer: its name, id, value, error and what describes it."""

    def __init__(self, form: "AnswerForm", name: str, *, help_id: str = "") -> None:
        self.form = form
        self.field = name
        self.name = f"{form.prefix}-{name}"
        self.id = self.name
        self.help_id = help_id

    @property
    def value(self) -> str:
        return self.form.values[self.field]

    @property
    def error(self) -> str:
        return self.form.errors.get(self.field, "")

    @property
    def max_length(self) -> int | None:
        return _MAX_LENGTHS.get(self.field)

    @property
    def error_id(self) -> str:
        return f"{self.id}-error"

    @property
    def describedby(self) -> str:
        return " ".join(i for i in (self.help_id, self.error and self.error_id) if i)

    def choices(self, pairs) -> list[Choice]:
        return [
            Choice(value, label, f"{self.id}-{value}", self.value == value)
            for value, label in pairs
        ]


def _kept(values: dict[str, str]) -> dict[str, str]:
    """The values as the service keeps them: a channel only for a status that names one,
    a justification only for "not applicable" (so that unchanged answers compare alike)."""
    values = dict(values)
    status = values["status"] if values["status"] in AnswerStatus.values else None
    if status is None or not AnswerStatus(status).names_channel:
        values["channel"] = ""
    if status is None or not AnswerStatus(status).needs_justification:
        values["justification"] = ""
    return values


# The statuses under which the form shows the channel, and the justification; the page's
# script hides those fields for the other statuses (without it they are always shown).
CHANNEL_STATUSES = " ".join(
    status for status in AnswerStatus.values if AnswerStatus(status).names_channel
)
JUSTIFICATION_STATUSES = " ".join(
    status for status in AnswerStatus.values if AnswerStatus(status).needs_justification
)


class AnswerForm:
    """The answer to one requirement, as stored or as posted."""

    channel_statuses = CHANNEL_STATUSES
    justification_statuses = JUSTIFICATION_STATUSES

    def __init__(self, requirement: Requirement, answer: Answer | None, data=None) -> None:
        self.requirement = requirement
        self.answer = answer
        # The primary key, not the code: codes contain dots, awkward in ids and fragments.
        self.prefix = f"r{requirement.pk}"
        self.id = self.prefix
        self.errors: dict[str, str] = {}
        self.missing = False
        self.initial = self._initial(answer)
        if data is None:
            self.values = dict(self.initial)
        else:
            self.values = {name: data.get(f"{self.prefix}-{name}", "").strip() for name in FIELDS}
        self.status = BoundField(self, "status")
        self.channel = BoundField(self, "channel")
        self.evidence_url = BoundField(self, "evidence_url", help_id=f"{self.prefix}-url-help")
        self.comment = BoundField(self, "comment")
        self.justification = BoundField(
            self, "justification", help_id=f"{self.prefix}-justification-help"
        )

    @staticmethod
    def _initial(answer: Answer | None) -> dict[str, str]:
        if answer is None:
            return dict.fromkeys(FIELDS, "")
        return {name: getattr(answer, name) or "" for name in FIELDS}

    # What the template shows -------------------------------------------------------------

    @property
    def description_id(self) -> str:
        return f"{self.prefix}-description"

    @property
    def review_comment_id(self) -> str:
        return f"{self.prefix}-review"

    @property
    def missing_id(self) -> str:
        return f"{self.prefix}-missing"

    @property
    def review_comment(self) -> str:
        return self.answer.review_comment if self.answer else ""

    @property
    def describedby(self) -> str:
        """The fieldset is described by the requirement's text, the reviewer's comment on
        this answer and, after a refused submit, the note that it lacks an answer."""
        ids = [
            self.requirement.description and self.description_id,
            self.review_comment and self.review_comment_id,
            self.missing and self.missing_id,
        ]
        return " ".join(i for i in ids if i)

    @property
    def status_choices(self) -> list[Choice]:
        # "Not applicable" only where the catalogue allows it; a forged one is refused by
        # validate_answer.
        return self.status.choices(
            (value, label)
            for value, label in AnswerStatus.choices
            if value != AnswerStatus.NOT_APPLICABLE or self.requirement.may_be_not_applicable
        )

    @property
    def channel_choices(self) -> list[Choice]:
        return self.channel.choices(Channel.choices) if self.requirement.asks_channel else []

    @property
    def status_error_ids(self) -> str:
        return " ".join(
            i
            for i in (self.status.error and self.status.error_id, self.missing and self.missing_id)
            if i
        )

    def target(self, field: str) -> str:
        """The id an error summary links to: the input itself, or the fieldset when the
        field is not on the page (a forged channel or justification)."""
        if field == "status":
            return self.status_choices[0].id
        if field == "channel":
            return self.channel_choices[0].id if self.requirement.asks_channel else self.id
        if field == "justification" and not self.requirement.may_be_not_applicable:
            return self.id
        if field in FIELDS:
            return getattr(self, field).id
        return self.id

    # Reading and checking the input -----------------------------------------------------

    @property
    def is_blank(self) -> bool:
        return not any(self.values.values())

    @property
    def cleaned(self) -> dict[str, str]:
        return _kept(self.values)

    @property
    def has_changed(self) -> bool:
        # Nothing posted for an answer leaves the stored one as it is: answers are changed,
        # never removed, through the services.
        if self.is_blank:
            return False
        if self.answer is None:
            return True
        return self.cleaned != _kept(self.initial)

    def validate(self) -> bool:
        """The service's errors for this answer (``validate_answer``, which ``save_answer``
        asks again), before saving any: the page shows every answer's errors at once."""
        self.errors = validate_answer(requirement=self.requirement, **self.values)
        return not self.errors


@dataclass
class Section:
    area: Area
    forms: list[AnswerForm]
    # Shown open on the page (the others are collapsed to their heading and progress).
    is_open: bool = False

    @property
    def id(self) -> str:
        return f"area-{self.area.code}"

    @property
    def answered(self) -> int:
        """The area's requirements with a saved answer."""
        return sum(1 for form in self.forms if form.answer is not None)

    @property
    def unanswered(self) -> int:
        return len(self.forms) - self.answered

    @property
    def needs_attention(self) -> bool:
        """An error, a gap a refused submit found, or a reviewer's comment to read."""
        return any(form.errors or form.missing or form.review_comment for form in self.forms)

    @property
    def is_web_booking(self) -> bool:
        return self.area.code == WEB_BOOKING_AREA


@dataclass(frozen=True)
class SummaryError:
    requirement: str
    message: str
    target: str


class ReportForm:
    """Every applicable requirement of the report's catalogue version, one section per
    area in catalogue order, the general requirements last. Reads the catalogue and the
    answers in a fixed number of queries, whatever the number of requirements."""

    def __init__(self, report: Report, data=None) -> None:
        self.report = report
        profile = report.clinic.profile()
        areas = sorted(
            Area.objects.filter(version_id=report.catalogue_version_id),
            key=lambda area: (not area.in_baseline, area.position),
        )
        requirements = (
            Requirement.objects.filter(version_id=report.catalogue_version_id)
            .select_related("area")
            .order_by("position")
        )
        answers = {answer.requirement_id: answer for answer in report.answers.all()}
        by_area: dict[int, list[Requirement]] = defaultdict(list)
        for requirement in requirements:
            # A requirement that does not apply is not asked: the clinic could not answer
            # it truthfully (web booking at a private dental clinic).
            if requirement.to_rule().applicability.applies_to(profile):
                by_area[requirement.area_id].append(requirement)
        self.sections = [
            Section(
                area,
                [
                    AnswerForm(requirement, answers.get(requirement.pk), data)
                    for requirement in by_area[area.pk]
                ],
            )
            for area in areas
            if by_area.get(area.pk)
        ]

    @property
    def forms(self) -> list[AnswerForm]:
        return [form for section in self.sections for form in section.forms]

    def is_valid(self) -> bool:
        """Check every answer given, all of them, so that the reporter sees every error at
        once. Blank answers are allowed: a draft may be partial."""
        results = [form.validate() for form in self.forms if not form.is_blank]
        return all(results)

    @property
    def errors(self) -> list[SummaryError]:
        return [
            SummaryError(form.requirement.name, message, form.target(field))
            for form in self.forms
            for field, message in form.errors.items()
        ]

    @property
    def missing(self) -> list[AnswerForm]:
        return [form for form in self.forms if form.missing]

    def mark_missing(self, codes) -> None:
        codes = set(codes)
        for form in self.forms:
            form.missing = form.requirement.code in codes

    def open_sections(self) -> None:
        """Open the areas that need the reporter: those with an error, a gap or a
        reviewer's comment; failing that, the first area not fully answered. Call after
        ``is_valid`` or ``mark_missing``."""
        attention = [section for section in self.sections if section.needs_attention]
        if not attention:
            attention = [section for section in self.sections if section.unanswered][:1]
        for section in attention:
            section.is_open = True

    @property
    def commented(self) -> list[AnswerForm]:
        """The answers the reviewer commented on, for the list on top of a returned report."""
        return [form for form in self.forms if form.review_comment]

    @property
    def answered(self) -> int:
        return sum(1 for form in self.forms if form.answer is not None)

    def save(self, *, actor: User) -> int:
        """Save every changed answer, all or none. Call ``is_valid`` first.

        Unchanged answers are not saved again, so that the history shows what the reporter
        actually changed and when.
        """
        changed = [form for form in self.forms if form.has_changed]
        with transaction.atomic():
            for form in changed:
                save_answer(
                    report=self.report,
                    requirement=form.requirement,
                    actor=actor,
                    **form.cleaned,
                )
        return len(changed)
