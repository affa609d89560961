"""An answer keeps only the fields its status has a use for: a channel for a service that
is offered (met or partly met), a justification for "not applicable"."""

import pytest

from clinics.services.reports import save_answer, start_report
from requirements.vocabulary import AnswerStatus, Channel


@pytest.fixture
def draft(catalogue, clinic, reporter):
    return start_report(clinic=clinic, actor=reporter)


def channel_kept(draft, reporter, status) -> str:
    requirement = draft.catalogue_version.requirements.filter(
        asks_channel=True, may_be_not_applicable=True
    ).first()
    return save_answer(
        report=draft,
        requirement=requirement,
        actor=reporter,
        status=status,
        channel=Channel.E_SERVICES_1177,
        justification="Ges inte här.",
    ).channel


@pytest.mark.parametrize(
    ("status", "kept"),
    [
        (AnswerStatus.MET, Channel.E_SERVICES_1177),
        (AnswerStatus.PARTIALLY_MET, Channel.E_SERVICES_1177),
        (AnswerStatus.NOT_MET, ""),
        (AnswerStatus.NOT_APPLICABLE, ""),
    ],
)
def test_a_channel_is_kept_only_for_a_service_that_is_offered(draft, reporter, status, kept):
    assert channel_kept(draft, reporter, status) == kept


def test_which_statuses_name_a_channel_or_need_a_justification():
    assert [status.names_channel for status in AnswerStatus] == [True, True, False, False]
    assert [status.needs_justification for status in AnswerStatus] == [False, False, False, True]
