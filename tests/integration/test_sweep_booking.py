"""A timer written to fall due before the next beat looks ahead gets a sweep booked at its second."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.dispatch import SWEEP_TIMERS, TaskQueue
from app.models import ProcessTimer
from app.services import sweep_booking
from tests.integration.test_processes import publish, start
from tests.integration.test_usul_journeys import evidence, propose, shipped  # noqa: F401  (fixtures)
from tests.samples import act, additions

RETURN = {"keputusan": "kembalikan", "catatan": "Lengkapi akta kelahiran."}


@pytest.fixture()
def booked(monkeypatch):
    """The moments booked after commits, with a look-ahead of 30 days (the SLA timers are days away)."""
    moments: list[datetime] = []
    monkeypatch.setattr(sweep_booking, "_book", moments.append)
    monkeypatch.setattr(sweep_booking, "_horizon", timedelta(days=30))
    monkeypatch.setattr(sweep_booking, "_booked", set())
    return moments


def _earliest_waiting(session, instance_id: int) -> datetime:
    return session.scalar(select(func.min(ProcessTimer.due_at)).where(ProcessTimer.instance_id == instance_id,
                                                                      ProcessTimer.status == "waiting"))


def _end_of_second(moment: datetime) -> datetime:
    return moment.replace(microsecond=0) + timedelta(seconds=1)


def test_steps_that_write_timers_book_one_sweep_at_the_earliest_after_commit(dbs, world, shipped, evidence,  # noqa: F811
                                                                            booked):
    """Do a start (ORM mirror) and a task completion (the step's writer) that write waiting timers within
    the look-ahead each book one sweep, at the end of the second of the earliest, once committed?"""
    instance = propose(dbs, world, shipped, "riwayat_anak", additions(world)["riwayat_anak"], evidence())
    assert booked == [_end_of_second(_earliest_waiting(dbs, instance.id))]
    act(dbs, world, "validator.dinkes", instance, RETURN)  # the ASN's revision task and its timers
    assert len(booked) == 2 and booked[1] == _end_of_second(_earliest_waiting(dbs, instance.id))
    assert booked[1] > booked[0]


def test_nothing_is_booked_for_a_rolled_back_step_or_a_timer_beyond_the_look_ahead(dbs, world, tmp_path, booked,
                                                                                   monkeypatch):
    """Does a step that rolls back book nothing, and a timer further away than the beat's look-ahead
    (the beat books it in time) book nothing either?"""
    publish(dbs, tmp_path)
    with dbs.begin_nested():
        sweep_booking.note(dbs, datetime(2026, 1, 1))
    dbs.rollback()
    assert booked == []
    monkeypatch.setattr(sweep_booking, "_horizon", timedelta(seconds=30))
    instance = start(dbs, world)
    assert _earliest_waiting(dbs, instance.id) is None  # usul_uji has no timers: nothing to book
    sweep_booking.note(dbs, sweep_booking.utcnow() + timedelta(minutes=5))  # beyond the 30 s look-ahead
    dbs.commit()
    assert booked == []


def test_a_second_is_booked_once_per_process(dbs, booked):
    """Do two commits noting timers due in the same second send one booking?"""
    due = sweep_booking.utcnow() + timedelta(minutes=5)
    for _ in range(2):
        sweep_booking.note(dbs, due)
        dbs.commit()
    assert booked == [_end_of_second(due)]


def test_the_broker_client_books_a_sweep_that_expires_after_one_interval(monkeypatch):
    """Does the web's broker client send the timer sweep as a booked sweep with that eta, expiring one
    interval later?"""
    sent = []
    queue = TaskQueue("redis://127.0.0.1:1/0")
    monkeypatch.setattr(queue, "send", lambda name, **options: sent.append((name, options)))
    queue.book_sweep(datetime(2026, 11, 30, 8, 0, 5), 30.0)
    ((name, options),) = sent
    assert name == SWEEP_TIMERS and options["kwargs"] == {"booked": True}
    assert options["eta"].isoformat() == "2026-11-30T08:00:05+00:00"
    assert options["expires"] - options["eta"] == timedelta(seconds=30)
