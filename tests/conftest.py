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


_CATALOGUE_HASH = pytest.StashKey[str]()


@pytest.fixture(scope="session")
def django_db_setup(request, django_db_setup, django_db_blocker):
    """The test database, with the repository's catalogue imported once for the session.

    Importing it (parsing, validating, storing some 50 requirements) for every test that
    asks for it cost more than most of those tests; its rows are never rewritten, so one
    stored copy serves them all. Tests that do not ask for ``catalogue`` still start
    without one (``_catalogue_only_where_asked``).
    """
    from requirements.catalogue_import import DEFAULT_CATALOGUE_PATH, import_catalogue

    with django_db_blocker.unblock():
        version, _created = import_catalogue(DEFAULT_CATALOGUE_PATH)
    request.config.stash[_CATALOGUE_HASH] = version.content_hash


@pytest.fixture(autouse=True)
def _catalogue_only_where_asked(request):
    """A test that does not ask for ``catalogue`` sees no catalogue, as before the session
    held one: it may import its own, count versions, or test what happens without one.

    Inside a test's transaction the session's catalogue is removed and comes back with the
    rollback. A transactional test (the live server's) commits the removal; its flush at
    the end removes the catalogue anyway, and ``catalogue`` imports it again where needed.
    """
    if "catalogue" in request.fixturenames or not _uses_database(request):
        return
    request.getfixturevalue("db")
    remove_catalogues()


def _uses_database(request) -> bool:
    names = request.fixturenames
    return request.node.get_closest_marker("django_db") is not None or any(
        name in names for name in ("db", "transactional_db", "live_server")
    )


def remove_catalogues() -> None:
    """Delete every catalogue version, with its areas and requirements, in three
    statements; only for a database that holds nothing else referring to them."""
    from requirements.models import Area, CatalogueVersion, Requirement

    with connection.cursor() as cursor:
        for model in (Requirement, Area, CatalogueVersion):
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")


@pytest.fixture(autouse=True)
def _no_session_stamp(request, monkeypatch):
    """A signed-in request stamps its session with the time of activity once a minute
    (halland_utbud.sessions), which saves the session: three queries more in whichever
    request comes a minute after the last. A query count must not depend on how long the
    test took to build its world (a loaded machine takes minutes), so no stamp is written,
    except in the tests of the session's clock itself (marked ``session_clock``)."""
    if request.node.get_closest_marker("session_clock") is None:
        monkeypatch.setattr("halland_utbud.sessions.ACTIVITY_PRECISION_SECONDS", 10**9)


@pytest.fixture
def catalogue(request, db):
    """The repository's catalogue of decision RS220477, imported as in production: the
    session's copy, or a new import where a transactional test's flush removed it."""
    from requirements.catalogue_import import DEFAULT_CATALOGUE_PATH, import_catalogue
    from requirements.models import CatalogueVersion

    content_hash = request.config.stash[_CATALOGUE_HASH]
    version = CatalogueVersion.objects.filter(content_hash=content_hash).first()
    if version is None:
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
