"""The per-instance lock every step takes, read together with what the step needs.

On PostgreSQL one `SELECT … FOR UPDATE OF process_instances` locks the instance and returns it with
its version's stamp (for the compiled-version cache), the current lane → role mapping (aggregated
as JSON, so it is never stale and needs no cache to invalidate), the working-day calendar's revision
(days_off) and, when the step is a task completion, the task as it was before the lock was granted.
SQLite has no row locks: a no-op UPDATE takes the database write lock first, then the same SELECT reads.

The same statement reads the active accounts of the instance's subject employee, whom the `notify`
operator tells by default (`subject_users`: no read of its own during the step), and the reference
tables' revision (the submitted form's codes are checked against this process's cache of them).

A task completion or a timer firing also gets the instance's mirror rows and waiting timers from the
same statement (`mirrors=True`).
On PostgreSQL those subqueries see the statement's snapshot, taken before a wait for the lock; the
instance's version stamp as that snapshot saw it is read with them, and when it differs from the
locked row's (another step committed meanwhile) the mirrors are read again after the lock.
"""
from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import JSON, bindparam, func, select, type_coerce, update
from sqlalchemy.dialects.postgresql.psycopg import dialect as psycopg_dialect
from sqlalchemy.orm import Session, aliased, attributes, make_transient_to_detached
from sqlalchemy.orm.util import identity_key

from ..models import HumanTask, LaneRole, ProcessInstance, ProcessTimer, ProcessVersion, User
from . import days_off, definitions, reference


class Lane(NamedTuple):
    role: str
    scope_variable: str | None


class OpenTask(NamedTuple):
    """A `human_tasks` row as the step needs it (what `inbox.can_act` and the mirror sync read)."""
    id: int
    task_id: str
    task_name: str
    bpmn_id: str | None
    role: str
    scope_opd_id: str | None
    subject_employee_id: int | None
    assignee_user_id: int | None
    form_id: str | None
    created_at: datetime | None
    due_at: datetime | None


class WaitingTimer(NamedTuple):
    """A waiting `process_timers` row (what the mirror sync and the timer sweep's timeline read)."""
    id: int
    task_id: str
    due_at: datetime | None
    bpmn_id: str
    name: str | None
    interrupting: bool | None


_SUBJECT_USERS = "subject_users"  # session.info: (transaction, instance id, the subject's active user ids)
_TASK_COLUMNS = tuple(getattr(HumanTask, name) for name in OpenTask._fields)
_TIMER_COLUMNS = tuple(getattr(ProcessTimer, name) for name in WaitingTimer._fields)


@dataclass(frozen=True)
class Locked:
    instance: ProcessInstance
    version: definitions.CompiledVersion
    lanes: dict[str, Lane]
    task: object | None  # the task row (role, scope_opd_id, ...) as first seen; None when locking by instance
    open_tasks: list[OpenTask] | None = None  # with `mirrors=True`: current after the lock
    timers: list[WaitingTimer] | None = None


def lock_by_instance(session: Session, instance_id: int, *, skip_locked: bool = False,
                     mirrors: bool = False) -> Locked | None:
    """The instance, locked for the rest of the transaction; None if it does not exist — or, with
    `skip_locked`, if another transaction holds it (PostgreSQL; SQLite waits for its write lock).
    With `mirrors`, also every mirror row of the instance and its waiting timers."""
    return _lock(session, {"instance_id": instance_id}, skip_locked=skip_locked, mirrors=mirrors)


def lock_by_task(session: Session, human_task_id: int, *, mirrors: bool = False) -> Locked | None:
    """The instance owning the human task, locked; None if no such task was there to begin with.
    With `mirrors`, also every mirror row of the instance and its waiting timers."""
    return _lock(session, {"task_id": human_task_id}, mirrors=mirrors)


def current_lanes(session: Session) -> dict[str, Lane]:
    """The lane mapping read on its own (for steps that did not lock through this module)."""
    return {row.lane: Lane(row.role, row.scope_variable) for row in session.execute(
        select(LaneRole.lane, LaneRole.role, LaneRole.scope_variable))}


def subject_users(session: Session, instance: ProcessInstance) -> list[int] | None:
    """The active user ids of `instance`'s subject employee as read with its lock in this transaction, or
    None if this transaction did not lock it here."""
    memo = session.info.get(_SUBJECT_USERS)
    if memo is None or memo[0] is not session.get_transaction() or memo[1] != instance.id:
        return None
    return memo[2]


def _lock(session: Session, params: dict, *, skip_locked: bool = False, mirrors: bool = False) -> Locked | None:
    postgres = session.get_bind().dialect.name == "postgresql"
    by_task = "task_id" in params
    if postgres:
        row = _postgres_lock_row(session, params, by_task, skip_locked, mirrors)
    else:
        session.execute(_write_lock(by_task), params)
        row = session.execute(_lock_statement(postgres, by_task, skip_locked, mirrors), params).first()
    if row is None:
        return None
    instance, version_id, checksum, published_at, lanes, calendar_revision, users, reference_revision = row[:8]
    version = definitions.compiled_by_stamp(session, (version_id, checksum, published_at))
    days_off.remember_revision(session, calendar_revision)  # the step's engine needs no read of its own
    reference.remember_revision(session, reference_revision)  # nor the form's check of reference codes
    session.info[_SUBJECT_USERS] = (session.get_transaction(), instance.id, sorted(users or []))
    mapping = {lane: Lane(role, variable) for lane, role, variable in lanes or []}
    seen = (row[8] if postgres else row) if by_task else None  # the task as first seen (role, scope, subject)
    locked = Locked(instance, version, mapping, seen)
    return _with_mirrors(session, locked, row[-3:]) if mirrors else locked


class _SeenTask(NamedTuple):
    """The task's columns `inbox.can_act` reads, as the lock statement saw them."""
    role: str
    scope_opd_id: str | None
    subject_employee_id: int | None


def _postgres_lock_row(session: Session, params: dict, by_task: bool, skip_locked: bool, mirrors: bool):
    """PostgreSQL: the lock statement as a fixed text (`_postgres_lock_sql`), its instance columns made
    into the session's `ProcessInstance` (`_persistent_instance`, as `populate_existing` would); the row
    as the ORM statement gives it. Building the ORM result took about a quarter of the lock's time."""
    sql, constants, width = _postgres_lock_sql(by_task, skip_locked, mirrors)
    if session.autoflush and (session.new or session.dirty or session.deleted):
        session.flush()  # as the ORM statement's autoflush would have
    row = session.connection().exec_driver_sql(sql, {**constants, **params}).first()
    if row is None:
        return None
    instance = _persistent_instance(session, dict(zip(_INSTANCE_KEYS, row[:width])))
    rest = tuple(row[width:])
    if by_task:  # the task's three columns follow the eight shared ones, before the mirrors
        rest = rest[:7] + (_SeenTask(*rest[7:10]),) + rest[10:]
    return (instance, *rest)


_INSTANCE_KEYS = tuple(column.key for column in ProcessInstance.__table__.columns)


@functools.cache
def _postgres_lock_sql(by_task: bool, skip_locked: bool, mirrors: bool) -> tuple[str, dict, int]:
    """The lock statement with the instance's columns one by one, compiled once: (text, its constant
    parameters, how many instance columns lead the row)."""
    stmt = _lock_statement(True, by_task, skip_locked, mirrors, entity=False)
    compiled = stmt.compile(dialect=psycopg_dialect())
    constants = {key: value for key, value in compiled.params.items() if key not in ("task_id", "instance_id")}
    return str(compiled), constants, len(_INSTANCE_KEYS)


def _persistent_instance(session: Session, values: dict) -> ProcessInstance:
    """The session's object for the row (the one in its identity map, or a new one), holding `values` as
    its committed state: what `populate_existing` does when the ORM loads a row."""
    instance = session.identity_map.get(identity_key(ProcessInstance, values["id"]))
    if instance is None:
        instance = ProcessInstance.__mapper__.class_manager.new_instance()
        for key, value in values.items():
            attributes.set_committed_value(instance, key, value)
        make_transient_to_detached(instance)
        session.add(instance)
        return instance
    for key, value in values.items():
        attributes.set_committed_value(instance, key, value)
    return instance


def _target(by_task: bool):
    if by_task:
        owner = select(HumanTask.instance_id).where(HumanTask.id == bindparam("task_id")).scalar_subquery()
        return ProcessInstance.id == owner
    return ProcessInstance.id == bindparam("instance_id")


@functools.cache
def _write_lock(by_task: bool):
    """SQLite: a no-op UPDATE takes the database write lock before anything is read."""
    return (update(ProcessInstance).where(_target(by_task)).values(lock_version=ProcessInstance.lock_version)
            .execution_options(synchronize_session=False))


@functools.cache
def _lock_statement(postgres: bool, by_task: bool, skip_locked: bool, mirrors: bool, entity: bool = True):
    """Built once per shape (ids are bound parameters): building it costs more than running it. With
    `entity` the row starts with the ORM's `ProcessInstance`, else with its columns one by one."""
    instance = [ProcessInstance] if entity else [column.label(f"instance_{column.key}")
                                                 for column in ProcessInstance.__table__.columns]
    columns = [*instance, ProcessVersion.id, ProcessVersion.checksum, ProcessVersion.published_at,
               _lanes_json(postgres), days_off.revision_column().label("calendar_revision"), _subject_users(postgres),
               reference.revision_column().label("reference_revision")]
    stmt = (select(*columns).join(ProcessVersion, ProcessVersion.id == ProcessInstance.version_id)
            .where(_target(by_task)))
    if by_task:
        stmt = stmt.add_columns(HumanTask.role, HumanTask.scope_opd_id, HumanTask.subject_employee_id).join(
            HumanTask, (HumanTask.instance_id == ProcessInstance.id) & (HumanTask.id == bindparam("task_id")))
    if mirrors:
        stmt = stmt.add_columns(*_mirror_columns(postgres))
    if postgres:
        stmt = stmt.with_for_update(of=ProcessInstance.__table__, skip_locked=skip_locked)
    return stmt.execution_options(populate_existing=True) if entity else stmt


def _mirror_columns(postgres: bool) -> list:
    seen = aliased(ProcessInstance)
    snapshot = select(seen.lock_version).where(seen.id == ProcessInstance.id).correlate(ProcessInstance)
    tasks = (select(_json_rows(postgres, _TASK_COLUMNS)).where(HumanTask.instance_id == ProcessInstance.id)
             .correlate(ProcessInstance))  # not the outer statement's human_tasks join
    # the status as the aggregate's FILTER, not in WHERE: the instance's few rows come from its own index,
    # never from a walk of every waiting timer's entry in the status index (a plan seen with stale statistics)
    timers = (select(_json_rows(postgres, _TIMER_COLUMNS).filter(ProcessTimer.status == "waiting"))
              .where(ProcessTimer.instance_id == ProcessInstance.id).correlate(ProcessInstance))
    return [snapshot.scalar_subquery().label("snapshot_version"), type_coerce(tasks.scalar_subquery(), JSON).label("open_tasks"),
            type_coerce(timers.scalar_subquery(), JSON).label("waiting_timers")]


def _with_mirrors(session: Session, locked: Locked, values) -> Locked:
    snapshot_version, tasks, timers = values
    if snapshot_version != locked.instance.lock_version:  # a step committed while this one waited
        instance_id = locked.instance.id
        tasks = session.execute(select(*_TASK_COLUMNS).where(HumanTask.instance_id == instance_id)).all()
        timers = session.execute(select(*_TIMER_COLUMNS).where(
            ProcessTimer.instance_id == instance_id, ProcessTimer.status == "waiting")).all()
    else:
        tasks = [_parsed(values, (OpenTask._fields.index("created_at"), OpenTask._fields.index("due_at")))
                 for values in tasks or []]
        timers = [_parsed(values, (WaitingTimer._fields.index("due_at"),),
                          (WaitingTimer._fields.index("interrupting"),)) for values in timers or []]
    return dataclasses.replace(locked, open_tasks=[OpenTask(*values) for values in tasks],
                               timers=[WaitingTimer(*values) for values in timers])


def _parsed(values: list, datetime_positions: tuple[int, ...], bool_positions: tuple[int, ...] = ()) -> list:
    """A JSON-aggregated row with its timestamps (ISO text in JSON) back as naive datetimes and its
    booleans as bool (SQLite's JSON holds them as 0/1)."""
    values = list(values)
    for position in datetime_positions:
        if values[position] is not None:
            values[position] = datetime.fromisoformat(values[position])
    for position in bool_positions:
        if values[position] is not None:
            values[position] = bool(values[position])
    return values


def _json_rows(postgres: bool, columns):
    return (func.json_agg(func.json_build_array(*columns)) if postgres
            else func.json_group_array(func.json_array(*columns)))


def _subject_users(postgres: bool):
    aggregate = func.json_agg(User.id) if postgres else func.json_group_array(User.id)
    users = select(aggregate).where(User.employee_id == ProcessInstance.subject_employee_id,
                                    User.active.is_(True)).correlate(ProcessInstance)
    return type_coerce(users.scalar_subquery(), JSON).label("subject_users")


def _lanes_json(postgres: bool):
    columns = (LaneRole.lane, LaneRole.role, LaneRole.scope_variable)
    aggregate = (func.json_agg(func.json_build_array(*columns)) if postgres
                 else func.json_group_array(func.json_array(*columns)))
    return type_coerce(select(aggregate).scalar_subquery(), JSON).label("lane_roles")
