"""Timers on both backends: the mirror stays exact, the sweep fires each due timer once (also after a
stop, and with a failing instance among others), escalation records lateness, working days skip
holidays and days off, and timer-started processes start once per due time."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.models import AuditEvent, ProcessInstance, TimerStartRun, ValidationLateness
from app.services import days_off, timer_starts, timers
from app.services.audit import SYSTEM
from app.services.errors import ConflictError, ValidationError
from tests.timing import (
    MONDAY_9_WIB,
    act,
    assert_mirror_exact,
    naive_utc,
    notification_titles,
    publish,
    start,
    tasks_of,
    timeline,
    timers as timer_rows,
    user,
    actor,
    variant,
    wib,
)

REMINDER = "Pengingat: usulan menunggu pemeriksaan"


@pytest.fixture()
def monday(time_machine):
    time_machine.move_to(MONDAY_9_WIB, tick=False)
    return time_machine


def test_mirror_is_exact_after_every_transition(dbs, world, tmp_path, monday):
    """Do the mirrored timers equal the workflow's waiting timers after start, reminder and completion?"""
    publish(dbs, tmp_path, "uji_tenggat")
    instance = start(dbs, world)
    assert_mirror_exact(dbs, instance)
    by_id = {row.bpmn_id: row for row in timer_rows(dbs, instance)}
    assert by_id["pengingat"].due_at == naive_utc(wib(2025, 1, 7))
    assert by_id["eskalasi"].due_at == naive_utc(wib(2025, 1, 8))
    assert (by_id["pengingat"].interrupting, by_id["eskalasi"].interrupting) == (False, True)
    assert by_id["eskalasi"].attached_to == "periksa" and by_id["eskalasi"].kind == "duration"
    (task,) = tasks_of(dbs, world, "validator.dinkes", instance)
    assert task.due_at == naive_utc(wib(2025, 1, 8))  # the escalation, not the reminder

    monday.move_to(wib(2025, 1, 7, 9, 1), tick=False)
    result = timers.fire_due_timers(dbs)
    assert (result.fired, result.instances, result.failed) == (1, 1, [])
    assert_mirror_exact(dbs, instance)
    assert [(r.bpmn_id, r.status) for r in timer_rows(dbs, instance)] == [("pengingat", "fired"), ("eskalasi", "waiting")]

    act(dbs, world, "validator.dinkes", instance, {"keputusan": "setuju"})
    assert_mirror_exact(dbs, instance)
    assert [(r.bpmn_id, r.status) for r in timer_rows(dbs, instance)] == [("pengingat", "fired"), ("eskalasi", "cancelled")]
    dbs.refresh(instance)
    assert instance.status == "completed"


def test_withdrawal_cancels_waiting_timers(dbs, world, tmp_path, monday):
    """Does withdrawing a request stop its timers, so the sweep never wakes it?"""
    publish(dbs, tmp_path, "uji_tenggat")
    instance = start(dbs, world)
    asn = user(dbs, world, "asn.dinkes")
    from app.services import processes
    processes.withdraw(dbs, asn, actor(asn), instance.id, "Salah isi")
    assert {r.status for r in timer_rows(dbs, instance)} == {"cancelled"}
    monday.move_to(wib(2025, 1, 20), tick=False)
    assert timers.fire_due_timers(dbs).fired == 0


def test_reminder_fires_once_and_the_task_stays(dbs, world, tmp_path, monday):
    """Does the reminder notify the OPD's validator once, keep the task open, and a second sweep do nothing?"""
    publish(dbs, tmp_path, "uji_tenggat")
    instance = start(dbs, world)
    monday.move_to(wib(2025, 1, 7, 10), tick=False)
    timers.fire_due_timers(dbs)
    again = timers.fire_due_timers(dbs)
    assert (again.fired, again.instances) == (0, 0)
    assert notification_titles(dbs, world, "validator.dinkes") == [REMINDER]
    assert notification_titles(dbs, world, "validator.dindik") == []
    assert len(tasks_of(dbs, world, "validator.dinkes", instance)) == 1
    assert timeline(dbs, instance)[-1] == ("Pengingat 1 hari kerja", "pengingat")
    fired = dbs.scalars(select(AuditEvent).where(AuditEvent.action == "timer.fired",
                                                 AuditEvent.object_id == str(instance.id))).all()
    assert [e.details["timers"] for e in fired] == [["pengingat"]]


def test_escalation_moves_the_task_to_bkpsdm_and_records_lateness(dbs, world, tmp_path, monday):
    """After the deadline, does the task leave the validator for BKPSDM with a lateness row for the OPD?"""
    publish(dbs, tmp_path, "uji_tenggat")
    instance = start(dbs, world)
    monday.move_to(wib(2025, 1, 8, 9, 5), tick=False)
    result = timers.fire_due_timers(dbs)
    assert (result.fired, result.instances) == (2, 1)
    assert tasks_of(dbs, world, "validator.dinkes", instance) == []
    assert [t.task_name for t in tasks_of(dbs, world, "bkpsdm", instance)] == ["Putuskan (eskalasi)"]
    (late,) = dbs.scalars(select(ValidationLateness).where(ValidationLateness.instance_id == instance.id)).all()
    assert (late.opd_id, late.task_name, late.working_days_waited, late.period) == (
        "OPD-DINKES", "Periksa usulan", 2, "2025-01")
    assert late.due_at == naive_utc(wib(2025, 1, 8)) and late.received_at == naive_utc(MONDAY_9_WIB)
    assert ("Eskalasi 2 hari kerja", "tenggat") in timeline(dbs, instance)
    assert_mirror_exact(dbs, instance)


def test_lateness_is_recorded_once_per_task_and_a_second_ask_returns_the_first_record(dbs, world, tmp_path,
                                                                                     monday):
    """Asked outside a step (no mirror rows from a lock), does record_lateness find the open task in the
    table, write one row, and answer a second ask, a day later, with the first record unchanged?"""
    from app.services.lateness import record_lateness
    from app.services.operators import OperatorContext
    publish(dbs, tmp_path, "uji_tenggat")
    instance = start(dbs, world)
    context = OperatorContext(session=dbs, actor=SYSTEM, instance=instance)
    params = {"tugas": "Periksa usulan", "opd": "OPD-DINKES"}
    monday.move_to(wib(2025, 1, 8, 9, 5), tick=False)
    first = record_lateness(context, params, {})
    monday.move_to(wib(2025, 1, 9, 9, 5), tick=False)
    again = record_lateness(context, params, {})
    dbs.commit()
    assert first == again == {"hari_kerja": 2, "opd": "OPD-DINKES"}
    assert dbs.scalar(select(func.count()).select_from(ValidationLateness)
                      .where(ValidationLateness.instance_id == instance.id)) == 1
    with pytest.raises(ValidationError, match="tidak sedang terbuka"):
        record_lateness(context, {"tugas": "Tidak ada", "opd": "OPD-DINKES"}, {})


def test_timers_due_while_stopped_fire_on_the_next_sweep(dbs, world, tmp_path, monday):
    """When nothing ran for two weeks, does one sweep fire every overdue timer once, counting the days waited?"""
    publish(dbs, tmp_path, "uji_tenggat")
    first, second = start(dbs, world), start(dbs, world)
    monday.move_to(wib(2025, 1, 17, 14), tick=False)  # Friday of the next week
    result = timers.fire_due_timers(dbs)
    assert (result.fired, result.instances) == (4, 2)
    lateness = dbs.scalars(select(ValidationLateness.working_days_waited).where(
        ValidationLateness.instance_id.in_([first.id, second.id]))).all()
    assert lateness == [9, 9]
    assert notification_titles(dbs, world, "validator.dinkes") == [REMINDER, REMINDER]
    assert timers.fire_due_timers(dbs).fired == 0


def test_a_failing_instance_does_not_stop_the_others(dbs, world, tmp_path, monday):
    """Does a step that fails leave its instance in 'error' with the timer kept, while others fire; and can it be retried?"""
    publish(dbs, tmp_path, "uji_tenggat")
    good = start(dbs, world)
    broken = variant("uji_tenggat", '<spiffworkflow:parameter id="title" type="str" '
                     'value="&quot;Pengingat: usulan menunggu pemeriksaan&quot;" />', "")
    publish(dbs, tmp_path, "uji_tenggat", broken)
    bad = start(dbs, world)
    monday.move_to(wib(2025, 1, 7, 10), tick=False)
    result = timers.fire_due_timers(dbs)
    assert result.failed == [bad.id] and result.fired == 1
    dbs.refresh(bad)
    assert bad.status == "error" and "title" in bad.error_message
    (row,) = timer_rows(dbs, bad, "waiting")[:1]
    assert (row.bpmn_id, row.attempts) == ("pengingat", 1) and "title" in row.last_error
    assert timeline(dbs, bad)[-1] == ("Langkah terjadwal gagal", "gagal")
    assert timers.fire_due_timers(dbs).failed == []  # an instance in error waits for a retry
    timers.retry(dbs, SYSTEM, bad.id)
    assert timers.fire_due_timers(dbs).failed == [bad.id]
    assert timer_rows(dbs, bad, "waiting")[0].attempts == 2
    with pytest.raises(ConflictError):
        timers.retry(dbs, SYSTEM, good.id)
    assert dbs.get(ProcessInstance, good.id).status == "waiting"


def test_hari_kerja_skips_weekends_national_holidays_and_days_off(dbs, world, tmp_path, monday):
    """Do working days skip Saturday/Sunday, Isra Mikraj and Imlek 2025, and a cuti bersama added by an admin?"""
    functions = days_off.work_calendar(dbs)
    assert functions.add_working_days(wib(2025, 1, 24).date(), 2) == wib(2025, 1, 30).date()  # 27 and 29 off
    admin = user(dbs, world, "admin")
    day_off = days_off.add_day_off(dbs, admin, actor(admin), tanggal="2025-01-07", nama="Cuti bersama uji",
                                   jenis="cuti_bersama")
    publish(dbs, tmp_path, "uji_tenggat")
    instance = start(dbs, world)
    due = {row.bpmn_id: row.due_at for row in timer_rows(dbs, instance)}
    assert due == {"pengingat": naive_utc(wib(2025, 1, 8)), "eskalasi": naive_utc(wib(2025, 1, 9))}
    days_off.delete_day_off(dbs, admin, actor(admin), day_off.id)
    later = start(dbs, world)
    assert {row.bpmn_id: row.due_at for row in timer_rows(dbs, later)}["pengingat"] == naive_utc(wib(2025, 1, 7))


def test_a_timer_started_process_starts_once_per_due_time(dbs, world, tmp_path, time_machine):
    """With two beats asking, is a quarterly process started exactly once for each quarter since publication?"""
    time_machine.move_to(wib(2024, 12, 20), tick=False)
    publish(dbs, tmp_path, "uji_triwulan")
    time_machine.move_to(wib(2025, 1, 1, 7, 59), tick=False)
    assert timer_starts.start_due_processes(dbs) == 0
    time_machine.move_to(wib(2025, 4, 2), tick=False)  # the beats were stopped over the first quarter
    assert timer_starts.start_due_processes(dbs) == 2
    assert timer_starts.start_due_processes(dbs) == 0  # the second beat
    runs = dbs.scalars(select(TimerStartRun).where(TimerStartRun.process_key == "uji_triwulan")
                       .order_by(TimerStartRun.due_at)).all()
    assert [r.due_at for r in runs] == [naive_utc(wib(2025, 1, 1, 8)), naive_utc(wib(2025, 4, 1, 8))]
    instances = [dbs.get(ProcessInstance, r.instance_id) for r in runs]
    assert [i.title for i in instances] == ["Laporan triwulan uji — 01-01-2025", "Laporan triwulan uji — 01-04-2025"]
    bkpsdm_tasks = [t.task_name for i in instances for t in tasks_of(dbs, world, "bkpsdm", i)]
    assert bkpsdm_tasks == ["Susun laporan triwulan"] * 2
    count = dbs.scalar(select(func.count()).select_from(ProcessInstance).where(ProcessInstance.process_key == "uji_triwulan"))
    assert count == 2
    time_machine.move_to(wib(2025, 4, 2) + timedelta(days=90), tick=False)
    assert timers.fire_due_timers(dbs).started == 1  # the sweep also starts them (1 July)


def test_a_sweep_works_through_every_batch(dbs, world, tmp_path, monday):
    """With a batch limit of 2 and 5 overdue requests, does one sweep still fire all of them?"""
    publish(dbs, tmp_path, "uji_tenggat")
    ids = [start(dbs, world).id for _ in range(5)]
    monday.move_to(wib(2025, 1, 7, 10), tick=False)
    result = timers.fire_due_timers(dbs, limit=2)
    assert (result.fired, result.instances) == (5, 5)
    assert all(len(timer_rows(dbs, dbs.get(ProcessInstance, i), "fired")) == 1 for i in ids)
