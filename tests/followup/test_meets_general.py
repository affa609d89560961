"""Whether a clinic meets the general requirements, beside the baseline: on the clinic
page, as a column and a filter of the overview, in its download and in the API."""

import pytest
from django.urls import reverse

from clinics.models import Role
from requirements.vocabulary import AnswerStatus
from tests.api.helpers import approve_answers, client_for
from tests.factories import make_clinic, make_user
from tests.followup.test_overview_export import HEADER_EN, MEETS_GENERAL, csv_rows

OVERVIEW = reverse("overview")
CSV = reverse("overview_export_csv")
CLINICS = reverse("api:clinic-list")


@pytest.fixture
def clinics(catalogue):
    meeting = make_clinic(name="Vårdcentralen Allt")
    failing = make_clinic(name="Vårdcentralen Brister")
    approve_answers(meeting)
    # The baseline met, one general requirement not.
    approve_answers(failing, {"generella.pdl": AnswerStatus.NOT_MET})
    return meeting, failing


def test_the_overview_filters_and_shows_the_general_requirements(client, clinics):
    meeting, failing = clinics
    client.force_login(make_user(Role.VIEWER))

    meets = client.get(OVERVIEW, {"meets_general": "true"})
    fails = client.get(OVERVIEW, {"meets_general": "false"})

    assert [row.clinic.pk for row in meets.context["rows"]] == [meeting.pk]
    assert [row.clinic.pk for row in fails.context["rows"]] == [failing.pk]
    assert "Uppfyller de generella kraven" in meets.content.decode()
    assert all(row.meets_baseline for row in fails.context["rows"])


def test_a_bad_value_of_the_filter_is_refused_not_ignored(client, clinics):
    client.force_login(make_user(Role.VIEWER))

    page = client.get(OVERVIEW, {"meets_general": "kanske"})

    assert page.context["overview"] is None
    assert 'aria-invalid="true"' in page.content.decode()
    api = client_for(make_user(Role.VIEWER))
    assert api.get(CLINICS, {"meets_general": "kanske"}).status_code == 400


def test_the_download_has_the_column_beside_the_baseline(client, clinics):
    meeting, failing = clinics
    client.force_login(make_user(Role.VIEWER))

    rows = {row[0]: row for row in csv_rows(client.get(CSV))[1:]}

    assert HEADER_EN[MEETS_GENERAL - 1] == "Meets the whole baseline"
    assert rows[meeting.hsa_id][MEETS_GENERAL] == "Ja"
    assert rows[failing.hsa_id][MEETS_GENERAL] == "Nej"


def test_the_api_gives_it_and_filters_by_it(clinics):
    meeting, failing = clinics
    api = client_for(make_user(Role.VIEWER))

    listed = api.get(CLINICS, {"meets_general": "true"}).json()["results"]

    assert [row["id"] for row in listed] == [meeting.pk]
    assert listed[0]["compliance"]["meets_general"] is True
    detail = api.get(reverse("api:clinic-compliance", args=[failing.pk])).json()
    assert detail["compliance"]["meets_general"] is False
    assert detail["compliance"]["meets_baseline"] is True


def test_the_clinic_page_says_it_beside_the_baseline(client, clinics):
    _meeting, failing = clinics
    client.force_login(make_user(Role.REVIEWER))

    page = client.get(reverse("clinic_detail", args=[failing.pk]))

    assert page.context["page"].compliance.meets_general is False
    assert "Uppfyller de generella kraven" in page.content.decode()
