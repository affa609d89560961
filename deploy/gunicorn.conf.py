"""gunicorn's settings for the web service (deploy/entrypoint.sh web).

Its own lines are JSON too, as the app's (halland_utbud.logs); each request is logged once
by the app, so gunicorn's access log is off.
"""

import os

from halland_utbud.logs import logging_config

bind = "0.0.0.0:8000"
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
# A request that takes longer is cut off and its worker replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
# A worker is replaced now and then, so that memory cannot creep up over weeks.
max_requests = 2000
max_requests_jitter = 200
logconfig_dict = logging_config(
    log_format=os.environ.get("LOG_FORMAT", "json"), level=os.environ.get("LOG_LEVEL", "INFO")
)
logconfig_dict["loggers"] |= {
    "gunicorn.error": {"level": "INFO"},
    "gunicorn.access": {"level": "WARNING"},
}
# gunicorn believes the forwarded scheme only from the proxy the app believes.
forwarded_allow_ips = os.environ.get("TRUSTED_PROXY") or "127.0.0.1"
