"""Rows built once and shared by several tests, each of which still starts from them.

Seeding the demo register costs seconds; a class or module of tests that only read it (or
change it and expect the change gone afterwards) can share one copy. The rows are written
in a transaction that stays open while those tests run: each test's own transaction
(pytest-django's ``db``) nests in it as a savepoint and is rolled back at its end, and the
shared rows are rolled back after the last test of the scope. Nothing is committed, so no
other test ever sees them.

Use it from a class- or module-scoped fixture that asks for ``django_db_setup`` (so the
rows go into the test database, never the configured one), and only where every test of
that scope that touches the database asks for the fixture: a test of the scope that does
not would still see the rows.
"""

from collections.abc import Callable, Iterator
from typing import TypeVar

from django.conf import settings
from django.db import transaction
from django.test import override_settings
from django.utils import translation

T = TypeVar("T")

# What tests/conftest.py gives each test: seeding hashes every demo login's password.
_FAST_HASHING = override_settings(
    PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
)


def built_once(
    django_db_blocker, build: Callable[[], T], *, language: str | None = None
) -> Iterator[T]:
    """``yield from`` this in a fixture: ``build()`` runs once, in a transaction that
    encloses the fixture's tests and is rolled back after them, in ``language`` (the
    default language, as each test starts in, unless given)."""
    with django_db_blocker.unblock():
        shared = transaction.atomic()
        shared.__enter__()
        try:
            with _FAST_HASHING, translation.override(language or settings.LANGUAGE_CODE):
                built = build()
        except BaseException:
            transaction.set_rollback(True)
            shared.__exit__(None, None, None)
            raise
    try:
        yield built
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            shared.__exit__(None, None, None)
