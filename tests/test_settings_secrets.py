"""Production (DEBUG false) refuses to start without a long SECRET_KEY of its own, and
every secret can be read from a file named by ``<NAME>_FILE``."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from halland_utbud.env import env_bool, env_int, env_str, production_secret_key
from tests.production_settings import LONG_SECRET_KEY, production_env, run_python

START = (
    "import django; django.setup(); from django.conf import settings; "
    "print(len(settings.SECRET_KEY))"
)


def test_production_refuses_to_start_without_a_secret_key():
    result = run_python(START, production_env(SECRET_KEY=None))

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY (or SECRET_KEY_FILE) must be set when DEBUG is false" in result.stderr


def test_production_refuses_a_short_secret_key():
    result = run_python(START, production_env(SECRET_KEY="abcde"))

    assert result.returncode != 0
    assert "SECRET_KEY is too weak for production: it has 5 characters" in result.stderr


def test_production_starts_with_a_long_secret_key():
    result = run_python(START, production_env())

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(len(LONG_SECRET_KEY))


def test_a_previous_key_keeps_its_sessions_valid_while_a_new_one_takes_over():
    previous = "previous-key-" + "Xk7_pQ2-" * 8
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "from django.core import signing; "
        f"print(signing.loads(signing.dumps('kept', key={previous!r})))"
    )

    result = run_python(code, production_env(SECRET_KEY_FALLBACKS=previous))

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "kept"


def test_production_refuses_a_short_previous_key():
    result = run_python(START, production_env(SECRET_KEY_FALLBACKS="abcde"))

    assert result.returncode != 0
    assert "SECRET_KEY is too weak for production" in result.stderr


def test_development_falls_back_to_its_public_key():
    result = run_python(START, production_env(SECRET_KEY=None, DEBUG="true"))

    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "key",
    ["x" * 49, "ab" * 40, "django-insecure-" + "q1w2e3r4t5" * 6],
    ids=["49 characters", "too few different characters", "django's insecure prefix"],
)
def test_a_weak_key_is_refused(key):
    with pytest.raises(ImproperlyConfigured, match="too weak"):
        production_secret_key(key)


def test_a_key_of_fifty_varied_characters_is_accepted():
    key = "0123456789" * 5
    assert production_secret_key(key) == key


def test_production_reads_the_secret_key_from_a_file(tmp_path):
    key_file = tmp_path / "secret_key"
    key_file.write_text(LONG_SECRET_KEY + "\n", encoding="utf-8")
    code = "from django.conf import settings; print(settings.SECRET_KEY)"

    result = run_python(code, production_env(SECRET_KEY=None, SECRET_KEY_FILE=str(key_file)))

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == LONG_SECRET_KEY


@pytest.mark.parametrize("name", ["DATABASE_URL", "EMAIL_HOST_PASSWORD", "SECRET_KEY"])
def test_any_secret_can_come_from_a_file_without_its_final_newline(monkeypatch, tmp_path, name):
    secret = tmp_path / name.lower()
    secret.write_text("s3cr3t value\n", encoding="utf-8")
    monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(f"{name}_FILE", str(secret))

    assert env_str(name) == "s3cr3t value"


def test_other_kinds_of_setting_can_come_from_a_file_too(monkeypatch, tmp_path):
    (tmp_path / "port").write_text("2525", encoding="utf-8")
    (tmp_path / "tls").write_text("false\n", encoding="utf-8")
    monkeypatch.setenv("EMAIL_PORT_FILE", str(tmp_path / "port"))
    monkeypatch.setenv("EMAIL_USE_TLS_FILE", str(tmp_path / "tls"))

    assert env_int("EMAIL_PORT", default=587) == 2525
    assert env_bool("EMAIL_USE_TLS", default=True) is False


def test_a_secret_set_both_ways_is_refused(monkeypatch, tmp_path):
    (tmp_path / "password").write_text("one", encoding="utf-8")
    monkeypatch.setenv("EMAIL_HOST_PASSWORD", "two")
    monkeypatch.setenv("EMAIL_HOST_PASSWORD_FILE", str(tmp_path / "password"))

    with pytest.raises(ImproperlyConfigured, match="Set EMAIL_HOST_PASSWORD or EMAIL_HOST_PASS"):
        env_str("EMAIL_HOST_PASSWORD")


def test_a_missing_secret_file_stops_the_process_and_names_it(monkeypatch, tmp_path):
    missing = tmp_path / "nowhere"
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("DATABASE_URL_FILE", str(missing))

    with pytest.raises(ImproperlyConfigured, match=r"DATABASE_URL_FILE=.*nowhere.* cannot"):
        env_str("DATABASE_URL")
