"""Instances waiting on a due timer, for the tests (and the benchmark) that run real workers and beats.

`uji_batas_waktu`: an interrupting deadline (`jam(1)`) on the validator's task; when it fires, one step
records the OPD's lateness, tells BKPSDM and hands the task to BKPSDM. `uji_jadwal_harian`: a start
timer due three times (6, 7 and 8 January 2025, 08:00 WIB). Instances are started through the engine at
a moment in the past (time moved with time_machine), so their timers are already due by the real clock
the worker processes read; `clone` copies one such instance in bulk. `outcome` counts, per instance,
what firing its deadline leaves behind — every count must be 1: none lost, none twice.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import time_machine
from celery import Celery
from flask import Flask
from sqlalchemy import String, cast, func, literal, literal_column, select, text, true
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from app import create_app
from app.extensions import db
from app.migrate import upgrade

from app.models import (
    AuditEvent,
    HumanTask,
    InstanceEvent,
    Notification,
    OutboxMessage,
    ProcessInstance,
    ProcessTimer,
    TimerStartRun,
    ValidationLateness,
)
from app.services.organization import load_org_tree
from app.services.reference import load_reference
from tests import world as world_module
from tests.timing import MONDAY_9_WIB, publish, start, wib
from tests.workers import simasn_env, use_env
from worker import init_celery

DEADLINE_KEY = "uji_batas_waktu"
WAIT_KEY = "uji_tunggu_jam"
SCHEDULE_KEY = "uji_jadwal_harian"
SCHEDULE_DUES = 3
PUBLISHED = wib(2025, 1, 5)
ESCALATED_TASK = "Putuskan (eskalasi)"
ESCALATION_TITLE = "Eskalasi: usulan melewati batas waktu"
# per timer fixture: the timeline action of its firing and the BKPSDM task it leads to
FIRING = {DEADLINE_KEY: ("tenggat", ESCALATED_TASK), WAIT_KEY: ("waktu", "Tindak lanjut")}


@dataclass
class TimerApp:
    """The app in the test process and the environment its worker and beat processes are started with."""

    app: Flask
    env: dict
    world: dict
    celery: Celery
    backend: str

    @classmethod
    def build(cls, tmp_path: Path, monkeypatch, database_url: str, broker_url: str) -> TimerApp:
        """One database (migrated, seeded) and one broker; the beat sweeps every second."""
        env = simasn_env(tmp_path, database_url=database_url, broker_url=broker_url, result_backend=broker_url,
                         timer_sweep_seconds="1")
        use_env(monkeypatch, env)
        flask_app = create_app({"TESTING": True})
        upgrade(flask_app.config["DATABASE_URL"])
        with flask_app.app_context():
            world = seed(db.session(), tmp_path)
            db.session.remove()
        return cls(flask_app, env, world, init_celery(flask_app), make_url(database_url).get_backend_name())

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self.app.app_context():
            try:
                yield db.session()
            finally:
                db.session.remove()


def seed(session: Session, tmp_path: Path, keys: tuple[str, ...] = (DEADLINE_KEY, WAIT_KEY, SCHEDULE_KEY)) -> dict:
    """Reference data, the org tree, the test world and the fixtures published on 5 January 2025."""
    load_reference(session)
    load_org_tree(session)
    session.commit()
    world = world_module.build(session)
    with time_machine.travel(PUBLISHED, tick=False):
        for key in keys:
            publish(session, tmp_path, key)
    session.commit()
    return world


def start_waiting(session: Session, world: dict, count: int, at: datetime = MONDAY_9_WIB,
                  key: str = DEADLINE_KEY) -> list[int]:
    """`count` instances of a timer fixture started at `at`; their timer is due an hour later."""
    with time_machine.travel(at, tick=False):
        return [start(session, world, key=key).id for _ in range(count)]


CLONED = (HumanTask, ProcessTimer, InstanceEvent)  # rows of an instance, by `instance_id`


def clone(session: Session, template_id: int, copies: int) -> list[int]:
    """`copies` instances identical to `template_id` (state, human tasks, timers, timeline), inserted in
    bulk in one transaction (PostgreSQL); returns their ids."""
    base = session.scalar(select(func.max(ProcessInstance.id)))
    for model in (ProcessInstance, *CLONED):
        key = "id" if model is ProcessInstance else "instance_id"
        columns = [c.name for c in model.__table__.columns if c.name not in ("id", key)]
        _insert_copies(session, model.__tablename__, key, columns, template_id, base, copies)
    session.execute(text("SELECT setval(pg_get_serial_sequence('process_instances', 'id'), :last)"),
                    {"last": base + copies})
    session.commit()
    return list(range(base + 1, base + copies + 1))


def _insert_copies(session: Session, table: str, key: str, columns: list[str], template_id: int, base: int,
                   copies: int) -> None:
    listed = ", ".join(columns)
    session.execute(text(f"INSERT INTO {table} ({key}, {listed}) SELECT :base + g, {listed} FROM {table}, "
                         f"generate_series(1, :copies) AS g WHERE {key} = :template"),
                    {"base": base, "copies": copies, "template": template_id})


def footprint(session: Session, instance_id: int) -> dict:
    """Everything a step of the instance writes, as plain values (to compare before and after a fault)."""
    session.expire_all()
    instance = session.get(ProcessInstance, instance_id)
    return {
        "instance": (instance.status, instance.lock_version, instance.state, instance.error_message),
        "timers": _rows(session, select(ProcessTimer.bpmn_id, ProcessTimer.status, ProcessTimer.fired_at,
                                        ProcessTimer.attempts).where(ProcessTimer.instance_id == instance_id)),
        "tasks": _rows(session, select(HumanTask.task_name, HumanTask.role).where(
            HumanTask.instance_id == instance_id)),
        "timeline": _rows(session, select(InstanceEvent.step, InstanceEvent.action).where(
            InstanceEvent.instance_id == instance_id)),
        "lateness": _count(session, ValidationLateness),
        "notifications": _count(session, Notification),
        "outbox": _count(session, OutboxMessage),
        "audit": session.scalar(select(func.max(AuditEvent.seq))),
    }


def _rows(session: Session, stmt) -> list[tuple]:
    return sorted(tuple(row) for row in session.execute(stmt))


def _count(session: Session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def outcome(session: Session, key: str = DEADLINE_KEY) -> dict[str, dict[int, int]]:
    """Per kind of effect, {count per instance: number of instances} over every instance of `key`:
    `{1: N}` everywhere means each of the N timers fired exactly once with all its effects; the last
    entry is {lock_version: instances} (one stored step more than at the start, for each)."""
    result = {}
    for name, (stmt, on) in _effects(key).items():
        counts = stmt.subquery()
        per = func.coalesce(counts.c.n, literal_column("0"))  # no bind parameter: the same text in GROUP BY
        histogram = (select(per, func.count()).select_from(ProcessInstance)
                     .outerjoin(counts, counts.c.k == on(ProcessInstance.id))
                     .where(ProcessInstance.process_key == key).group_by(per))
        result[name] = dict(session.execute(histogram).all())
    result["steps (lock_version)"] = dict(session.execute(
        select(ProcessInstance.lock_version, func.count()).where(ProcessInstance.process_key == key)
        .group_by(ProcessInstance.lock_version)).all())
    return result


def effects_of(key: str) -> tuple[str, ...]:
    return tuple(_effects(key))


def _effects(key: str) -> dict:
    """Per effect: (counts grouped by a key naming the instance, how the instance id becomes that key)."""
    action, task = FIRING[key]
    same = lambda instance_id: instance_id  # noqa: E731
    as_text = lambda instance_id: cast(instance_id, String)  # noqa: E731
    effects = {
        "fired timers": (_per(ProcessTimer.instance_id, ProcessTimer.status == "fired"), same),
        f"timeline '{action}'": (_per(InstanceEvent.instance_id, InstanceEvent.action == action), same),
        "audit timer.fired": (_per(AuditEvent.object_id, AuditEvent.action == "timer.fired"), as_text),
        f"task '{task}'": (_per(HumanTask.instance_id, HumanTask.task_name == task), same),
    }
    if key == DEADLINE_KEY:
        effects["lateness rows"] = (_per(ValidationLateness.instance_id, true()), same)
        effects["BKPSDM notices"] = (_per(Notification.link, Notification.title == ESCALATION_TITLE),
                                     lambda instance_id: literal("/usulan/") + as_text(instance_id))
    return effects


def _per(column, condition):
    return select(column.label("k"), func.count().label("n")).where(condition).group_by(column)


def scheduled_runs(session: Session) -> tuple[list[datetime], int]:
    """The due times of `uji_jadwal_harian` started so far, and how many instances of it exist."""
    dues = list(session.scalars(select(TimerStartRun.due_at).where(TimerStartRun.process_key == SCHEDULE_KEY)
                                .where(TimerStartRun.instance_id.is_not(None)).order_by(TimerStartRun.due_at)))
    started = session.scalar(select(func.count()).select_from(ProcessInstance).where(
        ProcessInstance.process_key == SCHEDULE_KEY))
    return dues, started


def fired_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(ProcessTimer).where(ProcessTimer.status == "fired"))
