"""The one-command runner: what it starts and what its banner tells the operator."""
from __future__ import annotations

import sys

from app.config import load_settings
from app.demo.accounts import ACCOUNTS, PASSWORD
from app.supervisor import _commands, banner


def settings_for(tmp_path, demo_mode: bool):
    env = {"SIMASN_INSTANCE_PATH": str(tmp_path), "SIMASN_SECRET_KEY": "s" * 40,
           "SIMASN_DATABASE_URL": "postgresql://simasn:rahasia@db.internal/simasn",
           "SIMASN_BROKER_URL": "redis://:rahasia@cache.internal:6379/0"}
    return load_settings(env=env, demo_mode=demo_mode)


def account_lines(text: str) -> list[str]:
    return [line.split()[0] for line in text.splitlines() if line.startswith("    ")]


def test_banner_lists_every_demo_login(tmp_path):
    """In demo mode, does the banner list every demo account and the shared password?"""
    text = banner(settings_for(tmp_path, demo_mode=True), "http://127.0.0.1:5000/")
    assert account_lines(text) == [account.username for account in ACCOUNTS]
    assert PASSWORD in text and "http://127.0.0.1:5000/" in text


def test_banner_without_demo_mode_shows_no_login(tmp_path):
    """Outside demo mode, does the banner show no account and no password?"""
    text = banner(settings_for(tmp_path, demo_mode=False), "http://127.0.0.1:5000/")
    assert account_lines(text) == [] and PASSWORD not in text and "akun demo" not in text


def test_banner_hides_credentials(tmp_path):
    """Does the banner name the database and broker hosts without their passwords?"""
    text = banner(settings_for(tmp_path, demo_mode=False), "http://127.0.0.1:5000/")
    assert "db.internal/simasn" in text and "cache.internal:6379/0" in text and "rahasia" not in text


def test_commands_start_web_worker_and_beat():
    """Does the runner start gunicorn, a Celery worker and beat, all with this interpreter?"""
    commands = _commands("0.0.0.0", 8080, 3)
    assert set(commands) == {"web", "worker", "beat"}
    assert all(command[:2] == [sys.executable, "-m"] for command in commands.values())
    web = commands["web"]
    assert web[2:4] == ["gunicorn", "app.wsgi:app"]
    assert web[web.index("--bind") + 1] == "0.0.0.0:8080" and web[web.index("--workers") + 1] == "3"
    assert commands["worker"][2:6] == ["celery", "-A", "worker.main", "worker"]
    assert commands["beat"][2:6] == ["celery", "-A", "worker.main", "beat"]
