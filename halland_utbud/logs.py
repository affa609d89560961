"""Logs as one JSON object a line, each naming the request (or task) it belongs to.

In production (``LOG_FORMAT=json``, the default when DEBUG is false) every line the web
processes, the worker and beat write is JSON: the time, the level, the logger, the message,
and the request id and user id of the request under way, or the Celery task's id and name.
``RequestLogMiddleware`` writes one line per request with its method, path, status and
duration, and sends the request id back in ``X-Request-ID`` so that a user's report of a
failure can be found in the logs.

A request id sent by the client is believed only from the reverse proxy named in
``TRUSTED_PROXY`` (it forwards its own), and only if it looks like one: anything else
could forge or flood the logs.
"""

import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime

from django.http import HttpRequest, HttpResponse

from halland_utbud.client_address import from_trusted_proxy

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
user_id: ContextVar[int | None] = ContextVar("user_id", default=None)
task: ContextVar[tuple[str, str] | None] = ContextVar("task", default=None)

REQUEST_ID_HEADER = "X-Request-ID"
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{8,64}")

# What every LogRecord has of its own; anything else on a record is an ``extra=`` field.
_RECORD_ATTRIBUTES = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class ContextFilter(logging.Filter):
    """Adds the request id, user id and task of the moment to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        record.user_id = user_id.get()
        current = task.get()
        record.task_id, record.task_name = current if current else (None, None)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: fixed keys first, then the record's ``extra=`` fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in ("request_id", "user_id", "task_id", "task_name"):
            value = getattr(record, key, None)
            if value is not None:
                entry[key] = value
        for key, value in vars(record).items():
            if key not in _RECORD_ATTRIBUTES and key not in entry and value is not None:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def _incoming_request_id(request: HttpRequest) -> str | None:
    value = request.META.get("HTTP_X_REQUEST_ID", "")
    if from_trusted_proxy(request) and _REQUEST_ID.fullmatch(value):
        return value
    return None


class RequestLogMiddleware:
    """First in the chain: names the request, times it, and logs it once it is answered."""

    logger = logging.getLogger("halland_utbud.requests")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        request.request_id = _incoming_request_id(request) or uuid.uuid4().hex
        request_token = request_id.set(request.request_id)
        user_token = user_id.set(None)
        try:
            response = self.get_response(request)
            # The user is known only after authentication (a token: only after the view).
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                user_id.set(user.pk)
            response[REQUEST_ID_HEADER] = request.request_id
            self.logger.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            return response
        finally:
            request_id.reset(request_token)
            user_id.reset(user_token)


def logging_config(*, log_format: str, level: str) -> dict:
    """``settings.LOGGING``: JSON or plain text on standard error, for every process."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": ContextFilter}},
        "formatters": {
            "json": {"()": JsonFormatter},
            "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "filters": ["context"],
                "formatter": log_format,
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # One line per request is ours (RequestLogMiddleware); Django's own request
            # warnings (every 404) and runserver's lines would say the same again.
            "django.request": {"level": "ERROR"},
            "django.server": {"level": "WARNING"},
        },
    }
