"""A task completion's reads and writes: the mirrors read with the lock, the writes sent together,
and form choices checked against only the submitted codes."""
from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, attributes

from app.extensions import make_engine
from app.migrate import upgrade
from app.models import (
    AuditEvent,
    AuditHead,
    HumanTask,
    InstanceEvent,
    ProcessInstance,
    ProcessTimer,
    TaskHistory,
    User,
)
from app.models.reference import ReferenceEntry
from app.services import audit, instance_lock, operators, reference, step_writes
from app.services.reference import existing_codes
from tests.integration.test_processes import act, inbox_of, publish, start
from tests.workers import postgres_schema  # noqa: F401

AWKWARD = {"catatan": 'Kutip " garis \\ miring, é ñ 中文 😀', "angka": [1, 2.5, None, True], "kosong": {}}


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
    send its own writes, the audit tip's advance and the audit event (hashed by the database) in one
    statement?"""
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
        (step,) = [sql for sql in writes if sql.lstrip().startswith("WITH")]
        assert "UPDATE audit_head SET seq = seq + 1" in step and "INSERT INTO human_tasks" in step
        assert "INSERT INTO audit_events" in step and "sha256" in step
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


def test_the_subjects_accounts_are_read_with_the_lock(dbs, world, tmp_path):
    """Does the lock statement bring the subject employee's active accounts, so that `notify` to the
    subject reads nothing more in that transaction (and reads them itself in any other)?"""
    publish(dbs, tmp_path)
    instance = start(dbs, world)
    (task,) = inbox_of(dbs, world, "validator.dinkes", instance)
    expected = sorted(dbs.scalars(select(User.id).where(User.employee_id == instance.subject_employee_id,
                                                        User.active.is_(True))))
    assert expected == [world["users"]["asn.dinkes"]]
    locked = instance_lock.lock_by_task(dbs, task.id, mirrors=True)
    assert instance_lock.subject_users(dbs, locked.instance) == expected
    counter = _Statements(dbs.get_bind().engine)
    try:
        context = operators.OperatorContext(session=dbs, actor=audit.SYSTEM, instance=locked.instance)
        assert operators._recipients(context, "subject") == expected
    finally:
        counter.close()
    assert counter.sql == []
    dbs.rollback()
    assert instance_lock.subject_users(dbs, locked.instance) is None  # another transaction: read again
    assert operators._recipients(context, "subject") == expected


def test_reference_codes_are_checked_from_the_cache_of_the_locked_revision(dbs, world, tmp_path):
    """After the instance lock read the reference tables' revision, are submitted codes checked against
    this process's cached codes (no query once a table is cached), and does a reload of the table (a new
    revision) make the check ask the database again?"""
    publish(dbs, tmp_path)
    instance = start(dbs, world)
    (task,) = inbox_of(dbs, world, "validator.dinkes", instance)
    table, code = dbs.execute(select(ReferenceEntry.table_key, ReferenceEntry.code).limit(1)).first()
    instance_lock.lock_by_task(dbs, task.id, mirrors=True)
    wanted = {table: {code, "tidak-ada"}, "tabel-tidak-ada": {"1"}}
    assert existing_codes(dbs, wanted) == {table: {code}}  # loads each table once
    counter = _Statements(dbs.get_bind().engine)
    try:
        assert existing_codes(dbs, wanted) == {table: {code}}
    finally:
        counter.close()
    assert counter.sql == []
    others = [{"table_key": table, "code": entry, "name": name, "attrs": attrs} for entry, name, attrs in dbs.execute(
        select(ReferenceEntry.code, ReferenceEntry.name, ReferenceEntry.attrs).where(
            ReferenceEntry.table_key == table, ReferenceEntry.code != code))]
    reference._replace_entries(dbs, table, others)  # a reload without that code: a new revision
    assert existing_codes(dbs, {table: {code}}) == {}
    dbs.rollback()


def test_the_locked_instance_is_the_sessions_object_with_the_rows_values(dbs, world, tmp_path):
    """Does the lock give the session's own instance object, holding the row as it is now (also when the
    session held an older copy), persistent and clean, so that a later ORM change is flushed against the
    right version?"""
    publish(dbs, tmp_path)
    instance = start(dbs, world)
    (task,) = inbox_of(dbs, world, "validator.dinkes", instance)
    held = dbs.get(ProcessInstance, instance.id)
    attributes.set_committed_value(held, "title", "salinan lama")  # a stale copy in the identity map
    locked = instance_lock.lock_by_task(dbs, task.id)
    assert locked.instance is held and held.title != "salinan lama"
    assert held in dbs and held not in dbs.dirty and held not in dbs.new
    dbs.expunge(held)
    locked = instance_lock.lock_by_instance(dbs, instance.id)
    fresh = locked.instance
    assert fresh is not held and fresh in dbs and fresh not in dbs.dirty and fresh not in dbs.new
    assert (fresh.title, fresh.lock_version, fresh.state) == (held.title, held.lock_version, held.state)
    fresh.title = "Judul baru"
    dbs.flush()  # an UPDATE checked against the lock version read with the lock
    assert dbs.scalar(select(ProcessInstance.lock_version).where(ProcessInstance.id == instance.id)) == \
        held.lock_version + 1
    dbs.rollback()


def test_existing_codes_reads_only_the_submitted_codes(dbs):
    """Does one query answer which submitted codes each reference table holds (and none for unknown ones)?"""
    table, code = dbs.execute(select(ReferenceEntry.table_key, ReferenceEntry.code).limit(1)).first()
    found = existing_codes(dbs, {table: {code, "tidak-ada"}, "tabel-tidak-ada": {"1"}})
    assert found == {table: {code}}
    assert existing_codes(dbs, {}) == {}



def test_the_event_hash_is_the_same_from_either_side(dbs):
    """Is an event recorded with a step's writes (hashed by PostgreSQL in the statement, by Python on
    SQLite) hashed exactly as Python hashes it, for text with quotes, backslashes and non-ASCII, and
    does the stored row verify with the rest of the chain?"""
    writes = step_writes.Writes(dbs)
    actor = audit.Actor(None, "Sistem — pengujian ñ", "10.0.0.1")
    recorded = audit.record(dbs, actor, "uji.hash", "process_instance", 42, writes=writes, **AWKWARD)
    stored = dbs.scalars(select(AuditEvent).where(AuditEvent.seq == recorded.seq)
                         .execution_options(populate_existing=True)).one()
    assert (stored.hash, stored.prev_hash, stored.details) == (recorded.hash, recorded.prev_hash, AWKWARD)
    assert audit.event_hash(stored) == stored.hash
    assert dbs.get(AuditHead, 1, populate_existing=True).hash == stored.hash
    assert audit.verify_chain(dbs).ok


def test_writes_queued_without_an_instance_row_are_not_dropped(dbs, world, tmp_path):
    """When a step queued a timeline event but no new instance columns, is the event still written with
    the audit event (on PostgreSQL the statement then has no step CTEs)?"""
    publish(dbs, tmp_path)
    instance = start(dbs, world)
    writes = step_writes.Writes(dbs)
    step_writes.add_event(writes, instance, None, "Sistem", "Langkah uji", "uji", "tanpa baris instans")
    audit.record(dbs, audit.SYSTEM, "uji.tanpa_instans", "process_instance", instance.id, writes=writes)
    notes = dbs.scalars(select(InstanceEvent.note).where(InstanceEvent.instance_id == instance.id)).all()
    assert "tanpa baris instans" in notes
    assert audit.verify_chain(dbs).ok


def test_a_too_long_label_is_never_stored_cut(dbs):
    """Is an actor label longer than its column refused by PostgreSQL (nothing written) rather than stored
    cut, which would leave a hash that no longer verifies? (SQLite keeps the whole text, which verifies.)"""
    last = dbs.scalar(select(AuditHead.seq).where(AuditHead.id == 1))
    label = "x" * 201
    if dbs.get_bind().dialect.name == "postgresql":
        with pytest.raises(DBAPIError):
            with dbs.begin_nested():
                audit.record(dbs, audit.Actor(None, label), "uji.panjang", writes=step_writes.Writes(dbs))
        assert dbs.scalar(select(AuditHead.seq).where(AuditHead.id == 1)) == last
    else:
        event = audit.record(dbs, audit.Actor(None, label), "uji.panjang", writes=step_writes.Writes(dbs))
        assert dbs.scalar(select(AuditEvent.actor_label).where(AuditEvent.seq == event.seq)) == label
    assert audit.verify_chain(dbs).ok


def test_a_step_starts_an_empty_chain(postgres_schema):  # noqa: F811
    """On a database whose chain has no tip yet, does a step's single statement still send its writes and
    the chain start at #1, the next step's event then hashed by the database after it?"""
    upgrade(postgres_schema)
    engine = make_engine(postgres_schema)
    try:
        with Session(engine) as session:
            first = audit.record(session, audit.SYSTEM, "uji.pertama", writes=step_writes.Writes(session))
            second = audit.record(session, audit.SYSTEM, "uji.kedua", writes=step_writes.Writes(session))
            session.commit()
            assert (first.seq, first.prev_hash) == (1, audit.GENESIS)
            assert (second.seq, second.prev_hash) == (2, first.hash)
            report = audit.verify_chain(session)
            assert report.ok and report.checked == 2
    finally:
        engine.dispose()
