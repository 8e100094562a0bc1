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
from datetime import UTC, datetime

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
    LaneRole,
    ProcessInstance,
    ProcessVersion,
    User,
)
from ..models.base import utcnow
from . import audit, definitions, operators
from .authz import can_view_employee
from .errors import ConflictError, NotFoundError, ValidationError
from .inbox import can_act
from .reference import reference_choices

SCOPE_PROPERTY = "scopeVariable"
# With `formFromVariable`: the submitted fields are stored as a dict under `formResultVariable`,
# except those named in `formTopLevelFields` (comma-separated), which replace top-level variables.
RESULT_VARIABLE_PROPERTY = "formResultVariable"
TOP_LEVEL_PROPERTY = "formTopLevelFields"
OPEN_STATUSES = ("running", "waiting", "suspended", "error")
NOT_FOUND = "Tugas tidak ditemukan."


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
        initiator_user_id=user.id, opd_ids=[], state={},
        title=(title or _default_title(session, version, employee))[:300])
    with _rollback_on_error(session):
        session.add(instance)
        session.flush()
        workflow = runtime.start_workflow(definitions.specs_for(version), _engine(session, actor, instance), initial)
        _store(session, instance, version, workflow, extra_opds=_scope_values(session, version, initial))
        _event(session, instance, user, "Usulan dibuat", "mulai", None)
        audit.record(session, actor, "process.started", "process_instance", instance.id, key=key,
                     version=version.version, subject_employee_id=subject_employee_id)
    session.commit()
    return instance


def complete_task(session: Session, user: User, actor: audit.Actor, human_task_id: int, data: dict, *,
                  expected_version: int | None = None) -> ProcessInstance:
    """Validate `data` against the task's pinned form, complete the task and run on; committed."""
    task = _actionable_task(session, user, human_task_id)
    task_id, task_name, instance_id = task.task_id, task.task_name, task.instance_id
    with _rollback_on_error(session), _locked(session, instance_id, expected_version) as instance:
        _still_open(session, instance, human_task_id)
        version = session.get(ProcessVersion, instance.version_id)
        _validate(session, version, task.form_id, data)
        workflow = _restore(session, actor, instance, version)
        data = _shaped(workflow, task_id, data)
        _engine_call(runtime.complete_user_task, workflow, task_id, data)
        _store(session, instance, version, workflow, extra_opds=_scope_values(session, version, data))
        action = str(data.get("keputusan") or "selesai")[:32]
        _event(session, instance, user, task_name, action, data.get("catatan"))
        audit.record(session, actor, "task.completed", "process_instance", instance.id, task=task_name,
                     task_id=task_id, decision=action)
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
    """The instance, re-read after its row lock is held (the no-op UPDATE takes it on both backends)."""
    session.execute(update(ProcessInstance).where(ProcessInstance.id == instance_id)
                    .values(lock_version=ProcessInstance.lock_version)
                    .execution_options(synchronize_session=False))
    stmt = select(ProcessInstance).where(ProcessInstance.id == instance_id).execution_options(populate_existing=True)
    instance = session.scalars(stmt).first()
    if instance is None:
        raise NotFoundError("Usulan tidak ditemukan.")
    if expected_version is not None and instance.lock_version != expected_version:
        raise _already_done(session, instance)
    yield instance


def _still_open(session: Session, instance: ProcessInstance, human_task_id: int) -> None:
    if session.scalar(select(HumanTask.id).where(HumanTask.id == human_task_id)) is None:
        raise _already_done(session, instance)


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
    return SafeScriptEngine(operators=operators.bind(ctx))


def _restore(session: Session, actor: audit.Actor, instance: ProcessInstance, version: ProcessVersion):
    engine = _engine(session, actor, instance)
    return runtime.deserialize(definitions.specs_for(version), instance.state, engine)


def _engine_call(fn, *args) -> None:
    try:
        fn(*args)
    except (TaskNotFoundError, TaskNotReadyError) as err:
        raise ConflictError(str(err)) from err


def _store(session: Session, instance: ProcessInstance, version: ProcessVersion, workflow, *,
           extra_opds: set[str]) -> None:
    """Write the workflow state back and make the human-task mirror exact."""
    views = runtime.ready_user_tasks(workflow)
    instance.state = json.loads(runtime.serialize(workflow))
    if runtime.is_completed(workflow):
        instance.status, instance.completed_at = "completed", utcnow()
    else:
        instance.status = "waiting" if views or runtime.waiting_timers(workflow) else "running"
    opds = set(instance.opd_ids or []) | extra_opds
    rows = [_mirror_row(session, instance, version, view) for view in views]
    opds |= {row.scope_opd_id for row in rows if row.scope_opd_id}
    instance.opd_ids = sorted(opds)
    _sync_mirror(session, instance, rows)


def _sync_mirror(session: Session, instance: ProcessInstance, rows: list[HumanTask]) -> None:
    ready = {row.task_id: row for row in rows}
    existing = session.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id)).all()
    for row in existing:
        if row.task_id not in ready:
            session.delete(row)
    known = {row.task_id for row in existing}
    session.add_all(row for task_id, row in ready.items() if task_id not in known)
    session.flush()


def _mirror_row(session: Session, instance: ProcessInstance, version: ProcessVersion, view) -> HumanTask:
    lane = session.get(LaneRole, view.lane or "")
    if lane is None:
        raise ValidationError(f"Lajur '{view.lane or '-'}' pada langkah '{view.name or view.bpmn_id}' "
                              "belum dipetakan ke peran.")
    variable = view.properties.get(SCOPE_PROPERTY) or definitions.lanes_for(version).get(
        view.lane, {}).get(SCOPE_PROPERTY) or lane.scope_variable
    scope = view.data.get(variable) if variable else None
    if variable and not scope:
        raise ValidationError(f"Langkah '{view.name or view.bpmn_id}': variabel cakupan OPD '{variable}' kosong.")
    return HumanTask(
        instance_id=instance.id, task_id=view.task_id, task_name=(view.name or view.bpmn_id)[:100],
        title=f"{view.name or view.bpmn_id} — {instance.title}"[:300], lane=view.lane, role=lane.role,
        scope_opd_id=str(scope) if scope else None, subject_employee_id=instance.subject_employee_id,
        form_id=_form_of(version, view), due_at=_naive_utc(view.due))


def _form_of(version: ProcessVersion, view) -> str | None:
    """The task's form file: named in the diagram, or (formFromVariable) held by a process variable
    whose value must be one of the forms pinned with the version."""
    variable = view.properties.get(FORM_VARIABLE_PROPERTY)
    if view.form_schema or not variable:
        return view.form_schema
    form_id = view.data.get(variable)
    filename = f"{form_id}{SCHEMA_SUFFIX}" if isinstance(form_id, str) else None
    if filename is None or filename not in (version.forms or {}):
        raise ValidationError(f"Langkah '{view.name or view.bpmn_id}': formulir '{form_id}' (variabel "
                              f"'{variable}') tidak diizinkan pada versi proses ini.")
    return filename


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


def _scope_values(session: Session, version: ProcessVersion, data: dict) -> set[str]:
    """OPDs named in `data` by any scope variable of the version's lanes or of the lane mapping."""
    names = {props.get(SCOPE_PROPERTY) for props in definitions.lanes_for(version).values()}
    names |= set(session.scalars(select(LaneRole.scope_variable)))
    return {str(data[name]) for name in names if name and data.get(name)}


def _naive_utc(moment: datetime | None) -> datetime | None:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment is not None else None


# --- checks -------------------------------------------------------------------------------

def _actionable_task(session: Session, user: User, human_task_id: int) -> HumanTask:
    """The task if `user` may act on it; another OPD's task or a missing one look the same."""
    task = session.get(HumanTask, human_task_id)
    if task is None or not can_act(session, user, task):
        raise NotFoundError(NOT_FOUND)
    if task.assignee_user_id is not None and task.assignee_user_id != user.id:
        holder = session.get(User, task.assignee_user_id)
        raise ConflictError(f"Tugas ini sedang dikerjakan oleh {holder.display_name if holder else 'pengguna lain'}.")
    return task


def _validate(session: Session, version: ProcessVersion, form_id: str | None, data: dict) -> None:
    if not form_id:
        return
    schema = version.forms.get(form_id)
    if schema is None:
        raise ValidationError(f"Formulir '{form_id}' tidak tersimpan pada versi proses ini.")
    ui = version.forms.get(form_id[: -len(SCHEMA_SUFFIX)] + UI_SCHEMA_SUFFIX) if form_id.endswith(SCHEMA_SUFFIX) else None
    errors = validate_submission(schema, data, ui, _choices(session))
    if errors:
        raise ValidationError("Isian formulir belum benar; periksa kolom yang ditandai.", fields=errors)


def _choices(session: Session):
    return functools.partial(reference_choices, session)


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
