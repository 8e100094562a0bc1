"""Where the real services are, and what to do when one is missing (skip locally, fail in CI)."""
from __future__ import annotations

import os
import shutil
import socket

import pytest

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
POSTGRES_URL = os.environ.get("SIMASN_TEST_POSTGRES_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("SIMASN_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
CHROMIUM = os.environ.get("SIMASN_TEST_CHROMIUM", "/usr/bin/chromium")

HOW_TO_START = {
    "PostgreSQL": "start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
    "Redis": "start it with: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save ''",
    "Chromium": "install it with: apt-get install -y chromium",
}


def missing(service: str, detail: str) -> None:
    """Absent service: a failure in CI, a skip (saying what to start) elsewhere."""
    message = f"{service} is not available ({detail}); {HOW_TO_START[service]}"
    if IN_CI:
        pytest.fail(f"CI=true requires {message}", pytrace=False)
    pytest.skip(message)


def port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def require_postgres() -> str:
    if not port_open("127.0.0.1", 5432):
        missing("PostgreSQL", "nothing listens on 127.0.0.1:5432")
    return POSTGRES_URL


def require_redis() -> str:
    if not port_open("127.0.0.1", 6379):
        missing("Redis", "nothing listens on 127.0.0.1:6379")
    return REDIS_URL


def require_chromium() -> str:
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        missing("Chromium", f"{CHROMIUM} not found")
    return CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")
