"""Settings for the Crisis Interop Toolkit, read from the environment.

Nothing set means a safe local set-up: SQLite under ``var/``, console e-mail and a
Celery broker on the local filesystem, DEBUG off. ``DJANGO_ENV=development`` (what
``make run`` sets) turns DEBUG on; ``DJANGO_ENV=production`` requires a secret key,
allowed hosts and HTTPS settings.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("TOOLKIT_VAR_DIR", BASE_DIR / "var"))

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    """Parse a boolean strictly: a typo must not silently mean False."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of {sorted(_TRUE | _FALSE - {''})}, not {raw!r}")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DJANGO_ENV = os.environ.get("DJANGO_ENV", "local").strip().lower()
if DJANGO_ENV not in {"local", "development", "production", "test"}:
    raise ImproperlyConfigured(f"DJANGO_ENV must be local, development, test or production, not {DJANGO_ENV!r}")
PRODUCTION = DJANGO_ENV == "production"
DEBUG = DJANGO_ENV == "development" and env_bool("DJANGO_DEBUG", True)

def _local_secret_key() -> str:
    """Outside production, a random key kept in var/ (never a key published in the repository)."""
    from django.core.management.utils import get_random_secret_key

    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(get_random_secret_key())
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when DJANGO_ENV=production.")
    SECRET_KEY = _local_secret_key()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DJANGO_ENV=production.")
if not ALLOWED_HOSTS:
    ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]", "testserver"]
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_htmx",
    "simple_history",
    "axes",
    "csp",
    # Two-step sign-in: authenticator-app codes (TOTP) and one-time recovery codes (static tokens).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "toolkit",
    "partners",
    "readiness",
    "triage",
    "agreements",  # after triage: its demo agreement names the demo protocol
    "incidents",
    # Last, as its documentation asks: deletes a row's files once the deletion (or replacement) commits.
    "django_cleanup.apps.CleanupConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After whitenoise, so static files keep their own caching: Permissions-Policy, CORP, no-store.
    "toolkit.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(): passed the second step this session
    "django.contrib.messages.middleware.MessageMiddleware",
    "toolkit.sessions.IdleTimeoutMiddleware",  # after messages: it says why someone was signed out
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # django-axes must come last: it inspects the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "toolkit.urls"
WSGI_APPLICATION = "toolkit.wsgi.application"

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
                "toolkit.context_processors.workgroups",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
SQLITE_PATH = VAR_DIR / "toolkit.sqlite3"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{SQLITE_PATH}",
        # Production keeps each connection a minute: opening one for every request cost 15–40 ms a page under
        # load (bench/load.py). Elsewhere (tests, `make run`) every request gets a fresh one.
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60" if PRODUCTION else "0")),
        # A kept connection is checked before each request reuses it: after a database restart the app
        # reconnects by itself instead of failing one request per stale connection.
        conn_health_checks=True,
    )
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the local worker write the same file. WAL lets readers carry on while one
    # writes; IMMEDIATE transactions take the write lock when they begin, so two writers queue (for up
    # to the busy timeout) instead of one failing half-way with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update({
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;",
    })
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts -----------------------------------------------------------------
AUTH_USER_MODEL = "toolkit.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "toolkit:home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # one day

# Two-step sign-in (django-otp). A wrong code slows the next try down (1 s, 2 s, 4 s … per device).
OTP_TOTP_ISSUER = "Crisis Interop Toolkit"
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
MFA_RECOVERY_CODES = 10
# How long the second step waits after the password was right, and how many wrong codes it takes.
MFA_PENDING_SECONDS = 300
MFA_PENDING_ATTEMPTS = 5

# Sessions end after this long without anything the person did (polling status pages do not count), and in
# any case this long after sign-in.
SESSION_IDLE_TIMEOUT = timedelta(minutes=int(os.environ.get("SESSION_IDLE_MINUTES", "15")))
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_MAX_HOURS", "12")) * 3600
if timedelta(0) >= SESSION_IDLE_TIMEOUT or SESSION_COOKIE_AGE <= 0:
    raise ImproperlyConfigured("SESSION_IDLE_MINUTES and SESSION_MAX_HOURS must be positive.")

# Login throttling: five failures for one account from one address locks it for 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "toolkit.auth.axes_username"
# Behind a reverse proxy the client address is in X-Forwarded-For: set AXES_PROXY_COUNT to the
# number of proxies in front of the app, or every sign-in looks as if it came from the proxy.
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("AXES_PROXY_COUNT", "0"))
if AXES_IPWARE_PROXY_COUNT:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]

# Password spraying (a few guesses at each of many accounts from one address) never trips the per-account
# lockout above; this many failures from one address, whatever the accounts, stop all sign-ins from it for
# AXES_COOLOFF_MINUTES. High enough for a 911 center whose staff share one address.
SIGNIN_FAILURES_PER_ADDRESS = int(os.environ.get("SIGNIN_FAILURES_PER_ADDRESS", "30"))

INVITATION_MAX_AGE = timedelta(days=int(os.environ.get("INVITATION_MAX_AGE_DAYS", "7")))
# Readiness questionnaire links stay usable this long after the round's due date.
READINESS_LINK_GRACE = timedelta(days=int(os.environ.get("READINESS_LINK_GRACE_DAYS", "7")))
# Where links in e-mails sent by background tasks (reminders) point; requests use their own host.
SITE_URL = os.environ.get("SITE_URL", "" if PRODUCTION else "http://127.0.0.1:8000").rstrip("/")
if PRODUCTION and not SITE_URL.startswith("https://"):
    # Reminder e-mails carry questionnaire links; in production they must point at the real site.
    raise ImproperlyConfigured("SITE_URL must be set to the site's https:// address when DJANGO_ENV=production.")

# --- E-mail -------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Crisis Interop Toolkit <noreply@localhost>")

# --- Internationalisation -----------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

# --- Static and media ---------------------------------------------------------
STATIC_URL = "/static/"
# Production serves collected files (`collectstatic`); elsewhere whitenoise finds them in place.
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "staticfiles")) if PRODUCTION else None
WHITENOISE_USE_FINDERS = not PRODUCTION
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Front-end libraries come from the npm registry (package.json), never a CDN.
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/quill", BASE_DIR / "node_modules" / "quill" / "dist"),
]
# Uploaded and generated files: on the local disk under MEDIA_ROOT by default (web and workers must share it),
# or, with S3_BUCKET set, in a private bucket of any S3-compatible store (django-storages), for many machines.
# Credentials come the usual AWS way (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, or the machine's role).
S3_BUCKET = os.environ.get("S3_BUCKET", "")
_default_storage: dict = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
if S3_BUCKET:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,  # e.g. MinIO; empty: AWS
            "region_name": os.environ.get("S3_REGION") or None,
            "default_acl": "private",  # files are served only through permission-checked views
            "querystring_auth": True,
            "file_overwrite": False,  # a second file of the same name gets its own name, as on disk
            "object_parameters": {"ServerSideEncryption": "AES256"} if env_bool("S3_ENCRYPT", True) else {},
        },
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Generated files (PDF packets, reports) are private: they are served only through
# permission-checked download views, never from MEDIA_URL.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))

# --- Celery -------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if DJANGO_ENV == "test" and REDIS_URL and (_xdist := os.environ.get("PYTEST_XDIST_WORKER", "")).startswith("gw"):
    # Each pytest-xdist process talks to its own Redis database (the base one, then one below per process),
    # so the Celery worker a test starts never takes a message meant for another process's test database.
    # The worker processes tests start are not xdist processes, and take the URL as given.
    _redis = urlsplit(REDIS_URL)
    _base = int(_redis.path.strip("/") or 0)
    REDIS_URL = urlunsplit(_redis._replace(path=f"/{(_base - int(_xdist[2:])) % 16}"))
# Rate limits (the public incident intake link) count in the cache: with Redis, one count across every web
# process and machine; without it (make run, tests) a per-process memory cache, enough for one process.
if REDIS_URL and DJANGO_ENV != "test":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                           "KEY_PREFIX": "toolkit"}}

CELERY_FILESYSTEM_BROKER_DIR = VAR_DIR / "celery-broker"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # A message whose worker died (acks are late) is delivered again after this long; the job's lease keeps a
    # redelivery from running a job twice, so a short timeout is safe, only busier.
    _visibility = int(os.environ.get("BROKER_VISIBILITY_TIMEOUT_SECONDS", "3600"))
    CELERY_BROKER_TRANSPORT_OPTIONS: dict = {
        "visibility_timeout": _visibility,
        # Look for such messages every few seconds when the timeout is short (kombu: every 10 × 10 s).
        "unacked_restore_interval": max(1, min(10, _visibility // 2)),
        "unacked_restore_throttle": 1 if _visibility < 60 else 10,
    }
else:
    # No server needed: messages are files under var/, picked up by the worker `make run` starts.
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_FILESYSTEM_BROKER_DIR),
        "data_folder_out": str(CELERY_FILESYSTEM_BROKER_DIR),
        "processed_folder": str(VAR_DIR / "celery-processed"),
        "control_folder": str(VAR_DIR / "celery-control"),
        "store_processed": False,
    }
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True  # outcomes live in toolkit.Job rows, not in a result backend
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Background jobs: the hard time limit is set here and only here (tasks and the sweeper read it).
JOB_TIME_LIMIT_SECONDS = int(os.environ.get("JOB_TIME_LIMIT_SECONDS", str(10 * 60)))
JOB_LEASE_SECONDS = int(os.environ.get("JOB_LEASE_SECONDS", "60"))  # renewed every third of this while running
JOB_STALE_AFTER_SECONDS = int(os.environ.get("JOB_STALE_AFTER_SECONDS", "300"))  # after the lease lapsed
JOB_QUEUED_TIMEOUT_SECONDS = int(os.environ.get("JOB_QUEUED_TIMEOUT_SECONDS", str(30 * 60)))
CELERY_TASK_TIME_LIMIT = JOB_TIME_LIMIT_SECONDS
CELERY_TASK_SOFT_TIME_LIMIT = max(1, JOB_TIME_LIMIT_SECONDS - 30)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    # Every minute: jobs the broker could not take (it was down) are sent again, and jobs whose worker died
    # are marked failed, so their status pages stop waiting.
    "fail-stale-jobs": {"task": "toolkit.fail_stale_jobs", "schedule": 60.0},
    # Once a day: remind people who have not answered a readiness round due within three days.
    "readiness-due-reminders": {"task": "readiness.send_due_reminders", "schedule": 24 * 60 * 60.0},
    # Once a day: remind the people whose incident corrective actions are past due (weekly per action).
    "incident-overdue-actions": {"task": "incidents.send_overdue_action_reminders", "schedule": 24 * 60 * 60.0},
}

# --- Incidents -----------------------------------------------------------------
# The public intake link: reports per client address per hour and per link per day; a form submitted faster
# than a person could fill it in (seconds) or older than a day is refused as a robot's.
INCIDENT_INTAKE_RATE_PER_ADDRESS = (int(os.environ.get("INCIDENT_INTAKE_PER_ADDRESS_PER_HOUR", "5")), 3600)
INCIDENT_INTAKE_RATE_PER_LINK = (int(os.environ.get("INCIDENT_INTAKE_PER_LINK_PER_DAY", "100")), 86400)
INCIDENT_INTAKE_FORM_MIN_SECONDS = 3
INCIDENT_INTAKE_FORM_MAX_AGE = 86400
# Attachments (screenshots, transcripts, PDFs): size of one file, and files per incident.
INCIDENT_ATTACHMENT_MAX_BYTES = int(os.environ.get("INCIDENT_ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024)))
INCIDENT_ATTACHMENTS_PER_INCIDENT = 20

# --- Security -----------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"  # Django's default, said out loud: no window keeps a handle on ours
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Pages carry the CSRF token themselves (forms, and htmx's hx-headers); no script reads the cookie.
CSRF_COOKIE_HTTPONLY = True
# Browser features no page of the toolkit uses, denied to every page (toolkit.middleware sends the header). Only
# names Chromium and Firefox know: an unknown one is reported in the browser's console on every page.
PERMISSIONS_POLICY_DENIED = (
    "accelerometer", "autoplay", "browsing-topics", "camera", "display-capture", "encrypted-media",
    "geolocation", "gyroscope", "hid", "idle-detection", "magnetometer", "microphone", "midi", "payment",
    "picture-in-picture", "screen-wake-lock", "serial", "usb", "xr-spatial-tracking",
)
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # /healthz is polled by load balancers over plain HTTP inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Content Security Policy (django-csp): only our own scripts and styles, no inline code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# Flash messages live in the session, which sign-in and sign-out flush: a message about one
# person's workgroup can never be shown to the next person on a shared computer.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# --- Forms --------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Logging ------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # One-time link tokens live in paths (/respond/, /report/, /counsel/); Django logs the paths of refused and failed
    # requests. The loggers that do redact the record itself, so every handler (and a test's log capture) gets it so.
    "filters": {"redact_tokens": {"()": "toolkit.gunicorn_logging.RedactTokens"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint narrates every layout step at INFO; workers only need its warnings.
    "loggers": {"axes": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"},
                "django.request": {"filters": ["redact_tokens"]},
                "django.security.csrf": {"filters": ["redact_tokens"]},
                # The development server's request log.
                "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False,
                                  "filters": ["redact_tokens"]}},
}

# --- REST API (toolkit/api) -----------------------------------------------------
# Before django_cleanup, which must stay last.
INSTALLED_APPS[-1:-1] = ["rest_framework", "drf_spectacular", "drf_spectacular_sidecar"]
# Requests per API key, one bucket for reads and one for writes ("N/second|minute|hour|day"); read at each request.
API_RATE_LIMITS = {
    "read": os.environ.get("API_RATE_LIMIT_READ", "120/minute"),
    "write": os.environ.get("API_RATE_LIMIT_WRITE", "60/minute"),
}
REST_FRAMEWORK = {
    # Keys only: a signed-in browser session gets nothing from the API.
    "DEFAULT_AUTHENTICATION_CLASSES": ["toolkit.api.authentication.ApiTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["toolkit.api.permissions.ReadScope"],
    "DEFAULT_THROTTLE_CLASSES": ["toolkit.api.throttling.ApiTokenRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "toolkit.api.exceptions.api_exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Crisis Interop Toolkit API",
    "DESCRIPTION": (
        "Exchange transfer records and incident reports with one workgroup, and read its protocols in force and "
        "its de-identified transfer metrics. Each key belongs to one workgroup: every answer is about that "
        "workgroup only. Send the key as `Authorization: Bearer <key>`."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "ENUM_NAME_OVERRIDES": {"TransferKindEnum": "triage.models.transfers.TransferKind",
                            "NodeKindEnum": "triage.models.protocols.NodeKind"},
}
