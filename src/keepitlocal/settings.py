"""Django settings for keepitlocal.

Safe by default: DEBUG is off unless asked for, the database is an embedded SQLite file under var/
unless DATABASE_URL names another, and the secret key is generated once per machine rather than
committed.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = PACKAGE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("KIL_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


# KIL_ENVIRONMENT=production: the platform refuses to start without what production needs (below), rather than
# making do: a key made per machine would break sign-in between two web hosts without a word.
PRODUCTION = os.environ.get("KIL_ENVIRONMENT", "development") == "production"


def production_problems(environ: Mapping[str, str]) -> list[str]:
    """What production lacks, in words (nothing when ready)."""
    problems = []
    if len(environ.get("KIL_SECRET_KEY", "")) < 50:
        problems.append("KIL_SECRET_KEY: the same secret of 50 characters or more on every host")
    if not environ.get("DATABASE_URL", "").startswith("postgres"):
        problems.append("DATABASE_URL: a PostgreSQL database (the embedded SQLite is for trying the platform)")
    if not environ.get("KIL_ALLOWED_HOSTS"):
        problems.append("KIL_ALLOWED_HOSTS: the host names the platform is served on")
    if not environ.get("KIL_BASE_URL", "").startswith("https://"):
        problems.append("KIL_BASE_URL: the https:// address put in every emailed link")
    if environ.get("KIL_DEBUG", "") == "1":
        problems.append("KIL_DEBUG: debug pages are for local work only")
    return problems


if PRODUCTION and (missing := production_problems(os.environ)):
    raise ImproperlyConfigured("KIL_ENVIRONMENT is production, and it needs: " + "; ".join(missing))


def _secret_key() -> str:
    # A key read from the environment wins; otherwise (never in production) one is made on first start and kept under
    # var/ so that sessions survive restarts without a secret ever being committed.
    if key := os.environ.get("KIL_SECRET_KEY"):
        return key
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("KIL_DEBUG", "") == "1"
ALLOWED_HOSTS = [h for h in os.environ.get("KIL_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("KIL_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "ninja",  # its Swagger UI files, served from this site rather than a CDN
    "keepitlocal.accounts",
    "keepitlocal.assessment",
    "keepitlocal.connections",
    "keepitlocal.directory",
    "keepitlocal.network",
    "keepitlocal.reconcile",
    "keepitlocal.spend",
    "keepitlocal.value",
    "keepitlocal.web",
    "keepitlocal.pages",
]

# Background work runs in a separate worker (`kil manage db_worker`), queued in the database.
TASKS = {"default": {"BACKEND": os.environ.get("KIL_TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}

MEDIA_ROOT = VAR_DIR / "uploads"
MEDIA_URL = "/media-not-served/"  # uploads are never served directly; only the app reads them
KIL_SPEND_MAX_UPLOAD = int(os.environ.get("KIL_SPEND_MAX_UPLOAD", str(200 * 1024 * 1024)))
KIL_SPEND_MAX_EXPANDED = int(os.environ.get("KIL_SPEND_MAX_EXPANDED", str(1024 * 1024 * 1024)))
# Register files (charity and company registers, postcode lookups) used by every analysis.
# An analysis stops with a message after this many minutes; one whose worker has given no sign of life for
# KIL_ANALYSIS_STALE_MINUTES is marked failed (its worker was stopped or ran out of memory) and can be started again.
KIL_ANALYSIS_TIME_LIMIT_MINUTES = int(os.environ.get("KIL_ANALYSIS_TIME_LIMIT_MINUTES", "120"))
KIL_ANALYSIS_STALE_MINUTES = int(os.environ.get("KIL_ANALYSIS_STALE_MINUTES", "2"))
# The demo's spend: 1 gives each demo council its full population of suppliers (thousands); tests use a smaller one.
KIL_DEMO_SCALE = float(os.environ.get("KIL_DEMO_SCALE", "1"))
KIL_REGISTERS_DIR = Path(os.environ.get("KIL_REGISTERS_DIR", VAR_DIR / "registers"))
# Each council's latest analysed payments, as the figures need them, so that corrections apply without the files.
KIL_FIGURES_DIR = Path(os.environ.get("KIL_FIGURES_DIR", VAR_DIR / "figures"))
# Fetch registers from a mirror (each publisher's files under its host name) instead of the publishers themselves.
KIL_REGISTERS_MIRROR = os.environ.get("KIL_REGISTERS_MIRROR", "")

MIDDLEWARE = [
    "keepitlocal.web.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "keepitlocal.web.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "keepitlocal.accounts.ratelimit.RateLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "keepitlocal.web.middleware.PrivateNoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "keepitlocal.web.middleware.SessionIdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "keepitlocal.urls"
WSGI_APPLICATION = "keepitlocal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "environment": "keepitlocal.jinja2.environment",
            "autoescape": True,
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.messages.context_processors.messages",
                "keepitlocal.web.context_processors.site",
            ],
        },
    },
    {
        # The Django admin only: every page of our own is Jinja2.
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

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'keepitlocal.sqlite3'}",
        conn_max_age=int(os.environ.get("KIL_DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A write transaction takes SQLite's write lock when it begins, so that two requests writing at once wait for
    # each other (up to the timeout) instead of one failing with "database is locked" when it first writes.
    # WAL lets pages read while the worker writes (a reader never waits for a writer); NORMAL sync is safe with WAL.
    # Writes are kept short (an analysis saves in batches), so a writer waits a few seconds at most; past the timeout
    # the request is answered 503 with Retry-After (keepitlocal.database), well before a proxy's or gunicorn's own.
    # Readings of several queries take no write lock (keepitlocal.database.reading).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": int(os.environ.get("KIL_SQLITE_TIMEOUT", "10")),
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Backups write times to the microsecond (Django's own JSON cuts them to milliseconds).
SERIALIZATION_MODULES = {"exactjson": "keepitlocal.exactjson"}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["keepitlocal.accounts.backends.EmailBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:sign-in"
LOGIN_REDIRECT_URL = "web:dashboard"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 2

# Where the platform is served, for links in emails (never taken from a request's Host header).
KIL_BASE_URL = os.environ.get("KIL_BASE_URL", "http://127.0.0.1:8000")
# Sign-in, password reset and join attempts are limited per client and per address (keepitlocal.accounts.throttle).

# Email leaves only through keepitlocal.accounts.email; locally it prints to the console.
KIL_EMAIL_SERVICE = os.environ.get("KIL_EMAIL_SERVICE", "keepitlocal.accounts.email.DjangoEmailService")
EMAIL_BACKEND = os.environ.get("KIL_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("KIL_FROM_EMAIL", "Keep it Local Network <no-reply@keepitlocal.example>")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = os.environ.get("KIL_SECURE_COOKIES", "") == "1"
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# A signed-in session ends after two idle hours (web.middleware.SessionIdleTimeoutMiddleware, which writes the
# session at most every few minutes rather than on every request), and after twelve hours whatever happens.
KIL_SESSION_IDLE_MINUTES = int(os.environ.get("KIL_SESSION_IDLE_MINUTES", "120"))
SESSION_COOKIE_AGE = 12 * 60 * 60
# Behind a reverse proxy that ends HTTPS: KIL_HTTPS=1 trusts its X-Forwarded-Proto header (set it only when the proxy
# always sets or overwrites that header), redirects plain HTTP to HTTPS and sends HSTS for a year.
if os.environ.get("KIL_HTTPS", "") == "1":
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = int(os.environ.get("KIL_HSTS_SECONDS", str(365 * 24 * 60 * 60)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = os.environ.get("KIL_HSTS_PRELOAD", "") == "1"
    if not SECURE_HSTS_PRELOAD:
        # Preloading commits the whole domain and its subdomains to HTTPS for good: the operator's choice to make.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

# Requests a minute to the API and the reconciliation service (accounts.ratelimit), per address and per API token;
# behind a reverse proxy, KIL_PROXY_COUNT says how many trusted proxies add themselves to X-Forwarded-For.
KIL_API_RATE_PER_ADDRESS = int(os.environ.get("KIL_API_RATE_PER_ADDRESS", "120"))
KIL_API_RATE_PER_TOKEN = int(os.environ.get("KIL_API_RATE_PER_TOKEN", "600"))
KIL_PROXY_COUNT = int(os.environ.get("KIL_PROXY_COUNT", "0"))

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "build" / "static"]
# Serve straight from the build folder as well, so a fresh `make run` needs no collectstatic step.
WHITENOISE_USE_FINDERS = True

# Text fields that a person fills in are capped; anything longer is refused with a message.
KIL_MAX_TEXT = 5000

# Every line names its request (keepitlocal.logs); KIL_LOG_FORMAT=json (the default in production) writes JSON lines.
LOG_FORMAT = os.environ.get("KIL_LOG_FORMAT", "json" if PRODUCTION else "plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request": {"()": "keepitlocal.logs.RequestContext"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "keepitlocal.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request"],
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("KIL_LOG_LEVEL", "WARNING")},
    # WeasyPrint warns about every SVG style property it reads another way; the charts render correctly.
    # Our own events (a publication, a password reset, a join decision: keepitlocal.logs.event) are INFO, kept
    # whatever the level of the rest.
    "loggers": {
        "keepitlocal.events": {"level": "INFO"},
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "ERROR"},
    },
}
