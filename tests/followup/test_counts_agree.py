"""On the demo register, every region-wide read counts the same: the overview's totals, the
clinic list API, the compliance matrix and the overview's CSV, today and three months
back."""

import csv
import io
from collections import defaultdict
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clinics.demo import seed_demo
from clinics.models import Role
from requirements.models import Area
from requirements.selectors import catalogue_in_force
from requirements.vocabulary import ComplianceStatus
from tests.api.helpers import client_for
from tests.factories import make_user
from tests.followup.test_overview_export import body
from tests.seeded import built_once

MEETS = {
    ComplianceStatus.COMPLIANT,
    ComplianceStatus.COMPLIANT_BY_EXEMPTION,
    ComplianceStatus.NOT_APPLICABLE,
}


@pytest.fixture(scope="module")
def _seeded_register(django_db_setup, django_db_blocker):
    yield from built_once(django_db_blocker, lambda: seed_demo(clinics=150, seed=7))


@pytest.fixture
def demo(_seeded_register, catalogue):
    """The demo register of 150 clinics, seeded once for the module (every test here
    reads it)."""
    return _seeded_register


def from_the_matrix(client, day) -> set[int]:
    """The clinics that meet the baseline by their matrix rows: every requirement of the
    baseline's areas met, exempted or not applicable."""
    baseline = set(
        Area.objects.filter(version=catalogue_in_force(day), in_baseline=True).values_list(
            "code", flat=True
        )
    )
    statuses = defaultdict(set)
    url, params = reverse("api:compliance-matrix"), {"on_date": day.isoformat()}
    while url:
        page = client.get(url, params).json()
        for row in page["results"]:
            if row["area_code"] in baseline:
                statuses[row["clinic_id"]].add(row["status"])
        url, params = page["next"], None
    return {clinic for clinic, found in statuses.items() if found <= MEETS}


def from_the_api(client, day) -> tuple[int, set[int]]:
    url = reverse("api:clinic-list")
    params = {"on_date": day.isoformat(), "meets_baseline": "true", "page_size": 500}
    body_ = client.get(url, params).json()
    everyone = client.get(url, {"on_date": day.isoformat(), "page_size": 1}).json()["count"]
    assert body_["next"] is None
    return everyone, {row["id"] for row in body_["results"]}


def from_the_csv(client, day) -> tuple[int, int]:
    response = client.get(reverse("overview_export_csv"), {"on_date": day.isoformat()})
    rows = list(
        csv.reader(io.StringIO(body(response).decode("utf-8-sig"), newline=""), delimiter=";")
    )
    meets = rows[0].index("Uppfyller hela grundutbudet")
    return len(rows) - 1, sum(1 for row in rows[1:] if row[meets] == "Ja")


@pytest.mark.parametrize("days_back", [0, 91])
def test_the_overview_the_api_the_matrix_and_the_csv_count_the_same(client, demo, days_back):
    day = timezone.localdate() - timedelta(days=days_back)
    viewer = make_user(Role.VIEWER)
    api = client_for(viewer)
    client.force_login(viewer)

    totals = client.get(reverse("overview"), {"on_date": day.isoformat()}).context["totals"]
    clinics, meeting = from_the_api(api, day)
    csv_clinics, csv_meeting = from_the_csv(client, day)

    assert totals.clinics == clinics == csv_clinics == 150
    assert totals.meets_baseline == len(meeting) == csv_meeting
    assert meeting == from_the_matrix(api, day)
    # The demo is not trivial: some clinics meet the baseline, most do not.
    assert 0 < totals.meets_baseline < totals.clinics


def test_the_counts_change_over_the_three_months(client, demo):
    """Reports were approved in between, so the two days are different views."""
    viewer = make_user(Role.VIEWER)
    client.force_login(viewer)
    today, before = timezone.localdate(), timezone.localdate() - timedelta(days=91)

    now = client.get(reverse("overview")).context["totals"]
    then = client.get(reverse("overview"), {"on_date": before.isoformat()}).context["totals"]

    reported_now = sum(total.not_reported for total in now.areas)
    reported_then = sum(total.not_reported for total in then.areas)
    assert reported_now < reported_then
    assert today != before
