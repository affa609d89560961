"""The state badges the templates ask for instead of comparing state strings: every state
of the enum has one, with an icon and its word, never colour alone (WCAG 1.4.1)."""

import pytest
from django.utils import translation

from clinics.models import CaseState, ReportState
from clinics.services.rounds import ProgressStatus
from clinics.templatetags.status import case_badge, progress_badge, report_badge


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize("state", CaseState)
def test_every_case_state_has_a_badge_with_an_icon_and_its_word(state):
    html = str(case_badge(state.value))

    assert 'class="status__icon" aria-hidden="true"' in html
    assert html.endswith(f" {state.label}</span>")


def test_a_case_badge_tells_the_states_apart_by_more_than_colour():
    icons = {str(case_badge(state)).split('aria-hidden="true">')[1][0] for state in CaseState}

    # Rejected and revoked share a colour, never an icon.
    assert len(icons) == len(CaseState)


def test_a_submitted_case_reads_as_waiting():
    assert str(case_badge(CaseState.SUBMITTED)) == (
        '<span class="status status--pending"><span class="status__icon" aria-hidden="true">'
        "➜</span> Submitted</span>"
    )


@pytest.mark.parametrize(
    "progress", [status for status in ProgressStatus if status != ProgressStatus.OVERDUE]
)
def test_every_progress_in_a_round_has_a_badge_with_its_word(progress):
    html = str(progress_badge(progress.value))

    assert 'class="status__icon" aria-hidden="true"' in html
    assert html.endswith(f" {progress.label}</span>")


def test_a_report_in_a_round_reads_as_its_state_unless_nobody_started_it():
    for state in (ReportState.DRAFT, ReportState.SUBMITTED, ReportState.APPROVED):
        assert progress_badge(state.value) == report_badge(state.value)
    assert str(progress_badge(ProgressStatus.NOT_STARTED)) == (
        '<span class="status status--missing"><span class="status__icon" aria-hidden="true">'
        "?</span> Not started</span>"
    )
