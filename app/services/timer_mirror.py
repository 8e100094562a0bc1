"""The `process_timers` mirror: after every stored step it equals the workflow's waiting timers.

Rows are never deleted: a timer that stops waiting becomes "fired" or "cancelled", so the table
is also the history of what fired when. Called by `processes._store` (and on withdrawal) in the
step's own transaction, under the instance lock.
"""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..engine import runtime
from ..models import ProcessInstance, ProcessTimer
from ..models.base import utcnow
from . import sweep_booking


def sync_timers(session: Session, instance: ProcessInstance, workflow) -> list[ProcessTimer]:
    """Make the mirror exact; returns the rows that became "fired" in this step."""
    views = {view.task_id: view for view in runtime.waiting_timers(workflow)}
    rows = _rows(session, instance.id, set(views))
    known = {row.task_id: row for row in rows}
    gone = [row for row in rows if row.status == "waiting" and row.task_id not in views]
    outcomes = runtime.timer_outcomes(workflow, [row.task_id for row in gone])
    now, fired = utcnow(), []
    for row in gone:
        row.status = outcomes[row.task_id]
        if row.status == "fired":
            row.fired_at = now
            fired.append(row)
    for task_id, view in views.items():
        _upsert(session, instance, known.get(task_id), view)
    if instance.status != "error":
        instance.error_message = None  # a step that stored cleanly ends any earlier failure
    session.flush()
    return fired


def cancel_timers(session: Session, instance: ProcessInstance) -> None:
    """Every waiting timer of a withdrawn or cancelled instance stops waiting."""
    for row in _rows(session, instance.id, set()):
        row.status = "cancelled"
    session.flush()


def _rows(session: Session, instance_id: int, task_ids: set[str]) -> list[ProcessTimer]:
    stmt = (select(ProcessTimer).where(ProcessTimer.instance_id == instance_id,
                                       or_(ProcessTimer.status == "waiting", ProcessTimer.task_id.in_(task_ids)))
            .execution_options(populate_existing=True))
    return list(session.scalars(stmt))


def _upsert(session: Session, instance: ProcessInstance, row: ProcessTimer | None, view) -> None:
    due = naive_utc(view.due)
    if row is None or row.status != "waiting" or row.due_at != due:
        sweep_booking.note(session, due)
    if row is None:
        session.add(ProcessTimer(instance_id=instance.id, task_id=view.task_id, bpmn_id=view.bpmn_id[:100],
                                 name=(view.name or None) and view.name[:200], kind=view.kind, due_at=due,
                                 interrupting=view.interrupting, attached_to=view.attached_to, status="waiting"))
        return
    if row.status != "waiting":  # a cycle timer (or a reset) waiting again
        row.status, row.fired_at = "waiting", None
    if row.due_at != due:
        row.due_at = due


def naive_utc(moment: datetime | None) -> datetime | None:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment is not None else None
