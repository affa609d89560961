from contextlib import contextmanager

import pytest
from django.db import OperationalError
from django.test import Client, override_settings
from django.urls import reverse

from halland_utbud import health


class UnreachableDatabase:
    def cursor(self):
        raise OperationalError("connection refused")


class FakeBroker:
    def __init__(self, reachable: bool) -> None:
        self.reachable = reachable

    @contextmanager
    def connection_for_write(self):
        yield self

    def ensure_connection(self, max_retries, timeout):
        if not self.reachable:
            raise ConnectionError("broker down")


def test_healthz_answers_without_sign_in_or_database():
    # No django_db mark: any query would fail the test.
    response = Client().get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_answers_only_get():
    assert Client().post(reverse("healthz")).status_code == 405


@pytest.mark.django_db
@override_settings(CELERY_TASK_ALWAYS_EAGER=True)
def test_readyz_is_ready_when_the_database_answers():
    response = Client().get(reverse("readyz"))

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": True}}
    assert "no-cache" in response["Cache-Control"]


@override_settings(CELERY_TASK_ALWAYS_EAGER=True)
def test_readyz_is_unavailable_when_the_database_does_not_answer(monkeypatch):
    monkeypatch.setattr(health, "connection", UnreachableDatabase())

    response = Client().get(reverse("readyz"))

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "checks": {"database": False}}


@pytest.mark.django_db
@override_settings(CELERY_TASK_ALWAYS_EAGER=False)
@pytest.mark.parametrize(("reachable", "status_code"), [(True, 200), (False, 503)])
def test_readyz_checks_the_broker_when_tasks_run_in_a_worker(monkeypatch, reachable, status_code):
    monkeypatch.setattr(health, "celery_app", FakeBroker(reachable))

    response = Client().get(reverse("readyz"))

    assert response.status_code == status_code
    assert response.json()["checks"] == {"database": True, "broker": reachable}


def test_readyz_answers_only_get():
    assert Client().post(reverse("readyz")).status_code == 405
