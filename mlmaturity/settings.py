"""Settings, read from the environment.

With no variables set the app runs on an embedded default (a SQLite file, Celery tasks executed
in-process) so a newcomer needs only Python and git. `DATABASE_URL` switches to PostgreSQL,
`REDIS_URL` sends tasks to Redis for separate `celery worker` and `celery beat` processes.
Production mode (`DJANGO_DEBUG=false`) refuses to start without a secret key and allowed hosts.
"""

from pathlib import Path

import bootstrap
import environ
import plotly
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DJANGO_DEBUG", default=True)

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
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Opening a PostgreSQL connection costs more than a whole autosave request: keep it for a
# minute, and check it before reuse so a restarted database costs one retry, not an error.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
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

# --- Auth -------------------------------------------------------------------------------------
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

# --- Single sign-on (OpenID Connect, docs/single-sign-on.md) ---------------------------------
# Off while OIDC_ISSUER is empty: the login page is the password form alone. The provider's
# endpoints are read from <issuer>/.well-known/openid-configuration the first time a sign-in
# needs them (then kept for the life of the process); an OIDC_OP_* variable set here wins over
# the discovered value, for a provider without discovery.
OIDC_ISSUER = env.str("OIDC_ISSUER", default="").rstrip("/")
OIDC_RP_CLIENT_ID = env.str("OIDC_RP_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("OIDC_RP_CLIENT_SECRET", default="")
OIDC_RP_SCOPES = env.str("OIDC_RP_SCOPES", default="openid email profile groups")
OIDC_GROUPS_CLAIM = env.str("OIDC_GROUPS_CLAIM", default="groups")
# The name on the login page's button: "Sign in with <name>".
OIDC_PROVIDER_NAME = env.str("OIDC_PROVIDER_NAME", default="single sign-on")
OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env.str("OIDC_OP_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env.str("OIDC_OP_USER_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env.str("OIDC_OP_JWKS_ENDPOINT", default="")
OIDC_OP_LOGOUT_ENDPOINT = env.str("OIDC_OP_LOGOUT_ENDPOINT", default="")
# ID tokens are signed by the provider's keys (its JWKS), never by the shared client secret, so
# that a token changed on its way is refused; PKCE and a nonce bind the code to this browser.
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_USE_PKCE = True
OIDC_USE_NONCE = True
OIDC_STORE_ID_TOKEN = True  # sent back to the provider as the hint when logging out
OIDC_TIMEOUT = env.int("OIDC_TIMEOUT_SECONDS", default=10)
OIDC_AUTHENTICATE_CLASS = "assessments.views.sso.OidcAuthenticateView"
OIDC_CALLBACK_CLASS = "assessments.views.sso.OidcCallbackView"
# With single sign-on on, local passwords may be turned off: the password form disappears and
# the password backend refuses every password login (browser, admin, API token trade). API
# tokens keep working.
LOCAL_PASSWORDS_ENABLED = env.bool("LOCAL_PASSWORDS_ENABLED", default=True)
if OIDC_ISSUER and not (OIDC_RP_CLIENT_ID and OIDC_RP_CLIENT_SECRET):
    raise ImproperlyConfigured(
        "OIDC_ISSUER is set: OIDC_RP_CLIENT_ID and OIDC_RP_CLIENT_SECRET must be set too."
    )
if not LOCAL_PASSWORDS_ENABLED and not OIDC_ISSUER:
    raise ImproperlyConfigured(
        "LOCAL_PASSWORDS_ENABLED=false needs single sign-on (OIDC_ISSUER): nobody could log in."
    )

# --- Internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------------------------
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
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Security (production mode) ---------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
# A form sent back without its page's token gets the app's own page (JSON under /api/).
CSRF_FAILURE_VIEW = "assessments.views.errors.csrf_failure"
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    # TLS terminates at the proxy in front of gunicorn; it tells us the original scheme.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# --- Celery -----------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
else:
    # Embedded default: tasks run in-process, in the web request that queues them.
    CELERY_BROKER_URL = "memory://"
    CELERY_RESULT_BACKEND = "cache+memory://"
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_EAGER_PROPAGATES = True
# A task that runs longer than the visibility timeout would be delivered twice; every task's hard
# time limit stays below it.
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=60 * 60)
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
CELERY_RESULT_EXPIRES = 60 * 60 * 24
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="mlmaturity")
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# --- Cache (login throttling and lockout need one shared by every process) -------------------
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

# --- Email (invitations; any feature that mails reuses these) -------------------------------
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

# --- REST API ---------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # First, so that a request without credentials answers 401 with a Token challenge.
        "assessments.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "assessments.api.pagination.ApiPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "assessments.api.exceptions.api_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["assessments.api.throttling.TokenClientRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        # Scripts using a personal token, per user; browser sessions are not throttled.
        "token-client": env.str("API_TOKEN_CLIENT_RATE", default="600/minute"),
        # Password-for-token trades, per client address (the per-username lockout comes on top).
        "auth-token": env.str("API_AUTH_TOKEN_RATE", default="10/minute"),
    },
    # Proxies in front of the app that append to X-Forwarded-For; 0 trusts only REMOTE_ADDR, so a
    # client cannot dodge the throttles by sending its own X-Forwarded-For.
    "NUM_PROXIES": env.int("DJANGO_NUM_PROXIES", default=0),
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "MLMaturity API",
    "DESCRIPTION": (
        "MLOps maturity assessments, results and exports. Authenticate with a personal API "
        "token (`Authorization: Token <token>`) from your profile page or "
        "`POST /api/v1/auth/token/`. Every 4xx answer has the shape "
        '`{"detail", "error": {"code", "message", "fields"}}`, and so has a 503: the database '
        "was too busy to take the request; send it again after the Retry-After seconds. "
        "Answers use optimistic concurrency: an answer's version is its ETag, sent back in "
        "If-Match when changing it."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI's JavaScript and CSS come from the pinned sidecar package, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Assessments and scans both have a `status`; each enum gets its own name.
    "ENUM_NAME_OVERRIDES": {
        "AssessmentStatusEnum": "assessments.models.AssessmentStatus",
        "ScanStatusEnum": "assessments.models.ScanStatus",
        "ImportStateEnum": "assessments.models.ImportState",
        "CampaignTeamStateEnum": "assessments.maturity.campaigns.TeamState",
        "CapabilityStatusEnum": "assessments.maturity.results.STATUSES",
        "LensArticleStatusEnum": "assessments.maturity.lenses.ARTICLE_STATUSES",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "assessments.api.schema.add_error_responses",
    ],
}

# --- Logging ----------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# --- Repository scanning ----------------------------------------------------------------------
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
# --- Forge imports (a GitHub organisation's or a GitLab group's repositories) -------------------
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

# Every periodic schedule, in one place.
CELERY_BEAT_SCHEDULE = {
    # Rescan repositories whose interval has passed (the interval is set per repository).
    "schedule-repository-scans": {
        "task": "assessments.schedule_scans",
        "schedule": 15 * 60,
    },
    # Fail or requeue scans a lost message or a killed worker left queued or running.
    "reap-stuck-scans": {"task": "assessments.reap_scans", "schedule": 5 * 60},
    # Release imported repositories' first scans a message lost with the broker left waiting.
    "release-first-scans": {"task": "assessments.release_first_scans", "schedule": 60},
    # Recompute submissions whose result never arrived (a message lost with the broker).
    "compute-missing-results": {
        "task": "assessments.compute_missing_results",
        "schedule": 5 * 60,
    },
    # E-mail campaign reminders to team leads; each is owed once a week, and the reminder
    # ledger's unique row keeps a second run (or a second beat) from sending it again.
    "send-campaign-reminders": {
        "task": "assessments.send_campaign_reminders",
        "schedule": 60 * 60,
    },
}

# --- Product settings -------------------------------------------------------------------------
# Demo accounts share a known password; they must never exist on a production deployment.
DEMO_USERS_ALLOWED = DEBUG
