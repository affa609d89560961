"""The review page names each requirement as the catalogue does, never by its code."""

import pytest
from django.utils.html import escape

from tests.factories import make_user
from tests.pages.test_review import bulk_report, review_url


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def test_the_review_page_shows_requirement_names_not_codes(client, catalogue, clinic):
    report = bulk_report(clinic, catalogue, answers=5)
    for answer in report.answers.all():
        # The evidence links of these answers hold the code; the requirement does not.
        answer.evidence_url = "https://www.1177.se/underlag"
        answer.save()
    client.force_login(make_user("reviewer"))

    content = client.get(review_url(report)).content.decode()

    for answer in report.answers.select_related("requirement"):
        assert f'<th scope="row">{escape(answer.requirement.name)}</th>' in content
        assert answer.requirement.code not in content
