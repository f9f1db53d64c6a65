"""Settings for orgmap: one module, driven by environment variables.

Every variable has a safe default for a laptop: no DATABASE_URL means SQLite in the
local data folder, no broker URL means Celery's filesystem transport in that folder,
DEBUG is off unless asked for, and SECRET_KEY must be given whenever DEBUG is off.
The README lists every variable.
"""

from __future__ import annotations

import datetime
import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from orgmap.settings_values import parse_email_url, parse_lead_times

# The folder with manage.py, templates/, static/ and locale/: the source checkout, or
# wherever an installed image keeps them (ORGMAP_BASE_DIR, set in the Dockerfile).
BASE_DIR = Path(os.environ.get("ORGMAP_BASE_DIR") or Path(__file__).resolve().parent.parent)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


TESTING = "pytest" in sys.modules or env_bool("ORGMAP_TESTING")

DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG or TESTING:
        # Only for a developer's laptop and the test suite; never served in production.
        SECRET_KEY = "insecure-development-key-do-not-use-in-production-0123456789"
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (set DEBUG=1 for local development)."
        )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG or TESTING else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# The local data folder holds the SQLite database, the embedded Celery broker's queue
# and beat's schedule. It is created at start-up because kombu's filesystem transport
# fails on a missing folder.
DATA_DIR = Path(os.environ.get("ORGMAP_DATA_DIR", BASE_DIR / "var"))
DATA_DIR.mkdir(parents=True, exist_ok=True)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_htmx",
    "guardian",
    "axes",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "orgmap",
    "orgmap.api",
    "orgmap.webhooks",
    # Before responsibilities: its `findings` command (with --draft) replaces theirs.
    "collaboration.drafts",
    "responsibilities",
    "responsibilities.attestation",
    "collaboration",
    "collaboration.meetings",
    "collaboration.routines",
    "collaboration.reminders",
]

MIDDLEWARE = [
    # First: every log line of the request carries its id.
    "orgmap.log.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # 400 for a NUL byte in the path or query, before any view or database sees it.
    "orgmap.request_guard.RejectNulBytesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "orgmap.middleware.LoginRequiredMiddleware",  # Django's, htmx-aware
    "orgmap.middleware.ProfileLanguageMiddleware",
    "orgmap.middleware.ProfileTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes requires: it answers locked-out logins.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "orgmap.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "orgmap.context_processors.navigation",
                "collaboration.reminders.context_processors.notification_bell",
                "responsibilities.attestation.context_processors.confirmation_prompt",
            ],
            "builtins": ["django_htmx.templatetags.django_htmx"],
        },
    }
]

# Django's form templates through Jinja2 (a third of the cost), others through the
# Django template engine: orgmap/form_rendering.py.
FORM_RENDERER = "orgmap.form_rendering.FormRenderer"

WSGI_APPLICATION = "orgmap.wsgi.application"
ASGI_APPLICATION = "orgmap.asgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'orgmap.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# Bounds on every PostgreSQL connection, so that a database that accepts connections but
# never answers cannot hold a web request (or /healthz) for ever: the connection attempt
# gives up after DATABASE_CONNECT_TIMEOUT seconds, and the server cancels any statement
# running longer than DATABASE_STATEMENT_TIMEOUT seconds (0: no limit; `migrate` runs
# with 0, see the Makefile and docker-compose.yml).
DATABASE_CONNECT_TIMEOUT = int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "3"))
DATABASE_STATEMENT_TIMEOUT = int(os.environ.get("DATABASE_STATEMENT_TIMEOUT", "30"))
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    _pg_options = DATABASES["default"].setdefault("OPTIONS", {})
    _pg_options.setdefault("connect_timeout", DATABASE_CONNECT_TIMEOUT)
    # No JIT compilation: it pays off for long analytical queries, while this app's are
    # short; a high cost estimate (a search forcing its trigram index) made PostgreSQL
    # spend 350 ms compiling a query that runs in 5 (docs/decisions.md).
    # Short GIN pending lists: searches read a pending list whole (responsibilities/
    # search_indexes.py; bulk imports raise it for their own transaction).
    _session = ["-c jit=off", "-c gin_pending_list_limit=256kB"]
    if DATABASE_STATEMENT_TIMEOUT > 0:
        _session.append(f"-c statement_timeout={DATABASE_STATEMENT_TIMEOUT}s")
    _pg_options["options"] = " ".join([_pg_options.get("options", ""), *_session]).strip()
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (web, worker, beat) share the file: wait for locks instead of
    # failing at once, and take the write lock at the start of a transaction.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # First: refuses a login while its username and address are locked out.
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend that loads the profile with the user (one query less per request).
    "orgmap.backends.ProfileModelBackend",
    # Only for sessions signed in before the line above existed: a session names the
    # backend that signed it in. Remove once those have expired (SESSION_COOKIE_AGE).
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
ANONYMOUS_USER_NAME = (
    None  # guardian: no anonymous user row; anonymous users see only the login page
)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    # Hashing with the production hasher makes every login in the suite slow.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Throttling of failed logins (django-axes): after AXES_FAILURE_LIMIT wrong passwords
# for one username from one address, that pair is locked for the cool-off time; a
# correct login afterwards works and resets the count. Behind a reverse proxy set
# TRUSTED_PROXY_COUNT to the number of proxies, so the client address is read from
# X-Forwarded-For as the proxies set it (not as a client could spoof it).
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "orgmap.proxies.client_ip"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "org-overview"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE") or "UTC"
USE_I18N = True
# One date format per language (orgmap/formats/<language>/formats.py).
FORMAT_MODULE_PATH = ["orgmap.formats"]
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files the application writes (bulk exports) go to the default storage: MEDIA_ROOT,
# which in docker-compose.yml is a volume shared by web and worker. Nothing there is
# served directly; downloads go through views that check permissions.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or DATA_DIR / "media")
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "orgmap.staticfiles.ProductionStaticFilesStorage"
        )
    },
}
# Without `collectstatic` (no manifest), WhiteNoise serves the source files instead.
WHITENOISE_USE_FINDERS = DEBUG or TESTING or not (STATIC_ROOT / "staticfiles.json").exists()

# Cache: Redis when configured (shared by every web process and the worker); without
# it, files in the data folder, shared by `make run`'s web, worker and beat processes
# (what one writes, such as the findings generation after an import on the worker, the
# others read); per process in tests.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
elif TESTING:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": DATA_DIR / "cache",
        }
    }

# Celery. No broker URL means kombu's filesystem transport in the data folder, which
# needs no server and works across separate web, worker and beat processes.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or REDIS_URL or "filesystem://"
CELERY_QUEUE_DIR = DATA_DIR / "celery" / "queue"
CELERY_PROCESSED_DIR = DATA_DIR / "celery" / "processed"
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_QUEUE_DIR.mkdir(parents=True, exist_ok=True)
    CELERY_PROCESSED_DIR.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_QUEUE_DIR),
        "data_folder_out": str(CELERY_QUEUE_DIR),
        "processed_folder": str(CELERY_PROCESSED_DIR),
        "store_processed": False,
        # Broadcast (remote control) files; by default kombu puts them in ./control.
        "control_folder": str(DATA_DIR / "celery" / "control"),
    }
CELERY_TASK_ACKS_LATE = True
# The queue tasks go to and workers read by default; several orgmaps (or test runs) on
# one Redis keep apart with a name each.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_TASK_DEFAULT_QUEUE") or "celery"
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=TESTING)
CELERY_TASK_EAGER_PROPAGATES = True
# The worker logs through LOGGING below (one line per event, with the task's id).
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Each pool process loads the PDF fonts when it starts (responsibilities/tasks.py);
# give it more than Celery's 4 s on a busy machine.
CELERY_WORKER_PROC_ALIVE_TIMEOUT = 30
# /healthz reports a problem when beat's last heartbeat is older than this.
HEARTBEAT_MAX_AGE_SECONDS = int(os.environ.get("HEARTBEAT_MAX_AGE_SECONDS", "300"))

# Email: one URL, e.g. smtp://user:password@mail.example.com:587?tls=1, or console://
# (development: messages are printed by the worker), or locmem:// (kept in memory).
EMAIL_URL = os.environ.get("EMAIL_URL") or ("console://" if DEBUG else "smtp://localhost:25")
MAILERS = {"default": parse_email_url(EMAIL_URL)}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL") or "orgmap <orgmap@localhost>"

# Security. Behind a TLS-terminating proxy in production; the proxy sets
# X-Forwarded-Proto. Everything here is off for local HTTP development.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not (DEBUG or TESTING))
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not (DEBUG or TESTING))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = int(
    os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG or TESTING else "31536000")
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=not (DEBUG or TESTING))
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
# Sessions are read from the cache (Redis in production, local memory on a laptop and
# in tests) and written through to the database, so a cache flush signs nobody out:
# one query less on every signed-in request (docs/decisions.md).
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
X_FRAME_OPTIONS = "DENY"
# Django 6's built-in Content-Security-Policy: scripts only from us, with a nonce for
# the htmx tag; no inline event handlers, no eval.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

# One line per event: time, level, logger, request (or task) id, message; a traceback is
# folded into the same line. Refused requests (403, 404) log one line without a
# traceback. See orgmap/log.py.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "orgmap.log.ContextFilter"}},
    "formatters": {
        "line": {
            "()": "orgmap.log.OneLineFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
        }
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["context"],
            "formatter": "line",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own console handler would print each of its records a second time.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        # Chatty libraries: every successful login (axes) and every PDF step (WeasyPrint).
        **{name: {"level": "WARNING"} for name in ("axes", "weasyprint", "fontTools")},
    },
}
# Load balancers and compose health checks probe over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# ROLE_OVERLOADED: a role accountable or responsible for more active duties than this.
RACI_OVERLOAD_LIMIT = int(os.environ.get("RACI_OVERLOAD_LIMIT", "15"))

# Role confirmations (responsibilities/attestation): holders answer within the grace
# period (days) of being asked; they re-confirm every cadence (months; a role may set
# its own); an unanswered request past its due date escalates to the role's managers
# after ATTESTATION_ESCALATION_DAYS.
ATTESTATION_GRACE_DAYS = int(os.environ.get("ATTESTATION_GRACE_DAYS", "30"))
ATTESTATION_CADENCE_MONTHS = int(os.environ.get("ATTESTATION_CADENCE_MONTHS", "12"))
ATTESTATION_ESCALATION_DAYS = int(os.environ.get("ATTESTATION_ESCALATION_DAYS", "14"))
# A role's new version waits this long after the first write that changed it, so that
# a burst of edits makes one version (responsibilities/attestation/tracking.py); 0:
# every commit is versioned at once.
ATTESTATION_VERSION_DELAY_SECONDS = int(os.environ.get("ATTESTATION_VERSION_DELAY_SECONDS", "60"))
# A role-description PDF that takes longer than this is abandoned (responsibilities/pdf.py).
PDF_RENDER_TIMEOUT_SECONDS = int(os.environ.get("PDF_RENDER_TIMEOUT_SECONDS", "60"))
# Bulk exports (zip files of role descriptions, in the default storage under exports/)
# are kept this long; a whole export job is stopped after EXPORT_TIME_LIMIT_SECONDS.
EXPORT_RETENTION_HOURS = int(os.environ.get("EXPORT_RETENTION_HOURS", "24"))
EXPORT_TIME_LIMIT_SECONDS = int(os.environ.get("EXPORT_TIME_LIMIT_SECONDS", "3600"))

# Meeting and review reminders (collaboration/reminders.py, docs/reminders.md).


REMINDER_LEAD_TIMES = parse_lead_times(os.environ.get("REMINDER_LEAD_TIMES") or "24h,15m")
# Review reminders go out from this local hour on, not at midnight.
REMINDER_REVIEW_HOUR = int(os.environ.get("REMINDER_REVIEW_HOUR", "8"))
REMINDER_REPEAT_DAYS = int(os.environ.get("REMINDER_REPEAT_DAYS", "7"))
REMINDER_ESCALATION_DAYS = int(os.environ.get("REMINDER_ESCALATION_DAYS", "30"))
# Drafts (collaboration/drafts): approvers who have not answered are reminded after this
# many days, and again every as many days while the draft waits.
DRAFT_APPROVAL_REMINDER_DAYS = int(os.environ.get("DRAFT_APPROVAL_REMINDER_DAYS", "3"))
# A failed email is retried after 1, 2, 4, 8… minutes, then marked failed.
REMINDER_MAX_ATTEMPTS = int(os.environ.get("REMINDER_MAX_ATTEMPTS", "5"))
REMINDER_RETRY_SECONDS = int(os.environ.get("REMINDER_RETRY_SECONDS", "60"))
# A delivery still "sending" after this long is sent again (its worker is presumed
# dead): a rare duplicate rather than a lost reminder. Keep it well above the SMTP
# timeout.
REMINDER_STUCK_SECONDS = int(os.environ.get("REMINDER_STUCK_SECONDS", "600"))
# Reminders are created, enqueued and emailed in batches of this many: one send task
# and one SMTP connection per batch (collaboration/reminders/dispatcher.py).
REMINDER_BATCH_SIZE = int(os.environ.get("REMINDER_BATCH_SIZE", "200"))
# The public address of orgmap, for links in emails and calendar files. By default the
# address `make run` serves on.
ORGMAP_ADDRESS = os.environ.get("ORGMAP_ADDRESS") or "127.0.0.1:8000"
SITE_URL = (os.environ.get("SITE_URL") or f"http://{ORGMAP_ADDRESS}").rstrip("/")

# Spreadsheet imports (responsibilities/imports.py): larger uploads, or files with more
# data rows, are refused with a clear message before they are parsed.
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", str(10 * 1024 * 1024)))
IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", "100000"))
# What an uploaded workbook may unpack to, checked before it is parsed (xlsx_guard.py).
IMPORT_MAX_UNCOMPRESSED_BYTES = int(
    os.environ.get("IMPORT_MAX_UNCOMPRESSED_BYTES", str(50 * 1024 * 1024))
)

# The REST API (orgmap/api, docs/api.md): personal tokens (Bearer) or the browser's
# session (with CSRF), cursor pagination, JSON errors with a code, throttling per token.
API_THROTTLE_RATE = os.environ.get("API_THROTTLE_RATE", "600/min")
API_PAGE_SIZE = int(os.environ.get("API_PAGE_SIZE", "50"))
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "orgmap.api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["orgmap.api.permissions.IsActivePerson"],
    "DEFAULT_PAGINATION_CLASS": "orgmap.api.pagination.IdCursorPagination",
    "DEFAULT_THROTTLE_CLASSES": ["orgmap.api.throttling.PerTokenThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api": API_THROTTLE_RATE},
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "orgmap.api.errors.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "orgmap API",
    "DESCRIPTION": "Departments, roles, people, duties, the RACI matrix and its findings.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The reference page's assets are served from our static files, never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
}
# Uploads with more rows than this are checked and applied by a Celery job, with a
# progress bar, instead of inside the web request (responsibilities/spreadsheets/import_jobs.py).
IMPORT_INLINE_MAX_ROWS = int(os.environ.get("IMPORT_INLINE_MAX_ROWS", "3000"))
# ... and so are uploads with more cells (rows × columns: a wide matrix is costly).
IMPORT_INLINE_MAX_CELLS = int(os.environ.get("IMPORT_INLINE_MAX_CELLS", "100000"))
# An import job's upload and report are kept this long; one step of it is stopped
# after IMPORT_TIME_LIMIT_SECONDS.
IMPORT_RETENTION_HOURS = int(os.environ.get("IMPORT_RETENTION_HOURS", "24"))
IMPORT_TIME_LIMIT_SECONDS = int(os.environ.get("IMPORT_TIME_LIMIT_SECONDS", "1800"))
# Webhooks (orgmap/webhooks/, docs/webhooks.md). Endpoints may only be on these hosts
# (empty: any host; ".example.com" includes sub-domains), and may resolve to internal
# addresses (loopback, private, link-local) only inside these networks (CIDR).
WEBHOOK_ALLOWED_HOSTS = env_list("WEBHOOK_ALLOWED_HOSTS")
WEBHOOK_ALLOWED_NETWORKS = env_list("WEBHOOK_ALLOWED_NETWORKS")
WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("WEBHOOK_TIMEOUT_SECONDS", "10"))
# A failed attempt is retried after base, 2×base, 4×base… seconds (+ up to 25 % jitter,
# at most WEBHOOK_RETRY_MAX_SECONDS), WEBHOOK_MAX_ATTEMPTS attempts in all.
WEBHOOK_RETRY_BASE_SECONDS = float(os.environ.get("WEBHOOK_RETRY_BASE_SECONDS", "30"))
WEBHOOK_RETRY_MAX_SECONDS = float(os.environ.get("WEBHOOK_RETRY_MAX_SECONDS", "21600"))
WEBHOOK_MAX_ATTEMPTS = int(os.environ.get("WEBHOOK_MAX_ATTEMPTS", "10"))
# This many failed attempts in a row disable an endpoint (its admins get an email).
WEBHOOK_DISABLE_AFTER_FAILURES = int(os.environ.get("WEBHOOK_DISABLE_AFTER_FAILURES", "20"))
# How long another process may take to notice a new endpoint when there is no Redis.
WEBHOOK_SUBSCRIPTIONS_CACHE_SECONDS = int(
    os.environ.get("WEBHOOK_SUBSCRIPTIONS_CACHE_SECONDS", "30")
)
# Beat's sweep re-enqueues what has waited this much longer than planned.
WEBHOOK_SWEEP_GRACE_SECONDS = int(os.environ.get("WEBHOOK_SWEEP_GRACE_SECONDS", "60"))
WEBHOOK_RETENTION_DAYS = int(os.environ.get("WEBHOOK_RETENTION_DAYS", "30"))
# The fan-out enqueues one task per endpoint and this many deliveries (sent in turn).
WEBHOOK_BATCH_SIZE = int(os.environ.get("WEBHOOK_BATCH_SIZE", "100"))
