"""The writes of one task completion, as Core statements sent in as few round trips as possible.

`processes.complete_task` collects its writes here instead of in the ORM unit of work: the instance's
new state, the human-task mirror (rows gone, their `task_history`, rows new), the timer mirror (only
what changed against the waiting timers read with the lock) and the timeline event. `Writes.execute`
sends them together with the statement that needs an answer (the audit chain's tip): on PostgreSQL as
one statement whose data-modifying CTEs all run to completion, elsewhere one by one.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, insert, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, attributes
from sqlalchemy.orm.util import identity_key

from ..engine import runtime
from ..models import HumanTask, InstanceEvent, ProcessInstance, ProcessTimer, TaskHistory
from ..models.base import utcnow
from .timer_mirror import naive_utc

_TASK_COLUMNS = [column.key for column in HumanTask.__table__.columns if column.key != "id"]


class Writes:
    """Statements queued for one round trip (see the module docstring)."""

    def __init__(self, session: Session) -> None:
        self.session, self.pending = session, []
        self.postgres = session.get_bind().dialect.name == "postgresql"

    def add(self, statement) -> None:
        self.pending.append(statement)

    def execute(self, final):
        """Run every queued statement, then `final`; returns `final`'s result."""
        pending, self.pending = self.pending, []
        if self.postgres and pending:
            final = final.add_cte(*(each.cte(f"step_write_{index}") for index, each in enumerate(pending)))
        else:
            for each in pending:
                self.session.execute(each)
        return self.session.execute(final)


def store_instance(writes: Writes, instance: ProcessInstance, values: dict) -> None:
    """The instance's new columns, written by Core and recorded as the ORM's committed state."""
    values = {**values, "lock_version": instance.lock_version + 1, "updated_at": utcnow(), "error_message": None}
    table = ProcessInstance.__table__
    writes.add(update(table).where(table.c.id == instance.id).values(**values))
    for key, value in values.items():
        attributes.set_committed_value(instance, key, value)


def sync_tasks(writes: Writes, instance: ProcessInstance, rows: list[HumanTask], existing) -> None:
    """task_mirror.sync for rows read with the lock (`instance_lock.OpenTask`)."""
    ready = {row.task_id: row for row in rows}
    gone = [row for row in existing if row.task_id not in ready]
    known = {row.task_id for row in existing}
    now = utcnow()
    new = [_task_values(row, now) for task_id, row in ready.items() if task_id not in known]
    for values in new:  # before the delete, so SQLite never hands a deleted task's id to a new task
        writes.add(insert(HumanTask.__table__).values(values))
    if gone:
        table = HumanTask.__table__
        writes.add(delete(table).where(table.c.id.in_([row.id for row in gone])))
        for row in gone:  # one statement per row: a multi-row VALUES has no compiled-cache key
            writes.add(insert(TaskHistory.__table__).values(_history(instance, row, now)))
        _forget(writes.session, [row.id for row in gone])


def sync_timers(writes: Writes, instance: ProcessInstance, workflow, waiting) -> list:
    """timer_mirror.sync_timers against the waiting timers read with the lock; nothing when unchanged.

    Returns the timers of `waiting` that went off in this step: those that fired, and cycle timers that
    fired and wait again with a later due time. A fired row counts one more attempt and loses its error."""
    views = {view.task_id: view for view in runtime.waiting_timers(workflow)}
    known = {row.task_id: row for row in waiting}
    gone = [row for row in waiting if row.task_id not in views]
    outcomes = runtime.timer_outcomes(workflow, [row.task_id for row in gone])
    table, now = ProcessTimer.__table__, utcnow()
    went_off = [row for row in gone if outcomes[row.task_id] == "fired"]
    for status in ("fired", "cancelled"):
        ids = [row.id for row in gone if outcomes[row.task_id] == status]
        if not ids:
            continue
        values = ({"status": status, "fired_at": now, "attempts": table.c.attempts + 1, "last_error": None}
                  if status == "fired" else {"status": status})
        writes.add(update(table).where(table.c.id.in_(ids)).values(**values))
    for task_id, view in views.items():
        due = naive_utc(view.due)
        if task_id not in known:
            writes.add(_upsert_timer(writes.postgres, instance, view, due))
        elif known[task_id].due_at != due:
            writes.add(update(table).where(table.c.id == known[task_id].id).values(due_at=due))
            before = known[task_id].due_at
            if before is not None and before <= now and (due is None or due > before):  # a cycle went round
                went_off.append(known[task_id])
    return went_off


def add_event(writes: Writes, instance: ProcessInstance, actor_user_id: int | None, actor_label: str, step: str,
              action: str, note=None) -> None:
    """A timeline event; `actor_user_id` None is the system (a timer)."""
    writes.add(insert(InstanceEvent.__table__).values(
        instance_id=instance.id, occurred_at=utcnow(), actor_user_id=actor_user_id, actor_label=actor_label,
        step=step[:300], action=action[:32], note=str(note) if note else None))


def _upsert_timer(postgres: bool, instance: ProcessInstance, view, due: datetime | None):
    """A new waiting timer, or (a cycle timer, a reset) an earlier row of the same task waiting again."""
    dialect = postgresql if postgres else sqlite
    stmt = dialect.insert(ProcessTimer.__table__).values(
        instance_id=instance.id, task_id=view.task_id, bpmn_id=view.bpmn_id[:100],
        name=(view.name or None) and view.name[:200], kind=view.kind, due_at=due, interrupting=view.interrupting,
        attached_to=view.attached_to, status="waiting", created_at=utcnow(), attempts=0)
    return stmt.on_conflict_do_update(index_elements=["instance_id", "task_id"],
                                      set_={"status": "waiting", "fired_at": None, "due_at": due})


def _task_values(row: HumanTask, now: datetime) -> dict:
    values = {key: getattr(row, key) for key in _TASK_COLUMNS}
    values["created_at"] = values["created_at"] or now
    return values


def _history(instance: ProcessInstance, row, ended: datetime) -> dict:
    ready = row.created_at or ended
    return {"instance_id": instance.id, "version_id": instance.version_id, "task_id": row.task_id,
            "bpmn_id": row.bpmn_id, "task_name": row.task_name, "role": row.role,
            "assignee_user_id": row.assignee_user_id, "ready_at": ready, "ended_at": ended,
            "seconds": max(0, int((ended - ready).total_seconds()))}


def _forget(session: Session, task_ids: list[int]) -> None:
    """Deleted rows leave the identity map too, as `session.delete` would have done."""
    for task_id in task_ids:
        row = session.identity_map.get(identity_key(HumanTask, task_id))
        if row is not None:
            session.expunge(row)
