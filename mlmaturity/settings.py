"""Settings, read from the environment.

With no variables set the app runs on an embedded default (a SQLite file, Celery tasks executed
in-process) so a newcomer needs only Python and git. `DATABASE_URL` switches to PostgreSQL,
`REDIS_URL` sends tasks to Redis for separate `celery worker` and `celery beat` processes.
Production mode (`DJANGO_DEBUG=false`) refuses to start without a secret key and allowed hosts.

This is the one module Django loads (DJANGO_SETTINGS_MODULE=mlmaturity.settings). The larger
groups of settings that stand on their own (single sign-on, security headers, Celery, the REST
API) live in `mlmaturity/config/`, one module each, and are imported here where they used to
be, so the environment is still read, and checked, in this file's order.
"""

from pathlib import Path

import bootstrap
import plotly
from django.core.exceptions import ImproperlyConfigured

from .config.environment import BASE_DIR, DEBUG, env

if DEBUG:
    # Only ever used in development; production mode requires DJANGO_SECRET_KEY below.
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="django-insecure-development-only-key")
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
else:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])
    if not SECRET_KEY:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off (production mode)."
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "DJANGO_ALLOWED_HOSTS must list the served host names when DJANGO_DEBUG is off "
            "(production mode)."
        )

INSTALLED_APPS = [
    # First, so that its runserver (a longer listen backlog) is the one manage.py runs.
    "assessments",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "mlmaturity.middleware.RefuseNulCharactersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Each request reads a user's role in a team once, however many checks ask for it.
    "assessments.access.RememberRolesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "mlmaturity.middleware.ContentSecurityPolicyMiddleware",
    # Last, so it is the first to see an exception a view raised.
    "mlmaturity.middleware.DatabaseBusyMiddleware",
]

ROOT_URLCONF = "mlmaturity.urls"
WSGI_APPLICATION = "mlmaturity.wsgi.application"
ASGI_APPLICATION = "mlmaturity.asgi.application"

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
                "assessments.sso.login_options",
                "assessments.site_links.site_links",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Opening a PostgreSQL connection costs more than a whole autosave request: keep it for a
# minute, and check it before reuse so a restarted database costs one retry, not an error.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The hot paths' compiled queries (assessments/compiled_queries.py) are prepared the first
    # time a connection runs them. Only statements bound on the server are ever prepared: the
    # ORM's own bind their values on the client, so this leaves them as they are. A pooler that
    # cannot keep prepared statements (PgBouncer in transaction mode before 1.21, or without
    # max_prepared_statements) needs them off: psycopg never prepares with None.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "prepare_threshold", 0 if env.bool("DATABASE_PREPARED_STATEMENTS", default=True) else None
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default serves several threads and runs scans in-process: SQLite set up for
    # a web app. Write-ahead logging lets reads go on while one connection writes; IMMEDIATE
    # takes the write lock when a transaction begins, so a writer waits its turn for up to
    # `timeout` seconds instead of failing at once when its read turns into a write; and
    # synchronous=NORMAL is safe with WAL (a power cut may lose the last commits, never
    # corrupt the file). Long work never runs inside a transaction, so 20 s is ample.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"] |= {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": env.int("SQLITE_BUSY_TIMEOUT_SECONDS", default=20),
    }
    # The results' history index carries the index and level along for PostgreSQL's
    # index-only scans; SQLite indexes the key columns alone, which is all it needs.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -----------------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Every password login (browser, admin, API token trade) goes through the guessing limit; the
# OpenID Connect backend answers only the single sign-on callback, and only when it is set up.
AUTHENTICATION_BACKENDS = [
    "assessments.backends.LockoutModelBackend",
    "assessments.backends.OidcBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Single sign-on (OpenID Connect, docs/single-sign-on.md): mlmaturity/config/sso.py ------------
from .config.sso import *  # noqa: E402, F403

# --- Internationalisation -------------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # plotly.js is served from the pinned plotly package, so charts work offline without a CDN
    # and the browser library always matches the figures the server builds.
    ("vendor/plotly", Path(plotly.__file__).resolve().parent / "package_data"),
    # Bootstrap's built stylesheet is the base every page stands on (reboot, type scale, tables,
    # forms, colour modes); only its CSS is served: no page needs Bootstrap's scripts.
    ("vendor/bootstrap", Path(bootstrap.__file__).resolve().parent / "static/bootstrap/css"),
]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "mlmaturity.static_files.DevelopmentStaticFilesStorage"
            if DEBUG
            else "mlmaturity.static_files.ProductionStaticFilesStorage"
        )
    },
}

# --- Security: mlmaturity/config/security.py ------------------------------------------------------
from .config.security import *  # noqa: E402, F403

# --- Celery, and every periodic schedule: mlmaturity/config/tasks.py ------------------------------
from .config.tasks import *  # noqa: E402, F403
from .config.tasks import CELERY_VISIBILITY_TIMEOUT, REDIS_URL  # noqa: E402

# --- Cache (login throttling and lockout need one shared by every process) ------------------------
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "mlmaturity",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if REDIS_URL:
    # Sessions are read on every request: from the shared cache, written through to the
    # database so a cache flush logs nobody out. A per-process cache would let a session that
    # was logged out in one process live on in the others, so without Redis they stay in the
    # database.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    # Django's database backend, with the read of every request compiled once.
    SESSION_ENGINE = "assessments.sessions"

# --- Email (invitations; any feature that mails reuses these) -------------------------------------
# SMTP when EMAIL_HOST is set. Without it the embedded default (SQLite, no REDIS_URL) prints
# each email in the terminal, so a newcomer sees an invitation's link; a deployment on
# PostgreSQL or Redis with no EMAIL_HOST sends through Django's default, an SMTP server on
# localhost:25. EMAIL_BACKEND overrides either choice.
EMAIL_HOST = env.str("EMAIL_HOST", default="")
_EMBEDDED = not REDIS_URL and DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend"
    if not EMAIL_HOST and _EMBEDDED
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = EMAIL_HOST or "localhost"
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
# A worker sends invitation emails; a mail server that does not answer holds one worker this
# long per attempt, and the invitation is kept, marked as retrying or not delivered.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="MLMaturity <noreply@localhost>")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
# Links in emails are absolute and emails are sent outside requests: the address people use.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# How long an invitation's link works.
INVITATION_DAYS = env.int("INVITATION_DAYS", default=7)
# Resending an invitation is refused this long after its email was last asked for, so nobody
# (or no script) can fill an inbox: longer than the few minutes greylisting mail servers hold a
# first message, short enough for a mistyped invitation to be fixed in a coffee break, and at
# most six emails an hour for one invitation (revoking and inviting again is a new, audited
# invitation). 0 turns the wait off.
INVITATION_RESEND_COOLDOWN_MINUTES = env.int("INVITATION_RESEND_COOLDOWN_MINUTES", default=10)
# Transient mail failures (server unreachable, 4xx answers) are retried this many times with
# exponential backoff capped at INVITATION_EMAIL_RETRY_MAX_SECONDS; then the invitation is
# marked as not delivered and the inviter resends it.
INVITATION_EMAIL_MAX_RETRIES = env.int("INVITATION_EMAIL_MAX_RETRIES", default=5)
INVITATION_EMAIL_RETRY_MAX_SECONDS = env.int("INVITATION_EMAIL_RETRY_MAX_SECONDS", default=600)


# --- REST API and its schema: mlmaturity/config/api.py --------------------------------------------
from .config.api import *  # noqa: E402, F403

# --- Logging --------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# --- Repository scanning --------------------------------------------------------------------------
# Local paths let a newcomer connect a repository on their own disk; a server must never read
# its own file system on a user's say-so, so production refuses them unless told otherwise.
SCAN_ALLOW_LOCAL_PATHS = env.bool("SCAN_ALLOW_LOCAL_PATHS", default=DEBUG)
# Evidence older than this still grades capabilities, but can no longer contradict an answer:
# the repository may have changed since.
SCAN_CONTRADICTS_DAYS = env.int("SCAN_CONTRADICTS_DAYS", default=90)
SCAN_TIMEOUT_SECONDS = env.int("SCAN_TIMEOUT_SECONDS", default=300)
SCAN_MAX_ATTEMPTS = env.int("SCAN_MAX_ATTEMPTS", default=3)
SCAN_WORK_DIR = env.str("SCAN_WORK_DIR", default="")
# Repositories must be on public addresses; self-hosted forges on a private network are
# reachable once their network is listed here (never link-local, where metadata services live).
# Checked when the app starts, in every process (assessments.apps).
SCAN_ALLOWED_NETWORKS = env.list("SCAN_ALLOWED_NETWORKS", default=[])
# A PEM file of the certificate authorities git trusts instead of the system's: for forges
# behind an internal CA (include the public CAs too when public forges are scanned as well).
SCAN_CA_BUNDLE = env.str("SCAN_CA_BUNDLE", default="")
# --- Forge imports (a GitHub organisation's or a GitLab group's repositories) ---------------------
# Certificate authorities for the forges' APIs; empty: SCAN_CA_BUNDLE, or the system's.
FORGE_CA_BUNDLE = env.str("FORGE_CA_BUNDLE", default="")
FORGE_API_TIMEOUT_SECONDS = env.int("FORGE_API_TIMEOUT_SECONDS", default=20)
# The longest wait for a forge's rate limit; a longer one stops the import, saying when to retry.
FORGE_RATE_LIMIT_MAX_WAIT_SECONDS = env.int("FORGE_RATE_LIMIT_MAX_WAIT_SECONDS", default=60)
# Tests and benchmarks only (a local fake forge on 127.0.0.1); no environment variable sets it.
FORGE_ALLOW_LOOPBACK = False
# The scans the workers run at once, all workers together (docker-compose's one worker runs
# this many): imported repositories' first scans are released up to it, shared fairly between
# the organisations waiting, so 500 imported repositories never fill the queue ahead of every
# other organisation's scans, and an import alone still keeps every worker busy.
SCAN_WORKER_SLOTS = env.int("SCAN_WORKER_SLOTS", default=2)
if SCAN_WORKER_SLOTS < 1:
    raise ImproperlyConfigured("SCAN_WORKER_SLOTS must be at least 1.")
# Access tokens are encrypted with this key (a Fernet key); derived from the secret key if unset.
TOKEN_ENCRYPTION_KEY = env.str("TOKEN_ENCRYPTION_KEY", default="")
if SCAN_TIMEOUT_SECONDS + 120 >= CELERY_VISIBILITY_TIMEOUT:
    raise ImproperlyConfigured(
        "SCAN_TIMEOUT_SECONDS must stay well below CELERY_VISIBILITY_TIMEOUT, or Redis would "
        "hand a running scan to a second worker."
    )

# Where `load_demo` builds the demo teams' example git repositories.
DEMO_REPOSITORIES_DIR = env.path(
    "DEMO_REPOSITORIES_DIR", default=BASE_DIR / "var" / "demo-repositories"
)


# --- Product settings -----------------------------------------------------------------------------
# Demo accounts share a known password; they must never exist on a production deployment.
DEMO_USERS_ALLOWED = DEBUG
