"""Real processes for the integration tests: a private redis-server, Celery workers and beats started as
in production (each in a process group of its own, so a test can SIGKILL one together with its pool
children), the environment they run with, and a PostgreSQL schema of their own."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from celery.exceptions import TimeoutError as ResultTimeout
from sqlalchemy import create_engine, text

from tests.engines import preserved_shared_engine
from tests.services import missing, port_open, require_postgres, require_redis
from tests.smtp import free_port

PROJECT_ROOT = Path(__file__).resolve().parents[1]
RESULT_WAIT = 60  # seconds, for a worker that still has to boot
START_WAIT = 20  # seconds for redis-server to listen
STOP_WAIT = 20  # seconds for a warm shutdown before the process group is killed
SECRET = "w" * 40
# Read only by tests/fault_worker.py (deliberately not SIMASN_*: no setting of the app knows it).
HOLD_DIR_VARIABLE = "TEST_HOLD_COMMIT_DIR"


def simasn_env(instance: Path, **variables: str) -> dict[str, str]:
    """This process's environment with only our SIMASN_* variables."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("SIMASN_")}
    env.update(SIMASN_INSTANCE_PATH=str(instance), SIMASN_SECRET_KEY=SECRET)
    env.update({f"SIMASN_{name.upper()}": value for name, value in variables.items()})
    return env


def use_env(monkeypatch, env: dict[str, str]) -> None:
    """Make this process see exactly the SIMASN_* variables of `env` (for create_app() here)."""
    for key in [k for k in os.environ if k.startswith("SIMASN_")]:
        monkeypatch.delenv(key)
    for key, value in env.items():
        if key.startswith("SIMASN_"):
            monkeypatch.setenv(key, value)


@pytest.fixture()
def keep_shared_engine():
    """create_app() points the shared engine at this test's database; put the suite's engine back."""
    with preserved_shared_engine():
        yield


@pytest.fixture()
def postgres_schema():
    """A schema of its own on the real PostgreSQL, dropped afterwards; yields its URL."""
    base = require_postgres()
    schema = f"simasn_celery_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    yield f"{base}?options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text("SET LOCAL lock_timeout = '10s'"))
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


class OwnRedis:
    """A private redis-server on a loopback port: never the shared one on 6379."""

    def __init__(self, port: int, log: Path):
        self.port, self.log, self.process = port, log, None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> OwnRedis:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                   "--appendonly", "no", "--daemonize", "no"]
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_WAIT
        while not port_open("127.0.0.1", self.port):
            assert self.process.poll() is None and time.monotonic() < deadline, self.log.read_text()[-2000:]
            time.sleep(0.1)
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)
        assert not port_open("127.0.0.1", self.port)


def start_own_redis(folder: Path) -> OwnRedis:
    """A private redis-server (skipped locally, failed in CI, when Redis is not installed)."""
    require_redis()
    if shutil.which("redis-server") is None:
        missing("Redis", "the redis-server program is not installed")
    return OwnRedis(free_port(), folder / "redis.log").start()


@pytest.fixture()
def own_redis(tmp_path):
    redis = start_own_redis(tmp_path)
    yield redis
    redis.stop()


class CeleryProcess:
    """`celery -A <app> <command>` with its output in a log file, in a process group of its own."""

    def __init__(self, env: dict, args: list[str], log: Path, app: str = "worker.main"):
        self.log = log
        command = [sys.executable, "-m", "celery", "-A", app, *args]
        with open(log, "wb") as out:
            self.process = subprocess.Popen(command, env=env, cwd=PROJECT_ROOT, stdout=out,
                                            stderr=subprocess.STDOUT, start_new_session=True)

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL the whole process group (the main process and its pool children) and reap it."""
        if self.alive():
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=STOP_WAIT)

    def stop(self) -> None:
        """Warm shutdown (SIGTERM), then SIGKILL of the group if it does not end in time."""
        if self.alive():
            self.process.terminate()
            try:
                self.process.wait(timeout=STOP_WAIT)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)  # pool children left behind, if any
        except ProcessLookupError:
            pass
        self.process.wait(timeout=STOP_WAIT)


class Worker(CeleryProcess):
    """A Celery worker consuming `queue`; `pool`/`concurrency` as on the command line."""

    def __init__(self, env: dict, queue: str, log: Path, *, app: str = "worker.main", pool: str = "solo",
                 concurrency: int = 1, name: str | None = None):
        args = ["worker", "--pool", pool, "--concurrency", str(concurrency), "--loglevel", "INFO",
                "--without-gossip", "--without-mingle", "--without-heartbeat", "-Q", queue,
                "-n", f"{name or log.stem}@%h"]
        super().__init__(env, args, log, app)

    def result(self, async_result):
        """The task's return value; fails early with the worker's log if the worker died."""
        deadline = time.monotonic() + RESULT_WAIT
        while time.monotonic() < deadline:
            if not self.alive():
                pytest.fail(f"worker exited with {self.process.returncode}:\n{self.output()}")
            try:
                return async_result.get(timeout=1)
            except ResultTimeout:
                continue
        pytest.fail(f"no result within {RESULT_WAIT}s; worker log:\n{self.output()}")


class Beat(CeleryProcess):
    """`celery beat` with a schedule file of its own (two beats must not share one)."""

    def __init__(self, env: dict, log: Path, *, app: str = "worker.main"):
        args = ["beat", "--loglevel", "INFO", "--schedule", str(log.with_suffix(".schedule"))]
        super().__init__(env, args, log, app)


def wait_until(condition: Callable[[], bool], limit: float, processes: list[CeleryProcess], what: str) -> None:
    """Poll `condition` (about twice a second) until it holds; fail with the processes' logs when one of
    them died or `limit` seconds went by. For waiting on a process, never on a timer."""
    deadline = time.monotonic() + limit
    while not condition():
        dead = [p for p in processes if not p.alive()]
        if dead or time.monotonic() > deadline:
            logs = "\n".join(f"--- {p.log.name}\n{p.output()}" for p in processes)
            pytest.fail(f"{what}: {'a process exited' if dead else f'not within {limit:.0f}s'}\n{logs}")
        time.sleep(0.5)
