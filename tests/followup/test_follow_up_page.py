"""The follow-up page: for the roles that see the region, read from the snapshots, agreeing
with the snapshot API and the overview for the same day, in the same number of queries
whatever the number of clinics."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinics.demo import seed_demo
from clinics.models import Role
from followup.indicators import HEADLINE
from followup.periods import Period
from followup.snapshots import take_snapshots
from followup.targets import save_target
from tests.api.helpers import bulk_approved_reports, client_for
from tests.factories import make_clinic, make_provider, make_user
from tests.followup.test_overview_page import bulk_clinics
from tests.seeded import built_once

FOLLOW_UP = reverse("follow_up")


def signed_in(client, role=Role.VIEWER):
    client.force_login(make_user(role))
    return client


@pytest.mark.parametrize("role", [Role.REGION_ADMIN, Role.REVIEWER, Role.VIEWER])
def test_the_roles_that_see_the_region_see_the_follow_up(client, role, catalogue):
    assert signed_in(client, role).get(FOLLOW_UP).status_code == 200


def test_a_clinic_reporter_is_refused(client, catalogue):
    client.force_login(make_user(Role.CLINIC_REPORTER, clinics=[make_clinic()]))

    assert client.get(FOLLOW_UP).status_code == 403


def test_anonymous_is_sent_to_sign_in(client, db):
    response = client.get(FOLLOW_UP)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_before_any_snapshot_the_page_says_so(client, catalogue):
    response = signed_in(client).get(FOLLOW_UP)

    assert "Inga siffror har beräknats ännu" in response.content.decode()
    assert response.context.get("follow_up") is None


def test_an_unknown_period_is_an_error_and_shows_no_figures(client, catalogue):
    take_snapshots()

    response = signed_in(client).get(FOLLOW_UP, {"period": "2019-07"})

    assert response.status_code == 400
    assert response.context.get("follow_up") is None


@pytest.fixture(scope="class")
def _seeded_register(django_db_setup, django_db_blocker):
    yield from built_once(django_db_blocker, _seed_with_snapshots)


@pytest.fixture
def demo(_seeded_register, catalogue):
    """Yesterday, the day of the snapshots of a demo register of 120 clinics."""
    return _seeded_register


def _seed_with_snapshots():
    seed_demo(clinics=120, seed=5)
    yesterday = timezone.localdate() - timedelta(days=1)
    take_snapshots(as_of=yesterday)
    return yesterday


class TestOnTheDemoRegister:
    """The page on one demo register of 120 clinics with yesterday's snapshots, built once
    for the class."""

    def test_the_page_the_api_and_the_overview_agree_on_the_same_day(self, client, demo):
        viewer = make_user(Role.VIEWER)
        client.force_login(viewer)
        month = Period.containing(demo)[2]

        page = client.get(FOLLOW_UP, {"period": month.code}).context["follow_up"]
        api = (
            client_for(viewer)
            .get(reverse("api:snapshot-list"), {"period": month.code, "dimension": "region"})
            .json()["results"]
        )
        totals = client.get(
            reverse("overview"), {"on_date": demo.isoformat(), "active": "true"}
        ).context["totals"]

        from_page = {
            f.indicator.id: (f.snapshot.numerator, f.snapshot.denominator) for f in page.headline
        }
        from_api = {
            row["indicator"]: (row["numerator"], row["denominator"])
            for row in api
            if row["indicator"] in HEADLINE
        }
        from_overview = {
            "baseline": (totals.meets_baseline, totals.judged),
            **{
                f"area.{area.area.code}": (area.met, area.met + area.not_met + area.not_reported)
                for area in totals.areas
            },
        }
        assert page.as_of == demo
        assert from_page == from_api == from_overview
        assert len(from_page) == len(HEADLINE)

    def test_every_linked_figure_opens_the_overview_that_counts_it(self, client, demo):
        client = signed_in(client)
        page = client.get(FOLLOW_UP).context["follow_up"]

        for figure in page.headline:
            overview = client.get(figure.url).context["totals"]
            assert overview.clinics == figure.snapshot.numerator, figure.indicator.id

    def test_the_breakdown_pages_through_the_care_providers(self, client, demo):
        response = signed_in(client).get(FOLLOW_UP, {"dimension": "provider"})

        breakdown = response.context["breakdown"]
        assert breakdown.dimension == "provider"
        assert 0 < len(breakdown.rows) <= 50
        names = [row.label for row in breakdown.rows]
        assert names == sorted(names)

    def test_the_trend_shows_each_month_of_the_year_that_has_a_snapshot(self, client, demo):
        month = Period.containing(demo)[2]
        before = Period.containing(month.start - timedelta(days=1))[2]
        if before.start.year == month.start.year:
            take_snapshots(periods=[before], as_of=before.end)

        page = signed_in(client).get(FOLLOW_UP, {"period": month.code}).context["follow_up"]

        expected = [before, month] if before.start.year == month.start.year else [month]
        assert [row.month for row in page.trend] == expected

    def test_each_chart_is_an_image_with_a_title_and_description_followed_by_its_numbers(
        self, client, demo
    ):
        admin = make_user(Role.REGION_ADMIN)
        save_target(
            actor=admin,
            indicator_id="baseline",
            year=demo.year,
            value=0.6,
            document="Mål och budget",
            document_date=demo.replace(month=1, day=1),
        )
        client.force_login(admin)

        response = client.get(FOLLOW_UP)

        html = response.content.decode()
        charts = re.findall(r"<svg[^>]*>.*?</svg>", html, flags=re.S)
        assert len(charts) == 2  # the trend with its target line, and the breakdown's bars
        for chart in charts:
            assert 'role="img"' in chart
            assert re.search(r"<title id=\"([^\"]+)\">[^<]+</title><desc id=", chart)
            assert "<script" not in chart
        trend_title = re.search(r"<title[^>]*>([^<]+)</title>", charts[0])[1]
        assert "Uppfyller hela grundutbudet" in trend_title
        after_trend = html[html.index(charts[0]) + len(charts[0]) :]
        assert after_trend.lstrip().startswith("</figure>")
        assert "Diagrammets siffror" in after_trend[:600]
        assert "Där linjen mot målet går" in after_trend[:1500]
        assert response.context["trend"].line is not None

    def test_the_period_chooser_shows_the_period_on_the_page(self, client, demo):
        response = signed_in(client).get(FOLLOW_UP)

        shown = response.context["period"].code
        assert f'<option value="{shown}" selected>' in response.content.decode()


def test_the_number_of_queries_is_the_same_for_10_and_500_clinics(client, catalogue):
    client = signed_in(client)

    def queries(params) -> int:
        take_snapshots()
        with CaptureQueriesContext(connection) as captured:
            assert client.get(FOLLOW_UP, params).status_code == 200
        return len(captured)

    clinics = bulk_clinics(10)
    bulk_approved_reports(clinics[:5], catalogue)
    few = [queries({}), queries({"dimension": "provider"})]
    for start in range(10, 500, 49):
        bulk_approved_reports(bulk_clinics(49, provider=make_provider(), start=start), catalogue)
    many = [queries({}), queries({"dimension": "provider"})]

    assert few == many
