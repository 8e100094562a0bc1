"""The human-task mirror: one `human_tasks` row per READY user task, exact after every step.

A row carries what the inboxes filter and sort on (role and OPD scope from the lane mapping,
process key and request category copied from the instance, due time from the task's timers),
so an inbox never joins or deserializes anything.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..engine.rules import FORM_VARIABLE_PROPERTY, SCHEMA_SUFFIX
from ..models import HumanTask, ProcessInstance, TaskHistory
from ..models.base import utcnow
from .definitions import CompiledVersion
from .errors import ValidationError
from .instance_lock import Lane

SCOPE_PROPERTY = "scopeVariable"
START_OPD_VARIABLE = "opd"  # set by processes.start: the subject's OPD when the request started


def mirror_row(instance: ProcessInstance, version: CompiledVersion, lanes: Mapping[str, Lane], view) -> HumanTask:
    lane = lanes.get(view.lane or "")
    if lane is None:
        raise ValidationError(f"Lajur '{view.lane or '-'}' pada langkah '{view.name or view.bpmn_id}' "
                              "belum dipetakan ke peran.")
    variable = (view.properties.get(SCOPE_PROPERTY) or version.lanes.get(view.lane, {}).get(SCOPE_PROPERTY)
                or lane.scope_variable)
    scope = view.data.get(variable) if variable else None
    if variable and not scope:
        raise ValidationError(f"Langkah '{view.name or view.bpmn_id}': variabel cakupan OPD '{variable}' kosong.")
    return HumanTask(
        instance_id=instance.id, task_id=view.task_id, task_name=(view.name or view.bpmn_id)[:100],
        bpmn_id=(view.bpmn_id or None) and view.bpmn_id[:100],
        title=f"{view.name or view.bpmn_id} — {instance.title}"[:300], lane=view.lane, role=lane.role,
        scope_opd_id=str(scope) if scope else None, subject_employee_id=instance.subject_employee_id,
        process_key=instance.process_key, category=instance.category, opd_id=_opd_of(scope, view),
        form_id=form_of(version, view), due_at=naive_utc(view.due))


def _opd_of(scope, view) -> str | None:
    opd = scope or view.data.get(START_OPD_VARIABLE)
    return str(opd)[:32] if opd else None


def sync(session: Session, instance: ProcessInstance, rows: list[HumanTask],
         existing: Iterable[HumanTask] | None = None) -> None:
    """Delete rows no longer READY, add new ones; `existing` saves the read when the caller has it."""
    ready = {row.task_id: row for row in rows}
    if existing is None:
        existing = session.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id)).all()
    known = set()
    for row in existing:
        known.add(row.task_id)
        if row.task_id not in ready:
            session.add(_history(instance, row))
            session.delete(row)
    session.add_all(row for task_id, row in ready.items() if task_id not in known)
    session.flush()


def _history(instance: ProcessInstance, row: HumanTask) -> TaskHistory:
    """What the heat map keeps of a task leaving the mirror: when it became ready and when it ended."""
    ended = utcnow()
    ready = row.created_at or ended
    return TaskHistory(instance_id=instance.id, version_id=instance.version_id, task_id=row.task_id,
                       bpmn_id=row.bpmn_id, task_name=row.task_name, role=row.role,
                       assignee_user_id=row.assignee_user_id, ready_at=ready, ended_at=ended,
                       seconds=max(0, int((ended - ready).total_seconds())))


def form_of(version: CompiledVersion, view) -> str | None:
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


def scope_values(version: CompiledVersion, lanes: Mapping[str, Lane], data: dict) -> set[str]:
    """OPDs named in `data` by any scope variable of the version's lanes or of the lane mapping."""
    names = {props.get(SCOPE_PROPERTY) for props in version.lanes.values()}
    names |= {lane.scope_variable for lane in lanes.values()}
    return {str(data[name]) for name in names if name and data.get(name)}


def naive_utc(moment: datetime | None) -> datetime | None:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment is not None else None
