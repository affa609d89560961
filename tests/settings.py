"""The test suite's settings: production's (DEBUG false), with what a run over plain http
on a developer's machine or in CI needs. Production's own checks are tested against
``halland_utbud.settings`` in a fresh process (tests/test_settings_secrets.py)."""

import os

# Production refuses to start without a long key of its own; the suite has one.
os.environ.setdefault("SECRET_KEY", "tests-only-" + "k3y-" * 12)

from halland_utbud.settings import *  # noqa: F403

# The test client and the live server speak plain http.
SECURE_SSL_REDIRECT = False
