"""Timer faults against real processes: Celery workers and beats started as in production, a private
redis-server as broker, and the real database (a file SQLite database, or a schema of its own on
PostgreSQL).

* A worker SIGKILLed in the middle of a timer step — every write of the step flushed, COMMIT not yet
  sent (held there by the test-only entry point `tests.fault_worker`) — leaves nothing behind, and after
  a restart the timer fires exactly once.
* Deadlines and scheduled starts that fell due while no worker or beat ran fire once when they start.

The instances are started in January 2025 (time moved with time_machine), so their timers are due by
the real clock that the worker processes read; the tests wait for the processes, never for a timer.
"""
from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from app.services.audit import verify_chain
from tests.timer_fleet import (
    DEADLINE_KEY,
    ESCALATED_TASK,
    SCHEDULE_DUES,
    TimerApp,
    effects_of,
    footprint,
    fired_count,
    outcome,
    scheduled_runs,
    start_waiting,
)
from tests.timing import naive_utc, wib
from tests.workers import (  # noqa: F401  (fixtures)
    HOLD_DIR_VARIABLE,
    Beat,
    Worker,
    keep_shared_engine,
    own_redis,
    postgres_schema,
    wait_until,
)

QUEUE = "celery"  # where beat sends the sweeps
REACH_LIMIT = 120  # seconds for a worker to boot and reach the held commit
FIRE_LIMIT = 180  # seconds for a worker and a beat to boot and fire a handful of timers
WRITTEN_BY_A_STEP = {"process_instances", "process_timers", "human_tasks", "validation_lateness", "notifications",
                     "instance_events", "audit_events"}
SUCCEEDED_SWEEP = re.compile(r"Task simasn\.timers\.sweep\[[^\]]+\] succeeded")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'simasn.sqlite'}"
    return request.getfixturevalue("postgres_schema")


@pytest.fixture()
def timer_app(tmp_path, monkeypatch, keep_shared_engine, own_redis, database_url):  # noqa: F811
    """The app here and the environment of its worker processes: one database, `own_redis` as broker,
    a sweep every second; the test world and the two timer fixtures, published."""
    setup = TimerApp.build(tmp_path, monkeypatch, database_url, own_redis.url)
    yield setup
    setup.celery.close()


# --- a worker killed in the middle of a timer step -----------------------------------------------------

def _held(hold: Path) -> dict:
    return json.loads((hold / "held").read_text())


def _tables_written_by(setup: TimerApp, backend_pid: int) -> set[str]:
    with setup.session() as session:
        return set(session.scalars(text(
            "SELECT DISTINCT c.relname FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
            "WHERE l.pid = :pid AND l.mode = 'RowExclusiveLock' AND c.relkind = 'r'"), {"pid": backend_pid}))


def _claimable(setup: TimerApp, instance_id: int) -> bool:
    """Could a sweep take the instance now (PostgreSQL: its row is not locked by anyone)?"""
    with setup.session() as session:
        found = session.scalar(text("SELECT id FROM process_instances WHERE id = :id FOR UPDATE SKIP LOCKED"),
                               {"id": instance_id})
        session.rollback()
    return found is not None


def _backend_alive(setup: TimerApp, backend_pid: int) -> bool:
    with setup.session() as session:
        return bool(session.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"),
                                   {"pid": backend_pid}))


def _sqlite_write_locked(setup: TimerApp) -> bool:
    connection = sqlite3.connect(make_url(setup.env["SIMASN_DATABASE_URL"]).database, timeout=0.2)
    try:
        connection.execute("BEGIN IMMEDIATE")
        connection.rollback()
        return False
    except sqlite3.OperationalError as err:
        return "locked" in str(err)
    finally:
        connection.close()


def _assert_mid_transaction(setup: TimerApp, held: dict, instance_id: int) -> None:
    """The held step really is half-way: its writes are in the database, uncommitted, under its locks."""
    if setup.backend == "postgresql":
        assert WRITTEN_BY_A_STEP <= _tables_written_by(setup, held["backend_pid"])
        assert not _claimable(setup, instance_id)
    else:
        assert _sqlite_write_locked(setup)


def _wait_for_the_dead_transaction(setup: TimerApp, held: dict, instance_id: int) -> None:
    if setup.backend == "postgresql":
        wait_until(lambda: not _backend_alive(setup, held["backend_pid"]), 30, [], "the killed worker's backend")
        assert _claimable(setup, instance_id)
    else:
        assert not _sqlite_write_locked(setup)


@pytest.mark.redis
def test_a_worker_killed_before_commit_leaves_nothing_and_the_timer_fires_once_after_restart(tmp_path, timer_app):
    """When the worker is SIGKILLed with a whole timer step written but not committed, is the database
    exactly as before (timer waiting, validator's task open, no lateness, notice, timeline or audit row),
    and after a restart does the timer fire exactly once with every effect once and the audit chain intact?"""
    setup = timer_app
    with setup.session() as session:
        (instance_id,) = start_waiting(session, setup.world, 1)
        before = footprint(session, instance_id)
    hold = tmp_path / "hold"
    hold.mkdir()
    doomed = Worker({**setup.env, HOLD_DIR_VARIABLE: str(hold)}, QUEUE, tmp_path / "worker-killed.log",
                    app="tests.fault_worker", pool="prefork")
    try:
        setup.celery.send_task("simasn.timers.sweep")
        wait_until(lambda: (hold / "held").exists(), REACH_LIMIT, [doomed], "the worker did not reach COMMIT")
        held = _held(hold)
        _assert_mid_transaction(setup, held, instance_id)
    finally:
        doomed.kill()
    _wait_for_the_dead_transaction(setup, held, instance_id)
    with setup.session() as session:
        assert footprint(session, instance_id) == before

    restarted = Worker(setup.env, QUEUE, tmp_path / "worker-restarted.log", pool="prefork")
    try:
        first = restarted.result(setup.celery.send_task("simasn.timers.sweep"))
        again = restarted.result(setup.celery.send_task("simasn.timers.sweep"))
    finally:
        restarted.stop()
    assert (first["fired"], first["failed"], again["fired"]) == (1, [], 0)
    with setup.session() as session:
        after = footprint(session, instance_id)
        assert outcome(session) == _each_once(1, before["instance"][1] + 1)
        assert verify_chain(session).ok
    assert [(bpmn, status, attempts) for bpmn, status, _, attempts in after["timers"]] == [("batas", "fired", 1)]
    assert after["tasks"] == [(ESCALATED_TASK, "bkpsdm")]
    assert (after["lateness"], after["notifications"]) == (before["lateness"] + 1, before["notifications"] + 1)


def _each_once(instances: int, lock_version: int) -> dict:
    return {**{kind: {1: instances} for kind in effects_of(DEADLINE_KEY)},
            "steps (lock_version)": {lock_version: instances}}


# --- timers that fell due while nothing ran ------------------------------------------------------------

def _sweeps_done(worker: Worker) -> int:
    return len(SUCCEEDED_SWEEP.findall(worker.log.read_text(errors="replace")))


@pytest.mark.redis
def test_timers_due_while_everything_was_stopped_fire_once_when_worker_and_beat_start(tmp_path, timer_app):
    """With no worker or beat running, three deadlines and three daily scheduled starts fell due: once a
    worker (2 processes) and a beat start, does every deadline fire exactly once and every scheduled start
    happen once, and do the beat's later sweeps add nothing?"""
    setup = timer_app
    with setup.session() as session:
        lock_version = footprint(session, start_waiting(session, setup.world, 3)[0])["instance"][1]

    def all_fired() -> bool:
        with setup.session() as session:
            return fired_count(session) == 3 and scheduled_runs(session)[1] == SCHEDULE_DUES

    worker = Worker(setup.env, QUEUE, tmp_path / "worker.log", pool="prefork", concurrency=2)
    beat = Beat(setup.env, tmp_path / "beat.log")
    try:
        wait_until(all_fired, FIRE_LIMIT, [worker, beat], "the overdue timers were not fired")
        sweeps = _sweeps_done(worker)
        wait_until(lambda: _sweeps_done(worker) >= sweeps + 2, FIRE_LIMIT, [worker, beat], "no later sweeps")
    finally:
        beat.stop()
        worker.stop()
    with setup.session() as session:
        assert outcome(session) == _each_once(3, lock_version + 1)
        dues, started = scheduled_runs(session)
        assert verify_chain(session).ok
    assert dues == [naive_utc(wib(2025, 1, day, 8)) for day in (6, 7, 8)] and started == SCHEDULE_DUES
