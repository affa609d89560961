"""Every text field has a maximum length: a form shows a field error in the user's language
and keeps what was typed, the API answers 400 with the field's error, nothing is saved."""

import pytest
from django.utils import translation

from clinics.models import Answer, ExemptionCase, Report, ReportState, Role
from clinics.services.reports import save_answer, start_report
from halland_utbud.errors import ApplicationError
from halland_utbud.limits import LONG_TEXT_MAX, too_long
from requirements.vocabulary import AnswerStatus
from tests.api.helpers import client_for, error_fields
from tests.api.test_cases import LIST as CASES_API
from tests.api.test_cases import action, request_body, submitted
from tests.factories import make_user
from tests.pages.test_cases import CREATE as CASE_CREATE
from tests.pages.test_cases import request_data
from tests.pages.test_reporting import answer_fields, applicable, edit_url, name
from tests.pages.test_review import bulk_report, post_decision, review_url

# A pasted text far longer than any comment needs.
LONG = ("Lång kommentar. " * 1250).strip() + "."
assert len(LONG) == 20_000


def swedish_too_long(text: str) -> str:
    with translation.override("sv"):
        return too_long(text, LONG_TEXT_MAX)


def test_the_rule_lets_the_limit_through_and_refuses_one_more():
    assert too_long("x" * LONG_TEXT_MAX, LONG_TEXT_MAX) == ""
    assert "5000" in too_long("x" * (LONG_TEXT_MAX + 1), LONG_TEXT_MAX)


@pytest.fixture
def draft(catalogue, clinic, reporter):
    return start_report(clinic=clinic, actor=reporter)


def test_a_too_long_comment_in_the_report_is_a_field_error_and_keeps_the_input(
    client, reporter, draft
):
    client.force_login(reporter)
    requirement = applicable(draft)[0]
    evidence = "https://www.1177.se/mottagning/underlag"
    data = {
        **answer_fields(requirement, comment=LONG, evidence_url=evidence),
        "action": "save",
    }

    response = client.post(edit_url(draft), data)

    assert response.status_code == 200
    assert not Answer.objects.filter(report=draft).exists(), "nothing saved"
    html = response.content.decode()
    comment_id = name(requirement, "comment")
    assert f'id="{comment_id}-error"' in html
    assert swedish_too_long(LONG) in html
    assert evidence in html, "what was typed is shown again"
    assert LONG in html


def test_a_too_long_justification_is_refused_by_the_service_too(reporter, draft):
    requirement = next(r for r in applicable(draft) if r.may_be_not_applicable)
    with pytest.raises(ApplicationError) as refused:
        save_answer(
            report=draft,
            requirement=requirement,
            actor=reporter,
            status=AnswerStatus.NOT_APPLICABLE,
            justification=LONG,
        )

    assert set(refused.value.extra["errors"]) == {"justification"}
    assert not Answer.objects.filter(report=draft).exists()


def test_the_report_forms_text_areas_say_their_maximum_length(client, reporter, draft):
    client.force_login(reporter)

    html = client.get(edit_url(draft)).content.decode()

    requirement = applicable(draft)[0]
    assert f'id="{name(requirement, "comment")}" rows="2" maxlength="{LONG_TEXT_MAX}"' in html


def test_a_too_long_review_comment_is_a_field_error_and_nothing_is_decided(
    client, catalogue, clinic, reviewer
):
    report = bulk_report(clinic, catalogue, answers=3)
    client.force_login(reviewer)

    response = post_decision(client, report, "return", comment=LONG)

    assert response.status_code == 200
    assert Report.objects.get(pk=report.pk).state == ReportState.SUBMITTED
    html = response.content.decode()
    assert 'aria-invalid="true"' in html
    assert LONG in html, "the reviewer's text is shown again"
    assert client.get(review_url(report)).status_code == 200


def test_a_too_long_justification_of_an_exemption_is_a_field_error(client, catalogue, clinic):
    client.force_login(make_user(Role.CLINIC_REPORTER, clinics=[clinic]))

    response = client.post(CASE_CREATE, request_data(clinic, catalogue, justification=LONG))

    assert response.status_code in (200, 400)
    assert not ExemptionCase.objects.exists()
    html = response.content.decode()
    assert 'id="id_justification_error"' in html
    assert LONG in html, "the text is shown again"


def test_the_api_refuses_a_too_long_justification_with_a_400(catalogue, clinic, reporter):
    response = client_for(reporter).post(
        CASES_API, request_body(clinic, justification=LONG), format="json"
    )

    assert response.status_code == 400
    assert list(error_fields(response)) == ["justification"]
    assert not ExemptionCase.objects.exists()


def test_the_api_refuses_a_too_long_decision_comment_with_a_400(
    catalogue, clinic, reporter, reviewer
):
    case = submitted(clinic, reporter, catalogue)

    response = client_for(reviewer).post(action(case, "reject"), {"comment": LONG}, format="json")

    assert response.status_code == 400
    assert "comment" in error_fields(response)
    assert ExemptionCase.objects.get(pk=case.pk).state == case.state
