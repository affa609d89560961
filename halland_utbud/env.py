"""Read settings from the environment and fail loudly on values that make no sense.

A typo such as ``DEBUG=ture`` must stop the process at start, not silently run production
in debug mode.

Any setting, and so every secret (``SECRET_KEY``, ``DATABASE_URL``, ``EMAIL_HOST_PASSWORD``),
can instead be read from a file named by ``<NAME>_FILE``, as Docker and Kubernetes secrets
are mounted: the value never has to sit in the process's environment.
"""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}

# Django's own rule for a key that is not easily guessed (check --deploy, security.W009).
SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY_MIN_DISTINCT_CHARACTERS = 5


def _raw(name: str) -> str | None:
    """The variable's value, from ``name`` or from the file that ``<name>_FILE`` names."""
    value = os.environ.get(name)
    file_name = os.environ.get(f"{name}_FILE")
    if not file_name:
        return value
    if value is not None:
        raise ImproperlyConfigured(f"Set {name} or {name}_FILE, not both.")
    try:
        # A file written by `echo` ends with a newline that is no part of the secret.
        return Path(file_name).read_text(encoding="utf-8").rstrip("\r\n")
    except (OSError, UnicodeDecodeError) as error:
        raise ImproperlyConfigured(f"{name}_FILE={file_name!r} cannot be read: {error}") from None


def env_str(name: str, default: str | None = None) -> str | None:
    value = _raw(name)
    return default if value is None else value.strip()


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    normalized = value.strip().lower()
    if normalized in _TRUE:
        return True
    if normalized in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of {sorted(_TRUE | _FALSE)}, not {value!r}.")


def env_int(name: str, default: int) -> int:
    value = _raw(name)
    if value is None or not value.strip():
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = _raw(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def production_secret_key(key: str | None) -> str:
    """``key`` if it is fit for production; otherwise stop the process and say why.

    Production must never fall back to the development key, nor run with a short one:
    whoever knows or guesses the key can forge sessions and password-reset links."""
    if not key:
        raise ImproperlyConfigured(
            "SECRET_KEY (or SECRET_KEY_FILE) must be set when DEBUG is false (production). "
            f"Generate one of {SECRET_KEY_MIN_LENGTH} characters or more, for example with "
            '`python -c "import secrets; print(secrets.token_urlsafe(64))"`.'
        )
    if (
        len(key) < SECRET_KEY_MIN_LENGTH
        or len(set(key)) < SECRET_KEY_MIN_DISTINCT_CHARACTERS
        or key.startswith("django-insecure-")
    ):
        raise ImproperlyConfigured(
            f"SECRET_KEY is too weak for production: it has {len(key)} characters and needs "
            f"at least {SECRET_KEY_MIN_LENGTH}, of {SECRET_KEY_MIN_DISTINCT_CHARACTERS} or "
            "more different ones, and must not start with 'django-insecure-'."
        )
    return key
