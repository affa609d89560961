"""Settings for halland-utbud, read from the environment.

With no DATABASE_URL the app runs on an SQLite file under ``var/`` and runs Celery tasks
in-process (the embedded default, for a fresh machine). With DATABASE_URL and
CELERY_BROKER_URL (or REDIS_URL) it uses PostgreSQL and Redis, as in production.
"""

import json
import re
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp import constants as csp
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from halland_utbud.client_address import parse_networks
from halland_utbud.env import env_bool, env_int, env_list, env_str, production_secret_key
from halland_utbud.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

DEBUG = env_bool("DEBUG", default=False)

# Production (DEBUG false) refuses to start without a long key of its own; only a
# development machine (DEBUG=true) falls back to a public one.
if DEBUG:
    SECRET_KEY = env_str("SECRET_KEY") or "insecure-development-key-do-not-use-in-production"
else:
    SECRET_KEY = production_secret_key(env_str("SECRET_KEY"))
# Earlier keys, still accepted for what they signed (sessions, password-reset links) while
# a new SECRET_KEY takes over: rotating the key then signs nobody out.
SECRET_KEY_FALLBACKS = [
    key if DEBUG else production_secret_key(key)
    for key in env_list("SECRET_KEY_FALLBACKS", default=[])
]

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "drf_standardized_errors",
    "simple_history",
    "axes",
    "csp",
    "requirements",
    "clinics",
    "followup",
]

MIDDLEWARE = [
    # First, so that its duration covers every other step and every line has the id.
    "halland_utbud.logs.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "csp.middleware.CSPMiddleware",
    "halland_utbud.middleware.PermissionsPolicyMiddleware",
    # After authentication: it asks whether the response goes to someone signed in.
    "halland_utbud.middleware.NoStoreForSignedInMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "halland_utbud.sessions.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "halland_utbud.urls"
# A refused form (expired page, no cookie) gets a page in the frame that says what to do.
CSRF_FAILURE_VIEW = "halland_utbud.views.csrf_failure"
# Django's default (2.5 MB), said out loud: far above any form's longest texts (the limits
# in halland_utbud.limits), and a larger body gets the framed "text too long" page.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# The largest file an import (clinics, usage) accepts, command or upload, checked before
# it is read: the register and a month of usage are far smaller.
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", default=10 * 1024 * 1024)

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "clinics.context_processors.navigation",
            ],
        },
    },
]

WSGI_APPLICATION = "halland_utbud.wsgi.application"

# Database: PostgreSQL from DATABASE_URL, or the embedded SQLite file.
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    try:
        DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    except ValueError as error:
        raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {error}") from None
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # JIT compilation pays off for long analytical queries, not for a page's: at
        # 20,000 clinics it added 136 ms of compiling to a 36 ms totals query (measured).
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
else:
    VAR_DIR.mkdir(exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
        }
    }
    # Covering indexes are PostgreSQL's (clinics.models.timeline); SQLite uses the index
    # without its extra columns, which is what the embedded default needs.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "clinics.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTHENTICATION_BACKENDS = [
    # First, so a locked-out username is refused before its password is even checked.
    "axes.backends.AxesStandaloneBackend",
    # Passwords; with LOCAL_SIGN_IN off, only for superusers (halland_utbud.signin).
    "halland_utbud.signin.LocalAccountBackend",
]
# --- Sign-in with SITHS eID over OpenID Connect (halland_utbud.oidc) ---
# On when OIDC_ISSUER is set; without any OIDC_* setting the app signs in with local
# accounts only. The provider's endpoints are read from its discovery document
# (OIDC_ISSUER/.well-known/openid-configuration) when first needed, never at start-up.
OIDC_ISSUER = (env_str("OIDC_ISSUER") or "").rstrip("/")
OIDC_ENABLED = bool(OIDC_ISSUER)
# Off: the password form is for superusers only (emergency access), everyone else uses SITHS.
LOCAL_SIGN_IN = env_bool("LOCAL_SIGN_IN", default=True)
if not (LOCAL_SIGN_IN or OIDC_ENABLED):
    raise ImproperlyConfigured("LOCAL_SIGN_IN=false needs OIDC_ISSUER: nobody could sign in.")
OIDC_RP_CLIENT_ID = env_str("OIDC_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env_str("OIDC_CLIENT_SECRET", default="")
if OIDC_ENABLED and not (OIDC_RP_CLIENT_ID and OIDC_RP_CLIENT_SECRET):
    raise ImproperlyConfigured(
        "OIDC_ISSUER needs OIDC_CLIENT_ID and OIDC_CLIENT_SECRET (or OIDC_CLIENT_SECRET_FILE)."
    )
OIDC_RP_SCOPES = env_str("OIDC_SCOPES", default="openid profile")
OIDC_RP_SIGN_ALGO = "RS256"
# The claims that name the person (their employee HSA-id) and their care provider.
OIDC_CLAIM_HSA_ID = env_str("OIDC_CLAIM_HSA_ID", default="employeeHsaId")
OIDC_CLAIM_PROVIDER_HSA_ID = env_str(
    "OIDC_CLAIM_PROVIDER_HSA_ID", default="healthCareProviderHsaId"
)
# The levels of assurance (acr values) accepted, comma-separated; empty accepts any.
OIDC_REQUIRED_ACR = env_list("OIDC_REQUIRED_ACR", default=[])
# A claim whose values give a role directly, e.g. OIDC_ROLE_CLAIM=commissionRight and
# OIDC_ROLE_MAP={"Digitalt utbud;Granska": "reviewer"}; the first value mapped wins.
OIDC_ROLE_CLAIM = env_str("OIDC_ROLE_CLAIM", default="")
try:
    OIDC_ROLE_MAP = json.loads(env_str("OIDC_ROLE_MAP") or "{}")
except json.JSONDecodeError as error:
    raise ImproperlyConfigured(f"OIDC_ROLE_MAP must be a JSON object: {error}") from None
if not isinstance(OIDC_ROLE_MAP, dict) or (OIDC_ROLE_MAP and not OIDC_ROLE_CLAIM):
    raise ImproperlyConfigured("OIDC_ROLE_MAP must be a JSON object, with OIDC_ROLE_CLAIM set.")
# On: a clinic reporter is linked, at sign-in, to the provider that the provider claim names.
OIDC_LINK_PROVIDER = env_bool("OIDC_LINK_PROVIDER", default=False)
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT_SECONDS", default=10)
# mozilla-django-oidc: the callback's URL name; PKCE on top of state and nonce.
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc_callback"
OIDC_USE_PKCE = True
if OIDC_ENABLED:
    AUTHENTICATION_BACKENDS.append("halland_utbud.oidc.SithsBackend")
# --- end of sign-in with SITHS ---
# --- Sign-in, sessions and API throttles (halland_utbud.signin, halland_utbud.sessions) ---
# The addresses (or networks) of the reverse proxy whose X-Forwarded-For is believed,
# comma-separated. Empty: the client is REMOTE_ADDR whatever headers it sends.
TRUSTED_PROXY = env_list("TRUSTED_PROXY", default=[])
parse_networks(TRUSTED_PROXY)
# Lockout after repeated failed sign-ins (django-axes): a username after 5 failures from
# any address, an address after 20 across usernames; both for 15 minutes.
AXES_HANDLER = "halland_utbud.signin.SignInLockoutHandler"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", default=5)
SIGN_IN_FAILURE_LIMITS = {
    "username": AXES_FAILURE_LIMIT,
    "ip_address": env_int("AXES_IP_FAILURE_LIMIT", default=20),
}
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", default=15))
AXES_CLIENT_IP_CALLABLE = "halland_utbud.client_address.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# A signed-in session ends after 30 minutes without activity and 10 hours after sign-in.
SESSION_IDLE_TIMEOUT_SECONDS = env_int("SESSION_IDLE_TIMEOUT_SECONDS", default=30 * 60)
SESSION_MAX_AGE_SECONDS = env_int("SESSION_MAX_AGE_SECONDS", default=10 * 60 * 60)
SESSION_COOKIE_AGE = SESSION_MAX_AGE_SECONDS
# API throttles (DRF's rate syntax: number/second|minute|hour|day), counted in the cache.
API_THROTTLE_USER_RATE = env_str("API_THROTTLE_USER_RATE", default="1000/hour")
API_THROTTLE_ANON_RATE = env_str("API_THROTTLE_ANON_RATE", default="60/minute")
for _name, _rate in [
    ("API_THROTTLE_USER_RATE", API_THROTTLE_USER_RATE),
    ("API_THROTTLE_ANON_RATE", API_THROTTLE_ANON_RATE),
]:
    if not re.fullmatch(r"[1-9][0-9]*/(second|minute|hour|day)", _rate):
        raise ImproperlyConfigured(f"{_name} must be like 60/minute, not {_rate!r}.")
# The throttles' counts must be shared by every web process: Redis when configured.
CACHE_URL = env_str("CACHE_URL") or env_str("REDIS_URL")
if CACHE_URL and not CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(f"CACHE_URL must be a redis:// URL, not {CACHE_URL!r}.")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# API keys (django-rest-knox, clinics.models.api_tokens): stored as digests, named by
# their users, and valid for API_TOKEN_TTL_DAYS from when they are made (a year at most);
# using a key does not extend it. Clients send `Authorization: Token <key>`.
API_TOKEN_TTL_DAYS = env_int("API_TOKEN_TTL_DAYS", default=90)
if not 1 <= API_TOKEN_TTL_DAYS <= 365:
    raise ImproperlyConfigured(
        f"API_TOKEN_TTL_DAYS must be from 1 to 365, not {API_TOKEN_TTL_DAYS}."
    )
KNOX_TOKEN_MODEL = "clinics.ApiToken"
REST_KNOX = {
    "TOKEN_MODEL": KNOX_TOKEN_MODEL,
    "TOKEN_TTL": timedelta(days=API_TOKEN_TTL_DAYS),
    "AUTO_REFRESH": False,
    "AUTH_HEADER_PREFIX": "Token",
}
# --- end of sign-in, sessions and API throttles ---

# Swedish first, English available.
LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True
# English dates as ISO or British dates (2026-12-01, 1 December 2026), never the US style.
FORMAT_MODULE_PATH = ["halland_utbud.formats"]

STATIC_URL = "static/"
STATIC_ROOT = env_str("STATIC_ROOT") or VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Without `collectstatic` (make run, tests) WhiteNoise serves straight from the apps' folders.
WHITENOISE_USE_FINDERS = True
Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # The manifest needs `collectstatic` first: on in deployments, off for `make run`.
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", default=False)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# E-mail: console in development, SMTP when EMAIL_HOST is set.
EMAIL_HOST = env_str("EMAIL_HOST", default="")
EMAIL_PORT = env_int("EMAIL_PORT", default=587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    default=(
        "django.core.mail.backends.smtp.EmailBackend"
        if EMAIL_HOST
        else "django.core.mail.backends.console.EmailBackend"
    ),
)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", default="digitalt-utbud@regionhalland.se")
# Seconds a mail server may take to answer before the send fails (and is retried later):
# without it a server that stops answering holds the worker for ever.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", default=30)
if EMAIL_TIMEOUT <= 0:
    raise ImproperlyConfigured(f"EMAIL_TIMEOUT must be a number of seconds, not {EMAIL_TIMEOUT}.")
# Where the app is reached from outside: the links in every mail start here.
SITE_URL = env_str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
if not SITE_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured(f"SITE_URL must start with https:// or http://, not {SITE_URL!r}.")

# Celery: Redis when a broker is configured, otherwise tasks run eagerly in-process.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or env_str("REDIS_URL")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
# With acks_late: a task whose worker process was killed goes back to the queue.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Seconds before Redis hands a task that no worker acknowledged (its worker died) to
# another: longer than the longest task may run (the nightly jobs' 30 minutes), or a task
# still running would be started a second time.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", default=2 * 60 * 60)
}
# No task runs for ever: past the soft limit (seconds) the task is asked to stop
# (SoftTimeLimitExceeded), past the hard limit its worker process is replaced. The nightly
# jobs set longer limits of their own (clinics/tasks.py, followup/tasks.py). An hour at
# most: mail held by a killed worker is sent again after two (clinics.notifications).
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", default=5 * 60)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", default=6 * 60)
if not 0 < CELERY_TASK_SOFT_TIME_LIMIT < CELERY_TASK_TIME_LIMIT <= 60 * 60:
    raise ImproperlyConfigured(
        "CELERY_TASK_SOFT_TIME_LIMIT must be below CELERY_TASK_TIME_LIMIT, which must be "
        f"an hour at most; not {CELERY_TASK_SOFT_TIME_LIMIT} and {CELERY_TASK_TIME_LIMIT}."
    )

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Per signed-in user (token or session) and, without a sign-in, per client address;
    # refusals for want of a valid sign-in count there too (halland_utbud.api).
    "DEFAULT_THROTTLE_CLASSES": [
        "halland_utbud.signin.AnonRateThrottle",
        "halland_utbud.signin.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {"user": API_THROTTLE_USER_RATE, "anon": API_THROTTLE_ANON_RATE},
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "halland_utbud.api.PageSizePagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["halland_utbud.api.FilterBackend"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "halland_utbud.api_renderers.StrictBrowsableAPIRenderer",
    ],
    "DEFAULT_SCHEMA_CLASS": "halland_utbud.api_schema.AutoSchema",
    # Every error in one body (halland_utbud.api); the schema documents it per operation.
    "EXCEPTION_HANDLER": "drf_standardized_errors.handler.exception_handler",
}
DRF_STANDARDIZED_ERRORS = {
    "EXCEPTION_HANDLER_CLASS": "halland_utbud.api.ApiExceptionHandler",
    "EXCEPTION_FORMATTER_CLASS": "halland_utbud.api.ApiExceptionFormatter",
    "ALLOWED_ERROR_STATUS_CODES": [
        *("400", "401", "403", "404", "405", "406", "409", "415", "429", "500")
    ],
    "ERROR_SCHEMAS": {
        "400": "halland_utbud.api_schema.ValidationErrorResponseSerializer",
        "409": "halland_utbud.api_schema.ConflictResponseSerializer",
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Digitalt utbud – Region Halland",
    "DESCRIPTION": (
        "Uppföljning av grundutbudet av digitala tjänster enligt beslut RS220477. "
        "Read for budget and follow-up systems; exemption cases are requested and decided "
        "here too.\n\n"
        "Authorization: send `Authorization: Token <key>` with every request. Signed in, "
        "you make and revoke your API keys on the page API keys (`/konto/api-nycklar/`). "
        f"A key is shown once, when it is made, and is valid for {API_TOKEN_TTL_DAYS} days "
        "(`API_TOKEN_TTL_DAYS`); an expired or revoked key is refused with 401. To try a "
        "call here, press Authorize and enter `Token <key>` under knoxApiToken (the word "
        "Token, a space, the key); signed in, the browser's session is used."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI's assets come from the sidecar package: no CDN at run time.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No validator badge: it would send the schema's address to validator.swagger.io.
    # No deep links: they nest a link inside each operation button (axe: nested-interactive).
    "SWAGGER_UI_SETTINGS": {"deepLinking": False, "syntaxHighlight": False, "validatorUrl": None},
    # Ids in paths (halland_utbud.api.IdConverter).
    "PATH_CONVERTER_OVERRIDES": {
        "id": {"type": "integer", "minimum": 0, "maximum": 999_999_999_999_999_999}
    },
    "ENUM_NAME_OVERRIDES": {
        "ClinicKindEnum": "requirements.vocabulary.ClinicKind",
        "ProviderKindEnum": "requirements.vocabulary.ProviderKind",
        "ExemptionKindEnum": "requirements.vocabulary.ExemptionKind",
        "AnswerStatusEnum": "requirements.vocabulary.AnswerStatus",
        "ComplianceStatusEnum": "requirements.vocabulary.ComplianceStatus",
        "CaseKindEnum": "clinics.models.cases.CaseKind",
        "CaseStateEnum": "clinics.models.cases.CaseState",
        "ReasonCategoryEnum": "clinics.models.cases.ReasonCategory",
        # The error bodies' types (halland_utbud.api_schema).
        "ValidationErrorEnum": "drf_standardized_errors.openapi_serializers.ValidationErrorEnum",
        "ClientErrorEnum": "drf_standardized_errors.openapi_serializers.ClientErrorEnum",
        "ServerErrorEnum": "drf_standardized_errors.openapi_serializers.ServerErrorEnum",
        "BadRequestTypeEnum": ["validation_error", "client_error"],
    },
}

# --- Security headers and HTTPS (issue 11) ----------------------------------------------
# In production (DEBUG false) every request is HTTPS: http is redirected, browsers are told
# by HSTS never to try http again, and cookies are sent over HTTPS only. The health checks
# stay reachable over plain http from inside the container.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
# Only behind a trusted reverse proxy (TRUSTED_PROXY, above) is its X-Forwarded-Proto
# believed: without one anyone could send the header and pass for HTTPS.
if TRUSTED_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# No inline script or style anywhere: everything comes from the app's own static files.
# The API docs (Swagger UI) add what they need on their view (halland_utbud.api_views).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.NONE],
        "script-src": [csp.SELF],
        "style-src": [csp.SELF],
        "img-src": [csp.SELF],
        "font-src": [csp.SELF],
        "connect-src": [csp.SELF],
        "manifest-src": [csp.SELF],
        "form-action": [csp.SELF],
        "frame-ancestors": [csp.NONE],
        "base-uri": [csp.NONE],
        "object-src": [csp.NONE],
    },
}
# Browser features the app never uses, switched off for it and anything it might embed.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
}

# Logs on standard error: JSON lines in production, with the request id, user id and
# duration of each request (halland_utbud.logs); plain text on a development machine.
LOG_FORMAT = env_str("LOG_FORMAT", default="text" if DEBUG else "json")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or text, not {LOG_FORMAT!r}.")
LOGGING = logging_config(log_format=LOG_FORMAT, level=env_str("LOG_LEVEL", default="INFO"))
# The worker and beat log through LOGGING too, in the same format as the web.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
