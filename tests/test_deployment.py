"""The compose deployment: its file is valid, it publishes only the proxy, every process
has a health check, `.env.example` lists every setting, and the image's own start-up check
(`deploy/entrypoint.sh check`) passes with the example's settings, without Docker."""

import os
import re
import runpy
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.production_settings import LONG_SECRET_KEY, production_env

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
# Where a setting is read from the environment: the settings and what the image runs.
READERS = [
    *sorted((ROOT / "halland_utbud").glob("*.py")),
    ROOT / "deploy" / "gunicorn.conf.py",
    ROOT / "deploy" / "entrypoint.sh",
]
_READ = re.compile(
    r"""env_(?:str|bool|int|list)\(\s*"([A-Z0-9_]+)"|environ\.get\("([A-Z0-9_]+)"|\$\{([A-Z][A-Z0-9_]*)"""
)
# Set by the process itself, not by whoever deploys it.
NOT_SETTINGS = {"DJANGO_SETTINGS_MODULE"}


def _compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def _example() -> dict[str, str]:
    """The example's variables that are set (not commented out)."""
    values = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


def _deployed_env(**overrides: str) -> dict[str, str]:
    """The environment the web container gets: the example `.env`, then compose's own
    variables, with the password interpolated, as `docker compose` would."""
    example = _example() | overrides
    env = production_env() | example
    for name, value in _compose()["x-app"]["environment"].items():
        env[name] = re.sub(
            r"\$\{(\w+)[^}]*\}", lambda match: example.get(match.group(1), ""), str(value)
        )
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    return env


def _entrypoint(*arguments: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["sh", str(ROOT / "deploy" / "entrypoint.sh"), *arguments],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_env_example_lists_every_variable_the_deployment_reads():
    read = set()
    for path in [*READERS, COMPOSE]:
        for match in _READ.finditer(path.read_text(encoding="utf-8")):
            read.add(next(group for group in match.groups() if group))
    listed = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", ENV_EXAMPLE.read_text(), re.M))
    # A secret listed as NAME_FILE (where it belongs) is listed.
    listed |= {name.removesuffix("_FILE") for name in listed}

    assert read - NOT_SETTINGS - listed == set()
    assert {"SECRET_KEY", "ALLOWED_HOSTS", "LOG_FORMAT", "GUNICORN_WORKERS"} <= read


def test_the_env_example_leaves_the_secrets_to_be_filled_in():
    example = _example()

    assert example["SECRET_KEY"] == ""
    assert example["POSTGRES_PASSWORD"] == ""


def test_only_the_proxy_publishes_a_port():
    services = _compose()["services"]

    assert {name for name, service in services.items() if "ports" in service} == {"proxy"}
    assert services["web"]["expose"] == ["8000"]


def test_every_long_running_service_has_a_health_check_and_the_web_asks_readyz():
    services = _compose()["services"]

    long_running = set(services) - {"migrate", "proxy"}
    assert {name for name in long_running if "healthcheck" in services[name]} == long_running
    assert "/readyz" in " ".join(services["web"]["healthcheck"]["test"])


def test_the_web_worker_and_beat_start_only_after_the_migrations_have_run():
    services = _compose()["services"]

    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }
    assert services["migrate"]["command"] == "migrate"
    assert services["migrate"]["restart"] == "no"


def test_the_database_and_broker_are_postgresql_16_and_redis_7():
    services = _compose()["services"]

    assert services["db"]["image"].startswith("postgres:16")
    assert services["redis"]["image"].startswith("redis:7")


def test_the_app_believes_forwarded_headers_only_from_the_proxys_fixed_address():
    compose = _compose()
    proxy_address = compose["services"]["proxy"]["networks"]["internal"]["ipv4_address"]

    assert compose["x-app"]["environment"]["TRUSTED_PROXY"] == proxy_address


def test_the_compose_file_is_valid(tmp_path):
    tool = shutil.which("docker-compose")
    if tool is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI needs docker-compose (Debian's package) to check the compose file.")
        pytest.skip("docker-compose is not installed")
    # As it is deployed: the example copied to `.env` beside the compose file.
    shutil.copy(COMPOSE, tmp_path / "docker-compose.yml")
    shutil.copy(ENV_EXAMPLE, tmp_path / ".env")
    result = subprocess.run(
        [tool, "config", "--quiet"],
        cwd=tmp_path,
        env={**os.environ, "POSTGRES_PASSWORD": "a-password"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr


def test_the_images_start_up_check_passes_with_the_example_settings():
    result = _entrypoint(
        "check", env=_deployed_env(SECRET_KEY=LONG_SECRET_KEY, POSTGRES_PASSWORD="a-password")
    )

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_images_start_up_check_fails_until_the_secret_key_is_filled_in():
    result = _entrypoint("check", env=_deployed_env(POSTGRES_PASSWORD="a-password"))

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_gunicorn_takes_its_worker_count_from_the_environment(monkeypatch):
    monkeypatch.setenv("GUNICORN_WORKERS", "2")
    monkeypatch.setenv("TRUSTED_PROXY", "172.30.0.10")

    config = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))

    assert config["workers"] == 2
    assert config["forwarded_allow_ips"] == "172.30.0.10"
    assert config["logconfig_dict"]["handlers"]["console"]["formatter"] == "json"
    assert config["logconfig_dict"]["loggers"]["gunicorn.access"] == {"level": "WARNING"}
