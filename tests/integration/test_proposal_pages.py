"""Ajukan usulan over HTTP: an ASN picks a kind, fills its form with a PDF, and the request starts."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import select

from app.models import HumanTask, ProcessInstance
from app.services import definitions, operators
from app.services.audit import SYSTEM
from tests.conftest import csrf_token

ROOT = Path(__file__).resolve().parents[2]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
URL = "/usulan/baru/riwayat_golongan/tambah"


@pytest.fixture()
def shipped(dbs):
    definitions.load_shipped(dbs, ROOT / "workflows", ROOT / "forms", operators.operator_names(), SYSTEM)


def _post(client, fields: dict, with_pdf: bool = True):
    data = dict(fields, csrf_token=csrf_token(client, URL))
    if with_pdf:
        data["bukti.file"] = (io.BytesIO(PDF), "sk-kp.pdf")
    return client.post(URL, data=data, content_type="multipart/form-data")


VALID = {"golongan_id": "32", "tmt_golongan": "2030-04-01", "sk_nomor": "800/123/BKPSDM/2030",
         "sk_tanggal": "2030-03-15", "alasan": "Kenaikan pangkat reguler"}


def test_asn_chooses_a_kind(shipped, login_as):
    """Does the ASN see every kind of data they may propose, with their existing records?"""
    body = login_as("asn.dinkes").get("/usulan/baru/").get_data(as_text=True)
    for kind in ("riwayat_golongan", "riwayat_jabatan", "riwayat_anak", "data_utama"):
        assert f'data-testid="kind-{kind}"' in body
    assert "Koreksi" in body  # the rank record made at registration


def test_incomplete_proposal_is_refused_per_field(shipped, login_as, dbs):
    """Is a proposal without SK number and evidence answered 422 per field, with no request started?"""
    before = dbs.scalar(select(ProcessInstance.id).order_by(ProcessInstance.id.desc()))
    response = _post(login_as("asn.dinkes"), {k: v for k, v in VALID.items() if k != "sk_nomor"}, with_pdf=False)
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "Wajib diisi" in body
    assert dbs.scalar(select(ProcessInstance.id).order_by(ProcessInstance.id.desc())) == before


def test_disguised_evidence_is_refused(shipped, login_as):
    """Is an executable named .pdf refused as evidence with a clear message?"""
    client = login_as("asn.dinkes")
    data = dict(VALID, csrf_token=csrf_token(client, URL))
    data["bukti.file"] = (io.BytesIO(b"MZ\x90\x00" + b"\x00" * 100), "sk.pdf")
    response = client.post(URL, data=data, content_type="multipart/form-data")
    assert response.status_code == 422 and "PDF" in response.get_data(as_text=True)


def test_proposal_starts_the_process(shipped, login_as, dbs, world):
    """Does a complete proposal start usul_perubahan_data and reach the validator of the ASN's OPD?"""
    response = _post(login_as("asn.dinkes"), VALID)
    assert response.status_code == 302 and "/usulan/" in response.headers["Location"]
    instance = dbs.scalar(select(ProcessInstance).order_by(ProcessInstance.id.desc()))
    assert instance.process_key == "usul_perubahan_data"
    assert instance.subject_employee_id == world["employees"]["dinkes"]
    task = dbs.scalar(select(HumanTask).where(HumanTask.instance_id == instance.id))
    assert (task.task_name, task.role, task.scope_opd_id) == ("Periksa usulan", "validator_opd", "OPD-DINKES")


def test_unknown_kind(shipped, login_as):
    """Is an unknown kind of data answered 404 with guidance?"""
    response = login_as("asn.dinkes").get("/usulan/baru/gaji/tambah")
    assert response.status_code == 404 and "Jenis usulan tidak dikenal" in response.get_data(as_text=True)


def test_account_without_employee_data(shipped, login_as):
    """Does an account not linked to an employee get a clear 404 instead of a broken form?"""
    response = login_as("bkpsdm").get("/usulan/baru/")
    assert response.status_code == 404 and "belum terhubung" in response.get_data(as_text=True)
