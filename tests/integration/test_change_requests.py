"""The apply_change_request operator: an approved usulan changes the data once, with its trace."""
from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from app.models import ChangeLog
from app.services import personnel
from app.services.audit import Actor
from app.services.change_requests import (
    KINDS,
    apply_change_request,
    compare,
    current_values,
)
from app.services.documents import store_upload
from app.services.errors import ValidationError
from tests.samples import SK, additions
from tests.world import employee

INSTANCE_ID = 4242




CORRECTIONS = {
    "riwayat_golongan": {"masa_kerja_tahun": 5, "sk_nomor": "800/Kep.13-BKPSDM/2030"},
    "riwayat_jabatan": {"jabatan_nama": "Kepala Seksi Surveilans dan Imunisasi"},
    "riwayat_pendidikan": {"nama_sekolah": "Universitas Gadjah Mada"},
    "riwayat_pasangan": {"status_perkawinan": "2", "tanggal_cerai": "2020-02-03", "akta_cerai": "C-1"},
}


@pytest.fixture()
def evidence(dbs, world, tmp_path):
    uploader = world["users"]["asn.dinkes"]

    def _upload() -> int:
        return store_upload(dbs, tmp_path, b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n", "sk.pdf", uploader).id
    return _upload


def _ctx(dbs, world, key: str = "dinkes"):
    return SimpleNamespace(session=dbs, actor=Actor(world["users"]["bkpsdm"], "bkpsdm"),
                           instance=SimpleNamespace(id=INSTANCE_ID, subject_employee_id=world["employees"][key]))


def _data(kind, operation, usulan=None, record_id=None, document_id=1, alasan="Sesuai SK"):
    return {"jenis": kind, "operasi": operation, "record_id": record_id, "usulan": usulan or {},
            "bukti": {"document_id": document_id, "kind": "872"}, "alasan": alasan}


def _logs(dbs, entity=None) -> list[ChangeLog]:
    stmt = select(ChangeLog).where(ChangeLog.request_ref == f"usul-{INSTANCE_ID}")
    if entity:
        stmt = stmt.where(ChangeLog.entity == entity)
    return list(dbs.scalars(stmt.order_by(ChangeLog.id)))


@pytest.mark.parametrize("kind", sorted(k for k in KINDS if k != "data_utama"))
def test_addition_of_each_kind(dbs, world, evidence, kind):
    """Does an approved addition create the row with its evidence and a change log naming the request?"""
    document_id = evidence()
    result = apply_change_request(_ctx(dbs, world), {}, _data(kind, "tambah", additions(world)[kind],
                                                              document_id=document_id))
    record = dbs.get(KINDS[kind].model, result["record_id"])
    assert result["operasi"] == "tambah" and record.employee_id == world["employees"]["dinkes"]
    assert record.dokumen_id == str(document_id)
    (created,) = [log for log in _logs(dbs, kind) if log.entity_id == record.id]
    assert created.operation == "create" and created.reason == "Sesuai SK"


def test_addition_recomputes_derived_fields(dbs, world, evidence):
    """Do a new golongan, position, education and unit show on the employee at once?"""
    proposals = additions(world)
    for kind in ("riwayat_golongan", "riwayat_jabatan", "riwayat_pendidikan", "riwayat_pindah_unit"):
        apply_change_request(_ctx(dbs, world), {}, _data(kind, "tambah", proposals[kind], document_id=evidence()))
    emp = employee(dbs, world, "dinkes")
    assert (emp.golongan_id, emp.tmt_golongan) == ("32", date(2030, 4, 1))
    assert emp.jabatan_nama == "Kepala Seksi Surveilans" and emp.tingkat_pendidikan_id == "45"
    assert emp.unor_id == world["puskesmas"]
    assert any(log.operation == "derive" and log.entity == "employees" for log in _logs(dbs))


@pytest.mark.parametrize("kind", sorted(CORRECTIONS))
def test_correction_and_deletion(dbs, world, evidence, kind):
    """Does a correction change only the proposed fields and a deletion soft-delete, both traced?"""
    ctx = _ctx(dbs, world)
    added = apply_change_request(ctx, {}, _data(kind, "tambah", additions(world)[kind], document_id=evidence()))
    record_id, document_id = added["record_id"], evidence()
    apply_change_request(ctx, {}, _data(kind, "koreksi", CORRECTIONS[kind], record_id, document_id, "Salah ketik"))
    record = dbs.get(KINDS[kind].model, record_id)
    for field, value in CORRECTIONS[kind].items():
        assert str(getattr(record, field)) == str(value)
    assert record.dokumen_id == str(document_id)
    update = _logs(dbs, kind)[-1]
    assert update.operation == "update" and update.reason == "Salah ketik"
    assert set(update.new_values) == set(CORRECTIONS[kind]) | {"dokumen_id"}
    apply_change_request(ctx, {}, _data(kind, "hapus", None, record_id, evidence(), "SK dibatalkan"))
    assert record.deleted_at is not None and record.delete_reason == "SK dibatalkan"
    assert _logs(dbs, kind)[-1].operation == "delete"


def test_deleting_the_newest_rank_restores_the_previous_one(dbs, world, evidence):
    """Does deleting the newest golongan bring the previous one back on the employee?"""
    ctx = _ctx(dbs, world)
    added = apply_change_request(ctx, {}, _data("riwayat_golongan", "tambah", additions(world)["riwayat_golongan"],
                                                document_id=evidence()))
    apply_change_request(ctx, {}, _data("riwayat_golongan", "hapus", None, added["record_id"], evidence()))
    assert employee(dbs, world, "dinkes").golongan_id == "31"


def test_data_utama_correction(dbs, world, evidence):
    """Does a data utama correction change the name (and its search key) and log it?"""
    apply_change_request(_ctx(dbs, world), {}, _data("data_utama", "koreksi",
                                                     {"nama": "Siti Nurhaliza Putri", "npwp": "123456789012345"},
                                                     document_id=evidence()))
    emp = employee(dbs, world, "dinkes")
    assert emp.nama == "Siti Nurhaliza Putri" and emp.npwp == "123456789012345"
    assert "putri" in emp.nama_cari.lower()
    assert _logs(dbs, "employees")[-1].new_values["nama"] == "Siti Nurhaliza Putri"


def _refused(dbs, world, data, key="dinkes") -> ValidationError:
    before = dbs.scalar(select(func.count()).select_from(ChangeLog))
    with pytest.raises(ValidationError) as caught:
        apply_change_request(_ctx(dbs, world, key), {}, data)
    assert dbs.scalar(select(func.count()).select_from(ChangeLog)) == before
    return caught.value


def test_record_of_another_employee_is_refused(dbs, world, evidence):
    """Can a proposal for one employee correct or delete another employee's record?"""
    other = personnel.add_history(dbs, Actor(None, "uji"), employee(dbs, world, "dindik"),
                                  KINDS["riwayat_penghargaan"].model, {"penghargaan_id": "100", "tahun": 2019},
                                  "Data awal")
    document_id = evidence()
    for operation in ("koreksi", "hapus"):
        error = _refused(dbs, world, _data("riwayat_penghargaan", operation, {"tahun": 2020}, other.id, document_id))
        assert "record_id" in error.fields
    assert other.tahun == 2019 and other.deleted_at is None


def test_deleted_record_cannot_be_corrected(dbs, world, evidence):
    """Is a soft-deleted record out of reach for a correction?"""
    ctx = _ctx(dbs, world)
    added = apply_change_request(ctx, {}, _data("riwayat_penghargaan", "tambah",
                                                additions(world)["riwayat_penghargaan"], document_id=evidence()))
    apply_change_request(ctx, {}, _data("riwayat_penghargaan", "hapus", None, added["record_id"], evidence()))
    _refused(dbs, world, _data("riwayat_penghargaan", "koreksi", {"tahun": 2021}, added["record_id"], evidence()))


@pytest.mark.parametrize("usulan", [{"golongan_id": "41"}, {"nama": "X", "tmt_golongan": "2030-01-01"},
                                    {"nip": "199001012015031001"}, {"tanggal_lahir": "1990-01-01"}])
def test_derived_and_identity_columns_are_refused(dbs, world, evidence, usulan):
    """Can a data utama proposal write a derived column, the NIP or the birth date?"""
    error = _refused(dbs, world, _data("data_utama", "koreksi", usulan, document_id=evidence()))
    assert set(usulan) - {"nama"} <= set(error.fields)


def test_unknown_reference_code_is_refused_naming_the_field(dbs, world, evidence):
    """Is a golongan code that SIASN does not know refused, with the field named?"""
    usulan = {**additions(world)["riwayat_golongan"], "golongan_id": "99"}
    error = _refused(dbs, world, _data("riwayat_golongan", "tambah", usulan, document_id=evidence()))
    assert set(error.fields) == {"golongan_id"} and "golongan_id" in error.message


def test_pppk_cannot_take_a_pns_golongan(dbs, world, evidence):
    """Is a PNS rank refused for a PPPK employee, and a PPPK golongan accepted?"""
    usulan = {"golongan_id": "32", "tmt_golongan": "2030-04-01", **SK}
    _refused(dbs, world, _data("riwayat_golongan", "tambah", usulan, document_id=evidence()), key="dindik")
    apply_change_request(_ctx(dbs, world, "dindik"), {}, _data("riwayat_golongan", "tambah",
                                                               {**usulan, "golongan_id": "PPPK-X"},
                                                               document_id=evidence()))
    assert employee(dbs, world, "dindik").golongan_id == "PPPK-X"


@pytest.mark.parametrize("change, field", [
    ({"jenis": "riwayat_rahasia"}, None), ({"operasi": "ganti"}, None), ({"alasan": " "}, "alasan"),
    ({"bukti": None}, "bukti"), ({"bukti": {"document_id": 987654}}, "bukti"),
    ({"usulan": {"tahun": "dua ribu"}}, "tahun"), ({"usulan": {"tahun": 2020}}, "penghargaan_id"),
])
def test_malformed_requests_are_refused(dbs, world, evidence, change, field):
    """Are an unknown kind or operation, a missing reason or evidence, bad and missing values refused?"""
    data = {**_data("riwayat_penghargaan", "tambah", additions(world)["riwayat_penghargaan"],
                    document_id=evidence()), **change}
    error = _refused(dbs, world, data)
    assert field is None or field in error.fields


def test_unit_must_exist(dbs, world, evidence):
    """Is a transfer to a unit code that does not exist refused?"""
    usulan = {**additions(world)["riwayat_pindah_unit"], "unor_baru_id": "TIDAK-ADA"}
    error = _refused(dbs, world, _data("riwayat_pindah_unit", "tambah", usulan, document_id=evidence()))
    assert "unor_baru_id" in error.fields


def test_prefill_and_comparison(dbs, world, evidence):
    """Does a correction start from the stored values, and does the comparison mark what changed?"""
    added = apply_change_request(_ctx(dbs, world), {}, _data("riwayat_golongan", "tambah",
                                                             additions(world)["riwayat_golongan"],
                                                             document_id=evidence()))
    current = current_values(dbs, employee(dbs, world, "dinkes"), "riwayat_golongan", added["record_id"])
    assert current["golongan_id"] == "32" and current["tmt_golongan"] == "2030-04-01"
    rows = {row.field: row for row in compare(current, {**current, "golongan_id": "33"}, "riwayat_golongan",
                                              session=dbs)}
    assert rows["golongan_id"].changed and rows["golongan_id"].old_display == "III/b"
    assert rows["golongan_id"].new_display == "III/c" and rows["golongan_id"].label == "Golongan"
    assert not rows["tmt_golongan"].changed and rows["tmt_golongan"].old_display == "1 April 2030"
    utama = current_values(dbs, employee(dbs, world, "dinkes"), "data_utama")
    assert "nip" not in utama and utama["nama"] == "Siti Nurhaliza"


def test_operator_is_registered():
    """Can a service task call apply_change_request by name?"""
    from app.services.operators import OPERATORS
    assert OPERATORS["apply_change_request"] is apply_change_request
