"""Django settings for keepitlocal, built from the typed configuration (keepitlocal.config: every environment variable
read once, with its type and default). Importing them writes nothing: the var folder and the development key are made
by the entry points (config.prepare).

Safe by default: DEBUG is off unless asked for, the database is an embedded SQLite file under var/ unless
DATABASE_URL names another, and the secret key is kept per machine rather than committed.
"""

from __future__ import annotations

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from keepitlocal.config import BASE_DIR, ConfigError, current

try:
    CONFIG = current()
except ConfigError as error:
    raise ImproperlyConfigured(str(error)) from None

VAR_DIR = CONFIG.var_dir
# KIL_ENVIRONMENT=production: the platform refuses to start without what production needs, rather than making do: a
# key made per machine would break sign-in between two web hosts without a word.
PRODUCTION = CONFIG.production
if PRODUCTION and (missing := CONFIG.problems()):
    raise ImproperlyConfigured("KIL_ENVIRONMENT is production, and it needs: " + "; ".join(missing))

SECRET_KEY = CONFIG.key()
DEBUG = CONFIG.debug
ALLOWED_HOSTS = list(CONFIG.allowed_hosts)
CSRF_TRUSTED_ORIGINS = list(CONFIG.csrf_trusted_origins)

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
TASKS = {"default": {"BACKEND": CONFIG.tasks_backend}}

MEDIA_ROOT = VAR_DIR / "uploads"
MEDIA_URL = "/media-not-served/"  # uploads are never served directly; only the app reads them
KIL_SPEND_MAX_UPLOAD = CONFIG.spend_max_upload
KIL_SPEND_MAX_EXPANDED = CONFIG.spend_max_expanded
# Register files (charity and company registers, postcode lookups) used by every analysis.
# An analysis stops with a message after this many minutes; one whose worker has given no sign of life for
# KIL_ANALYSIS_STALE_MINUTES is marked failed (its worker was stopped or ran out of memory) and can be started again.
KIL_ANALYSIS_TIME_LIMIT_MINUTES = CONFIG.analysis_time_limit_minutes
KIL_ANALYSIS_STALE_MINUTES = CONFIG.analysis_stale_minutes
# The demo's spend: 1 gives each demo council its full population of suppliers (thousands); tests use a smaller one.
KIL_DEMO_SCALE = CONFIG.demo_scale
KIL_REGISTERS_DIR = CONFIG.registers_dir or VAR_DIR / "registers"
# Each council's latest analysed payments, as the figures need them, so that corrections apply without the files.
KIL_FIGURES_DIR = CONFIG.figures_dir or VAR_DIR / "figures"
# Fetch registers from a mirror (each publisher's files under its host name) instead of the publishers themselves.
KIL_REGISTERS_MIRROR = CONFIG.registers_mirror

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
        CONFIG.database_url or f"sqlite:///{VAR_DIR / 'keepitlocal.sqlite3'}",
        conn_max_age=CONFIG.db_conn_max_age,
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
            "timeout": CONFIG.sqlite_timeout,
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
KIL_BASE_URL = CONFIG.base_url
# Sign-in, password reset and join attempts are limited per client and per address (keepitlocal.accounts.throttle).

# Email leaves only through keepitlocal.accounts.email; locally it prints to the console.
KIL_EMAIL_SERVICE = CONFIG.email_service
EMAIL_BACKEND = CONFIG.email_backend
DEFAULT_FROM_EMAIL = CONFIG.from_email

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = CONFIG.secure_cookies
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# A signed-in session ends after two idle hours (web.middleware.SessionIdleTimeoutMiddleware, which writes the
# session at most every few minutes rather than on every request), and after twelve hours whatever happens.
KIL_SESSION_IDLE_MINUTES = CONFIG.session_idle_minutes
SESSION_COOKIE_AGE = 12 * 60 * 60
# Behind a reverse proxy that ends HTTPS: KIL_HTTPS=1 trusts its X-Forwarded-Proto header (set it only when the proxy
# always sets or overwrites that header), redirects plain HTTP to HTTPS and sends HSTS for a year.
if CONFIG.https:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = CONFIG.hsts_seconds
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = CONFIG.hsts_preload
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
KIL_API_RATE_PER_ADDRESS = CONFIG.api_rate_per_address
KIL_API_RATE_PER_TOKEN = CONFIG.api_rate_per_token
KIL_PROXY_COUNT = CONFIG.proxy_count

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "build" / "static"]
# Serve straight from the build folder as well, so a fresh `make run` needs no collectstatic step.
WHITENOISE_USE_FINDERS = True

# Text fields that a person fills in are capped; anything longer is refused with a message.
KIL_MAX_TEXT = 5000

# Every line names its request (keepitlocal.logs); KIL_LOG_FORMAT=json (the default in production) writes JSON lines.
LOG_FORMAT = CONFIG.log_format or ("json" if PRODUCTION else "plain")
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
    "root": {"handlers": ["console"], "level": CONFIG.log_level},
    # WeasyPrint warns about every SVG style property it reads another way; the charts render correctly.
    # Our own events (a publication, a password reset, a join decision: keepitlocal.logs.event) are INFO, kept
    # whatever the level of the rest.
    "loggers": {
        "keepitlocal.events": {"level": "INFO"},
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "ERROR"},
    },
}
