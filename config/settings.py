"""Factdesk settings. Everything that differs between machines comes from the environment
(see README "Configuration"); the defaults run locally with no server at all."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from config.env import (
    env_bool,
    env_broker_url,
    env_cache,
    env_database_owner,
    env_database_url,
    env_int,
    env_list,
    env_secret_key,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("FACTDESK_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

# pytest (>= 8.2) announces itself in PYTEST_VERSION: tests run with local, non-HTTPS defaults.
TESTING = "PYTEST_VERSION" in os.environ
DEBUG = env_bool("DEBUG", TESTING)


def _local_secret_key() -> str:
    """DEBUG only: a key generated once and kept under var/ (never used in production)."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


# Required and strong (50+ characters) when DEBUG is off; a bad value stops the process.
SECRET_KEY = env_secret_key("SECRET_KEY", debug=DEBUG, fallback=_local_secret_key)
_LOOPBACK = ["127.0.0.1", "localhost", "[::1]"]
# Loopback stays allowed so that the container's own health check can reach /healthz.
ALLOWED_HOSTS = [*env_list("ALLOWED_HOSTS", ["testserver"]), *_LOOPBACK]
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # Before staticfiles: its `runserver` (TCP_NODELAY) is the one `make run` starts.
    "apps.devserver",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework_api_key",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "template_partials",
    "simple_history",
    "axes",
    "csp",
    "apps.accounts",
    "apps.articles",
    "apps.knowledge",
    "apps.annotations",
    "apps.extraction",
    "apps.checks",
    "apps.api",
    "apps.ops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Every error answer gets a message; OPTIONS on a page says which methods it takes.
    "config.middleware.ErrorMessageMiddleware",
    # Control characters in the address are refused; /api/v1/… answers with a trailing slash too.
    "config.middleware.RequestGuardMiddleware",
    # Before anything reads the body: an oversized upload gets a clear 413.
    "config.security.RequestSizeLimitMiddleware",
    # Celery messages of the request's commits are sent after its answer is written.
    "config.middleware.SendAfterResponseMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "apps.accounts.context_processors.roles",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# DATABASE_URL, e.g. postgres://postgres@127.0.0.1:5432/factdesk; default: SQLite under var/.
_default_sqlite = f"sqlite:///{VAR_DIR / 'factdesk.sqlite3'}"
_db = env_database_url("DATABASE_URL", _default_sqlite, conn_max_age=60)
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db["OPTIONS"] = {
        # Web server and worker write the same file: wait for the lock instead of failing.
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Connections are kept (CONN_MAX_AGE, 60 s) as on PostgreSQL: opening one costs the PRAGMAs
    # above on every request otherwise (bench/peer_ops.py).
    # Tests use a file, not :memory:, so that a real worker process can share the test database.
    # One file per checkout, kept between runs (`--reuse-db`; pytest-xdist adds _gw0, _gw1… per
    # parallel process); `pytest --create-db` or `make clean` starts afresh.
    _db["TEST"] = {"NAME": str(VAR_DIR / "test-factdesk.sqlite3")}
else:  # PostgreSQL (env_database_url accepts nothing else)
    _db.setdefault("OPTIONS", {})
DATABASES = {"default": _db}
# DATABASE_OWNER_URL (PostgreSQL): the role that owns the tables. When set, `manage.py migrate`
# connects as it and grants DATABASE_URL's role (the app: web, worker, beat) what it needs and no
# more: it owns nothing, so it cannot switch off the triggers that keep history append-only
# (apps/ops/db_roles.py). Unset, or the same role: one role does everything (local use, SQLite).
DATABASE_OWNER = env_database_owner("DATABASE_OWNER_URL", _db)
DATABASE_APP = (
    {"USER": _db["USER"], "PASSWORD": _db.get("PASSWORD", "")} if DATABASE_OWNER else None
)
# API throttling counts per key live in the cache: set CACHE_URL to Redis when several web
# processes serve the API, so that they share one count.
CACHES = {"default": env_cache("CACHE_URL")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
IS_POSTGRES = _db["ENGINE"] == "django.db.backends.postgresql"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
if TESTING:
    # Hashing a password the production way takes ~0.3 s; every test user would pay it.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "ops:dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "staticfiles")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and env_bool("FACTDESK_MANIFEST_STATIC", True)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# --- Security -------------------------------------------------------------------------------
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# The health check is answered over plain HTTP from inside the container.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many proxies of ours stand in front of the web process and append to X-Forwarded-For.
# 0 (the default): the client's address is the socket's (REMOTE_ADDR), and a client-sent
# X-Forwarded-For is ignored, so nobody can pick the address the throttles and the login lockout
# count against. With N proxies, the address N entries from the end of X-Forwarded-For.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
# htmx sends the token from the page (hx-headers), so no script needs to read the cookie.
CSRF_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024, minimum=1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE

# Content-Security-Policy: only our own scripts and styles; no inline script anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# Login throttling: five wrong passwords for a username from one address are answered as usual;
# the sixth locks that username on that address for AXES_COOLOFF_TIME (axes counts the failure
# that reaches the limit as the locking one). Locking username AND address, not the username
# alone, so that nobody can lock a colleague out from elsewhere.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 6, minimum=1)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "config.security.lockout_response"  # the login page, saying why
AXES_CLIENT_IP_CALLABLE = "config.security.client_ip"  # the same address as the API throttles

# --- Celery ---------------------------------------------------------------------------------
# CELERY_BROKER_URL, e.g. redis://127.0.0.1:6379/0; default: kombu's filesystem transport under
# var/broker, which needs no server (web and worker on one machine).
CELERY_BROKER_URL = env_broker_url("CELERY_BROKER_URL", "filesystem://")
BROKER_DIR = Path(env_str("FACTDESK_BROKER_DIR", str(VAR_DIR / "broker")))
# One queue name for the web process and the worker; tests give each run a queue of its own.
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "factdesk")
# Every task runs under these limits (none sets its own), so that what is derived from them below
# holds for all: a task past the soft limit gets SoftTimeLimitExceeded, at the hard one its
# process is killed.
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 120, minimum=1)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 180, minimum=1)
if CELERY_BROKER_URL.startswith("filesystem://"):
    for sub in ("queue", "processed", "control"):
        (BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # A message whose worker died unacknowledged is delivered again after this many seconds.
        # Longer than any task may run (the hard time limit), else a live task's message would
        # be handed to a second worker; not much longer, so a killed worker's work resumes
        # within minutes (Redis's own default is an hour).
        "visibility_timeout": env_int(
            "CELERY_VISIBILITY_TIMEOUT", CELERY_TASK_TIME_LIMIT + 60, minimum=1
        ),
        # Look for such messages on every periodic sweep (every 10 s), not on every 10th: else a
        # dead worker's message waits ~100 s beyond the visibility timeout.
        "unacked_restore_throttle": 1,
    }
# A web request whose after-commit send finds the broker down answers anyway (the request is
# recorded on the article; the processing sweep sends it again): give up on the broker quickly.
CELERY_BROKER_CONNECTION_TIMEOUT = env_int("CELERY_BROKER_CONNECTION_TIMEOUT", 2, minimum=1)
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_TASK_IGNORE_RESULT = True  # results that matter are written to our own tables
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# A check "running" for longer than this is taken to have died with its worker; the checks drain
# (sent again by the processing sweep, or redelivered) takes it over. Longer than the hard time
# limit, so that a live run is never taken over; shorter than the visibility timeout, so that a
# redelivered drain finds its dead runs free to take.
CHECKS_RUNNING_LEASE_SECONDS = env_int(
    "CHECKS_RUNNING_LEASE_SECONDS", CELERY_TASK_TIME_LIMIT + 30, minimum=1
)
# How often beat's processing sweep sends the extraction and checks drains again while anything
# is owed (after a broker outage, a lost message, a dead run): two indexed queries when nothing is.
PROCESSING_SWEEP_SECONDS = env_int("PROCESSING_SWEEP_SECONDS", 60, minimum=1)
# How long one drain task works before it hands the rest to a new message: well inside the soft
# time limit, so a long backlog never runs into it.
PROCESSING_DRAIN_SECONDS = env_int(
    "PROCESSING_DRAIN_SECONDS", max(1, CELERY_TASK_SOFT_TIME_LIMIT // 2), minimum=1
)
CELERY_BEAT_SCHEDULE = {
    "processing-sweep": {
        "task": "articles.processing_sweep",
        "schedule": PROCESSING_SWEEP_SECONDS,
    },
    "checks-sweep-stale": {
        "task": "checks.sweep_stale",
        "schedule": env_int("CHECKS_SWEEP_SECONDS", 600, minimum=10),
    },
}

# --- REST framework -------------------------------------------------------------------------
REST_FRAMEWORK = {
    # An API key (X-Api-Key) for newsroom systems, the session for the browser.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.accounts.authentication.APIKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["apps.accounts.permissions.APIAccess"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["apps.api.parsers.JSONParser"],
    "DEFAULT_METADATA_CLASS": "apps.api.metadata.APIMetadata",
    "DEFAULT_SCHEMA_CLASS": "apps.api.schema.FactdeskAutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "apps.api.errors.exception_handler",
    # No `?format=`: the content type follows the Accept header (a bad format would be a 404).
    "URL_FORMAT_OVERRIDE": None,
    "DEFAULT_THROTTLE_CLASSES": [
        "apps.api.throttling.APIKeyThrottle",
        "apps.api.throttling.PersonThrottle",
        "apps.api.throttling.AnonymousThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "api_key": env_str("API_THROTTLE_RATE", "600/minute"),
        "user": env_str("API_USER_THROTTLE_RATE", "1200/minute"),
        "anon": env_str("API_ANON_THROTTLE_RATE", "60/minute"),
    },
    # The anonymous throttle's address (DRF's get_ident): see TRUSTED_PROXY_COUNT.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}
# The throttles count with django-ratelimit (apps/api/throttling.py); if the cache does not
# answer, requests are served uncounted rather than all refused.
RATELIMIT_FAIL_OPEN = True
SPECTACULAR_SETTINGS = {
    "TITLE": "Factdesk API",
    "DESCRIPTION": "Verified claims, findings and exports from the Factdesk newsroom fact-checking desk.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ClaimKindEnum": "apps.annotations.models.ClaimKind",
        "EntityKindEnum": "apps.knowledge.models.EntityKind",
        "PrecisionEnum": "apps.knowledge.models.Precision",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "apps.api.schema.add_error_component",
        "apps.api.schema.add_links",
    ],
}
API_KEY_CUSTOM_HEADER = "HTTP_X_API_KEY"
# List pages hold back rows changed in the last N seconds, so that a change whose transaction has
# not committed yet is never skipped by a client that syncs with the cursor (apps/api/pagination.py).
API_SYNC_SETTLE_SECONDS = env_int("API_SYNC_SETTLE_SECONDS", 2, minimum=0)

# --- Factdesk ---------------------------------------------------------------------------------
# Largest article body accepted, in Unicode code points (about 150 printed pages).
ARTICLE_MAX_CHARS = env_int("ARTICLE_MAX_CHARS", 500_000, minimum=1000)
# The organisation named as author of ClaimReview exports.
FACTDESK_ORG_NAME = env_str("FACTDESK_ORG_NAME", "Factdesk")
FACTDESK_ORG_URL = env_str("FACTDESK_ORG_URL", "https://factdesk.example.org")
# DATE_VS_PUBLICATION: an event this many days before publication is suspicious in a news lead.
CHECKS_STALE_EVENT_DAYS = env_int("CHECKS_STALE_EVENT_DAYS", 60, minimum=1)
# Articles per batch of a checks drain, and per batch task of a sweep or a KB change. A batch's
# snapshots and corpus views are the worker's peak, and Python keeps the arenas they spread over:
# 500 left the worker ~25 MiB larger than 100 for the same CPU time (bench/README.md, "Peer
# operations: memory").
CHECKS_BATCH_SIZE = env_int("CHECKS_BATCH_SIZE", 100, minimum=1)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # django-axes announces itself at start-up of every process and command.
        "axes.apps": {"level": "WARNING"},
    },
}

# --- Knowledge base: Wikidata sync (manage.py kb_sync, the refresh, "add from Wikidata") --------
WIKIDATA_API_URL = env_str("WIKIDATA_API_URL", "https://www.wikidata.org/w/api.php")
WIKIDATA_SPARQL_URL = env_str("WIKIDATA_SPARQL_URL", "https://query.wikidata.org/sparql")
# Wikimedia's User-Agent policy: name/version (contact) library/version. Set the contact to an
# address of the newsroom that runs Factdesk, so that Wikimedia can reach it before blocking it.
WIKIDATA_CONTACT = env_str("WIKIDATA_CONTACT", FACTDESK_ORG_URL)
WIKIDATA_USER_AGENT = env_str(
    "WIKIDATA_USER_AGENT",
    f"Factdesk/0.1 ({WIKIDATA_CONTACT}; knowledge base sync for newsroom fact-checking) "
    "python-requests",
)
# Politeness: at least this long between two requests, each request's timeout, the attempts
# before giving up on a 429/5xx/timeout, the first backoff (doubled each time) and the longest
# Retry-After the sync waits for (beyond it, it stops with an error rather than hang).
KB_SYNC_REQUEST_INTERVAL_MS = env_int("KB_SYNC_REQUEST_INTERVAL_MS", 200, minimum=0)
KB_SYNC_TIMEOUT_SECONDS = env_int("KB_SYNC_TIMEOUT_SECONDS", 60, minimum=1)
KB_SYNC_ATTEMPTS = env_int("KB_SYNC_ATTEMPTS", 5, minimum=1)
KB_SYNC_BACKOFF_MS = env_int("KB_SYNC_BACKOFF_MS", 2000, minimum=0)
KB_SYNC_MAX_WAIT_SECONDS = env_int("KB_SYNC_MAX_WAIT_SECONDS", 300, minimum=1)
# `--office` without `--since`: holders since this year.
KB_SYNC_DEFAULT_SINCE = env_int("KB_SYNC_DEFAULT_SINCE", 1990, minimum=1000)
# Celery beat re-syncs what was synced before every N seconds; 0 (the default) turns it off.
KB_SYNC_REFRESH_SECONDS = env_int("KB_SYNC_REFRESH_SECONDS", 0, minimum=0)
if KB_SYNC_REFRESH_SECONDS:
    CELERY_BEAT_SCHEDULE["knowledge-kb-sync-refresh"] = {
        "task": "knowledge.kb_sync_refresh",
        "schedule": KB_SYNC_REFRESH_SECONDS,
    }

# --- Bulk article import (POST /api/v1/articles/bulk) ------------------------------------------
# Most articles one request may import, and the largest request body it may send (bytes; this
# one path only: every other request keeps DATA_UPLOAD_MAX_MEMORY_SIZE). Either one exceeded: 413.
BULK_IMPORT_MAX_ITEMS = env_int("BULK_IMPORT_MAX_ITEMS", 5000, minimum=1)
BULK_IMPORT_MAX_BYTES = env_int("BULK_IMPORT_MAX_BYTES", 50 * 1024 * 1024, minimum=1024)
