"""The migrations match the models. The suite itself builds its database from the models
(``--no-migrations``, for speed), so without this a model change with no migration would
pass every other test and fail on the first ``migrate`` in production."""

import importlib
import os
from io import StringIO

from django.core.management import call_command


def test_the_models_need_no_new_migration(db, settings):
    # --no-migrations hides every app's migrations (MIGRATION_MODULES answers None for
    # each), and makemigrations would then see nothing to compare: look at the real ones.
    configured = importlib.import_module(os.environ["DJANGO_SETTINGS_MODULE"])
    settings.MIGRATION_MODULES = getattr(configured, "MIGRATION_MODULES", {})
    out = StringIO()

    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exit:
        raise AssertionError(f"A model change has no migration:\n{out.getvalue()}") from exit

    assert "No changes detected" in out.getvalue()
