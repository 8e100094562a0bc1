"""Moving running instances of a process to a newer published version.

`dry_run` tells, for every open instance on an older version, whether it can move and why not
(engine.migration.plan). `migrate` moves the compatible ones, one transaction per instance under the
instance lock: the workflow is re-pointed at the new specs (nothing runs), `version_id` changes, the
human-task and timer mirrors are made exact again, and a timeline event and an audit event are
written. An instance that cannot move is refused with the reason and left untouched.
"""
from __future__ import annotations

import json
from copy import deepcopy
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..engine import migration, runtime
from ..engine.script_engine import SafeScriptEngine
from ..models import HumanTask, InstanceEvent, ProcessInstance, ProcessVersion, User
from . import audit, authz, definitions, instance_lock, operators, task_mirror
from .days_off import work_calendar
from .errors import NotFoundError, ValidationError
from .timer_mirror import sync_timers

OPEN_STATUSES = ("running", "waiting", "suspended", "error")
OWNER_ROLES = ("process_owner", "admin")
_MIRRORED = ("task_name", "bpmn_id", "title", "lane", "role", "scope_opd_id", "opd_id", "form_id", "due_at")


@dataclass(frozen=True)
class MigrationVerdict:
    instance_id: int
    migratable: bool
    reason: str
    title: str = ""
    from_version: int | None = None
    status: str = ""


def dry_run(session: Session, process_key: str, target_version: int, *, user: User) -> list[MigrationVerdict]:
    """Every open instance of `process_key` not on `target_version`, with whether it can move there."""
    authz.require_role(user, *OWNER_ROLES)
    target = _target(session, process_key, target_version)
    rows = session.execute(
        select(ProcessInstance, ProcessVersion.version)
        .join(ProcessVersion, ProcessVersion.id == ProcessInstance.version_id)
        .where(ProcessInstance.process_key == process_key, ProcessInstance.status.in_(OPEN_STATUSES),
               ProcessInstance.version_id != target.id)
        .order_by(ProcessInstance.id)).all()
    return [_verdict(session, instance, number, target) for instance, number in rows]


def migrate(session: Session, actor: audit.Actor, instance_ids: list[int], target_version: int, *,
            process_key: str, user: User) -> list[MigrationVerdict]:
    """Move each instance that can move (committed one by one); the others are refused with the reason."""
    authz.require_role(user, *OWNER_ROLES)
    target = _target(session, process_key, target_version)
    results = []
    for instance_id in dict.fromkeys(instance_ids):
        try:
            with _committed(session):
                results.append(_migrate_one(session, user, actor, instance_id, target))
        except ValidationError as err:  # rolled back: the instance stays where it was
            results.append(MigrationVerdict(instance_id, False, err.message))
    with _committed(session):
        audit.record(session, actor, "process.migration_run", "process_definition", process_key,
                     to_version=target_version, moved=[r.instance_id for r in results if r.migratable],
                     refused={str(r.instance_id): r.reason for r in results if not r.migratable})
    return results


@contextmanager
def _committed(session: Session) -> Iterator[None]:
    try:
        yield
        session.commit()
    except BaseException:
        session.rollback()
        raise


def _target(session: Session, key: str, number: int) -> ProcessVersion:
    version = session.scalars(select(ProcessVersion).where(ProcessVersion.process_key == key,
                                                           ProcessVersion.version == number)).first()
    if version is None:
        raise NotFoundError(f"Versi {number} proses '{key}' tidak ditemukan.")
    return version


def _verdict(session: Session, instance: ProcessInstance, number: int, target: ProcessVersion) -> MigrationVerdict:
    refusal = _refusal(instance, number, target)
    if refusal:
        return MigrationVerdict(instance.id, False, refusal, instance.title, number, instance.status)
    current = session.get(ProcessVersion, instance.version_id)
    workflow, specs = _restore(session, instance, current, deepcopy(instance.state)), _specs(target)
    plan = migration.plan(workflow, specs)
    if plan.migratable:  # try it on this throwaway copy: the new tasks must be mirrorable (lanes, scopes)
        migration.migrate(workflow, specs)
        try:
            _mirror_rows(instance, target, workflow, instance_lock.current_lanes(session))
        except ValidationError as err:
            return MigrationVerdict(instance.id, False, err.message, instance.title, number, instance.status)
    return _from_plan(instance, number, plan, "Dapat dipindahkan tanpa perubahan langkah.")


def _from_plan(instance: ProcessInstance, number: int, plan: migration.MigrationPlan, fine: str) -> MigrationVerdict:
    reason = " ".join(plan.blockers or plan.notes) or fine
    return MigrationVerdict(instance.id, plan.migratable, reason, instance.title, number, instance.status)


def _refusal(instance: ProcessInstance, number: int, target: ProcessVersion) -> str | None:
    """Why the instance cannot move whatever its state (None when its state decides)."""
    if instance.process_key != target.process_key:
        return f"Instans ini milik proses '{instance.process_key}', bukan '{target.process_key}'."
    if instance.status not in OPEN_STATUSES:
        return f"Instans sudah berakhir (status {instance.status})."
    if number >= target.version:
        return f"Instans sudah pada versi {number}; migrasi hanya ke versi yang lebih baru."
    return None


def _migrate_one(session: Session, user: User, actor: audit.Actor, instance_id: int,
                 target: ProcessVersion) -> MigrationVerdict:
    locked = instance_lock.lock_by_instance(session, instance_id)
    if locked is None:
        return MigrationVerdict(instance_id, False, "Instans tidak ditemukan.")
    instance, old = locked.instance, locked.version
    refusal = _refusal(instance, old.version, target)
    if refusal:
        return MigrationVerdict(instance.id, False, refusal, instance.title, old.version, instance.status)
    workflow, specs = _restore(session, instance, old), _specs(target)
    plan = migration.plan(workflow, specs)
    if plan.migratable:
        migration.migrate(workflow, specs)
        _store(session, instance, target, workflow, locked.lanes)
        _record(session, user, actor, instance, old.version, target.version, plan.notes)
    return _from_plan(instance, old.version, plan, "Dipindahkan.")


def _restore(session: Session, instance: ProcessInstance, version, state: dict | None = None):
    """The live workflow; nothing runs while migrating, the engine only evaluates timer expressions."""
    ctx = operators.OperatorContext(session=session, actor=audit.SYSTEM, instance=instance)
    engine = SafeScriptEngine(operators=operators.bind(ctx), calendar=work_calendar(session))
    return runtime.deserialize(definitions.compiled(version).specs, instance.state if state is None else state, engine)


def _store(session: Session, instance: ProcessInstance, target: ProcessVersion, workflow, lanes) -> None:
    """New state and version; the mirrors follow the new specs (names, lanes, forms, due times)."""
    rows = _mirror_rows(instance, target, workflow, lanes)
    _sync_tasks(session, instance, rows)  # a task leaving the mirror is recorded against the version it ran on
    sync_timers(session, instance, workflow)
    instance.state = json.loads(runtime.serialize(workflow))
    instance.version_id = target.id
    instance.lock_version += 1


def _specs(version: ProcessVersion):
    return definitions.compiled(version).specs


def _mirror_rows(instance: ProcessInstance, target: ProcessVersion, workflow, lanes) -> list[HumanTask]:
    compiled = definitions.compiled(target)
    try:
        return [task_mirror.mirror_row(instance, compiled, lanes, view) for view in runtime.ready_user_tasks(workflow)]
    except ValidationError as err:
        raise ValidationError(f"Tugas pada versi {target.version} tidak dapat dibuat: {err.message}") from None


def _sync_tasks(session: Session, instance: ProcessInstance, rows: list[HumanTask]) -> None:
    """task_mirror.sync, after a task still READY has taken the new version's name, lane, role and form
    (its row, claim and ready time stay; the claim only while the role and OPD scope stay the same)."""
    existing = list(session.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id)))
    fresh = {row.task_id: row for row in rows}
    for current in existing:
        row = fresh.get(current.task_id)
        if row is None:
            continue
        if (current.role, current.scope_opd_id) != (row.role, row.scope_opd_id):
            current.assignee_user_id, current.claimed_at = None, None
        for column in _MIRRORED:
            setattr(current, column, getattr(row, column))
    task_mirror.sync(session, instance, rows, existing)


def _record(session: Session, user: User, actor: audit.Actor, instance: ProcessInstance, old: int, new: int,
            notes: tuple[str, ...]) -> None:
    session.add(InstanceEvent(instance_id=instance.id, actor_user_id=user.id, actor_label=user.display_name,
                              step=f"Dipindahkan ke versi {new}", action="migrasi",
                              note=" ".join(notes) or None))
    audit.record(session, actor, "process.migrated", "process_instance", instance.id,
                 key=instance.process_key, from_version=old, to_version=new)
