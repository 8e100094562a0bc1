"""Configuration, read only from SIMASN_* environment variables and validated at start-up."""
from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass, field, fields
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError


class ConfigError(RuntimeError):
    """A SIMASN_* variable is missing or malformed; the message names it."""


def _project_root() -> Path:
    return Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    instance_path: Path
    database_url: str
    broker_url: str
    result_backend: str
    secret_key: str
    document_store: Path
    demo_mode: bool
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "simasn@tangerangkota.go.id"
    smtp_security: str = "none"  # none | starttls | ssl
    smtp_timeout: int = 30
    base_url: str = "http://127.0.0.1:5000"
    outbox_max_attempts: int = 5
    outbox_backoff_seconds: int = 60
    login_max_failures: int = 5
    login_lockout_minutes: int = 15
    login_rate_limit: str = "10 per minute"
    page_size: int = 25
    timer_sweep_seconds: int = 30
    extra: dict = field(default_factory=dict)

    def as_flask_config(self) -> dict:
        values = {f.name.upper(): getattr(self, f.name) for f in fields(self) if f.name != "extra"}
        values.update(
            SECRET_KEY=self.secret_key,
            SESSION_COOKIE_HTTPONLY=True,
            SESSION_COOKIE_SAMESITE="Lax",
            REMEMBER_COOKIE_HTTPONLY=True,
            REMEMBER_COOKIE_SAMESITE="Lax",
            WTF_CSRF_TIME_LIMIT=None,
            RATELIMIT_STORAGE_URI=_limiter_storage(self.broker_url),
            RATELIMIT_HEADERS_ENABLED=True,
            # Redis down must not stop anyone signing in: limits fall back to this process's memory meanwhile.
            RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=True,
            RATELIMIT_SWALLOW_ERRORS=True,
        )
        values.update(self.extra)
        return values


def _limiter_storage(broker_url: str) -> str:
    return broker_url if broker_url.startswith(("redis://", "rediss://")) else "memory://"


def _bool(name: str, env: dict, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in ("1", "true", "yes", "ya", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "tidak", "off"):
        return False
    raise ConfigError(f"{name}: nilai '{raw}' tidak dikenali; gunakan true atau false.")


def _int(name: str, env: dict, default: int, minimum: int = 1) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}: '{raw}' bukan bilangan bulat.") from None
    if value < minimum:
        raise ConfigError(f"{name}: nilai minimal {minimum}, diberikan {value}.")
    return value


def _database_url(env: dict, instance: Path) -> str:
    raw = env.get("SIMASN_DATABASE_URL") or f"sqlite:///{instance / 'simasn.sqlite'}"
    try:
        url = make_url(raw)
    except (ArgumentError, ValueError):  # ValueError: e.g. a port that is not a number
        shown = re.sub(r"//[^/@]*@", "//***@", raw)  # never echo a password
        raise ConfigError(f"SIMASN_DATABASE_URL: '{shown}' bukan URL basis data yang sah.") from None
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise ConfigError("SIMASN_DATABASE_URL: hanya sqlite dan postgresql yang didukung.")
    if url.get_backend_name() == "postgresql" and url.drivername == "postgresql":
        raw = url.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return raw


def _broker_url(env: dict, instance: Path) -> str:
    raw = env.get("SIMASN_BROKER_URL") or f"sqla+sqlite:///{instance / 'broker.sqlite'}"
    allowed = ("redis://", "rediss://", "sqla+sqlite://", "sqla+postgresql", "memory://", "amqp://")
    if not raw.startswith(allowed):
        raise ConfigError(f"SIMASN_BROKER_URL: skema '{raw.split(':')[0]}' tidak didukung (redis:// atau sqla+sqlite://).")
    return raw


def _secret_key(env: dict, instance: Path) -> str:
    raw = env.get("SIMASN_SECRET_KEY")
    if raw:
        if len(raw) < 32:
            raise ConfigError("SIMASN_SECRET_KEY: minimal 32 karakter.")
        return raw
    key_file = instance / "secret_key"
    if not key_file.exists():
        _write_new_key(instance, key_file)
    key = key_file.read_text().strip()
    if len(key) < 32:
        raise ConfigError(f"SIMASN_SECRET_KEY: tidak diatur dan berkas {key_file} kosong atau rusak; "
                          "hapus berkas itu agar dibuat ulang, atau atur variabelnya.")
    return key


def _write_new_key(instance: Path, key_file: Path) -> None:
    # Created 0600 (never readable by others) and exclusively: when web, worker and beat start
    # together, one of them writes the key and all of them use it.
    instance.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_urlsafe(48))


SMTP_DEFAULT_PORTS = {"none": 25, "starttls": 587, "ssl": 465}


def _smtp(env: dict) -> dict:
    """SIMASN_SMTP_*: no host means email is off (notifications stay in the application)."""
    starttls, ssl = _bool("SIMASN_SMTP_STARTTLS", env, False), _bool("SIMASN_SMTP_SSL", env, False)
    if starttls and ssl:
        raise ConfigError("SIMASN_SMTP_SSL: tidak dapat dipakai bersama SIMASN_SMTP_STARTTLS; pilih salah satu.")
    security = "ssl" if ssl else "starttls" if starttls else "none"
    user, password = env.get("SIMASN_SMTP_USER") or None, env.get("SIMASN_SMTP_PASSWORD") or None
    if user and not password:
        raise ConfigError("SIMASN_SMTP_PASSWORD: wajib diisi bila SIMASN_SMTP_USER diatur.")
    sender = env.get("SIMASN_SMTP_FROM") or "simasn@tangerangkota.go.id"
    if not re.fullmatch(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+", sender):
        raise ConfigError(f"SIMASN_SMTP_FROM: '{sender}' bukan alamat email yang sah.")
    return dict(smtp_host=env.get("SIMASN_SMTP_HOST") or None,
                smtp_port=_int("SIMASN_SMTP_PORT", env, SMTP_DEFAULT_PORTS[security]),
                smtp_user=user, smtp_password=password, smtp_from=sender, smtp_security=security,
                smtp_timeout=_int("SIMASN_SMTP_TIMEOUT", env, 30))


def _base_url(env: dict) -> str:
    """The address users open SIMASN at; links in emails are made absolute with it."""
    host, port = env.get("SIMASN_HOST") or "127.0.0.1", env.get("SIMASN_PORT") or "5000"
    raw = env.get("SIMASN_BASE_URL") or f"http://{host}:{port}"
    if not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", raw):
        raise ConfigError(f"SIMASN_BASE_URL: '{raw}' bukan alamat http:// atau https:// yang sah.")
    return raw.rstrip("/")


def load_settings(env: dict | None = None, **overrides) -> Settings:
    """Read and validate every SIMASN_* variable; raise ConfigError naming the faulty one."""
    env = dict(os.environ if env is None else env)
    instance = Path(env.get("SIMASN_INSTANCE_PATH") or _project_root() / "instance").resolve()
    broker = _broker_url(env, instance)
    values = dict(
        instance_path=instance,
        database_url=_database_url(env, instance),
        broker_url=broker,
        result_backend=env.get("SIMASN_RESULT_BACKEND") or _default_result_backend(broker, instance),
        secret_key=_secret_key(env, instance),
        document_store=Path(env.get("SIMASN_DOCUMENT_STORE") or instance / "dokumen").resolve(),
        demo_mode=_bool("SIMASN_DEMO_MODE", env, False),
        **_smtp(env),
        base_url=_base_url(env),
        outbox_max_attempts=_int("SIMASN_OUTBOX_MAX_ATTEMPTS", env, 5),
        outbox_backoff_seconds=_int("SIMASN_OUTBOX_BACKOFF_SECONDS", env, 60),
        login_max_failures=_int("SIMASN_LOGIN_MAX_FAILURES", env, 5),
        login_lockout_minutes=_int("SIMASN_LOGIN_LOCKOUT_MINUTES", env, 15),
        login_rate_limit=env.get("SIMASN_LOGIN_RATE_LIMIT") or "10 per minute",
        page_size=_int("SIMASN_PAGE_SIZE", env, 25),
        timer_sweep_seconds=_int("SIMASN_TIMER_SWEEP_SECONDS", env, 30),
    )
    values.update(overrides)
    return Settings(**values)


def _default_result_backend(broker: str, instance: Path) -> str:
    if broker.startswith(("redis://", "rediss://")):
        return broker
    return f"db+sqlite:///{instance / 'celery-results.sqlite'}"
