"""The platform's configuration, typed: every environment variable it reads, with its type, default and meaning, read
once into a frozen `Config` (a value that does not read as its type is refused, naming the variable). settings.py
builds Django's settings from it and writes nothing; the folders and the development secret key are made by
`prepare`, which the entry points call (`kil`, manage.py, the WSGI application), never by importing settings.

docs/CONFIGURATION.md lists every variable; a test holds the two together."""

from __future__ import annotations

import os
import secrets
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = PACKAGE_DIR.parent.parent


class ConfigError(ValueError):
    """An environment variable whose value does not read as its type, or production without what it needs."""


def _setting(env: str, doc: str, default: Any = None) -> Any:
    return field(default=default, metadata={"env": env, "doc": doc})


@dataclass(frozen=True)
class Config:
    environment: str = _setting("KIL_ENVIRONMENT", "`production` refuses to start without what production needs", "development")
    var_dir: Path = _setting(
        "KIL_VAR_DIR", "Folder for the database, uploads, registers, figures and the development key", BASE_DIR / "var"
    )
    secret_key: str = _setting("KIL_SECRET_KEY", "The same secret of 50 characters or more on every host (production)", "")
    debug: bool = _setting("KIL_DEBUG", "`1`: Django's debug pages (local work only)", False)
    allowed_hosts: tuple[str, ...] = _setting(
        "KIL_ALLOWED_HOSTS", "Host names served, comma-separated", ("127.0.0.1", "localhost", "testserver")
    )
    csrf_trusted_origins: tuple[str, ...] = _setting("KIL_CSRF_TRUSTED_ORIGINS", "Origins trusted for forms, comma-separated", ())
    database_url: str = _setting("DATABASE_URL", "PostgreSQL database (the embedded SQLite under the var folder otherwise)", "")
    db_conn_max_age: int = _setting("KIL_DB_CONN_MAX_AGE", "Seconds a database connection is reused (0: one per request)", 0)
    sqlite_timeout: int = _setting("KIL_SQLITE_TIMEOUT", "Seconds a SQLite writer waits for another before giving up", 10)
    tasks_backend: str = _setting("KIL_TASKS_BACKEND", "django-tasks backend", "django_tasks_db.DatabaseBackend")
    spend_max_upload: int = _setting("KIL_SPEND_MAX_UPLOAD", "Largest spend upload, bytes", 200 * 1024 * 1024)
    spend_max_expanded: int = _setting(
        "KIL_SPEND_MAX_EXPANDED", "Largest spend upload once decompressed, bytes", 1024 * 1024 * 1024
    )
    analysis_time_limit_minutes: int = _setting("KIL_ANALYSIS_TIME_LIMIT_MINUTES", "Minutes an analysis may run", 120)
    analysis_stale_minutes: int = _setting(
        "KIL_ANALYSIS_STALE_MINUTES", "Minutes without a heartbeat before an analysis's worker is taken for dead", 2
    )
    demo_scale: float = _setting("KIL_DEMO_SCALE", "Size of the demonstration data (1: full)", 1.0)
    registers_dir: Path | None = _setting("KIL_REGISTERS_DIR", "Register files for the spend analysis (var/registers)")
    figures_dir: Path | None = _setting(
        "KIL_FIGURES_DIR", "Analysed payments and rejected rows kept beside the figures (var/figures)"
    )
    registers_mirror: str = _setting("KIL_REGISTERS_MIRROR", "Address of a mirror the register fetcher reads instead", "")
    base_url: str = _setting(
        "KIL_BASE_URL", "The address put in every emailed link (https in production)", "http://127.0.0.1:8000"
    )
    email_service: str = _setting(
        "KIL_EMAIL_SERVICE", "Class that sends the platform's emails", "keepitlocal.accounts.email.DjangoEmailService"
    )
    email_backend: str = _setting("KIL_EMAIL_BACKEND", "Django email backend", "django.core.mail.backends.console.EmailBackend")
    from_email: str = _setting(
        "KIL_FROM_EMAIL", "Sender of the platform's emails", "Keep it Local Network <no-reply@keepitlocal.example>"
    )
    secure_cookies: bool = _setting("KIL_SECURE_COOKIES", "`1`: cookies sent over HTTPS only", False)
    session_idle_minutes: int = _setting("KIL_SESSION_IDLE_MINUTES", "Minutes of inactivity before signing out", 120)
    https: bool = _setting("KIL_HTTPS", "`1`: behind a proxy that ends HTTPS (redirects, HSTS, secure cookies)", False)
    hsts_seconds: int = _setting("KIL_HSTS_SECONDS", "HSTS duration with KIL_HTTPS", 365 * 24 * 60 * 60)
    hsts_preload: bool = _setting("KIL_HSTS_PRELOAD", "`1`: ask browsers to preload HSTS", False)
    api_rate_per_address: int = _setting("KIL_API_RATE_PER_ADDRESS", "API and reconciliation requests a minute per address", 120)
    api_rate_per_token: int = _setting("KIL_API_RATE_PER_TOKEN", "API requests a minute per API token", 600)
    proxy_count: int = _setting("KIL_PROXY_COUNT", "Trusted proxies that add themselves to X-Forwarded-For", 0)
    log_format: str = _setting("KIL_LOG_FORMAT", "`json` or `plain` (json by default in production)", "")
    log_level: str = _setting("KIL_LOG_LEVEL", "Level of the platform's log (its events are always kept)", "WARNING")

    @property
    def production(self) -> bool:
        return self.environment == "production"

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> Config:
        """The configuration the environment gives; a value that does not read as its type is refused."""
        hints = typing.get_type_hints(cls)
        values: dict[str, Any] = {}
        for each in fields(cls):
            raw = environ.get(each.metadata["env"])
            if raw is None or (raw == "" and hints[each.name] is not str):
                continue
            values[each.name] = _read(each.metadata["env"], raw, hints[each.name])
        return cls(**values)

    def problems(self) -> list[str]:
        """What production lacks, in words (nothing when ready)."""
        problems = []
        if len(self.secret_key) < 50:
            problems.append("KIL_SECRET_KEY: the same secret of 50 characters or more on every host")
        if not self.database_url.startswith("postgres"):
            problems.append("DATABASE_URL: a PostgreSQL database (the embedded SQLite is for trying the platform)")
        if set(self.allowed_hosts) <= {"127.0.0.1", "localhost", "testserver"}:
            problems.append("KIL_ALLOWED_HOSTS: the host names the platform is served on")
        if not self.base_url.startswith("https://"):
            problems.append("KIL_BASE_URL: the https:// address put in every emailed link")
        if self.debug:
            problems.append("KIL_DEBUG: debug pages are for local work only")
        return problems

    @property
    def key_file(self) -> Path:
        return self.var_dir / "secret_key"

    def key(self) -> str:
        """The secret key: the environment's; otherwise (never in production) the one `prepare` made under the var
        folder, so that sessions and signed backups survive restarts; otherwise, where nothing has prepared the
        folder (a test run, a notebook), one for this process alone."""
        if self.secret_key:
            return self.secret_key
        if self.key_file.exists():
            return self.key_file.read_text().strip()
        return secrets.token_urlsafe(50)


def _read(name: str, raw: str, kind: Any) -> Any:
    if isinstance(kind, types.UnionType):  # Path | None
        kind = next(k for k in typing.get_args(kind) if k is not type(None))
    try:
        if kind is bool:
            if raw not in ("0", "1"):
                raise ValueError("not 0 or 1")
            return raw == "1"
        if kind is int:
            return int(raw)
        if kind is float:
            return float(raw)
        if kind is Path:
            return Path(raw)
        if typing.get_origin(kind) is tuple:
            return tuple(part.strip() for part in raw.split(",") if part.strip())
        return raw
    except ValueError as error:
        raise ConfigError(f"{name}={raw!r} does not read as {getattr(kind, '__name__', kind)}: {error}") from None


def current() -> Config:
    return Config.from_environ(os.environ)


def prepare(config: Config | None = None) -> Config:
    """Make what the platform writes to on a machine: the var folder, its folder of collected static files, and in
    development a secret key kept there (production reads its key from the environment). Called by the entry points
    before Django starts; importing the settings writes nothing."""
    config = config or current()
    config.var_dir.mkdir(parents=True, exist_ok=True)
    (config.var_dir / "staticfiles").mkdir(exist_ok=True)
    if not config.secret_key and not config.production and not config.key_file.exists():
        config.key_file.write_text(secrets.token_urlsafe(50))
        config.key_file.chmod(0o600)
    return config
