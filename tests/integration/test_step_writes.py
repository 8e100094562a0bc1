"""A task completion's reads and writes: the mirrors read with the lock, the writes sent together,
and form choices checked against only the submitted codes."""
from __future__ import annotations

import dataclasses

from sqlalchemy import event, select

from app.models import AuditEvent, HumanTask, InstanceEvent, ProcessTimer, TaskHistory
from app.models.reference import ReferenceEntry
from app.services import audit, instance_lock
from app.services.reference import existing_codes
from tests.integration.test_processes import act, inbox_of, publish, start


class _Statements:
    def __init__(self, connection_owner) -> None:
        self.engine, self.sql = connection_owner, []
        event.listen(self.engine, "before_cursor_execute", self._seen)

    def _seen(self, conn, cursor, statement, *args) -> None:
        self.sql.append(statement)

    def close(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._seen)


def test_a_completion_writes_everything_in_few_round_trips(dbs, world, tmp_path):
    """Does completing a task keep the mirror, history, timeline and audit chain exact, and on PostgreSQL
    send its own writes in two statements (one with the audit tip, one with the event)?"""
    publish(dbs, tmp_path)
    instance = start(dbs, world)
    (task,) = inbox_of(dbs, world, "validator.dinkes", instance)
    seq_before = dbs.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1))
    counter = _Statements(dbs.get_bind().engine)
    try:
        act(dbs, world, "validator.dinkes", instance, {"keputusan": "setuju", "catatan": "Lengkap"})
    finally:
        counter.close()
    assert dbs.get(HumanTask, task.id) is None
    assert [t.task_name for t in inbox_of(dbs, world, "bkpsdm", instance)] == ["Verifikasi BKPSDM"]
    history = dbs.scalars(select(TaskHistory).where(TaskHistory.instance_id == instance.id)).all()
    assert [(h.task_id, h.role) for h in history] == [(task.task_id, task.role)]
    last = dbs.scalars(select(InstanceEvent).where(InstanceEvent.instance_id == instance.id)
                       .order_by(InstanceEvent.id.desc())).first()
    assert (last.step, last.action, last.note) == (task.task_name, "setuju", "Lengkap")
    assert dbs.scalar(select(AuditEvent.action).where(AuditEvent.seq == (seq_before or 0) + 1)) == "task.completed"
    assert audit.verify_chain(dbs).ok
    writes = [sql for sql in counter.sql if not sql.lstrip().upper().startswith("SELECT")]
    if dbs.get_bind().dialect.name == "postgresql":
        step, event = [sql for sql in writes if sql.lstrip().startswith("WITH")]
        assert "UPDATE audit_head SET seq = seq + 1" in step and "INSERT INTO human_tasks" in step
        assert "INSERT INTO audit_events" in event and "UPDATE audit_head SET hash" in event
        assert not any(sql.lstrip().upper().startswith(("INSERT INTO HUMAN_TASKS", "DELETE", "UPDATE PROCESS"))
                       for sql in writes)


def test_mirrors_are_read_again_when_another_step_committed_during_the_wait(dbs, world, tmp_path):
    """When the version stamp seen by the lock statement's snapshot is older than the locked row's (another
    step committed while this one waited for the lock), are the mirror rows read again, current?"""
    publish(dbs, tmp_path)
    instance = start(dbs, world)
    (task,) = inbox_of(dbs, world, "validator.dinkes", instance)
    locked = instance_lock.lock_by_task(dbs, task.id, mirrors=True)
    assert [row.id for row in locked.open_tasks] == [task.id]
    stale = dataclasses.replace(locked, open_tasks=None, timers=None)
    snapshot = (locked.instance.lock_version - 1, [], [])  # what a snapshot from before the wait saw
    fresh = instance_lock._with_mirrors(dbs, stale, snapshot)
    assert [row.task_id for row in fresh.open_tasks] == [task.task_id]
    waiting = dbs.scalars(select(ProcessTimer.task_id).where(ProcessTimer.instance_id == instance.id,
                                                             ProcessTimer.status == "waiting")).all()
    assert sorted(row.task_id for row in fresh.timers) == sorted(waiting)
    dbs.rollback()


def test_existing_codes_reads_only_the_submitted_codes(dbs):
    """Does one query answer which submitted codes each reference table holds (and none for unknown ones)?"""
    table, code = dbs.execute(select(ReferenceEntry.table_key, ReferenceEntry.code).limit(1)).first()
    found = existing_codes(dbs, {table: {code, "tidak-ada"}, "tabel-tidak-ada": {"1"}})
    assert found == {table: {code}}
    assert existing_codes(dbs, {}) == {}

