"""Run Python under production's settings (``halland_utbud.settings``, DEBUG false) in a
fresh process: settings are read once per process, and the suite's own (tests.settings)
relax what a plain-http test run needs."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

LONG_SECRET_KEY = "production-like-" + "Zq8-vW3_" * 8


def production_env(**overrides: str | None) -> dict[str, str]:
    """The environment a production host would have: no DEBUG, a long key, its host name.
    An override of None removes the variable."""
    env = {
        key: value
        for key, value in os.environ.items()
        # Nothing of this test process's settings may leak into the fresh one (the
        # browser tests' DJANGO_ALLOW_ASYNC_UNSAFE among them).
        if key not in {"DEBUG", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
        and not key.startswith(("SECRET_KEY", "SECURE_", "TRUSTED_PROXY", "SESSION_COOKIE"))
    }
    env |= {
        "DJANGO_SETTINGS_MODULE": "halland_utbud.settings",
        "SECRET_KEY": LONG_SECRET_KEY,
        "ALLOWED_HOSTS": "utbud.regionhalland.se",
    }
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def _run(arguments: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *arguments],
        cwd=Path(settings.BASE_DIR),
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def run_python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return _run(["-c", code], env)


def run_manage(*arguments: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return _run(["manage.py", *arguments], env)


def production_setting(name: str, env: dict[str, str]) -> str:
    """``repr`` of one setting as production would read it from ``env``."""
    result = run_python(f"from django.conf import settings; print(repr(settings.{name}))", env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()
