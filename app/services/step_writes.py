"""The writes of one engine step (a task completion, a timer firing), sent in as few round trips as possible.

`processes.complete_task` and the timer sweep collect their writes here instead of in the ORM unit of
work: the instance's new state, the human-task mirror (rows gone, their `task_history`, rows new), the
timer mirror (only what changed against the waiting timers read with the lock) and the timeline events.
They go out with the statement that needs an answer, the audit chain's tip.

On PostgreSQL that is one statement for the whole step (`send_with_event`), a fixed SQL text built once
from the tables' columns: the rows travel as JSON parameters (`json_populate_recordset`) and every write
is a data-modifying CTE; the tip's `UPDATE … RETURNING` takes the next number and computes the event's
hash from the previous one (`sha256` of the canonical text, whose prefix `audit.hash_prefix` gives), and
the statement itself inserts the audit event. The text never changes, so psycopg prepares it once per
connection and no statement is constructed or compiled per step (building them took longer than running
them). Elsewhere (SQLite, which has no DML in CTEs) the same writes run as Core statements one by one,
then the tip's advance (`advance_head`) and the event (`append_audit`).
"""
from __future__ import annotations

import functools
import json
from datetime import datetime

from sqlalchemy import String, delete, insert, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session, attributes
from sqlalchemy.orm.util import identity_key

from ..engine import runtime
from ..extensions import insert_on_conflict
from ..models import (
    AuditEvent,
    AuditHead,
    HumanTask,
    InstanceEvent,
    Notification,
    ProcessInstance,
    ProcessTimer,
    TaskHistory,
)
from ..models.base import utcnow
from . import sweep_booking
from .timer_mirror import naive_utc

_TASK_COLUMNS = [column.key for column in HumanTask.__table__.columns if column.key != "id"]
_TIMER_COLUMNS = ["instance_id", "task_id", "bpmn_id", "name", "kind", "due_at", "interrupting", "attached_to",
                  "status", "created_at", "attempts"]
_INSTANCE_COLUMNS = ("state", "status", "opd_ids", "completed_at", "lock_version", "updated_at", "error_message")
_NOTIFICATION_COLUMNS = ["user_id", "created_at", "title", "body", "link"]
_CURRENT = "step_writes"  # session.info: the Writes of the step running in this session, if any


class Writes:
    """The writes of one step, queued until the audit chain's tip is advanced (see the module docstring)."""

    def __init__(self, session: Session, open_tasks: list | None = None) -> None:
        """`open_tasks`: the instance's mirror rows as the lock read them (`instance_lock.OpenTask`), for the
        task mirror's sync and for operators that ask (`record_lateness`)."""
        self.session = session
        self.postgres = session.get_bind().dialect.name == "postgresql"
        self.now = utcnow()
        self.open_tasks = open_tasks
        self._clear()

    def _clear(self) -> None:
        self.instance: tuple[int, dict] | None = None
        self.new_tasks: list[dict] = []
        self.gone_tasks: list[int] = []
        self.history: list[dict] = []
        self.fired_timers: list[int] = []
        self.cancelled_timers: list[int] = []
        self.new_timers: list[dict] = []
        self.moved_timers: list[dict] = []
        self.events: list[dict] = []
        self.notifications: list[dict] = []

    def __enter__(self) -> Writes:
        """While the step's engine runs, `current(session)` is this object (notifications join the step)."""
        self.session.info[_CURRENT] = self
        return self

    def __exit__(self, *_exc) -> None:
        self.session.info.pop(_CURRENT, None)

    def send_with_event(self, fields: dict, hash_prefix: str):
        """PostgreSQL: every queued write, the tip's advance and the audit event (`fields`: its columns but
        seq and the hashes) in one statement; returns the event's (seq, prev_hash, hash), or None when
        the chain has no tip yet (the writes are sent all the same; `advance_head` then starts it)."""
        params = {**fields, "details": json.dumps(fields["details"]), "audit_prefix": hash_prefix}
        if self.instance is not None:
            params.update(self._postgres_params())
        else:  # the text without the step's CTEs: whatever else is queued goes out first
            self.flush()
        result = self.session.connection().exec_driver_sql(_postgres_step_sql(self.instance is not None), params)
        self._clear()
        return result.first()

    def advance_head(self):
        """Send every queued write, then the tip's `UPDATE … RETURNING`; returns the row (seq, hash) or None."""
        self.flush()
        table = AuditHead.__table__
        return self.session.execute(update(table).where(table.c.id == 1).values(seq=table.c.seq + 1)
                                    .returning(table.c.seq, table.c.hash)).first()

    def append_audit(self, values: dict, new_hash: str) -> None:
        """The audit event (`values`: its columns) and the tip's new hash."""
        self.session.execute(insert(AuditEvent.__table__).values(values))
        head = AuditHead.__table__
        self.session.execute(update(head).where(head.c.id == 1).values(hash=new_hash))

    def flush(self) -> None:
        """Send the queued writes as Core statements, one by one (SQLite, or a step with no audit event)."""
        for statement in self._core_statements():
            self.session.execute(statement)
        self._clear()

    def _core_statements(self) -> list:
        statements = []
        if self.instance is not None:
            instance_id, values = self.instance
            table = ProcessInstance.__table__
            if isinstance(values["state"], str):  # the JSON column takes the value, not its text
                values = {**values, "state": json.loads(values["state"])}
            statements.append(update(table).where(table.c.id == instance_id).values(**values))
        # new tasks before the delete, so SQLite never hands a deleted task's id to a new task
        statements += [insert(HumanTask.__table__).values(values) for values in self.new_tasks]
        if self.gone_tasks:
            table = HumanTask.__table__
            statements.append(delete(table).where(table.c.id.in_(self.gone_tasks)))
        # one statement per row: a multi-row VALUES has no compiled-cache key
        statements += [insert(TaskHistory.__table__).values(values) for values in self.history]
        timers = ProcessTimer.__table__
        if self.fired_timers:
            statements.append(update(timers).where(timers.c.id.in_(self.fired_timers)).values(
                status="fired", fired_at=self.now, attempts=timers.c.attempts + 1, last_error=None))
        if self.cancelled_timers:
            statements.append(update(timers).where(timers.c.id.in_(self.cancelled_timers)).values(status="cancelled"))
        statements += [_upsert_timer(self.session, values) for values in self.new_timers]
        statements += [update(timers).where(timers.c.id == moved["id"]).values(due_at=moved["due_at"])
                       for moved in self.moved_timers]
        statements += [insert(InstanceEvent.__table__).values(values) for values in self.events]
        statements += [insert(Notification.__table__).values(values) for values in self.notifications]
        return statements

    def _postgres_params(self) -> dict:
        instance_id, values = self.instance
        return {"instance_id": instance_id, **{key: values[key] for key in _INSTANCE_COLUMNS},
                "state": _json_text(values["state"]), "opd_ids": json.dumps(values["opd_ids"]), "now": self.now,
                "new_tasks": _json(self.new_tasks), "gone_tasks": self.gone_tasks, "history": _json(self.history),
                "fired_timers": self.fired_timers, "cancelled_timers": self.cancelled_timers,
                "new_timers": _json(self.new_timers), "moved_timers": _json(self.moved_timers),
                "events": _json(self.events), "notifications": _json(self.notifications)}


def current(session: Session) -> Writes | None:
    """The Writes of the step running in `session` (inside `with Writes(session):`), or None."""
    return session.info.get(_CURRENT)


def add_notification(writes: Writes, user_id: int, title: str, body: str | None, link: str | None) -> None:
    writes.notifications.append({"user_id": user_id, "created_at": writes.now, "title": title, "body": body,
                                 "link": link})


def store_instance(writes: Writes, instance: ProcessInstance, values: dict) -> None:
    """The instance's new columns, written with the step and recorded as the ORM's committed state.

    A state given as JSON text (the serializer's) is sent as it is, never parsed and dumped again; the
    object's `state` is then expired, so reading it (after the step's statement) loads what was written."""
    values = {"completed_at": instance.completed_at, **values, "lock_version": instance.lock_version + 1,
              "updated_at": writes.now, "error_message": None}
    writes.instance = (instance.id, values)
    as_text = isinstance(values["state"], str)
    for key, value in values.items():
        if not (as_text and key == "state"):
            attributes.set_committed_value(instance, key, value)
    if as_text:
        writes.session.expire(instance, ["state"])


def sync_tasks(writes: Writes, instance: ProcessInstance, rows: list[HumanTask], existing) -> None:
    """task_mirror.sync for rows read with the lock (`instance_lock.OpenTask`)."""
    ready = {row.task_id: row for row in rows}
    gone = [row for row in existing if row.task_id not in ready]
    known = {row.task_id for row in existing}
    writes.new_tasks += [_task_values(row, writes.now) for task_id, row in ready.items() if task_id not in known]
    if gone:
        writes.gone_tasks += [row.id for row in gone]
        writes.history += [_history(instance, row, writes.now) for row in gone]
        _forget(writes.session, [row.id for row in gone])


def sync_timers(writes: Writes, instance: ProcessInstance, workflow, waiting) -> list:
    """timer_mirror.sync_timers against the waiting timers read with the lock; nothing when unchanged.

    Returns the timers of `waiting` that went off in this step: those that fired, and cycle timers that
    fired and wait again with a later due time. A fired row counts one more attempt and loses its error."""
    views = {view.task_id: view for view in runtime.waiting_timers(workflow)}
    known = {row.task_id: row for row in waiting}
    gone = [row for row in waiting if row.task_id not in views]
    outcomes = runtime.timer_outcomes(workflow, [row.task_id for row in gone])
    went_off = [row for row in gone if outcomes[row.task_id] == "fired"]
    writes.fired_timers += [row.id for row in went_off]
    writes.cancelled_timers += [row.id for row in gone if outcomes[row.task_id] == "cancelled"]
    for task_id, view in views.items():
        due = naive_utc(view.due)
        if task_id not in known:
            writes.new_timers.append(_timer_values(instance, view, due, writes.now))
            sweep_booking.note(writes.session, due)
        elif known[task_id].due_at != due:
            writes.moved_timers.append({"id": known[task_id].id, "due_at": due})
            sweep_booking.note(writes.session, due)
            before = known[task_id].due_at
            if before is not None and before <= writes.now and (due is None or due > before):  # a cycle went round
                went_off.append(known[task_id])
    return went_off


def add_event(writes: Writes, instance: ProcessInstance, actor_user_id: int | None, actor_label: str, step: str,
              action: str, note=None) -> None:
    """A timeline event; `actor_user_id` None is the system (a timer)."""
    writes.events.append({"instance_id": instance.id, "occurred_at": writes.now, "actor_user_id": actor_user_id,
                          "actor_label": actor_label, "step": step[:300], "action": action[:32],
                          "note": str(note) if note else None})


# --- statements ---------------------------------------------------------------------------------

def _upsert_timer(session: Session, values: dict):
    """A new waiting timer, or (a cycle timer, a reset) an earlier row of the same task waiting again."""
    stmt = insert_on_conflict(session, ProcessTimer.__table__).values(values)
    return stmt.on_conflict_do_update(index_elements=["instance_id", "task_id"],
                                      set_={"status": "waiting", "fired_at": None, "due_at": values["due_at"]})


def _from_json(table: str, columns: list[str], parameter: str) -> str:
    listed = ", ".join(columns)
    return (f"INSERT INTO {table} ({listed}) SELECT {listed} "
            f"FROM json_populate_recordset(NULL::{table}, CAST(%({parameter})s AS JSON))")


@functools.cache
def _postgres_step_sql(with_writes: bool = True) -> str:
    """Every write of a step as CTEs (empty JSON arrays write nothing), the audit tip's advance and the
    audit event inserted from it (see the module docstring); without `with_writes`, the last two only."""
    head = _postgres_head_sql()
    if not with_writes:
        return f"WITH {head}"
    history = [column.key for column in TaskHistory.__table__.columns if column.key != "id"]
    events = [column.key for column in InstanceEvent.__table__.columns if column.key != "id"]
    assignments = ", ".join(f"{column} = %({column})s" for column in _INSTANCE_COLUMNS
                            if column not in ("state", "opd_ids"))
    return f"""WITH
step_instance AS (UPDATE process_instances SET state = CAST(%(state)s AS JSON),
    opd_ids = CAST(%(opd_ids)s AS JSON), {assignments} WHERE id = %(instance_id)s),
step_new_tasks AS ({_from_json("human_tasks", _TASK_COLUMNS, "new_tasks")}),
step_gone_tasks AS (DELETE FROM human_tasks WHERE id = ANY(CAST(%(gone_tasks)s AS INTEGER[]))),
step_history AS ({_from_json("task_history", history, "history")}),
step_fired_timers AS (UPDATE process_timers SET status = 'fired', fired_at = %(now)s, attempts = attempts + 1,
    last_error = NULL WHERE id = ANY(CAST(%(fired_timers)s AS INTEGER[]))),
step_cancelled_timers AS (UPDATE process_timers SET status = 'cancelled'
    WHERE id = ANY(CAST(%(cancelled_timers)s AS INTEGER[]))),
step_new_timers AS ({_from_json("process_timers", _TIMER_COLUMNS, "new_timers")}
    ON CONFLICT (instance_id, task_id) DO UPDATE SET status = 'waiting', fired_at = NULL, due_at = EXCLUDED.due_at),
step_moved_timers AS (UPDATE process_timers SET due_at = moved.due_at
    FROM json_populate_recordset(NULL::process_timers, CAST(%(moved_timers)s AS JSON)) AS moved
    WHERE process_timers.id = moved.id),
step_events AS ({_from_json("instance_events", events, "events")}),
step_notifications AS ({_from_json("notifications", _NOTIFICATION_COLUMNS, "notifications")}),
{head}"""


def _postgres_head_sql() -> str:
    """The tip's advance, which keeps the previous hash and computes the event's (audit.event_hash in SQL:
    sha256 of prev_hash "|" canonical text, the text's prefix a parameter and the number appended), then
    the event's insert from it. Parameters are cast to their columns' types (a NULL has no type of its own)."""
    hashed = [column for column in AuditEvent.__table__.columns if column.key not in ("seq", "prev_hash", "hash")]
    dialect = postgresql.dialect()
    values = ", ".join(f"CAST(%({column.key})s AS {_cast_type(column, dialect)})" for column in hashed)
    listed = ", ".join(column.key for column in hashed)
    return f"""step_head AS (UPDATE audit_head SET seq = seq + 1, prev_hash = hash,
    hash = encode(sha256(convert_to(hash || '|' || CAST(%(audit_prefix)s AS TEXT) || CAST(seq + 1 AS TEXT) || '}}',
        'UTF8')), 'hex')
    WHERE id = 1 RETURNING seq, prev_hash, hash)
INSERT INTO audit_events ({listed}, seq, prev_hash, hash)
SELECT {values}, step_head.seq, step_head.prev_hash, step_head.hash FROM step_head
RETURNING seq, prev_hash, hash"""


def _cast_type(column, dialect) -> str:
    """A parameter's type: the column's, but TEXT for a VARCHAR(n), whose cast would cut a long value
    silently (the insert then refuses it, as the ORM's would, instead of storing what was not hashed)."""
    return "TEXT" if isinstance(column.type, String) else column.type.compile(dialect=dialect)


# --- rows ---------------------------------------------------------------------------------------

def _json_text(value) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _json(rows: list[dict]) -> str:
    return json.dumps(rows, default=_plain)


def _plain(value):
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _timer_values(instance: ProcessInstance, view, due: datetime | None, now: datetime) -> dict:
    return {"instance_id": instance.id, "task_id": view.task_id, "bpmn_id": view.bpmn_id[:100],
            "name": (view.name or None) and view.name[:200], "kind": view.kind, "due_at": due,
            "interrupting": view.interrupting, "attached_to": view.attached_to, "status": "waiting",
            "created_at": now, "attempts": 0}


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
