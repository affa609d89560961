"""The overview on any day, per area, and with a register too large to list its providers."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from clinics.models import Role
from clinics.services.register import save_clinic
from followup.views import overview as overview_views
from requirements.vocabulary import Municipality
from tests.factories import make_clinic, make_provider, make_user
from tests.followup.test_overview_page import OVERVIEW, shown, signed_in

SUGGESTIONS = reverse("provider_suggestions")


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def yesterday() -> str:
    return (timezone.localdate() - timedelta(days=1)).isoformat()


# Any day


def test_a_past_day_shows_the_status_as_it_was_then(client, region):
    client = signed_in(client)

    today = client.get(OVERVIEW, {"meets_baseline": "true"})
    before = client.get(OVERVIEW, {"meets_baseline": "true", "on_date": yesterday()})

    # The reports were approved yesterday by the builder: move the day before that.
    earlier = (timezone.localdate() - timedelta(days=2)).isoformat()
    nothing = client.get(OVERVIEW, {"meets_baseline": "true", "on_date": earlier})
    assert shown(today) == shown(before) == [region.meeting.hsa_id]
    assert shown(nothing) == []
    assert "as it was on" in nothing.content.decode()
    # Each clinic links to its own page on the same day.
    everything = client.get(OVERVIEW, {"on_date": earlier}).content.decode()
    assert f"/mottagningar/{region.meeting.pk}/?on_date={earlier}" in everything


def test_a_filter_on_a_past_day_selects_the_clinics_as_they_were(client, catalogue):
    with time_machine.travel(timezone.now() - timedelta(days=3)):
        moved = make_clinic(municipality_code=Municipality.VARBERG)
    moved.municipality_code = Municipality.LAHOLM
    save_clinic(clinic=moved, actor=None)
    client = signed_in(client)

    then = shown(client.get(OVERVIEW, {"municipality": "1383", "on_date": yesterday()}))
    now = shown(client.get(OVERVIEW, {"municipality": "1383"}))

    assert then == [moved.hsa_id]
    assert now == []
    assert shown(client.get(OVERVIEW, {"municipality": "1381"})) == [moved.hsa_id]


def test_a_day_without_a_catalogue_judges_nobody(client, region):
    response = signed_in(client).get(OVERVIEW, {"on_date": "2020-01-01"})

    totals = response.context["totals"]
    assert (totals.clinics, totals.judged, totals.meets_baseline) == (6, 0, 0)
    assert "No requirement catalogue is in force on 2020-01-01" in response.content.decode()


def test_a_malformed_day_is_an_error_and_shows_no_data(client, region):
    response = signed_in(client).get(OVERVIEW, {"on_date": "2026-02-30"})

    assert response.context["overview"] is None
    assert "on_date" in response.context["filter_form"].errors


# Per area


def test_the_view_filters_on_an_area_and_its_status(client, region):
    client = signed_in(client)

    failing = shown(client.get(OVERVIEW, {"area": "hemsida", "area_status": "not_met"}))
    unreported = client.get(OVERVIEW, {"area": "hemsida", "area_status": "not_reported"})

    assert failing == [region.failing.hsa_id]
    assert set(shown(unreported)) == {
        region.silent.hsa_id,
        region.submitted.hsa_id,
        region.draft.hsa_id,
        region.returned.hsa_id,
    }
    hemsida = next(t for t in unreported.context["totals"].areas if t.area.code == "hemsida")
    assert hemsida.not_reported == 4


@pytest.mark.parametrize(
    "query",
    [{"area": "hemsida"}, {"area_status": "met"}, {"area": "nope", "area_status": "met"}],
)
def test_an_area_needs_its_status_and_must_be_in_the_catalogue(client, region, query):
    response = signed_in(client).get(OVERVIEW, query)

    assert response.context["overview"] is None


# A register with more providers than a list can hold


@pytest.fixture
def many_providers(monkeypatch, region):
    monkeypatch.setattr(overview_views, "PROVIDER_SELECT_LIMIT", 1)
    for name in ["Vårdbolaget Norr AB", "Vårdbolaget Syd AB"]:
        make_clinic(provider=make_provider(name=name))


def test_beyond_the_limit_the_provider_is_a_search_field(client, many_providers, region):
    content = signed_in(client).get(OVERVIEW).content.decode()

    assert 'name="provider_q"' in content
    assert '<select name="provider"' not in content
    assert 'list="provider-suggestions"' in content


def test_the_search_field_filters_and_suggests_the_matching_providers(
    client, many_providers, region
):
    response = signed_in(client).get(OVERVIEW, {"provider_q": "vårdbolaget"})

    assert len(shown(response)) == 2
    suggested = response.context["suggested_providers"]
    assert [p.name for p in suggested] == ["Vårdbolaget Norr AB", "Vårdbolaget Syd AB"]
    assert f"provider={suggested[0].pk}" in response.content.decode()


def test_the_search_field_takes_an_organisation_number(client, many_providers, region):
    number = region.private.organisation_number.replace("-", "")

    hsa_ids = shown(signed_in(client).get(OVERVIEW, {"provider_q": number}))

    assert set(hsa_ids) == {region.failing.hsa_id, region.submitted.hsa_id}


def test_the_suggestions_endpoint_answers_with_matching_providers(client, region):
    body = signed_in(client).get(SUGGESTIONS, {"q": "tandvård"}).json()

    assert [p["name"] for p in body["providers"]] == ["Tandvård Privat AB"]
    assert signed_in(client).get(SUGGESTIONS, {"q": "t"}).json() == {"providers": []}


def test_the_suggestions_endpoint_validates_ownership(client, region):
    anonymous = client.get(SUGGESTIONS, {"q": "region"})
    client.force_login(make_user(Role.CLINIC_REPORTER, clinics=[region.meeting]))
    reporter = client.get(SUGGESTIONS, {"q": "region"})

    assert anonymous.status_code == 302
    assert reporter.status_code == 403
