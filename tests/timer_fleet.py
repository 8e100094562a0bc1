"""Instances waiting on a due timer, for the tests (and the benchmark) that run real workers and beats.

`uji_batas_waktu`: an interrupting deadline (`jam(1)`) on the validator's task; when it fires, one step
records the OPD's lateness, tells BKPSDM and hands the task to BKPSDM. `uji_jadwal_harian`: a start
timer due three times (6, 7 and 8 January 2025, 08:00 WIB). Instances are started through the engine at
a moment in the past (time moved with time_machine), so their timers are already due by the real clock
the worker processes read; `clone` copies one such instance in bulk. `outcome` counts, per instance,
what firing its deadline leaves behind — every count must be 1: none lost, none twice.
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import time_machine
from sqlalchemy import String, cast, func, literal, literal_column, select, text
from sqlalchemy.orm import Session

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

DEADLINE_KEY = "uji_batas_waktu"
SCHEDULE_KEY = "uji_jadwal_harian"
SCHEDULE_DUES = 3
PUBLISHED = wib(2025, 1, 5)
ESCALATED_TASK = "Putuskan (eskalasi)"
ESCALATION_TITLE = "Eskalasi: usulan melewati batas waktu"


def seed(session: Session, tmp_path: Path, keys: tuple[str, ...] = (DEADLINE_KEY, SCHEDULE_KEY)) -> dict:
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


def start_waiting(session: Session, world: dict, count: int, at: datetime = MONDAY_9_WIB) -> list[int]:
    """`count` instances of the deadline fixture started at `at`; their deadline is due an hour later."""
    with time_machine.travel(at, tick=False):
        return [start(session, world, key=DEADLINE_KEY).id for _ in range(count)]


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


def outcome(session: Session) -> dict[str, dict[int, int]]:
    """Per kind of effect, {count per instance: number of instances} over every deadline instance:
    `{1: N}` everywhere means each of the N timers fired exactly once with all its effects."""
    instance_id = cast(ProcessInstance.id, String)
    per_instance = {
        "fired timers": select(ProcessTimer.instance_id.label("k"), func.count().label("n")).where(
            ProcessTimer.status == "fired").group_by(ProcessTimer.instance_id),
        "timeline 'tenggat'": select(InstanceEvent.instance_id.label("k"), func.count().label("n")).where(
            InstanceEvent.action == "tenggat").group_by(InstanceEvent.instance_id),
        "audit timer.fired": select(AuditEvent.object_id.label("k"), func.count().label("n")).where(
            AuditEvent.action == "timer.fired").group_by(AuditEvent.object_id),
        "lateness rows": select(ValidationLateness.instance_id.label("k"), func.count().label("n")).group_by(
            ValidationLateness.instance_id),
        "BKPSDM notices": select(Notification.link.label("k"), func.count().label("n")).where(
            Notification.title == ESCALATION_TITLE).group_by(Notification.link),
        "escalated tasks": select(HumanTask.instance_id.label("k"), func.count().label("n")).where(
            HumanTask.task_name == ESCALATED_TASK).group_by(HumanTask.instance_id),
    }
    joins = {"audit timer.fired": instance_id, "BKPSDM notices": literal("/usulan/") + instance_id}
    result = {}
    for name, stmt in per_instance.items():
        counts = stmt.subquery()
        on = joins.get(name, ProcessInstance.id)
        per = func.coalesce(counts.c.n, literal_column("0"))  # no bind parameter: the same text in GROUP BY
        histogram = (select(per, func.count()).select_from(ProcessInstance).outerjoin(counts, counts.c.k == on)
                     .where(ProcessInstance.process_key == DEADLINE_KEY).group_by(per))
        result[name] = dict(session.execute(histogram).all())
    result["steps (lock_version)"] = dict(session.execute(
        select(ProcessInstance.lock_version, func.count()).where(ProcessInstance.process_key == DEADLINE_KEY)
        .group_by(ProcessInstance.lock_version)).all())
    return result


def scheduled_runs(session: Session) -> tuple[list[datetime], int]:
    """The due times of `uji_jadwal_harian` started so far, and how many instances of it exist."""
    dues = list(session.scalars(select(TimerStartRun.due_at).where(TimerStartRun.process_key == SCHEDULE_KEY)
                                .where(TimerStartRun.instance_id.is_not(None)).order_by(TimerStartRun.due_at)))
    started = session.scalar(select(func.count()).select_from(ProcessInstance).where(
        ProcessInstance.process_key == SCHEDULE_KEY))
    return dues, started


def fired_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(ProcessTimer).where(ProcessTimer.status == "fired"))
