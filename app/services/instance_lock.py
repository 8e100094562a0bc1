"""The per-instance lock every step takes, read together with what the step needs.

On PostgreSQL one `SELECT … FOR UPDATE OF process_instances` locks the instance and returns it with
its version's stamp (for the compiled-version cache), the current lane → role mapping (aggregated
as JSON, so it is never stale and needs no cache to invalidate) and, when the step is a task
completion, the task as it was before the lock was granted. SQLite has no row locks: a no-op
UPDATE takes the database write lock first, then the same SELECT reads.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import JSON, func, select, type_coerce, update
from sqlalchemy.orm import Session

from ..models import HumanTask, LaneRole, ProcessInstance, ProcessVersion
from . import definitions


class Lane(NamedTuple):
    role: str
    scope_variable: str | None


@dataclass(frozen=True)
class Locked:
    instance: ProcessInstance
    version: definitions.CompiledVersion
    lanes: dict[str, Lane]
    task: object | None  # the task row (role, scope_opd_id, ...) as first seen; None when locking by instance


def lock_by_instance(session: Session, instance_id: int, *, skip_locked: bool = False) -> Locked | None:
    """The instance, locked for the rest of the transaction; None if it does not exist — or, with
    `skip_locked`, if another transaction holds it (PostgreSQL; SQLite waits for its write lock)."""
    return _lock(session, ProcessInstance.id == instance_id, with_task=None, skip_locked=skip_locked)


def lock_by_task(session: Session, human_task_id: int) -> Locked | None:
    """The instance owning the human task, locked; None if no such task was there to begin with."""
    owner = select(HumanTask.instance_id).where(HumanTask.id == human_task_id).scalar_subquery()
    return _lock(session, ProcessInstance.id == owner, with_task=human_task_id)


def current_lanes(session: Session) -> dict[str, Lane]:
    """The lane mapping read on its own (for steps that did not lock through this module)."""
    return {row.lane: Lane(row.role, row.scope_variable) for row in session.execute(
        select(LaneRole.lane, LaneRole.role, LaneRole.scope_variable))}


def _lock(session: Session, target, *, with_task: int | None, skip_locked: bool = False) -> Locked | None:
    postgres = session.get_bind().dialect.name == "postgresql"
    if not postgres:
        session.execute(update(ProcessInstance).where(target).values(lock_version=ProcessInstance.lock_version)
                        .execution_options(synchronize_session=False))
    columns = [ProcessInstance, ProcessVersion.id, ProcessVersion.checksum, ProcessVersion.published_at,
               _lanes_json(postgres)]
    stmt = select(*columns).join(ProcessVersion, ProcessVersion.id == ProcessInstance.version_id).where(target)
    if with_task is not None:
        stmt = stmt.add_columns(HumanTask.role, HumanTask.scope_opd_id, HumanTask.subject_employee_id).join(
            HumanTask, (HumanTask.instance_id == ProcessInstance.id) & (HumanTask.id == with_task))
    if postgres:
        stmt = stmt.with_for_update(of=ProcessInstance, skip_locked=skip_locked)
    row = session.execute(stmt.execution_options(populate_existing=True)).first()
    if row is None:
        return None
    instance, version_id, checksum, published_at, lanes = row[:5]
    version = definitions.compiled_by_stamp(session, (version_id, checksum, published_at))
    mapping = {lane: Lane(role, variable) for lane, role, variable in lanes or []}
    return Locked(instance, version, mapping, row if with_task is not None else None)


def _lanes_json(postgres: bool):
    columns = (LaneRole.lane, LaneRole.role, LaneRole.scope_variable)
    aggregate = (func.json_agg(func.json_build_array(*columns)) if postgres
                 else func.json_group_array(func.json_array(*columns)))
    return type_coerce(select(aggregate).scalar_subquery(), JSON).label("lane_roles")
