"""Run web (gunicorn), Celery worker and beat as one foreground command; stop all if one stops."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from .config import Settings


def _commands(host: str, port: int, web_workers: int) -> dict[str, list[str]]:
    py = sys.executable
    return {
        "web": [py, "-m", "gunicorn", "app.wsgi:app", "--bind", f"{host}:{port}", "--workers", str(web_workers),
                "--threads", "4", "--access-logfile", "-", "--graceful-timeout", "5"],
        "worker": [py, "-m", "celery", "-A", "worker.main", "worker", "--loglevel", "INFO",
                   "--concurrency", "2", "--without-gossip", "--without-mingle"],
        "beat": [py, "-m", "celery", "-A", "worker.main", "beat", "--loglevel", "INFO"],
    }


def banner(settings: Settings, url: str) -> str:
    lines = [f"SIMASN berjalan di {url}", f"  basis data: {settings.database_url.split('@')[-1]}",
             f"  broker    : {settings.broker_url.split('@')[-1]}"]
    if settings.demo_mode:
        from .demo.accounts import ACCOUNTS, PASSWORD
        lines.append("  akun demo (kata sandi sama untuk semua: " + PASSWORD + "):")
        lines += [f"    {a.username:<18} {', '.join(a.roles)}" for a in ACCOUNTS]
    lines.append("Tekan Ctrl+C untuk berhenti.")
    return "\n".join(lines)


def run_all(settings: Settings, host: str, port: int, web_workers: int) -> int:
    settings.instance_path.mkdir(parents=True, exist_ok=True)
    procs = {name: subprocess.Popen(cmd, env=os.environ.copy()) for name, cmd in
             _commands(host, port, web_workers).items()}
    print(banner(settings, f"http://{host}:{port}/"), flush=True)
    stopping = False

    def _stop(*_args):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    exit_code = 0
    while not stopping:
        for name, proc in procs.items():
            if proc.poll() is not None:
                print(f"Proses {name} berhenti (kode {proc.returncode}); menghentikan yang lain.", flush=True)
                exit_code, stopping = proc.returncode or 1, True
        time.sleep(0.5)
    _terminate(procs)
    return exit_code


def _terminate(procs: dict) -> None:
    for proc in procs.values():
        if proc.poll() is None:
            proc.terminate()
    deadline = time.time() + 10
    for proc in procs.values():
        try:
            proc.wait(timeout=max(0.1, deadline - time.time()))
        except subprocess.TimeoutExpired:
            proc.kill()
