"""Version pinning and moving running instances to a newer version: the dry run, the move of the
compatible ones (mirrors exact, timeline and audit written) and the refusal of the others."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.models import AuditEvent, InstanceEvent, ProcessTimer
from app.services import instance_migration
from app.services.errors import ForbiddenError, NotFoundError
from tests.process_versions import V2, act, actor, publish, start, tasks_of, user, variant


def owner(dbs, world):
    return user(dbs, world, "pemilik.proses")


def timers_of(dbs, instance) -> list[ProcessTimer]:
    return list(dbs.scalars(select(ProcessTimer).where(ProcessTimer.instance_id == instance.id,
                                                       ProcessTimer.status == "waiting")))


def two_versions(dbs, world, tmp_path):
    """v1 with instance A waiting at 'Periksa usulan' and B at 'Verifikasi BKPSDM'; then v2 published."""
    v1 = publish(dbs, tmp_path)
    at_check, at_verification = start(dbs, world), start(dbs, world)
    act(dbs, world, "validator.dinkes", at_verification, {"keputusan": "setuju"})
    v2 = publish(dbs, tmp_path, variant(*V2))
    return v1, v2, at_check, at_verification


def test_an_instance_started_on_v1_finishes_on_v1_after_v2(dbs, world, tmp_path):
    """Does a running instance keep its version (names, deadline, steps) when v2 is published, while a
    new instance starts on v2?"""
    v1 = publish(dbs, tmp_path)
    old = start(dbs, world)
    v2 = publish(dbs, tmp_path, variant(*V2))
    new = start(dbs, world)
    assert (old.version_id, new.version_id) == (v1.id, v2.id)
    assert tasks_of(dbs, old)[0].task_name == "Periksa usulan"
    assert tasks_of(dbs, new)[0].task_name == "Periksa usulan (v2)"
    act(dbs, world, "validator.dinkes", old, {"keputusan": "setuju"})
    assert tasks_of(dbs, old)[0].task_name == "Verifikasi BKPSDM"
    done = act(dbs, world, "bkpsdm", old, {"catatan": "Sesuai"})
    assert (done.status, done.version_id) == ("completed", v1.id)


def test_dry_run_lists_migratable_and_refused_with_reasons(dbs, world, tmp_path):
    """Does the dry run list the instance at a step that still exists as migratable (saying what changes),
    and the one waiting at a removed step as refused, naming that step?"""
    v1, v2, at_check, at_verification = two_versions(dbs, world, tmp_path)
    verdicts = {v.instance_id: v for v in instance_migration.dry_run(dbs, "studio_uji", 2, user=owner(dbs, world))}
    assert set(verdicts) == {at_check.id, at_verification.id}
    good, bad = verdicts[at_check.id], verdicts[at_verification.id]
    assert good.migratable and (good.from_version, good.status) == (1, "waiting")
    assert "'Periksa usulan' (id periksa) memakai nama versi baru" in good.reason
    assert "Tenggat 'Tenggat periksa' (id tenggat) dihitung ulang" in good.reason
    assert not bad.migratable
    assert bad.reason == ("Langkah yang sedang ditunggu 'Verifikasi BKPSDM' (id verifikasi) "
                          "tidak ada di versi tujuan.")


def test_migrate_moves_the_compatible_one_and_it_finishes_on_v2(dbs, world, tmp_path):
    """Does migrating both move only the compatible instance (new version, same task row renamed, new
    deadline mirrored, timeline and audit), refuse the other unchanged, and let the moved one finish on v2?"""
    v1, v2, at_check, at_verification = two_versions(dbs, world, tmp_path)
    task_before = tasks_of(dbs, at_check)[0]
    task_id, due_before = task_before.id, task_before.due_at
    refused_state, refused_tasks = dict(at_verification.state), [t.id for t in tasks_of(dbs, at_verification)]
    u = owner(dbs, world)
    results = instance_migration.migrate(dbs, actor(u), [at_check.id, at_verification.id], 2,
                                         process_key="studio_uji", user=u)
    assert [(r.instance_id, r.migratable) for r in results] == [(at_check.id, True), (at_verification.id, False)]
    dbs.expire_all()
    assert (at_check.version_id, at_verification.version_id) == (v2.id, v1.id)
    assert at_verification.state == refused_state and [t.id for t in tasks_of(dbs, at_verification)] == refused_tasks
    (moved_task,) = tasks_of(dbs, at_check)
    assert (moved_task.id, moved_task.task_name) == (task_id, "Periksa usulan (v2)")
    assert moved_task.due_at > due_before  # 5 working days counted from the move instead of 3
    assert [t.due_at for t in timers_of(dbs, at_check)] == [moved_task.due_at]
    event = dbs.scalars(select(InstanceEvent).where(InstanceEvent.instance_id == at_check.id)
                        .order_by(InstanceEvent.id.desc())).first()
    assert (event.action, event.step) == ("migrasi", "Dipindahkan ke versi 2")
    audited = dbs.scalars(select(AuditEvent).where(AuditEvent.action == "process.migrated")).all()
    assert [(a.object_id, a.details["from_version"], a.details["to_version"]) for a in audited] == [
        (str(at_check.id), 1, 2)]
    run = dbs.scalars(select(AuditEvent).where(AuditEvent.action == "process.migration_run")).one()
    assert run.details["moved"] == [at_check.id] and list(run.details["refused"]) == [str(at_verification.id)]
    act(dbs, world, "validator.dinkes", at_check, {"keputusan": "setuju"})
    assert tasks_of(dbs, at_check)[0].task_name == "Verifikasi akhir BKPSDM"
    done = act(dbs, world, "bkpsdm", at_check, {"catatan": "Sesuai"})
    assert (done.status, done.version_id) == ("completed", v2.id)


def test_an_unchanged_deadline_keeps_its_due_time(dbs, world, tmp_path):
    """When the waiting timer is the same in the new version, does the moved instance keep its due time
    (a migration never extends a deadline)?"""
    publish(dbs, tmp_path)
    instance = start(dbs, world)
    (timer_before,) = timers_of(dbs, instance)
    publish(dbs, tmp_path, variant(('name="Kabari pegawai"', 'name="Kabari pegawai segera"')))
    u = owner(dbs, world)
    (result,) = instance_migration.migrate(dbs, actor(u), [instance.id], 2, process_key="studio_uji", user=u)
    assert result.migratable and result.reason == "Dipindahkan."
    dbs.expire_all()
    (timer_after,) = timers_of(dbs, instance)
    assert (timer_after.task_id, timer_after.due_at) == (timer_before.task_id, timer_before.due_at)
    assert tasks_of(dbs, instance)[0].due_at == timer_before.due_at


def test_finished_instances_are_not_listed_and_older_targets_refused(dbs, world, tmp_path):
    """Are finished instances left out of the dry run, and is a move to the instance's own version refused?"""
    v1, v2, at_check, at_verification = two_versions(dbs, world, tmp_path)
    act(dbs, world, "bkpsdm", at_verification, {"catatan": "Sesuai"})
    listed = instance_migration.dry_run(dbs, "studio_uji", 2, user=owner(dbs, world))
    assert [v.instance_id for v in listed] == [at_check.id]
    assert instance_migration.dry_run(dbs, "studio_uji", 1, user=owner(dbs, world)) == []
    u = owner(dbs, world)
    start(dbs, world)  # on v2
    (result,) = instance_migration.migrate(dbs, actor(u), [at_check.id], 1, process_key="studio_uji", user=u)
    assert not result.migratable and "migrasi hanya ke versi yang lebih baru" in result.reason


def test_only_process_owners_and_admins_may_migrate(dbs, world, tmp_path):
    """Are a validator and a BKPSDM analyst refused the dry run and the move, and an unknown version 'not found'?"""
    two_versions(dbs, world, tmp_path)
    for username in ("validator.dinkes", "bkpsdm"):
        someone = user(dbs, world, username)
        with pytest.raises(ForbiddenError):
            instance_migration.dry_run(dbs, "studio_uji", 2, user=someone)
        with pytest.raises(ForbiddenError):
            instance_migration.migrate(dbs, actor(someone), [1], 2, process_key="studio_uji", user=someone)
    with pytest.raises(NotFoundError):
        instance_migration.dry_run(dbs, "studio_uji", 9, user=user(dbs, world, "admin"))


def test_a_waiting_task_in_an_unmapped_lane_is_refused(dbs, world, tmp_path):
    """When the new version puts the waiting task in a lane with no role, does the dry run say so and the
    move refuse it, leaving the instance and its task as they were?"""
    v1 = publish(dbs, tmp_path)
    instance = start(dbs, world)
    (task,) = tasks_of(dbs, instance)
    publish(dbs, tmp_path, variant(('name="Validator OPD"', 'name="Lajur Baru"')))
    u = owner(dbs, world)
    (verdict,) = instance_migration.dry_run(dbs, "studio_uji", 2, user=u)
    assert not verdict.migratable and "Lajur 'Lajur Baru'" in verdict.reason and "belum dipetakan" in verdict.reason
    (result,) = instance_migration.migrate(dbs, actor(u), [instance.id], 2, process_key="studio_uji", user=u)
    assert not result.migratable and "belum dipetakan" in result.reason
    dbs.expire_all()
    assert instance.version_id == v1.id
    assert [(t.id, t.lane, t.role) for t in tasks_of(dbs, instance)] == [(task.id, "Validator OPD", "validator_opd")]
