"""Running a process: who sees a task, form validation, the revision loop, decree numbers,
withdrawal, claims, and two users completing the same task at once (PostgreSQL)."""
from __future__ import annotations

import os
import threading
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import sessionmaker

from app.engine.workdays import WIB
from app.extensions import make_engine
from app.migrate import upgrade
from app.models import HumanTask, InstanceEvent, Notification, ProcessInstance, User
from app.services import inbox, processes
from app.services.audit import Actor
from app.services.errors import ConflictError, NotFoundError, ValidationError
from app.services.organization import load_org_tree
from app.services.reference import load_reference
from tests import process_versions
from tests import world as world_module
from tests.services import require_postgres

DATA = Path(__file__).resolve().parents[1] / "data"
BPMN = DATA / "bpmn" / "usul_uji.bpmn"
FORMS = DATA / "forms"
KEY = "usul_uji"


def publish(session, tmp_path: Path, xml: bytes | None = None, forms: Path = FORMS):
    """Publish usul_uji (or a variant of it) from a fresh workflows folder; the new version or None."""
    return process_versions.publish(session, tmp_path, xml, bpmn=BPMN, key=KEY, forms=forms)


def user(session, world, username: str) -> User:
    return session.get(User, world["users"][username])


def actor(u: User) -> Actor:
    return Actor(u.id, u.display_name)


def start(session, world, username: str = "asn.dinkes", employee_key: str = "dinkes") -> ProcessInstance:
    u = user(session, world, username)
    return processes.start(session, u, actor(u), KEY, subject_employee_id=world["employees"][employee_key])


def inbox_of(session, world, username: str, instance: ProcessInstance | None = None) -> list[HumanTask]:
    tasks = inbox.tasks_for(session, user(session, world, username))
    return [t for t in tasks if instance is None or t.instance_id == instance.id]


def act(session, world, username: str, instance: ProcessInstance, data: dict) -> ProcessInstance:
    (task,) = inbox_of(session, world, username, instance)
    u = user(session, world, username)
    return processes.complete_task(session, u, actor(u), task.id, data)


def approve_all(session, world, instance: ProcessInstance) -> ProcessInstance:
    act(session, world, "validator.dinkes", instance, {"keputusan": "setuju", "catatan": "Lengkap"})
    return act(session, world, "bkpsdm", instance, {"catatan": "Sesuai"})


def notifications(session, world, username: str) -> list[Notification]:
    stmt = select(Notification).where(Notification.user_id == world["users"][username]).order_by(Notification.id)
    return list(session.scalars(stmt))


def test_only_the_validator_of_the_employees_opd_gets_the_task(dbs, world, tmp_path):
    """Does the task reach validator.dinkes only, and does validator.dindik get 'not found' for it?"""
    publish(dbs, tmp_path)
    instance = start(dbs, world)
    assert instance.status == "waiting" and instance.opd_ids == ["OPD-DINKES"]
    (task,) = inbox_of(dbs, world, "validator.dinkes", instance)
    assert (task.task_name, task.role, task.scope_opd_id) == ("Periksa usulan", "validator_opd", "OPD-DINKES")
    assert inbox_of(dbs, world, "validator.dindik", instance) == []
    assert inbox_of(dbs, world, "asn.dinkes", instance) == []
    outsider = user(dbs, world, "validator.dindik")
    with pytest.raises(NotFoundError):
        processes.complete_task(dbs, outsider, actor(outsider), task.id, {"keputusan": "setuju"})
    assert inbox_of(dbs, world, "validator.dinkes", instance)[0].id == task.id


def test_schema_violating_data_changes_nothing(dbs, world, tmp_path):
    """Is a decision outside the form's choices refused per field, with state, tasks and timeline untouched?"""
    publish(dbs, tmp_path)
    instance = start(dbs, world)
    before = (dict(instance.state), instance.lock_version, [t.id for t in inbox_of(dbs, world, "validator.dinkes")])
    events = len(processes.timeline(dbs, instance.id))
    with pytest.raises(ValidationError) as refused:
        act(dbs, world, "validator.dinkes", instance, {"keputusan": "mungkin"})
    assert "keputusan" in refused.value.fields
    dbs.refresh(instance)
    after = (instance.state, instance.lock_version, [t.id for t in inbox_of(dbs, world, "validator.dinkes")])
    assert after == before and len(processes.timeline(dbs, instance.id)) == events


def test_return_for_revision_goes_back_to_the_asn(dbs, world, tmp_path):
    """Does 'kembalikan' send the request to the ASN, notify them, and come back to the validator?"""
    publish(dbs, tmp_path)
    instance = start(dbs, world)
    act(dbs, world, "validator.dinkes", instance, {"keputusan": "kembalikan", "catatan": "Lampirkan SK"})
    assert inbox_of(dbs, world, "validator.dinkes", instance) == []
    (fix,) = inbox_of(dbs, world, "asn.dinkes", instance)
    assert fix.task_name == "Perbaiki usulan" and fix.role == "asn"
    assert inbox_of(dbs, world, "asn.dindik", instance) == []
    (note,) = notifications(dbs, world, "asn.dinkes")
    assert note.title == "Usulan dikembalikan untuk perbaikan" and note.body == "Lampirkan SK"
    act(dbs, world, "asn.dinkes", instance, {"keterangan": "SK terlampir"})
    assert [t.task_name for t in inbox_of(dbs, world, "validator.dinkes", instance)] == ["Periksa usulan"]
    steps = [(e.step, e.action) for e in processes.timeline(dbs, instance.id)]
    assert steps == [("Usulan dibuat", "mulai"), ("Periksa usulan", "kembalikan"), ("Perbaiki usulan", "selesai")]


def test_approval_issues_sequential_decree_numbers(dbs, world, tmp_path):
    """Do two approved requests complete with SK numbers 001 and 002 of this year, and is the ASN told?"""
    publish(dbs, tmp_path)
    first, second = start(dbs, world), start(dbs, world)
    assert inbox_of(dbs, world, "bkpsdm", first) == []  # nothing for BKPSDM before the validator approves
    for instance in (first, second):
        done = approve_all(dbs, world, instance)
        assert done.status == "completed" and done.completed_at is not None
        assert dbs.scalar(select(func.count()).select_from(HumanTask)
                          .where(HumanTask.instance_id == instance.id)) == 0
    year = datetime.now(WIB).year
    bodies = [n.body for n in notifications(dbs, world, "asn.dinkes")]
    assert bodies == [f"Nomor SK: 001/UJI/BKPSDM/{year}", f"Nomor SK: 002/UJI/BKPSDM/{year}"]


def test_rejection_ends_the_request(dbs, world, tmp_path):
    """Does 'tolak' end the request without reaching BKPSDM?"""
    publish(dbs, tmp_path)
    instance = start(dbs, world)
    done = act(dbs, world, "validator.dinkes", instance, {"keputusan": "tolak", "catatan": "Bukan kewenangan"})
    assert done.status == "completed" and inbox_of(dbs, world, "bkpsdm", instance) == []
    assert [n.title for n in notifications(dbs, world, "asn.dinkes")] == ["Usulan ditolak"]
    assert processes.timeline(dbs, instance.id)[-1].note == "Bukan kewenangan"


def test_withdrawal_by_the_initiator_only_while_open(dbs, world, tmp_path):
    """Can the ASN withdraw an open request (and nobody else), and not withdraw it twice?"""
    publish(dbs, tmp_path)
    instance = start(dbs, world)
    stranger = user(dbs, world, "validator.dinkes")
    with pytest.raises(NotFoundError):
        processes.withdraw(dbs, stranger, actor(stranger), instance.id, "Salah isi")
    asn = user(dbs, world, "asn.dinkes")
    with pytest.raises(ValidationError):
        processes.withdraw(dbs, asn, actor(asn), instance.id, "  ")
    withdrawn = processes.withdraw(dbs, asn, actor(asn), instance.id, "Salah isi")
    assert withdrawn.status == "cancelled" and inbox_of(dbs, world, "validator.dinkes", instance) == []
    with pytest.raises(ConflictError):
        processes.withdraw(dbs, asn, actor(asn), instance.id, "Lagi")


def test_claim_and_release(dbs, world, tmp_path):
    """Does a claim keep the task in the claimer's 'claimed' list, and can only the claimer release it?"""
    publish(dbs, tmp_path)
    instance = start(dbs, world)
    (task,) = inbox_of(dbs, world, "validator.dinkes", instance)
    validator = user(dbs, world, "validator.dinkes")
    processes.claim(dbs, validator, actor(validator), task.id)
    claimed = inbox.tasks_for(dbs, validator, claimed_only=True)
    assert [t.id for t in claimed] == [task.id] and claimed[0].assignee_user_id == validator.id
    processes.release(dbs, validator, actor(validator), task.id)
    assert inbox.tasks_for(dbs, validator, claimed_only=True) == []
    with pytest.raises(ConflictError):
        processes.release(dbs, validator, actor(validator), task.id)


def test_a_stale_page_gets_a_conflict(dbs, world, tmp_path):
    """Does a submission based on an older version of the instance get 409 naming who acted?"""
    publish(dbs, tmp_path)
    instance = start(dbs, world)
    stale = instance.lock_version
    (task,) = inbox_of(dbs, world, "validator.dinkes", instance)
    validator = user(dbs, world, "validator.dinkes")
    dbs.execute(text("UPDATE process_instances SET lock_version = lock_version + 1 WHERE id = :id"),
                {"id": instance.id})
    with pytest.raises(ConflictError, match="sudah diselesaikan oleh"):
        processes.complete_task(dbs, validator, actor(validator), task.id, {"keputusan": "setuju"},
                                expected_version=stale)


# --- two users at once, on a committed PostgreSQL schema -----------------------------------

@pytest.fixture()
def committed_world(tmp_path):
    """A separate, committed PostgreSQL schema with the test world (row locks between two connections
    are a PostgreSQL matter); dropped afterwards."""
    base = require_postgres()
    schema = f"simasn_conc_{os.getpid()}"
    admin = make_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    url = f"{base}?options=-csearch_path%3D{schema}"
    upgrade(url)
    engine = make_engine(url)
    factory = sessionmaker(engine, expire_on_commit=False)
    try:
        with factory() as session:
            load_reference(session)
            load_org_tree(session)
            session.commit()
            built = world_module.build(session)
        yield factory, built
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()


@pytest.mark.postgres
def test_two_users_completing_the_same_task_at_once(committed_world, tmp_path):
    """When two sessions complete one task at the same moment, does exactly one win and the other get 409?"""
    factory, built = committed_world
    with factory() as session:
        publish(session, tmp_path)
        instance = start(session, built)
        (task,) = inbox_of(session, built, "validator.dinkes", instance)
        instance_id, task_id = instance.id, task.id
    barrier, outcomes = threading.Barrier(2), []

    def complete():
        with factory() as session:
            validator = user(session, built, "validator.dinkes")
            barrier.wait()
            try:
                processes.complete_task(session, validator, actor(validator), task_id, {"keputusan": "setuju"})
                outcomes.append("ok")
            except ConflictError as err:
                outcomes.append(err)

    threads = [threading.Thread(target=complete) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(outcomes) == 2 and outcomes.count("ok") == 1
    (conflict,) = [o for o in outcomes if o != "ok"]
    assert isinstance(conflict, ConflictError) and "sudah diselesaikan oleh" in conflict.message
    with factory() as session:
        steps = session.scalars(select(InstanceEvent.step).where(InstanceEvent.instance_id == instance_id)).all()
        assert steps.count("Periksa usulan") == 1
        assert [t.task_name for t in inbox_of(session, built, "bkpsdm")] == ["Verifikasi BKPSDM"]

