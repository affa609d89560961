"""Production's logs are JSON lines, one per request with its id, user, status and
duration; a request id is believed only from the trusted proxy; tasks name themselves."""

import io
import json
import logging

import pytest
from django.urls import reverse

from halland_utbud import logs
from halland_utbud.celery import app as celery_app
from tests.production_settings import production_env, production_setting

HEALTH = reverse("healthz")
PAGE = reverse("overview")


@pytest.fixture
def log_lines():
    """What production's console handler writes, captured as parsed JSON lines."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(logs.ContextFilter())
    handler.setFormatter(logs.JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    previous = root.level
    root.setLevel(logging.INFO)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)


def _requests(lines: list[dict]) -> list[dict]:
    return [line for line in lines if line["logger"] == "halland_utbud.requests"]


def test_production_writes_json_lines_and_development_plain_text():
    formatter = "LOGGING['handlers']['console']['formatter']"

    assert production_setting(formatter, production_env()) == "'json'"
    assert production_setting(formatter, production_env(DEBUG="true")) == "'text'"


def test_a_log_format_that_is_neither_is_refused_at_start():
    from tests.production_settings import run_python

    result = run_python("import django; django.setup()", production_env(LOG_FORMAT="xml"))

    assert result.returncode != 0
    assert "LOG_FORMAT must be json or text" in result.stderr


def test_each_request_is_one_line_with_its_id_user_status_and_duration(client, viewer, log_lines):
    client.force_login(viewer)

    response = client.get(PAGE)

    [line] = _requests(log_lines())
    assert response.status_code == 200
    assert line["request_id"] == response["X-Request-ID"]
    assert len(line["request_id"]) == 32
    assert line["user_id"] == viewer.pk
    assert (line["method"], line["path"], line["status"]) == ("GET", PAGE, 200)
    assert line["duration_ms"] >= 0
    assert line["level"] == "INFO"


def test_a_request_without_a_sign_in_has_no_user_id(client, log_lines):
    client.get(HEALTH)

    [line] = _requests(log_lines())
    assert "user_id" not in line
    assert line["status"] == 200


def test_every_line_written_during_a_request_carries_its_id(client, viewer, log_lines):
    # A wrong password: the lockout (django-axes) logs the failure during the request.
    response = client.post(
        reverse("login"), {"username": viewer.username, "password": "not-the-password"}
    )

    lines = log_lines()
    assert len(lines) >= 2
    assert any(line["logger"].startswith("axes") for line in lines)
    assert {line["request_id"] for line in lines} == {response["X-Request-ID"]}


def test_a_request_id_from_the_client_itself_is_not_believed(client, log_lines, settings):
    settings.TRUSTED_PROXY = []

    response = client.get(HEALTH, HTTP_X_REQUEST_ID="forged-request-id-0001")

    assert response["X-Request-ID"] != "forged-request-id-0001"
    assert _requests(log_lines())[0]["request_id"] == response["X-Request-ID"]


def test_the_trusted_proxys_request_id_is_kept(client, log_lines, settings):
    settings.TRUSTED_PROXY = ["127.0.0.1"]

    response = client.get(HEALTH, HTTP_X_REQUEST_ID="5c6b1e0e-4d4f-4c4e-9f1a-0d2b8a7e6f10")

    assert response["X-Request-ID"] == "5c6b1e0e-4d4f-4c4e-9f1a-0d2b8a7e6f10"
    assert _requests(log_lines())[0]["request_id"] == "5c6b1e0e-4d4f-4c4e-9f1a-0d2b8a7e6f10"


def test_a_malformed_request_id_is_replaced_even_from_the_proxy(client, settings):
    settings.TRUSTED_PROXY = ["127.0.0.1"]

    response = client.get(HEALTH, HTTP_X_REQUEST_ID='x" injected=1')

    assert response["X-Request-ID"] != 'x" injected=1'
    assert len(response["X-Request-ID"]) == 32


def test_an_exception_is_kept_with_its_traceback_in_one_line(log_lines):
    try:
        raise ValueError("a broken import row")
    except ValueError:
        logging.getLogger("clinics").exception("Import failed")

    [line] = log_lines()
    assert line["message"] == "Import failed"
    assert "ValueError: a broken import row" in line["exception"]


def test_a_tasks_lines_name_the_task(db, log_lines):
    result = celery_app.tasks["clinics.tasks.send_pending_mails"].apply()
    logging.getLogger("clinics").info("after the task")

    assert result.successful()
    task_lines = [line for line in log_lines() if line.get("task_name")]
    assert task_lines, "the worker logs each task it runs"
    assert {line["task_name"] for line in task_lines} == {"clinics.tasks.send_pending_mails"}
    assert {line["task_id"] for line in task_lines} == {result.id}
    assert "task_id" not in log_lines()[-1]
