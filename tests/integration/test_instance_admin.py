"""Administering one instance: suspend, resume, cancel, retry a failed step and reassign a task — each under
the lock, on the timeline and in the audit trail; wrong status answered 409, bad input 422, nothing half-done."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.models import AuditEvent, HumanTask, ProcessInstance
from app.services import instance_admin, processes, timers
from app.services.errors import ConflictError, ForbiddenError, NotFoundError, ValidationError
from tests.timing import (
    MONDAY_9_WIB,
    act,
    notification_titles,
    actor,
    publish,
    start,
    tasks_of,
    timeline,
    timers as timer_rows,
    user,
    variant,
    wib,
)

BROKEN_REMINDER = ('<spiffworkflow:parameter id="title" type="str" '
                   'value="&quot;Pengingat: usulan menunggu pemeriksaan&quot;" />')


@pytest.fixture()
def monday(time_machine):
    time_machine.move_to(MONDAY_9_WIB, tick=False)
    return time_machine


@pytest.fixture()
def owner(dbs, world):
    return user(dbs, world, "pemilik.proses")


def audit_actions(dbs, instance_id: int) -> list[str]:
    return list(dbs.scalars(select(AuditEvent.action).where(AuditEvent.object_id == str(instance_id))
                            .order_by(AuditEvent.seq)))


def failed_instance(dbs, world, tmp_path, monday):
    """An instance whose reminder step fails at the sweep (its operator lacks a parameter)."""
    publish(dbs, tmp_path, "uji_tenggat", variant("uji_tenggat", BROKEN_REMINDER, ""))
    instance = start(dbs, world)
    monday.move_to(wib(2025, 1, 7, 10), tick=False)
    assert timers.fire_due_timers(dbs).failed == [instance.id]
    dbs.refresh(instance)
    assert instance.status == "error"
    return instance


def test_suspend_hides_tasks_refuses_completion_and_stops_timers(dbs, world, tmp_path, monday, owner):
    """While suspended, is the task gone from the inbox, its completion and claim refused with a clear
    message, and its due timer left waiting; and after resuming does everything carry on?"""
    publish(dbs, tmp_path, "uji_tenggat")
    instance = start(dbs, world)
    (task,) = tasks_of(dbs, world, "validator.dinkes", instance)
    instance_admin.suspend(dbs, owner, actor(owner), instance.id, "Menunggu klarifikasi regulasi")
    assert dbs.get(ProcessInstance, instance.id).status == "suspended"
    assert tasks_of(dbs, world, "validator.dinkes", instance) == []
    validator = user(dbs, world, "validator.dinkes")
    with pytest.raises(ConflictError, match="ditangguhkan"):
        processes.complete_task(dbs, validator, actor(validator), task.id, {"keputusan": "setuju"})
    with pytest.raises(ConflictError, match="ditangguhkan"):
        processes.claim(dbs, validator, actor(validator), task.id)

    monday.move_to(wib(2025, 1, 7, 10), tick=False)  # the reminder is due
    assert timers.fire_due_timers(dbs).fired == 0
    assert [row.status for row in timer_rows(dbs, instance)] == ["waiting", "waiting"]

    resumed = instance_admin.resume(dbs, owner, actor(owner), instance.id)
    assert resumed.status == "waiting"
    assert timers.fire_due_timers(dbs).fired == 1
    act(dbs, world, "validator.dinkes", instance, {"keputusan": "setuju"})
    assert dbs.get(ProcessInstance, instance.id).status == "completed"
    assert ("Proses ditangguhkan", "tangguhkan") in timeline(dbs, instance)
    assert ("Proses dilanjutkan", "lanjutkan") in timeline(dbs, instance)
    assert {"process.suspended", "process.resumed"} <= set(audit_actions(dbs, instance.id))


def test_actions_the_status_does_not_allow_are_conflicts(dbs, world, tmp_path, monday, owner):
    """Are resuming a running instance, retrying one not in error, suspending twice, and any action on a
    finished instance refused with 409 and no timeline entry?"""
    publish(dbs, tmp_path, "uji_tenggat")
    instance = start(dbs, world)
    who = actor(owner)
    with pytest.raises(ConflictError, match="Menunggu"):
        instance_admin.resume(dbs, owner, who, instance.id)
    with pytest.raises(ConflictError):
        instance_admin.retry(dbs, owner, who, instance.id)
    instance_admin.suspend(dbs, owner, who, instance.id)
    with pytest.raises(ConflictError):
        instance_admin.suspend(dbs, owner, who, instance.id)
    instance_admin.cancel(dbs, owner, who, instance.id, "Usulan ganda")
    for action in (instance_admin.suspend, instance_admin.resume, instance_admin.retry):
        with pytest.raises(ConflictError, match="Dibatalkan"):
            action(dbs, owner, who, instance.id)
    with pytest.raises(ConflictError):
        instance_admin.cancel(dbs, owner, who, instance.id, "lagi")
    assert [action for _, action in timeline(dbs, instance)] == ["mulai", "tangguhkan", "batal"]


def test_cancel_needs_a_reason_and_ends_everything(dbs, world, tmp_path, monday, owner):
    """Is a cancellation without a reason refused (422) changing nothing, and with one does the instance end
    as cancelled with no open task and every timer cancelled?"""
    publish(dbs, tmp_path, "uji_tenggat")
    instance = start(dbs, world)
    with pytest.raises(ValidationError, match="Alasan pembatalan wajib diisi"):
        instance_admin.cancel(dbs, owner, actor(owner), instance.id, "   ")
    assert dbs.get(ProcessInstance, instance.id).status == "waiting"
    instance_admin.cancel(dbs, owner, actor(owner), instance.id, "Pegawai sudah pensiun")
    dbs.refresh(instance)
    assert (instance.status, instance.completed_at is not None) == ("cancelled", True)
    assert dbs.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id)).all() == []
    assert {row.status for row in timer_rows(dbs, instance)} == {"cancelled"}
    assert timeline(dbs, instance)[-1] == ("Proses dibatalkan oleh pengelola", "batal")
    event = dbs.scalar(select(AuditEvent).where(AuditEvent.action == "process.cancelled",
                                                AuditEvent.object_id == str(instance.id)))
    assert event.details["reason"] == "Pegawai sudah pensiun" and event.actor_user_id == owner.id


def test_retry_reruns_the_failed_step_and_reports_a_new_failure(dbs, world, tmp_path, monday, owner):
    """Does retrying an instance in error re-run its failed timer step at once — back in error with the
    reason and one more attempt while the step still fails, and on with the process once it no longer does?"""
    instance = failed_instance(dbs, world, tmp_path, monday)
    outcome = instance_admin.retry(dbs, owner, actor(owner), instance.id)
    assert outcome.instance.status == "error" and "title" in outcome.error
    assert timer_rows(dbs, instance, "waiting")[0].attempts == 2
    assert timeline(dbs, instance)[-2:] == [("Langkah gagal dicoba ulang", "coba_ulang"),
                                            ("Langkah terjadwal gagal", "gagal")]

    instance_admin.suspend(dbs, owner, actor(owner), instance.id)
    instance_admin.resume(dbs, owner, actor(owner), instance.id)
    assert dbs.get(ProcessInstance, instance.id).status == "error"  # resuming keeps an unresolved failure

    # The process owner repairs the step: a fixed version, onto which the instance is moved.
    fixed = publish(dbs, tmp_path, "uji_tenggat")
    dbs.get(ProcessInstance, instance.id).version_id = fixed.id
    dbs.commit()
    outcome = instance_admin.retry(dbs, owner, actor(owner), instance.id)
    assert (outcome.instance.status, outcome.error, outcome.fired) == ("waiting", None, 1)
    assert outcome.instance.error_message is None
    assert "process.retried" in audit_actions(dbs, instance.id)


def test_reassign_only_to_someone_holding_the_role_and_scope(dbs, world, tmp_path, monday, owner):
    """Is a task given (and announced) to a validator of its OPD, and refused (422, unchanged) for a validator of another
    OPD, one of a sub-unit, an unknown user, or a task of another instance?"""
    publish(dbs, tmp_path, "uji_tenggat")
    instance, other = start(dbs, world), start(dbs, world)
    (task,) = tasks_of(dbs, world, "validator.dinkes", instance)
    who = actor(owner)
    for username in ("validator.dindik", "validator.puskesmas", "bkpsdm", "asn.dinkes"):
        with pytest.raises(ValidationError, match="tidak memegang peran"):
            instance_admin.reassign(dbs, owner, who, instance.id, task.id, world["users"][username])
    with pytest.raises(ValidationError, match="Pilih pengguna"):
        instance_admin.reassign(dbs, owner, who, instance.id, task.id, "999999")
    with pytest.raises(NotFoundError):
        instance_admin.reassign(dbs, owner, who, other.id, task.id, world["users"]["validator.dinkes"])
    assert dbs.get(HumanTask, task.id).assignee_user_id is None

    target = world["users"]["validator.dinkes"]
    assert [u.id for u in instance_admin.candidates(dbs, dbs.get(HumanTask, task.id))] == [target]
    reassigned = instance_admin.reassign(dbs, owner, who, instance.id, task.id, str(target))
    assert reassigned.assignee_user_id == target and reassigned.claimed_at is not None
    assert timeline(dbs, instance)[-1] == ("Tugas 'Periksa usulan' dialihkan", "alihkan")
    assert notification_titles(dbs, world, "validator.dinkes")[-1] == "Tugas dialihkan kepada Anda: Periksa usulan"
    assert "task.reassigned" in dbs.scalars(select(AuditEvent.action).where(
        AuditEvent.object_id == str(task.id))).all()


def test_only_process_owners_and_admins_may_act(dbs, world, tmp_path, monday):
    """Is every action refused (403) to BKPSDM, a validator and an ASN, leaving the instance as it was?"""
    publish(dbs, tmp_path, "uji_tenggat")
    instance = start(dbs, world)
    (task,) = tasks_of(dbs, world, "validator.dinkes", instance)
    for username in ("bkpsdm", "validator.dinkes", "asn.dinkes", "kepala"):
        someone = user(dbs, world, username)
        who = actor(someone)
        for call in (lambda: instance_admin.suspend(dbs, someone, who, instance.id),
                     lambda: instance_admin.cancel(dbs, someone, who, instance.id, "x"),
                     lambda: instance_admin.reassign(dbs, someone, who, instance.id, task.id, someone.id)):
            with pytest.raises(ForbiddenError):
                call()
    assert dbs.get(ProcessInstance, instance.id).status == "waiting"
    admin = user(dbs, world, "admin")
    assert instance_admin.suspend(dbs, admin, actor(admin), instance.id).status == "suspended"
