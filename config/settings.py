"""Django settings. Every knob is an environment variable, listed in the README's configuration table."""

import os
from pathlib import Path

import dj_database_url
import pghistory

from config import embedded_pg
from config.startup import check_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev-only-insecure-key-change-me-in-production-0123456789")
ALLOWED_HOSTS = [h for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "pgtrigger",
    "pghistory",
    "axes",
    "corsheaders",
    "ninja",  # Swagger UI's assets from Ninja's own static files: /api/docs works offline
    "channels",
    "scheduling",
]

# The admin's middlewares (sessions, CSRF, session auth, messages) come from config/lean.py: Django's own
# classes, stepping aside for /api/, whose token auth needs none of them (the lean request path).
MIDDLEWARE = [
    # First, so preflights are answered before anything else and every answer (errors too) carries the headers.
    "corsheaders.middleware.CorsMiddleware",
    # A liveness probe needs nothing below: answered here (its Ninja route gives the same answer without it).
    "api.middleware.HealthMiddleware",
    "api.middleware.ServerTimingMiddleware",
    "api.middleware.JsonErrorsMiddleware",
    "api.middleware.RequestLimitsMiddleware",
    "api.middleware.IdempotencyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.lean.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "api.conditional.ConditionalGetMiddleware",  # ETag / 304 for the API's list and count GETs
    "config.lean.CsrfViewMiddleware",
    "config.lean.AuthenticationMiddleware",
    # After auth: attaches the session user, and the token user once api.auth sets request.user, to every write.
    "pghistory.middleware.HistoryMiddleware",
    "config.lean.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# With no DATABASE_URL the project's own embedded PostgreSQL is used (python -m config.embedded_pg start).
# DATABASE_URL may be a libpq multi-host address (?host=a,b&target_session_attrs=read-write): after a failover
# the health check drops the dead connection and the next one reaches whichever host is the primary.
DATABASE_URL = os.environ.get("DATABASE_URL") or embedded_pg.uri()
check_database_url(DATABASE_URL)  # PostgreSQL only: anything else stops here with one line, not a traceback
# Connection reuse: persistent connections per thread (CONN_MAX_AGE) by default, or psycopg's pool per process
# (DB_POOL=true). docs/scaling.md has the measurement; PgBouncer in transaction mode works with either.
DB_POOL = env_bool("DB_POOL", False)
DB_POOL_OPTIONS = {
    "min_size": env_int("DB_POOL_MIN", 2),
    "max_size": env_int("DB_POOL_MAX", 8),
    "timeout": env_int("DB_POOL_TIMEOUT", 10),
}
# on, remote_apply, remote_write, local or off: what a commit waits for (with synchronous_standby_names set on
# the primary, `on` waits until a synchronous standby has flushed the commit).
DB_SYNCHRONOUS_COMMIT = os.environ.get("DB_SYNCHRONOUS_COMMIT", "")


def database(url: str, replica: bool = False) -> dict:
    db = dj_database_url.parse(url, conn_max_age=0 if DB_POOL else env_int("DB_CONN_MAX_AGE", 600))
    db["ENGINE"] = "config.postgresql"  # Django's, with a health check that needs no round trip when healthy
    db["CONN_HEALTH_CHECKS"] = True
    options = db.setdefault("OPTIONS", {})
    if DB_POOL:
        options["pool"] = dict(DB_POOL_OPTIONS)
    if replica:
        options.setdefault("connect_timeout", 2)  # a replica that does not answer is skipped, not waited for
        if DB_POOL:
            options["pool"]["timeout"] = min(options["pool"]["timeout"], 2)
        db["TEST"] = {"MIRROR": "default"}
    else:
        if DB_SYNCHRONOUS_COMMIT:
            options["options"] = f"-c synchronous_commit={DB_SYNCHRONOUS_COMMIT}"
        db["TEST"] = {"NAME": os.environ.get("TEST_DATABASE_NAME") or None}
    return db


DATABASES = {"default": database(DATABASE_URL)}
# Read replicas (comma-separated URLs): read-only requests read from one that has replayed the caller's last
# write (config/db_router.py); none configured = one server, no router, no extra query.
DATABASE_REPLICA_URLS = [u.strip() for u in os.environ.get("DATABASE_REPLICA_URLS", "").split(",") if u.strip()]
for number, replica_url in enumerate(DATABASE_REPLICA_URLS, start=1):
    DATABASES[f"replica{number}"] = database(replica_url, replica=True)
DATABASE_ROUTERS = ["config.db_router.PrimaryReplicaRouter"] if DATABASE_REPLICA_URLS else []
DATABASE_REPLICA_MAX_LAG_SECONDS = float(os.environ.get("DATABASE_REPLICA_MAX_LAG_SECONDS", 30))
DATABASE_REPLICA_CHECK_SECONDS = float(os.environ.get("DATABASE_REPLICA_CHECK_SECONDS", 1))

AUTH_USER_MODEL = "scheduling.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Argon2 first: Django's strongest hasher; the others only verify legacy hashes.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Manila")
USE_I18N = False
USE_TZ = True
# Attendance: a check-in at or before this local time is "present", later "late" (CONTRACT.md section 2a).
ATTENDANCE_LATE_AFTER = os.environ.get("ATTENDANCE_LATE_AFTER", "13:15")

if DATABASE_REPLICA_URLS:
    MIDDLEWARE.insert(0, "config.read_your_writes.ReadYourWritesMiddleware")

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"  # filled by collectstatic (manage.py serve runs it), git-ignored


def static_storages(hashed: bool) -> dict:
    """WhiteNoise serves the static files from the application server: compressed, and with `hashed` under
    content-hashed names cached for a year. Hashed names need the manifest that collectstatic writes, so only
    `manage.py serve` (which collects first) turns them on; elsewhere (tests) the apps' files keep their names."""
    static = (
        "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if hashed
        else "whitenoise.storage.CompressedStaticFilesStorage"
    )
    return {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": static},
    }


STORAGES = static_storages(env_bool("STATIC_HASHED", False))

# Serving (manage.py serve: uvicorn, config/asgi.py). README "Serving".
WEB_WORKERS = env_int("WEB_WORKERS", 0) or len(os.sched_getaffinity(0))  # the cores this process may use
# Threads per worker process running Django (config/wsgi_bridge.py): 0 runs each request on the process's event
# loop, one at a time, as a sync worker would (the fastest measured with the database on the same machine); more
# overlap the waits on a distant database.
WEB_THREADS = env_int("WEB_THREADS", 0)
# Answered with JSON 414/431 by config/asgi.py; the server's own limits are above these.
MAX_URL_BYTES = env_int("MAX_URL_BYTES", 8192)
MAX_HEADER_BYTES = env_int("MAX_HEADER_BYTES", 32768)

# The live channel (scheduling/live/): heartbeat period, and how many days ahead initial_data covers.
LIVE_HEARTBEAT_SECONDS = float(os.environ.get("LIVE_HEARTBEAT_SECONDS", "30"))
LIVE_INITIAL_DAYS = env_int("LIVE_INITIAL_DAYS", 7)
# modules whose @handles(kind) functions turn database events into pushes (another area adds its module here)
LIVE_EVENT_MODULES = ["scheduling.live.events", "scheduling.live.attendance"]

# Token auth (SPEC section 6 and 10).
AUTH_TOKEN_TTL_HOURS = env_int("AUTH_TOKEN_TTL_HOURS", 10)
LOGIN_MAX_FAILURES = env_int("LOGIN_MAX_FAILURES", 5)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15)
# Proxies in front of the app that append to X-Forwarded-For (0: the peer address is the client's).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# Failed logins are throttled by django-axes (scheduling/services/login_throttle.py): per client address and per
# (account, address), so an attacker's failures lock the attacker, not the account's owner.
AXES_FAILURE_LIMIT = "scheduling.services.login_throttle.failure_limit"  # LOGIN_MAX_FAILURES
AXES_COOLOFF_TIME = "scheduling.services.login_throttle.lockout_time"  # LOGIN_LOCKOUT_MINUTES
AXES_LOCKOUT_PARAMETERS = ["ip_address", ["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "scheduling.services.login_throttle.client_address"
AXES_RESET_ON_SUCCESS = False  # the login resets only its own (account, address) failures, see login_throttle
AXES_DISABLE_ACCESS_LOG = True  # no row per successful login
AXES_VERBOSE = False
# The admin's login goes through authenticate(): the axes backend refuses it while locked. The API answers a
# lock itself (the generic 401), so axes' middleware, which would turn it into a telling 429, is left out.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
SILENCED_SYSTEM_CHECKS = ["axes.W002"]

# Idempotency-Key: how long the first answer to a write is kept for retries (issue 14).
IDEMPOTENCY_KEY_TTL_HOURS = env_int("IDEMPOTENCY_KEY_TTL_HOURS", 24)

# Server-Timing header with the SQL cost of each request, for the frontend developer's browser.
SERVER_TIMING = env_bool("SERVER_TIMING", True)

# Change history (django-pghistory, scheduling/models/history.py). Only writes carry the request's context,
# so reads pay nothing; the history tables' foreign keys get no index each (one (object, id) index instead).
PGHISTORY_MIDDLEWARE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
PGHISTORY_FOREIGN_KEY_FIELD = pghistory.ForeignKey(db_index=False)
# The time of the change itself, not of its transaction's start: orders one request's changes across tables.
PGHISTORY_CREATED_AT_FUNCTION = "clock_timestamp()"
HISTORY_RETENTION = os.environ.get("HISTORY_RETENTION", "365d")  # prune_history's default --older-than

# The read-only PostgreSQL role for analysts (manage.py create_reporting_role, docs/reports.md).
REPORTING_ROLE = os.environ.get("REPORTING_ROLE", "scheduling_reporting")
REPORTING_STATEMENT_TIMEOUT = os.environ.get("REPORTING_STATEMENT_TIMEOUT", "30s")
REPORTING_CONNECTION_LIMIT = env_int("REPORTING_CONNECTION_LIMIT", 5)

# The frontend runs on another origin (Vite dev server, a hosted static site); it authenticates with a token
# header, not cookies, so credentials are not allowed. django-cors-headers allows Authorization and Content-Type.
CORS_ALLOWED_ORIGINS = [
    o.strip() for o in os.environ.get("CORS_ALLOWED_ORIGINS", "http://localhost:5173").split(",") if o.strip()
]
CORS_URLS_REGEX = r"^/api/.*$"

# E-mail verification codes (POST /api/auth/resend-verification/): printed on the console unless configured.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "scheduling@localhost")
EMAIL_VERIFICATION_MINUTES = env_int("EMAIL_VERIFICATION_MINUTES", 15)

DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "demo-pass-2026")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
