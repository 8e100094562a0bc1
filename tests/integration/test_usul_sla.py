"""The SLAs of the shipped `usul_perubahan_data` process, end to end with the timer sweep: the validator's
reminder and escalation to BKPSDM (lateness recorded against the OPD), the ASN's reminder and the
cancellation after 14 days, and the BKPSDM reminder. Time is moved, never waited for."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.models import ProcessTimer, ValidationLateness
from app.services import timers
from tests.integration.test_usul_journeys import (  # noqa: F401  (fixtures)
    act,
    evidence,
    propose,
    shipped,
    tasks_of,
    titles,
)
from tests.samples import additions
from tests.timing import MONDAY_9_WIB, naive_utc, timeline, wib

VALIDATOR_REMINDER = "Pengingat: usulan menunggu pemeriksaan validator"
ESCALATED_BKPSDM = "Eskalasi: usulan belum diperiksa validator OPD dalam 5 hari kerja"
ESCALATED_VALIDATOR = "Usulan dialihkan ke BKPSDM: melewati 5 hari kerja"
ASN_REMINDER = "Pengingat: usulan Anda menunggu perbaikan"
CANCELLED = "Usulan dibatalkan karena tidak diperbaiki dalam 14 hari"
BKPSDM_REMINDER = "Pengingat: verifikasi usulan melewati 5 hari kerja"


@pytest.fixture()
def request_on_monday(dbs, world, shipped, evidence, time_machine):  # noqa: F811
    """An ASN's proposal (a new child) submitted on Monday 6 January 2025, 09:00 WIB."""
    time_machine.move_to(MONDAY_9_WIB, tick=False)
    return propose(dbs, world, shipped, "riwayat_anak", additions(world)["riwayat_anak"], evidence())


def sweep_at(session, time_machine, moment) -> timers.SweepResult:
    time_machine.move_to(moment, tick=False)
    return timers.fire_due_timers(session)


def test_validator_is_reminded_after_three_working_days(dbs, world, request_on_monday, time_machine):
    """Is the OPD's validator reminded on Thursday, with the task left open and due on the 5th working day?"""
    instance = request_on_monday
    (task,) = tasks_of(dbs, world, "validator.dinkes", instance)
    assert task.due_at == naive_utc(wib(2025, 1, 13))
    assert sweep_at(dbs, time_machine, wib(2025, 1, 9, 8, 59)).fired == 0
    assert sweep_at(dbs, time_machine, wib(2025, 1, 9, 9, 1)).fired == 1
    assert VALIDATOR_REMINDER in titles(dbs, world, "validator.dinkes")
    assert VALIDATOR_REMINDER not in titles(dbs, world, "validator.dindik")
    assert [t.id for t in tasks_of(dbs, world, "validator.dinkes", instance)] == [task.id]


def test_escalation_to_bkpsdm_records_lateness_and_bkpsdm_decides(dbs, world, request_on_monday, time_machine):
    """After 5 working days, does BKPSDM get the task in place of the validator, is the OPD's lateness
    recorded, and can BKPSDM take the request to the end?"""
    instance = request_on_monday
    result = sweep_at(dbs, time_machine, wib(2025, 1, 13, 9, 1))
    assert (result.fired, result.failed) == (2, [])  # the reminder, overdue too, and the escalation
    assert tasks_of(dbs, world, "validator.dinkes", instance) == []
    (escalated,) = tasks_of(dbs, world, "bkpsdm", instance)
    assert escalated.task_name == "Periksa usulan (eskalasi)"
    late = dbs.scalars(select(ValidationLateness).where(ValidationLateness.instance_id == instance.id)).one()
    assert (late.opd_id, late.working_days_waited, late.period) == ("OPD-DINKES", 5, "2025-01")
    assert ESCALATED_BKPSDM in titles(dbs, world, "bkpsdm")
    assert ESCALATED_VALIDATOR in titles(dbs, world, "validator.dinkes")
    assert ("Eskalasi ke BKPSDM (5 hari kerja)", "tenggat") in timeline(dbs, instance)
    act(dbs, world, "bkpsdm", instance, {"keputusan": "setuju"})
    assert [t.task_name for t in tasks_of(dbs, world, "bkpsdm", instance)] == ["Verifikasi BKPSDM"]
    done = act(dbs, world, "bkpsdm", instance, {"keputusan": "setuju"})
    assert done.status == "completed"


def test_asn_is_reminded_then_the_request_is_cancelled_after_14_days(dbs, world, request_on_monday, time_machine):
    """After a return for revision, is the ASN reminded after 5 working days and the request cancelled,
    with a notice, after 14 calendar days?"""
    instance = request_on_monday
    act(dbs, world, "validator.dinkes", instance, {"keputusan": "kembalikan", "catatan": "Lampirkan akta"})
    (revision,) = tasks_of(dbs, world, "asn.dinkes", instance)
    assert revision.due_at == naive_utc(wib(2025, 1, 20))
    sweep_at(dbs, time_machine, wib(2025, 1, 13, 9, 1))
    assert ASN_REMINDER in titles(dbs, world) and CANCELLED not in titles(dbs, world)
    assert len(tasks_of(dbs, world, "asn.dinkes", instance)) == 1
    sweep_at(dbs, time_machine, wib(2025, 1, 20, 9, 1))
    dbs.refresh(instance)
    assert instance.status == "cancelled" and tasks_of(dbs, world, "asn.dinkes", instance) == []
    assert titles(dbs, world)[-1] == CANCELLED
    waiting = dbs.scalars(select(ProcessTimer).where(ProcessTimer.instance_id == instance.id,
                                                     ProcessTimer.status == "waiting")).all()
    assert waiting == []


def test_bkpsdm_is_reminded_after_five_working_days(dbs, world, request_on_monday, time_machine):
    """Once the validator approved, is BKPSDM reminded after 5 working days with the task left open?"""
    instance = request_on_monday
    act(dbs, world, "validator.dinkes", instance, {"keputusan": "setuju"})
    (verification,) = tasks_of(dbs, world, "bkpsdm", instance)
    assert verification.due_at == naive_utc(wib(2025, 1, 13))
    sweep_at(dbs, time_machine, wib(2025, 1, 13, 9, 1))
    assert BKPSDM_REMINDER in titles(dbs, world, "bkpsdm")
    assert [t.id for t in tasks_of(dbs, world, "bkpsdm", instance)] == [verification.id]
    assert dbs.scalars(select(ValidationLateness).where(ValidationLateness.instance_id == instance.id)).all() == []


def test_inbox_shows_the_due_date_and_marks_an_overdue_task(dbs, world, request_on_monday, time_machine, login_as):
    """Does Kotak Tugas show the validator's deadline (13 January), unmarked before it and 'Terlambat' after
    it when no sweep has escalated the task yet?"""
    client = login_as("validator.dinkes")
    time_machine.move_to(wib(2025, 1, 10), tick=False)
    page = client.get("/tugas/").get_data(as_text=True)
    assert "13 Januari 2025 09:00 WIB" in page and "badge overdue" not in page
    time_machine.move_to(wib(2025, 1, 13, 10), tick=False)
    page = client.get("/tugas/").get_data(as_text=True)
    assert "13 Januari 2025 09:00 WIB" in page and 'class="badge overdue">Terlambat' in page
