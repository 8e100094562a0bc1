"""Two workers sweeping at the same moment on a committed PostgreSQL schema: every timer fires exactly
once, and a timer-started process starts once per due time."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from app.models import InstanceEvent, Notification, ProcessInstance, TimerStartRun, ValidationLateness
from app.services import timers
from tests.integration.test_processes import committed_world  # noqa: F401  (fixture)
from tests.timing import MONDAY_9_WIB, publish, start, wib

INSTANCES = 8


def _sweep_twice_at_once(factory) -> list:
    barrier, results, errors = threading.Barrier(2), [], []

    def sweep():
        try:
            with factory() as session:
                barrier.wait()
                results.append(timers.fire_due_timers(session))
        except Exception as err:  # surfaced by the assertion below
            errors.append(err)

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == [] and len(results) == 2
    return results


@pytest.mark.postgres
def test_two_sweeps_at_once_fire_each_timer_exactly_once(committed_world, tmp_path, time_machine):  # noqa: F811
    """With two sweeps racing over 8 overdue instances and a due quarterly start, does each timer fire once?"""
    factory, built = committed_world
    time_machine.move_to(wib(2024, 12, 20), tick=False)
    with factory() as session:
        publish(session, tmp_path, "uji_triwulan")
    time_machine.move_to(MONDAY_9_WIB, tick=False)
    with factory() as session:
        publish(session, tmp_path, "uji_tenggat")
        ids = [start(session, built).id for _ in range(INSTANCES)]
    time_machine.move_to(wib(2025, 1, 8, 9, 5), tick=False)

    results = _sweep_twice_at_once(factory)

    assert sum(r.fired for r in results) == 2 * INSTANCES and all(r.failed == [] for r in results)
    assert sum(r.started for r in results) == 1
    with factory() as session:
        events = session.execute(select(InstanceEvent.instance_id, InstanceEvent.action, func.count())
                                 .where(InstanceEvent.instance_id.in_(ids), InstanceEvent.action.in_(
                                     ("pengingat", "tenggat")))
                                 .group_by(InstanceEvent.instance_id, InstanceEvent.action)).all()
        assert sorted(events) == sorted((i, action, 1) for i in ids for action in ("pengingat", "tenggat"))
        lateness = session.scalar(select(func.count()).select_from(ValidationLateness))
        reminders = session.scalar(select(func.count()).select_from(Notification).where(
            Notification.user_id == built["users"]["validator.dinkes"], Notification.title.like("Pengingat%")))
        runs = session.scalar(select(func.count()).select_from(TimerStartRun))
        started = session.scalar(select(func.count()).select_from(ProcessInstance).where(
            ProcessInstance.process_key == "uji_triwulan"))
    assert (lateness, reminders, runs, started) == (INSTANCES, INSTANCES, 1, 1)
    assert sum(r.fired for r in _sweep_twice_at_once(factory)) == 0
