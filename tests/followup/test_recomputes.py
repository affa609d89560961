"""A recompute of the snapshots by hand: started by a region admin from the follow-up page,
run by the worker (in-process here, as in the embedded default), with its progress and
its result on the page; one at a time, and a failure that keeps the previous figures."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clinics.models import Role
from followup import recomputes
from followup.figures import STEPS
from followup.models import Recompute, RecomputeState, Snapshot
from followup.recomputes import start_recompute
from followup.snapshots import take_snapshots
from halland_utbud.errors import ApplicationError, NotAllowed
from tests.api.helpers import bulk_approved_reports
from tests.factories import make_clinic, make_user
from tests.followup.test_overview_page import bulk_clinics

START = reverse("recompute_start")


@pytest.fixture
def region(catalogue):
    bulk_approved_reports(bulk_clinics(8)[:3], catalogue)


@pytest.fixture
def admin(db):
    return make_user(Role.REGION_ADMIN)


def test_an_admin_recomputes_from_the_follow_up_page_and_sees_the_result(
    client, region, admin, django_capture_on_commit_callbacks
):
    client.force_login(admin)
    assert "Räkna om siffrorna" in client.get(reverse("follow_up")).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(START, {"period": ""})

    recompute = Recompute.objects.get()
    assert response.url == reverse("recompute_detail", args=[recompute.pk])
    assert (recompute.state, recompute.done, recompute.total) == ("done", STEPS, STEPS)
    yesterday = timezone.localdate() - timedelta(days=1)
    assert recompute.as_of == yesterday
    assert set(Snapshot.objects.values_list("as_of", flat=True)) == {yesterday}
    page = client.get(response.url).content.decode()
    assert f'value="{STEPS}"' in page
    assert "Klart" in page


def test_the_status_says_how_far_it_has_come(client, admin, db):
    recompute = Recompute.objects.create(
        requested_by=admin, requested_at=timezone.now(), state=RecomputeState.RUNNING
    )
    Recompute.objects.filter(pk=recompute.pk).update(done=5, total=STEPS)
    client.force_login(admin)

    status = client.get(reverse("recompute_status", args=[recompute.pk])).json()

    assert status == status | {"done": 5, "total": STEPS, "state": "running", "in_progress": True}


def test_a_chosen_period_is_computed_as_of_its_last_day(
    client, region, admin, django_capture_on_commit_callbacks
):
    client.force_login(admin)
    last_year = timezone.localdate().year - 1

    with django_capture_on_commit_callbacks(execute=True):
        client.post(START, {"period": f"{last_year}-Q4"})

    assert Recompute.objects.get().periods == f"{last_year}-Q4"
    assert set(Snapshot.objects.values_list("period", flat=True)) == {f"{last_year}-Q4"}


def test_a_bad_period_is_refused_and_nothing_starts(admin, db):
    with pytest.raises(ApplicationError) as refused:
        start_recompute(actor=admin, period="2026-13")

    assert "period" in refused.value.extra["errors"]
    assert not Recompute.objects.exists()


def test_one_recompute_at_a_time(admin, db):
    start_recompute(actor=admin)

    with pytest.raises(ApplicationError):
        start_recompute(actor=admin)
    assert Recompute.objects.count() == 1


def test_a_recompute_that_lost_its_worker_is_given_up_and_a_new_one_may_start(admin, db):
    stale = start_recompute(actor=admin)
    Recompute.objects.filter(pk=stale.pk).update(
        state=RecomputeState.RUNNING, requested_at=timezone.now() - timedelta(hours=1)
    )

    start_recompute(actor=admin)

    stale.refresh_from_db()
    assert stale.state == RecomputeState.FAILED
    assert Recompute.objects.filter(state=RecomputeState.QUEUED).count() == 1


def test_a_failed_recompute_is_recorded_and_the_previous_figures_stay(
    client, region, admin, monkeypatch, django_capture_on_commit_callbacks
):
    take_snapshots(as_of=timezone.localdate() - timedelta(days=1))
    before = Snapshot.objects.count()

    def breaks(**options):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(recomputes, "take_snapshots", breaks)
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(START, {"period": ""})

    recompute = Recompute.objects.get()
    assert (recompute.state, recompute.error) == ("failed", "the database went away")
    assert Snapshot.objects.count() == before
    assert "misslyckades" in client.get(response.url).content.decode()


def test_a_second_delivery_of_the_same_message_does_nothing(admin, region):
    recompute = start_recompute(actor=admin)
    recomputes.run_recompute(recompute.pk)
    finished = Recompute.objects.get().finished_at

    recomputes.run_recompute(recompute.pk)

    assert Recompute.objects.get().finished_at == finished


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.VIEWER, Role.CLINIC_REPORTER])
def test_no_other_role_recomputes_or_follows_one(client, admin, role, db):
    recompute = Recompute.objects.create(requested_by=admin, requested_at=timezone.now())
    user = make_user(role, clinics=[make_clinic()] if role == Role.CLINIC_REPORTER else ())
    client.force_login(user)

    assert client.post(START, {"period": ""}).status_code == 403
    assert client.get(reverse("recompute_detail", args=[recompute.pk])).status_code == 403
    assert client.get(reverse("recompute_status", args=[recompute.pk])).status_code == 403
    with pytest.raises(NotAllowed):
        start_recompute(actor=user)
    assert Recompute.objects.count() == 1
