import os

import pytest
from django.conf import settings
from django.db import connection
from django.utils import translation

from clinics.models import Role
from tests.factories import make_clinic, make_user


def pytest_sessionstart(session):
    """CI runs on PostgreSQL; a CI run that silently fell back to SQLite proves nothing."""
    if os.environ.get("CI") == "true" and connection.vendor != "postgresql":
        pytest.exit("CI=true but the tests are not on PostgreSQL: set DATABASE_URL.", returncode=3)


@pytest.fixture(autouse=True, scope="session")
def _celery_tasks_run_in_process():
    """Tasks are thin wrappers over services: the tests run them in-process even when CI
    sets a broker (for /readyz), since no worker consumes the queue during a test run."""
    from halland_utbud.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language (Swedish), whatever the previous one did:
    a request with Accept-Language: en leaves English active in the thread."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Real hashing costs ~0.3 s a user; the tests are about access, not about PBKDF2.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache():
    """The API throttles count in the cache: each test starts with no requests counted,
    whatever the tests before it sent from the same address or user id."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def catalogue(db):
    """The repository's catalogue of decision RS220477, imported as in production."""
    from requirements.catalogue_import import DEFAULT_CATALOGUE_PATH, import_catalogue

    version, _created = import_catalogue(DEFAULT_CATALOGUE_PATH)
    return version


@pytest.fixture
def clinic(db):
    return make_clinic()


@pytest.fixture
def other_clinic(db):
    return make_clinic()


@pytest.fixture
def region_admin(db):
    return make_user(Role.REGION_ADMIN)


@pytest.fixture
def reviewer(db):
    return make_user(Role.REVIEWER)


@pytest.fixture
def viewer(db):
    return make_user(Role.VIEWER)


@pytest.fixture
def reporter(clinic):
    """A clinic reporter for ``clinic`` only."""
    return make_user(Role.CLINIC_REPORTER, clinics=[clinic])


@pytest.fixture
def sibling_clinic(clinic):
    """Another clinic of ``clinic``'s provider."""
    return make_clinic(provider=clinic.provider)


@pytest.fixture
def coordinator(clinic, sibling_clinic):
    """A provider's coordinator: a clinic reporter linked to ``clinic``'s provider."""
    return make_user(Role.CLINIC_REPORTER, providers=[clinic.provider])


@pytest.fixture
def on_postgresql(db):
    """Skip on SQLite locally; under CI=true a PostgreSQL-only test must not be skipped."""
    if connection.vendor != "postgresql":
        if os.environ.get("CI") == "true":
            pytest.fail("CI must run the suite on PostgreSQL (set DATABASE_URL).")
        pytest.skip("needs PostgreSQL: set DATABASE_URL")
