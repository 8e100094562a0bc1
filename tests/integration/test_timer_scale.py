"""Two workers and two beats at once over 10,000 due timers on PostgreSQL (real Celery processes, a private
redis-server): none fires twice, none is lost, and each scheduled start happens once; and a backlog
makes a sweep call in idle workers.

One instance of `uji_tunggu_jam` (wait an hour, then a BKPSDM task) is started through the engine in
January 2025 (time moved with time_machine) and cloned in bulk, so 10,000 timers are due by the real
clock the workers read. Each firing is one transaction: the timer mirror, the new task, the timeline and
audit events, the stored state; the test counts each of them per instance once every timer has fired.
This light diagram keeps the run within minutes on two cores; the escalation with domain writes
(lateness, notices) is what tests/integration/test_timer_faults.py kills and counts, and what
bench/bench_timers.py measures at 10,000.
"""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from app.services import timers
from app.services.audit import verify_chain
from tests.timer_fleet import (
    DEADLINE_KEY,
    SCHEDULE_DUES,
    WAIT_KEY,
    TimerApp,
    clone,
    effects_of,
    footprint,
    fired_count,
    outcome,
    scheduled_runs,
    start_waiting,
)
from tests.timing import MONDAY_9_WIB, publish
from tests.workers import Beat, Worker, keep_shared_engine, own_redis, postgres_schema, wait_until  # noqa: F401
from worker import tasks

COUNT = 10_000
FIRE_LIMIT = 900  # seconds: a liveness bound for 10,000 steps on two busy cores, not a timing claim
REPORTED_FIRED = re.compile(r"Task simasn\.timers\.\w+\[[^\]]+\] succeeded in [\d.]+s: \{'fired': (\d+)")


@pytest.fixture()
def fleet(tmp_path, monkeypatch, keep_shared_engine, own_redis, postgres_schema):  # noqa: F811
    setup = TimerApp.build(tmp_path, monkeypatch, postgres_schema, own_redis.url)
    with setup.session() as session:
        (template,) = start_waiting(session, setup.world, 1, key=WAIT_KEY)
        lock_version = footprint(session, template)["instance"][1]
        clone(session, template, COUNT - 1)
    yield setup, lock_version
    setup.celery.close()


def _reported_fired(workers: list[Worker]) -> list[int]:
    """Timers each worker's sweeps said they fired (from the task results in its log)."""
    return [sum(int(n) for n in REPORTED_FIRED.findall(w.log.read_text(errors="replace"))) for w in workers]


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.timeout(FIRE_LIMIT + 300)
def test_two_workers_and_two_beats_fire_10000_due_timers_each_exactly_once(tmp_path, fleet):
    """With 10,000 timers and three scheduled starts due, and two workers and two beats sweeping at once,
    does every timer fire exactly once (one fired mirror row, follow-up task, timeline and audit event
    per instance, one stored step each), does each scheduled start happen once, and do the workers' own
    reports add up to 10,000 — shared between both of them?"""
    setup, lock_version = fleet

    def all_fired() -> bool:
        with setup.session() as session:
            return fired_count(session) == COUNT and scheduled_runs(session)[1] == SCHEDULE_DUES

    workers = [Worker(setup.env, "celery", tmp_path / f"worker-{n}.log", pool="prefork") for n in (1, 2)]
    beats = [Beat(setup.env, tmp_path / f"beat-{n}.log") for n in (1, 2)]
    try:
        wait_until(all_fired, FIRE_LIMIT, workers + beats, "the 10,000 due timers were not all fired")
    finally:
        for process in beats + workers:
            process.stop()
    with setup.session() as session:
        assert outcome(session, WAIT_KEY) == {**{kind: {1: COUNT} for kind in effects_of(WAIT_KEY)},
                                              "steps (lock_version)": {lock_version + 1: COUNT}}
        dues, started = scheduled_runs(session)
        assert verify_chain(session).ok
    assert (len(dues), started) == (SCHEDULE_DUES, SCHEDULE_DUES)
    reported = _reported_fired(workers)
    assert sum(reported) == COUNT and min(reported) > 0, reported


# --- a backlog is spread over idle workers --------------------------------------------------------------

def test_a_full_batch_asks_for_help_before_working_while_the_sweep_is_alone(dbs, world, tmp_path):
    """With more due instances than one batch, is `on_backlog` called before any timer fires, again
    before each further full batch as long as no other sweep showed up (nothing skipped), at most
    BACKLOG_CALLS times; and with fewer than a batch, not at all?"""
    publish(dbs, tmp_path, DEADLINE_KEY)
    start_waiting(dbs, world, 3)
    calls = []
    result = timers.fire_due_timers(dbs, limit=5, on_backlog=lambda: calls.append(fired_count(dbs)))
    assert (calls, result.fired) == ([], 3)
    start_waiting(dbs, world, 3)
    result = timers.fire_due_timers(dbs, limit=2, on_backlog=lambda: calls.append(fired_count(dbs)))
    assert (calls, result.fired) == ([3], 3)
    calls.clear()
    start_waiting(dbs, world, 2 * timers.BACKLOG_CALLS + 3)  # more full batches than calls allowed
    result = timers.fire_due_timers(dbs, limit=2, on_backlog=lambda: calls.append(fired_count(dbs)))
    assert calls == [6 + 2 * n for n in range(timers.BACKLOG_CALLS)]
    assert result.fired == 2 * timers.BACKLOG_CALLS + 3
    start_waiting(dbs, world, 3)
    result = timers.fire_due_timers(dbs, limit=2, reverse=True)
    assert (result.fired, result.instances, result.skipped) == (3, 3, 0)


def test_a_sweep_that_meets_another_asks_for_no_more_help(dbs, world, tmp_path, monkeypatch):
    """When another sweep works the same backlog (this one skips what the other holds), is help asked
    for the first full batch only?"""
    publish(dbs, tmp_path, DEADLINE_KEY)
    start_waiting(dbs, world, 7)
    wake, visits = timers._wake, []

    def every_other_one_taken_by_another_sweep(session, instance_id, now, actor, result):
        visits.append(instance_id)
        if len(visits) % 2:
            wake(session, instance_id, now, actor, timers.SweepResult())  # the other sweep fires it
            result.skipped += 1  # this one found it held (SKIP LOCKED)
            return
        wake(session, instance_id, now, actor, result)

    monkeypatch.setattr(timers, "_wake", every_other_one_taken_by_another_sweep)
    calls = []
    result = timers.fire_due_timers(dbs, limit=2, on_backlog=lambda: calls.append(fired_count(dbs)))
    assert calls == [0] and fired_count(dbs) == 7 and result.fired + result.skipped == 7


def test_a_sweep_leaves_its_batch_where_it_meets_another(dbs, world, tmp_path, monkeypatch):
    """When another sweep has done the far half of the batch, does this one stop after MEETING_STREAK
    skips in a row and read a fresh batch, instead of trying every instance the other one fired?"""
    publish(dbs, tmp_path, DEADLINE_KEY)
    start_waiting(dbs, world, 10)
    wake, batches = timers._wake, []
    due_instances = timers.due_instances

    def read(session, now, limit):
        batches.append(due_instances(session, now, limit))
        return batches[-1]

    def far_half_done_by_another_sweep(session, instance_id, now, actor, result):
        if len(batches) == 1 and instance_id == batches[0][0]:
            for other in batches[0][5:]:
                wake(session, other, now, actor, timers.SweepResult())
        wake(session, instance_id, now, actor, result)

    monkeypatch.setattr(timers, "due_instances", read)
    monkeypatch.setattr(timers, "_wake", far_half_done_by_another_sweep)
    result = timers.fire_due_timers(dbs, limit=10)
    assert (result.fired, result.skipped) == (5, timers.MEETING_STREAK)
    assert len(batches) == 2 and batches[1] == [] and fired_count(dbs) == 10


def test_the_sweep_task_sends_one_helper_sweep_up_to_the_limit(app, monkeypatch):
    """Does the worker's sweep, told of a backlog, send one more sweep (expiring after one interval) that
    counts as a helper, and a sweep that is already the last allowed helper send none? Does the first
    helper work its batches from the end (so it meets the beat's sweep in the middle)?"""
    sent, seen, directions = [], [], []

    def sweep(session, *, on_backlog=None, reverse=False):
        seen.append(on_backlog is not None)
        directions.append(reverse)
        if on_backlog is not None:
            on_backlog()
        return timers.SweepResult()

    monkeypatch.setattr(tasks.timers, "fire_due_timers", sweep)
    monkeypatch.setattr(tasks.sweep_timers, "apply_async", lambda **options: sent.append(options))
    with app.app_context():
        tasks.sweep_timers.run()
        tasks.sweep_timers.run(helpers=1)
        tasks.sweep_timers.run(helpers=tasks.MAX_SWEEP_HELPERS)
    interval = float(app.config["SETTINGS"].timer_sweep_seconds)
    assert seen == [True, True, False] and directions == [False, True, tasks.MAX_SWEEP_HELPERS % 2 == 1]
    assert sent == [{"kwargs": {"helpers": 1}, "expires": interval}, {"kwargs": {"helpers": 2}, "expires": interval}]


# --- the beat books a sweep at each second in which timers fall due ----------------------------------

def test_upcoming_moments_are_the_ends_of_the_seconds_in_which_timers_fall_due(dbs, world, tmp_path):
    """Are the moments the ends of the seconds holding a due timer, each once, earliest first, within the
    horizon and the limit, and does a fired timer leave the list?"""
    publish(dbs, tmp_path, DEADLINE_KEY)
    first_at = MONDAY_9_WIB + timedelta(milliseconds=250)
    start_waiting(dbs, world, 2, at=first_at)  # two timers due in the same second
    start_waiting(dbs, world, 1, at=first_at + timedelta(seconds=10, milliseconds=500))
    due = first_at.astimezone(UTC).replace(tzinfo=None) + timedelta(hours=1)
    first_end = due.replace(microsecond=0) + timedelta(seconds=1)
    later_end = (due + timedelta(seconds=10, milliseconds=500)).replace(microsecond=0) + timedelta(seconds=1)
    now = due - timedelta(seconds=5)

    assert timers.upcoming_moments(dbs, now, 30, 60) == [first_end, later_end]
    assert timers.upcoming_moments(dbs, now, 30, 1) == [first_end]
    assert timers.upcoming_moments(dbs, now, 6, 60) == [first_end]
    assert timers.upcoming_moments(dbs, due, 30, 60) == [later_end]  # the first two are no longer ahead
    assert timers.upcoming_moments(dbs, now, 4, 60) == []

    with time_machine.travel(first_end.replace(tzinfo=UTC), tick=False):
        assert timers.fire_due_timers(dbs, now=first_end).fired == 2
    assert timers.upcoming_moments(dbs, now, 30, 60) == [later_end]


def test_only_the_beat_sweep_books_sweeps_each_expiring_one_interval_after_its_moment(app, monkeypatch):
    """Does a beat sweep book one sweep per upcoming moment (eta the moment, expiring an interval later),
    while a booked sweep and a helper sweep book nothing?"""
    moment = datetime(2030, 1, 7, 2, 0, 5)
    sent, asked = [], []

    def upcoming(session, now, horizon, limit):
        asked.append((horizon, limit))
        return [moment, moment + timedelta(seconds=3)]

    monkeypatch.setattr(tasks.timers, "fire_due_timers", lambda session, **_options: timers.SweepResult())
    monkeypatch.setattr(tasks.timers, "upcoming_moments", upcoming)
    monkeypatch.setattr(tasks.sweep_timers, "apply_async", lambda **options: sent.append(options))
    with app.app_context():
        beat = tasks.sweep_timers.run()
        tasks.sweep_timers.run(booked=True)
        tasks.sweep_timers.run(helpers=1)
    interval = float(app.config["SETTINGS"].timer_sweep_seconds)
    assert beat["booked"] == 2 and asked == [(interval, tasks.MAX_BOOKED_SWEEPS)]
    etas = [moment.replace(tzinfo=UTC), (moment + timedelta(seconds=3)).replace(tzinfo=UTC)]
    assert sent == [{"kwargs": {"booked": True}, "eta": eta, "expires": eta + timedelta(seconds=interval)}
                    for eta in etas]
