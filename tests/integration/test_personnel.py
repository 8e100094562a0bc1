"""Writes to personnel data: change log with old and new values, soft delete, derived fields."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.models import ChangeLog, RiwayatGolongan, RiwayatPendidikan, RiwayatPindahUnit
from app.services import personnel
from app.services.audit import Actor
from app.services.errors import ValidationError
from tests.world import employee

ACTOR = Actor(None, "uji")


def _log(dbs, record):
    return dbs.scalars(select(ChangeLog).where(ChangeLog.entity == record.__tablename__,
                                               ChangeLog.entity_id == record.id).order_by(ChangeLog.id)).all()


def test_new_rank_updates_current_golongan_with_a_trace(dbs, world):
    """Does adding a newer rank change the current golongan and log old and new values?"""
    emp = employee(dbs, world, "dinkes")
    record = personnel.add_history(dbs, ACTOR, emp, RiwayatGolongan,
                                   {"golongan_id": "32", "tmt_golongan": date(2030, 4, 1)}, "SK KP 2030")
    assert emp.golongan_id == "32" and emp.tmt_golongan == date(2030, 4, 1)
    (created,) = _log(dbs, record)
    assert created.operation == "create" and created.new_values["golongan_id"] == "32"
    derived = dbs.scalars(select(ChangeLog).where(ChangeLog.entity == "employees", ChangeLog.operation == "derive",
                                                  ChangeLog.employee_id == emp.id)).all()
    assert derived[-1].old_values["golongan_id"] == "31" and derived[-1].new_values["golongan_id"] == "32"


def test_correction_logs_only_changed_fields(dbs, world):
    """Does a correction record exactly the fields that changed, with their old values?"""
    emp = employee(dbs, world, "dinkes")
    record = personnel.add_history(dbs, ACTOR, emp, RiwayatPendidikan, {
        "tingkat_pendidikan_id": "40", "pendidikan_nama": "S-1 Kesehatan Masyarakat", "nama_sekolah": "UI",
        "tahun_lulus": 2008}, "Ijazah")
    personnel.update_history(dbs, ACTOR, emp, record, {"nama_sekolah": "Universitas Indonesia",
                                                       "tahun_lulus": 2008}, "Koreksi nama kampus")
    update = _log(dbs, record)[-1]
    assert update.operation == "update" and update.reason == "Koreksi nama kampus"
    assert update.old_values == {"nama_sekolah": "UI"} and update.new_values == {"nama_sekolah": "Universitas Indonesia"}
    assert emp.tingkat_pendidikan_id == "40"


def test_soft_delete_keeps_the_row_and_recomputes(dbs, world):
    """Does deleting the newest unit transfer keep the row, record the reason and restore the unit?"""
    emp = employee(dbs, world, "dinkes")
    before = emp.unor_id
    move = personnel.add_history(dbs, ACTOR, emp, RiwayatPindahUnit, {
        "unor_asal_id": before, "unor_baru_id": world["puskesmas"], "tmt_pindah": date(2031, 1, 2)}, "SK mutasi")
    assert emp.unor_id == world["puskesmas"]
    personnel.delete_history(dbs, ACTOR, emp, move, "SK mutasi dibatalkan")
    assert dbs.get(RiwayatPindahUnit, move.id).delete_reason == "SK mutasi dibatalkan"
    assert emp.unor_id == before
    assert _log(dbs, move)[-1].operation == "delete"


def test_change_needs_a_reason(dbs, world):
    """Is a change without a reason refused?"""
    emp = employee(dbs, world, "dinkes")
    with pytest.raises(ValidationError):
        personnel.add_history(dbs, ACTOR, emp, RiwayatGolongan, {"golongan_id": "33",
                                                                 "tmt_golongan": date(2032, 1, 1)}, "  ")


def test_derived_columns_cannot_be_typed_in(dbs, world):
    """Is writing a derived column (e.g. golongan) directly on the employee refused?"""
    emp = employee(dbs, world, "dinkes")
    with pytest.raises(ValidationError, match="diturunkan dari riwayat"):
        personnel.update_employee(dbs, ACTOR, emp, {"golongan_id": "45"}, "coba")


def test_data_utama_update_is_logged(dbs, world):
    """Is a change of data utama logged with old and new values?"""
    emp = employee(dbs, world, "dinkes")
    personnel.update_employee(dbs, ACTOR, emp, {"nomor_hp": "081234567890"}, "Permintaan pegawai")
    entry = dbs.scalars(select(ChangeLog).where(ChangeLog.entity == "employees", ChangeLog.operation == "update",
                                                ChangeLog.entity_id == emp.id)).all()[-1]
    assert entry.old_values == {"nomor_hp": None} and entry.new_values == {"nomor_hp": "081234567890"}
