"""Status shown with an icon and a word, never by colour alone (WCAG 1.4.1)."""

import functools

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from clinics.models import CaseState, ReportingStatus, ReportState
from clinics.services.rounds import ProgressStatus
from clinics.templatetags.dates import short_day
from requirements.vocabulary import AnswerStatus, AreaStatus, ComplianceStatus

register = template.Library()

# status value -> (css modifier, icon). The icon is decorative: the word carries the meaning.
_COMPLIANCE = {
    ComplianceStatus.COMPLIANT: ("ok", "✓"),
    ComplianceStatus.COMPLIANT_BY_EXEMPTION: ("exempt", "◇"),
    ComplianceStatus.NOT_COMPLIANT: ("fail", "✗"),
    ComplianceStatus.NOT_APPLICABLE: ("na", "–"),
    ComplianceStatus.NOT_REPORTED: ("missing", "?"),
}
_ANSWER = {
    AnswerStatus.MET: ("ok", "✓"),
    AnswerStatus.PARTIALLY_MET: ("partial", "◐"),
    AnswerStatus.NOT_MET: ("fail", "✗"),
    AnswerStatus.NOT_APPLICABLE: ("na", "–"),
}
_AREA = {
    AreaStatus.MET: ("ok", "✓"),
    AreaStatus.NOT_MET: ("fail", "✗"),
    AreaStatus.NOT_REPORTED: ("missing", "?"),
    AreaStatus.NOT_APPLICABLE: ("na", "–"),
}
_REPORT = {
    ReportState.DRAFT: ("draft", "✎"),
    ReportState.SUBMITTED: ("pending", "➜"),
    ReportState.RETURNED: ("partial", "↩"),
    ReportState.APPROVED: ("ok", "✓"),
    ReportState.CLOSED: ("na", "■"),
}

_CASE = {
    CaseState.DRAFT: ("draft", "✎"),
    CaseState.SUBMITTED: ("pending", "➜"),
    CaseState.RETURNED: ("partial", "↩"),
    CaseState.APPROVED: ("ok", "✓"),
    CaseState.REJECTED: ("fail", "✗"),
    CaseState.REVOKED: ("fail", "⊘"),
    CaseState.EXPIRED: ("na", "■"),
}


def badge(modifier: str, icon: str, label: str, *, compact: bool = False):
    """A status as an icon and a word; the icon is decorative. A ``compact`` badge shows
    the icon alone and keeps the word for screen readers (and copying), for tables too
    narrow for words; such a table carries a legend of the icons (``status_legend``)."""
    if hasattr(label, "__html__"):
        # Markup already (approved_badge's day): built each time, never mistaken for the
        # same text unescaped.
        return _badge(modifier, icon, label, compact)
    # The word in the active language is part of the key, so a badge is the same markup
    # for as long as the process runs: a table of fifty clinics asks for some five
    # hundred, of a few dozen kinds.
    return _badge_of_text(modifier, icon, str(label), compact)


def _badge(modifier: str, icon: str, label: str, compact: bool):
    if compact:
        return format_html(
            '<span class="status status--{} status--compact" title="{}">'
            '<span class="status__icon" aria-hidden="true">{}</span>'
            '<span class="visually-hidden">{}</span></span>',
            modifier,
            label,
            icon,
            label,
        )
    return format_html(
        '<span class="status status--{}"><span class="status__icon" aria-hidden="true">{}</span> '
        "{}</span>",
        modifier,
        icon,
        label,
    )


@functools.lru_cache(maxsize=512)
def _badge_of_text(modifier: str, icon: str, label: str, compact: bool):
    return _badge(modifier, icon, label, compact)


@register.simple_tag
def compliance_badge(status: str):
    status = ComplianceStatus(status)
    return badge(*_COMPLIANCE[status], status.label)


@register.simple_tag
def answer_badge(status: str):
    status = AnswerStatus(status)
    return badge(*_ANSWER[status], status.label)


@register.simple_tag
def area_badge(status: str, compact: bool = False):
    """One area of the baseline for one clinic, as the overview shows it."""
    status = AreaStatus(status)
    return badge(*_AREA[status], status.label, compact=compact)


@register.simple_tag
def report_badge(state: str | None):
    """A report's state; None is a clinic that has no report."""
    if state is None:
        return badge("missing", "?", _("No report"))
    state = ReportState(state)
    return badge(*_REPORT[state], state.label)


@register.simple_tag
def case_badge(state: str):
    """An exemption case's state (``CaseState``), or a state one of its events moved to."""
    state = CaseState(state)
    return badge(*_CASE[state], state.label)


@register.simple_tag
def meets_badge(meets: bool, compact: bool = False):
    """An area, or a clinic's whole baseline, met or not."""
    if meets:
        return badge("ok", "✓", AnswerStatus.MET.label, compact=compact)
    return badge("fail", "✗", AnswerStatus.NOT_MET.label, compact=compact)


@register.inclusion_tag("status/legend.html")
def status_legend(labelledby: str = ""):
    """What the icons of compact badges mean: every area status, icon and word."""
    return {
        "labelledby": labelledby,
        "items": [
            {"badge": badge(*_AREA[status], status.label), "status": status}
            for status in AreaStatus
        ],
    }


# Short column headers for the baseline's areas, by catalogue code. A catalogue's area
# names are written for sentences ("Mottagningens hemsida via 1177 Vårdguiden"); a table
# of all seven at once needs a word each. An area not listed keeps its name. The Swedish
# words carry soft hyphens (U+00AD) where a narrow column may break them.
_AREA_SHORT_NAMES = {
    "hemsida": _("1177 page"),
    "etjanster": _("E-services"),
    "webbtidbok": _("Web booking"),
    "journalen": _("Journalen"),
    "npo": _("NPÖ"),
    "distans": _("Remote"),
    "behandling": _("Treatment"),
}


@register.simple_tag
def area_short_name(area) -> str:
    """The area's name in a word, for a narrow column header (the full name goes beside
    it for screen readers and as a tooltip)."""
    return str(_AREA_SHORT_NAMES.get(area.code, area.name))


_REPORTING = {
    ReportingStatus.NONE: ("na", "–"),
    ReportingStatus.NOT_STARTED: ("missing", "○"),
    ReportingStatus.DRAFT: _REPORT[ReportState.DRAFT],
    ReportingStatus.SUBMITTED: _REPORT[ReportState.SUBMITTED],
    ReportingStatus.RETURNED: _REPORT[ReportState.RETURNED],
    ReportingStatus.APPROVED: _REPORT[ReportState.APPROVED],
}


@register.simple_tag
def reporting_badge(status: str | None):
    """Where a clinic's reporting under way stands (``ReportingStatus``)."""
    status = ReportingStatus(status or ReportingStatus.NONE)
    return badge(*_REPORTING[status], status.label)


_PROGRESS = {
    ProgressStatus.NOT_STARTED: ("missing", "?"),
    ProgressStatus.DRAFT: _REPORT[ReportState.DRAFT],
    ProgressStatus.SUBMITTED: _REPORT[ReportState.SUBMITTED],
    ProgressStatus.RETURNED: _REPORT[ReportState.RETURNED],
    ProgressStatus.APPROVED: _REPORT[ReportState.APPROVED],
    ProgressStatus.CLOSED: _REPORT[ReportState.CLOSED],
}


@register.simple_tag
def progress_badge(progress: str):
    """Where a clinic stands in a round (``ProgressStatus``, as ``round_reports`` gives it)."""
    progress = ProgressStatus(progress)
    return badge(*_PROGRESS[progress], progress.label)


@register.simple_tag
def approved_badge(approved_on):
    """What counts: the day the approved report in force was approved, or none. The day
    alone shows (its column says what it is); screen readers hear "approved" before it."""
    if approved_on is None:
        return badge("missing", "?", _("None approved"))
    day = short_day(approved_on)
    # A date is one word: it never breaks at its hyphens.
    return badge(
        "ok",
        "✓",
        format_html(
            '<span class="visually-hidden">{} </span><span class="date">{}</span>',
            _("Approved"),
            day,
        ),
    )
