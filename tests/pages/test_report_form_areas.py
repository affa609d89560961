"""The report form area by area: each area collapses to its heading and its progress, the
areas that need the reporter are open, and a field the chosen status has no use for is
neither required nor kept."""

import re

import pytest
from django.utils.html import escape

from clinics.services.reports import return_report, save_answer, start_report, submit_report
from requirements.vocabulary import AnswerStatus, Channel
from tests.pages.test_reporting import (
    _form_queries,
    answer_everything,
    answer_fields,
    applicable,
    edit_url,
    name,
)


@pytest.fixture(autouse=True)
def english(client):
    """Pages are asserted in English, the msgid language; Swedish comes from the .po."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def draft(catalogue, clinic, reporter):
    return start_report(clinic=clinic, actor=reporter)


@pytest.fixture
def reporter_client(client, reporter):
    client.force_login(reporter)
    return client


def sections(response) -> dict:
    return {section.area.code: section for section in response.context["form"].sections}


def area_of(content: str, code: str) -> str:
    """The HTML of one area of the form, from its opening tag to its end."""
    start = content.index(f'<details class="report-section" id="area-{code}"')
    return content[start : content.index("</details>", start)]


def test_each_area_tells_how_many_of_its_requirements_are_answered(
    reporter_client, draft, reporter
):
    requirements = [r for r in applicable(draft) if r.area.code == "etjanster"]
    for requirement in requirements[:3]:
        save_answer(
            report=draft,
            requirement=requirement,
            actor=reporter,
            status=AnswerStatus.NOT_MET,
        )

    response = reporter_client.get(edit_url(draft))

    etjanster = sections(response)["etjanster"]
    assert (etjanster.answered, etjanster.unanswered) == (3, len(requirements) - 3)
    assert sections(response)["hemsida"].answered == 0
    summary = area_of(response.content.decode(), "etjanster").split("</summary>")[0]
    assert f"3 of {len(requirements)} answered" in summary
    assert f"{len(requirements) - 3} not answered" in summary


def test_unanswered_requirements_are_marked_in_words(reporter_client, draft, reporter):
    answered, unanswered = applicable(draft)[:2]
    save_answer(report=draft, requirement=answered, actor=reporter, status=AnswerStatus.NOT_MET)

    content = reporter_client.get(edit_url(draft)).content.decode()

    assert f"<legend>{escape(answered.name)}</legend>" in content
    assert (
        f"<legend>{escape(unanswered.name)} "
        '<span class="tag tag--unanswered">not answered yet</span>' in content
    )


def test_a_new_draft_opens_its_first_area_only(reporter_client, draft):
    content = reporter_client.get(edit_url(draft)).content.decode()

    opened = re.findall(r'<details class="report-section" id="area-([a-z]+)" open>', content)
    assert opened == ["hemsida"]
    assert content.count('<details class="report-section"') == len(
        {requirement.area_id for requirement in applicable(draft)}
    )


def test_the_areas_with_an_error_are_open_after_a_refused_save(reporter_client, draft):
    distans = next(r for r in applicable(draft) if r.area.code == "distans")
    response = reporter_client.post(
        edit_url(draft),
        {**answer_fields(distans, evidence_url="http://osäker.example"), "action": "save"},
    )

    assert response.status_code == 200
    assert [code for code, s in sections(response).items() if s.is_open] == ["distans"]


def test_a_returned_report_opens_the_areas_the_reviewer_commented_on(
    reporter_client, draft, reporter, reviewer
):
    answer_everything(draft, reporter)
    submit_report(report=draft, actor=reporter)
    npo = draft.answers.filter(requirement__area__code="npo").first()
    return_report(report=draft, actor=reviewer, comment="", answer_comments={npo.pk: "Datum?"})

    response = reporter_client.get(edit_url(draft))

    assert [code for code, s in sections(response).items() if s.is_open] == ["npo"]


def test_channel_and_justification_say_which_statuses_they_are_for(reporter_client, draft):
    content = reporter_client.get(edit_url(draft)).content.decode()
    requirement = next(r for r in applicable(draft) if r.asks_channel and r.may_be_not_applicable)
    fields = content[content.index(f'id="r{requirement.pk}"') :]

    # The script shows each only for these; without it both are always on the page.
    assert '<fieldset class="choice-group" data-applies-when="met partially_met">' in fields
    assert '<div class="field" data-applies-when="not_applicable">' in fields
    assert 'src="/static/js/report-form.js"' in content


def test_a_channel_is_not_required_when_the_status_is_not_met(reporter_client, draft):
    requirement = next(r for r in applicable(draft) if r.asks_channel)
    data = {name(requirement, "status"): AnswerStatus.NOT_MET, "action": "save"}

    response = reporter_client.post(edit_url(draft), data)

    assert response.status_code == 302
    answer = draft.answers.get(requirement=requirement)
    assert (answer.status, answer.channel) == (AnswerStatus.NOT_MET, "")


def test_a_channel_left_from_an_earlier_choice_is_not_kept_for_not_met(reporter_client, draft):
    requirement = next(r for r in applicable(draft) if r.asks_channel)
    data = {
        **answer_fields(requirement, AnswerStatus.NOT_MET, channel=Channel.E_SERVICES_1177),
        "action": "save",
    }

    assert reporter_client.post(edit_url(draft), data).status_code == 302
    assert draft.answers.get(requirement=requirement).channel == ""


def test_a_justification_is_not_required_unless_not_applicable(reporter_client, draft):
    requirement = next(r for r in applicable(draft) if r.may_be_not_applicable)
    data = {
        **answer_fields(requirement, AnswerStatus.MET, justification="Glömd text."),
        "action": "save",
    }

    assert reporter_client.post(edit_url(draft), data).status_code == 302
    answer = draft.answers.get(requirement=requirement)
    assert (answer.status, answer.justification) == (AnswerStatus.MET, "")


def test_save_and_submit_are_in_the_action_bar_that_stays_in_view(reporter_client, draft):
    content = reporter_client.get(edit_url(draft)).content.decode()
    bar = content[content.index('<div class="actions report-actions">') :]
    bar = bar[: bar.index("</div>")]

    assert 'value="save"' in bar
    assert 'value="submit"' in bar


@pytest.mark.parametrize("answered", [0, 1, "all"])
def test_the_form_costs_the_same_queries_however_many_answers_it_has(
    reporter_client, draft, reporter, answered
):
    baseline = _form_queries(reporter_client, draft)
    requirements = applicable(draft)
    for requirement in requirements[: len(requirements) if answered == "all" else answered]:
        save_answer(report=draft, requirement=requirement, actor=reporter, status="not_met")

    assert _form_queries(reporter_client, draft) == baseline
