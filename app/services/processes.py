"""Running process instances: start, complete a human task, claim, release, withdraw.

Every call that advances an instance goes through `_locked` (a row lock on PostgreSQL, the
write lock on SQLite), does its engine step, domain writes, mirror, timeline and audit in
the caller's session, and commits once; on any error it rolls back and re-raises.
"""
from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from ..engine import runtime
from ..engine.errors import EngineError, TaskNotFoundError, TaskNotReadyError
from ..engine.rules import FORM_VARIABLE_PROPERTY, SCHEMA_SUFFIX, UI_SCHEMA_SUFFIX
from ..engine.script_engine import SafeScriptEngine
from ..engine.workdays import WIB
from ..forms import validate_submission
from ..models import (
    Employee,
    HumanTask,
    InstanceEvent,
    ProcessInstance,
    ProcessVersion,
    User,
)
from ..models.base import utcnow
from . import audit, definitions, instance_lock, operators, step_writes, task_mirror
from .authz import can_view_employee
from .days_off import work_calendar
from .errors import ConflictError, NotFoundError, ValidationError
from .inbox import can_act, category_of
from .instance_lock import current_lanes
from .reference import existing_codes
from .timer_mirror import cancel_timers, sync_timers

SCOPE_PROPERTY = "scopeVariable"
# With `formFromVariable`: the submitted fields are stored as a dict under `formResultVariable`,
# except those named in `formTopLevelFields` (comma-separated), which replace top-level variables.
RESULT_VARIABLE_PROPERTY = "formResultVariable"
TOP_LEVEL_PROPERTY = "formTopLevelFields"
# A process that ends with this variable set (e.g. the result of the notice "dibatalkan, tidak diperbaiki
# dalam 14 hari") ends as "cancelled" instead of "completed".
CANCELLED_VARIABLE = "dibatalkan"
OPEN_STATUSES = ("running", "waiting", "suspended", "error")
NOT_FOUND = "Tugas tidak ditemukan."
SUSPENDED = ("Proses usulan ini sedang ditangguhkan oleh pengelola proses; tugas ini tidak dapat dikerjakan "
             "sampai proses dilanjutkan.")


def start(session: Session, user: User, actor: audit.Actor, key: str, *, subject_employee_id: int | None,
          data: dict | None = None, title: str | None = None) -> ProcessInstance:
    """A new instance of the latest version of `key`, run to its first waits, committed.

    The workflow starts with `data` plus `pegawai_id` and `opd` (the subject's OPD) unless given.
    """
    version = definitions.require_latest(session, key)
    employee = _subject(session, user, subject_employee_id)
    initial = {"pegawai_id": subject_employee_id, "opd": employee.opd_id if employee else None, **(data or {})}
    instance = ProcessInstance(
        version_id=version.id, process_key=key, status="running", subject_employee_id=subject_employee_id,
        initiator_user_id=user.id, opd_ids=[], state={}, category=category_of(initial),
        title=(title or _default_title(session, version, employee))[:300])
    with _rollback_on_error(session):
        session.add(instance)
        session.flush()
        compiled, lanes = definitions.compiled(version), current_lanes(session)
        workflow = runtime.start_workflow(compiled.specs, _engine(session, actor, instance), initial)
        _store(session, instance, compiled, workflow, extra_opds=task_mirror.scope_values(compiled, lanes, initial),
               lanes=lanes, existing=[])
        _event(session, instance, user, "Usulan dibuat", "mulai", None)
        audit.record(session, actor, "process.started", "process_instance", instance.id, key=key,
                     version=version.version, subject_employee_id=subject_employee_id)
    session.commit()
    return instance


def complete_task(session: Session, user: User, actor: audit.Actor, human_task_id: int, data: dict, *,
                  expected_version: int | None = None) -> ProcessInstance:
    """Validate `data` against the task's pinned form, complete the task and run on; committed.

    The step's own writes go out together with the audit chain's tip and event (step_writes: one
    statement on PostgreSQL), the operators' notifications with them."""
    with _rollback_on_error(session):
        step = _lock_task(session, user, human_task_id, expected_version)
        instance, version, task = step.instance, step.version, step.task
        task_id, task_name = task.task_id, task.task_name
        _validate(session, version, task.form_id, data)
        workflow = _restore(session, actor, instance, version)
        data = _shaped(workflow, task_id, data)
        writes = step_writes.Writes(session, open_tasks=step.open_tasks)
        with writes:  # the operators' notifications join the step's writes
            _engine_call(runtime.complete_user_task, workflow, task_id, data)
        _write_step(writes, instance, version, workflow, task_mirror.scope_values(version, step.lanes, data),
                    step.lanes, step.timers)
        action = str(data.get("keputusan") or "selesai")[:32]
        step_writes.add_event(writes, instance, user.id, user.display_name, task_name, action, data.get("catatan"))
        audit.record(session, actor, "task.completed", "process_instance", instance.id, writes=writes,
                     task=task_name, task_id=task_id, decision=action)
    session.commit()
    return instance


def claim(session: Session, user: User, actor: audit.Actor, human_task_id: int) -> HumanTask:
    """Take a task so others in the same role and scope no longer see it."""
    task = _actionable_task(session, user, human_task_id)
    stmt = (update(HumanTask).where(HumanTask.id == task.id, or_(HumanTask.assignee_user_id.is_(None),
                                                                 HumanTask.assignee_user_id == user.id))
            .values(assignee_user_id=user.id, claimed_at=utcnow()))
    with _rollback_on_error(session):
        if session.execute(stmt).rowcount != 1:
            raise ConflictError("Tugas ini sudah diambil oleh pengguna lain.")
        audit.record(session, actor, "task.claimed", "human_task", task.id, instance_id=task.instance_id)
    session.commit()
    session.refresh(task)
    return task


def release(session: Session, user: User, actor: audit.Actor, human_task_id: int) -> HumanTask:
    """Give a claimed task back to everyone in its role and scope."""
    task = _actionable_task(session, user, human_task_id)
    with _rollback_on_error(session):
        if task.assignee_user_id != user.id:
            raise ConflictError("Tugas ini tidak sedang Anda ambil.")
        task.assignee_user_id, task.claimed_at = None, None
        audit.record(session, actor, "task.released", "human_task", task.id, instance_id=task.instance_id)
    session.commit()
    return task


def withdraw(session: Session, user: User, actor: audit.Actor, instance_id: int, reason: str) -> ProcessInstance:
    """The initiator or the subject cancels a request that is not finished yet."""
    instance = session.get(ProcessInstance, instance_id)
    if instance is None or user.id != instance.initiator_user_id and (
            user.employee_id is None or user.employee_id != instance.subject_employee_id):
        raise NotFoundError("Usulan tidak ditemukan.")
    if not (reason or "").strip():
        raise ValidationError("Alasan penarikan wajib diisi.", fields={"alasan": ["Wajib diisi."]})
    with _rollback_on_error(session), _locked(session, instance_id, None) as instance:
        if instance.status not in OPEN_STATUSES:
            raise ConflictError("Usulan ini sudah selesai atau dibatalkan; tidak dapat ditarik.")
        version = session.get(ProcessVersion, instance.version_id)
        workflow = _restore(session, actor, instance, version)
        runtime.cancel(workflow)
        instance.state = json.loads(runtime.serialize(workflow))
        instance.status, instance.completed_at = "cancelled", utcnow()
        session.execute(delete(HumanTask).where(HumanTask.instance_id == instance.id))
        cancel_timers(session, instance)
        _event(session, instance, user, "Usulan ditarik", "tarik", reason.strip())
        audit.record(session, actor, "process.withdrawn", "process_instance", instance.id, reason=reason.strip())
    session.commit()
    return instance


def timeline(session: Session, instance_id: int) -> list[InstanceEvent]:
    stmt = (select(InstanceEvent).where(InstanceEvent.instance_id == instance_id)
            .order_by(InstanceEvent.occurred_at, InstanceEvent.id))
    return list(session.scalars(stmt))


# --- locking and transactions -------------------------------------------------------------

@contextmanager
def _rollback_on_error(session: Session) -> Iterator[None]:
    try:
        yield
    except BaseException:
        session.rollback()
        raise


@contextmanager
def _locked(session: Session, instance_id: int, expected_version: int | None) -> Iterator[ProcessInstance]:
    """The instance, read once its lock is held (see instance_lock)."""
    locked = instance_lock.lock_by_instance(session, instance_id)
    if locked is None:
        raise NotFoundError("Usulan tidak ditemukan.")
    if expected_version is not None and locked.instance.lock_version != expected_version:
        raise _already_done(session, locked.instance)
    yield locked.instance


@dataclass(frozen=True)
class _TaskStep:
    instance: ProcessInstance
    version: definitions.CompiledVersion
    lanes: dict
    task: HumanTask
    open_tasks: list[instance_lock.OpenTask]  # every mirror row of the instance, current after the lock
    timers: list[instance_lock.WaitingTimer]


def _lock_task(session: Session, user: User, human_task_id: int, expected_version: int | None) -> _TaskStep:
    """Lock the task's instance first, then read its open tasks: one read tells whether the task is
    still open. Someone who may not act on the task learns nothing, not even that it was done."""
    locked = instance_lock.lock_by_task(session, human_task_id, mirrors=True)
    if locked is None:
        raise NotFoundError(NOT_FOUND)
    open_tasks = locked.open_tasks
    task = next((row for row in open_tasks if row.id == human_task_id), None)
    if not can_act(session, user, task or locked.task):
        raise NotFoundError(NOT_FOUND)
    if task is None or expected_version is not None and locked.instance.lock_version != expected_version:
        raise _already_done(session, locked.instance)
    _refuse_if_suspended(locked.instance)
    _refuse_if_claimed(session, user, task)
    return _TaskStep(locked.instance, locked.version, locked.lanes, task, open_tasks, locked.timers)


def _already_done(session: Session, instance: ProcessInstance) -> ConflictError:
    last = session.scalars(select(InstanceEvent).where(InstanceEvent.instance_id == instance.id)
                           .order_by(InstanceEvent.occurred_at.desc(), InstanceEvent.id.desc()).limit(1)).first()
    if last is None:
        return ConflictError("Tugas ini sudah diselesaikan oleh pengguna lain.")
    when = last.occurred_at.replace(tzinfo=UTC).astimezone(WIB).strftime("%d-%m-%Y %H:%M WIB")
    return ConflictError(f"Tugas ini sudah diselesaikan oleh {last.actor_label} pada {when}.")


# --- the engine ---------------------------------------------------------------------------

def _engine(session: Session, actor: audit.Actor, instance: ProcessInstance) -> SafeScriptEngine:
    ctx = operators.OperatorContext(session=session, actor=actor, instance=instance)
    return SafeScriptEngine(operators=operators.bind(ctx), calendar=work_calendar(session))


def _restore(session: Session, actor: audit.Actor, instance: ProcessInstance, version):
    engine = _engine(session, actor, instance)
    return runtime.deserialize(definitions.compiled(version).specs, instance.state, engine)


def _engine_call(fn, *args) -> None:
    try:
        fn(*args)
    except (TaskNotFoundError, TaskNotReadyError) as err:
        raise ConflictError(str(err)) from err


def _store(session: Session, instance: ProcessInstance, version, workflow, *, extra_opds: set[str],
           lanes: dict | None = None, existing: list[HumanTask] | None = None) -> None:
    """Write the workflow state back and make the human-task mirror exact (task_mirror).

    `lanes` and `existing` (the instance's mirror rows) save their reads when the caller has them."""
    lanes = current_lanes(session) if lanes is None else lanes
    values, rows = _outcome(instance, version, workflow, extra_opds, lanes)
    for key, value in values.items():
        setattr(instance, key, value)
    task_mirror.sync(session, instance, rows, existing)
    sync_timers(session, instance, workflow)


def _write_step(writes: step_writes.Writes, instance: ProcessInstance, version, workflow, extra_opds: set[str],
                lanes: dict, timers: list[instance_lock.WaitingTimer]) -> list[instance_lock.WaitingTimer]:
    """Queue the instance's new columns and its exact task and timer mirrors on `writes` (whose `open_tasks`
    are the mirror rows the lock read); returns the timers that went off in this step."""
    values, rows = _outcome(instance, version, workflow, extra_opds, lanes, state_as_text=True)
    step_writes.store_instance(writes, instance, values)
    step_writes.sync_tasks(writes, instance, rows, writes.open_tasks)
    return step_writes.sync_timers(writes, instance, workflow, timers)


def _outcome(instance: ProcessInstance, version, workflow, extra_opds: set[str], lanes: dict, *,
             state_as_text: bool = False):
    """The instance's new columns (state, status, OPDs) and the mirror rows of its READY tasks; with
    `state_as_text` the state is the serializer's JSON text (step_writes sends it as it is)."""
    version = definitions.compiled(version)
    views = runtime.ready_user_tasks(workflow)
    state = runtime.serialize(workflow)
    values = {"state": state if state_as_text else json.loads(state), "completed_at": instance.completed_at}
    if runtime.is_completed(workflow):
        cancelled = runtime.process_data(workflow).get(CANCELLED_VARIABLE)
        values["status"], values["completed_at"] = "cancelled" if cancelled else "completed", utcnow()
    else:
        values["status"] = "waiting" if views or runtime.waiting_timers(workflow) else "running"
    rows = [task_mirror.mirror_row(instance, version, lanes, view) for view in views]
    opds = set(instance.opd_ids or []) | extra_opds | {row.scope_opd_id for row in rows if row.scope_opd_id}
    values["opd_ids"] = sorted(opds)
    return values, rows


def _shaped(workflow, task_id: str, data: dict) -> dict:
    """The submission as the workflow stores it (see RESULT_VARIABLE_PROPERTY)."""
    try:
        properties = runtime.get_user_task(workflow, task_id).properties
    except TaskNotFoundError as err:
        raise ConflictError(str(err)) from err
    result = properties.get(RESULT_VARIABLE_PROPERTY)
    if not (properties.get(FORM_VARIABLE_PROPERTY) and result):
        return data
    top = {name.strip() for name in (properties.get(TOP_LEVEL_PROPERTY) or "").split(",") if name.strip()}
    shaped = {name: data.get(name) for name in top}
    shaped[result] = {name: value for name, value in data.items() if name not in top}
    return shaped


# --- checks -------------------------------------------------------------------------------

def _actionable_task(session: Session, user: User, human_task_id: int) -> HumanTask:
    """The task if `user` may act on it; another OPD's task or a missing one look the same."""
    task = session.get(HumanTask, human_task_id)
    if task is None or not can_act(session, user, task):
        raise NotFoundError(NOT_FOUND)
    _refuse_if_suspended(session.get(ProcessInstance, task.instance_id))
    _refuse_if_claimed(session, user, task)
    return task


def _refuse_if_suspended(instance: ProcessInstance) -> None:
    if instance.status == "suspended":
        raise ConflictError(SUSPENDED)


def _refuse_if_claimed(session: Session, user: User, task: HumanTask) -> None:
    if task.assignee_user_id is not None and task.assignee_user_id != user.id:
        holder = session.get(User, task.assignee_user_id)
        raise ConflictError(f"Tugas ini sedang dikerjakan oleh {holder.display_name if holder else 'pengguna lain'}.")


def _validate(session: Session, version: definitions.CompiledVersion, form_id: str | None, data: dict) -> None:
    if not form_id:
        return
    schema = version.forms.get(form_id)
    if schema is None:
        raise ValidationError(f"Formulir '{form_id}' tidak tersimpan pada versi proses ini.")
    ui = version.forms.get(form_id[: -len(SCHEMA_SUFFIX)] + UI_SCHEMA_SUFFIX) if form_id.endswith(SCHEMA_SUFFIX) else None
    errors = validate_submission(schema, data, ui, codes_lookup=functools.partial(existing_codes, session))
    if errors:
        raise ValidationError("Isian formulir belum benar; periksa kolom yang ditandai.", fields=errors)


def _subject(session: Session, user: User, employee_id: int | None) -> Employee | None:
    if employee_id is None:
        return None
    employee = session.get(Employee, employee_id)
    if employee is None or not can_view_employee(session, user, employee):
        raise NotFoundError("Pegawai tidak ditemukan.")
    return employee


def _default_title(session: Session, version: ProcessVersion, employee: Employee | None) -> str:
    from ..models import ProcessDefinition
    definition = session.get(ProcessDefinition, version.process_key)
    name = definition.name if definition else version.process_key
    return f"{name} — {employee.nama}" if employee else name


def _event(session: Session, instance: ProcessInstance, user: User, step: str, action: str, note) -> None:
    session.add(InstanceEvent(instance_id=instance.id, actor_user_id=user.id, actor_label=user.display_name,
                              step=step[:300], action=action[:32], note=str(note) if note else None))


def task_data(session: Session, actor: audit.Actor, task: HumanTask) -> dict:
    """The data a READY user task sees (for its page); the workflow is restored, nothing runs."""
    instance = session.get(ProcessInstance, task.instance_id)
    version = session.get(ProcessVersion, instance.version_id)
    workflow = _restore(session, actor, instance, version)
    try:
        return runtime.get_user_task(workflow, task.task_id).data
    except EngineError:
        return runtime.process_data(workflow)
