"""A validator OPD starts usul_perubahan_data for an employee of their own OPD: the start counts as
the validator's check, BKPSDM decides, the employee is told and sees it in Usulan Saya."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from app.models import Employee, Notification, ProcessInstance
from app.services import proposals
from app.services.change_requests import form_for
from app.services.errors import ForbiddenError, NotFoundError
from tests.integration.test_usul_journeys import (
    act,
    actor,
    evidence,  # noqa: F401 - fixture
    logs,
    shipped,  # noqa: F401 - fixture
    subject,
    tasks_of,
    titles,
    user,
)
from tests.conftest import csrf_token
from tests.samples import additions

KIND = "riwayat_golongan"


def propose_as(dbs, world, username: str, employee_key: str, bukti: dict) -> ProcessInstance:
    u, employee = user(dbs, world, username), dbs.get(Employee, world["employees"][employee_key])
    data = {**additions(world)[KIND], "bukti": bukti, "alasan": "Sesuai SK kenaikan pangkat"}
    return proposals.start(dbs, u, actor(u), employee, KIND, "tambah", None, data,
                           form_for(KIND, employee, "tambah"))


def test_validator_start_goes_to_bkpsdm(dbs, world, shipped, evidence):  # noqa: F811
    """Does a validator's proposal skip "Periksa usulan", reach BKPSDM, tell the employee, and apply once
    BKPSDM approves?"""
    instance = propose_as(dbs, world, "validator.dinkes", "dinkes", evidence())
    assert tasks_of(dbs, world, "validator.dinkes", instance) == []
    assert [t.task_name for t in tasks_of(dbs, world, "bkpsdm", instance)] == ["Verifikasi BKPSDM"]
    assert titles(dbs, world) == ["Validator OPD mengajukan perubahan data Anda ke BKPSDM"]
    done = act(dbs, world, "bkpsdm", instance, {"keputusan": "setuju"})
    assert done.status == "completed" and len(logs(dbs, done)) >= 1
    assert subject(dbs, world).golongan_id == additions(world)[KIND]["golongan_id"]


def test_bkpsdm_return_reaches_the_validator(dbs, world, shipped, evidence):  # noqa: F811
    """When BKPSDM returns a validator's proposal, does it come back to that OPD's "Periksa usulan"?"""
    instance = propose_as(dbs, world, "validator.dinkes", "dinkes", evidence())
    act(dbs, world, "bkpsdm", instance, {"keputusan": "kembalikan", "catatan": "Lampirkan SK yang terbaca"})
    assert [t.task_name for t in tasks_of(dbs, world, "validator.dinkes", instance)] == ["Periksa usulan"]


def test_asn_start_still_goes_to_the_validator(dbs, world, shipped, evidence):  # noqa: F811
    """Does the ASN's own proposal still wait for the validator's check first?"""
    instance = propose_as(dbs, world, "asn.dinkes", "dinkes", evidence())
    assert [t.task_name for t in tasks_of(dbs, world, "validator.dinkes", instance)] == ["Periksa usulan"]
    assert tasks_of(dbs, world, "bkpsdm", instance) == []


@pytest.mark.parametrize("username", ["validator.dindik", "validator.tanpa-cakupan", "bkpsdm", "asn.dindik"])
def test_outside_scope_is_not_found(dbs, world, shipped, evidence, username):  # noqa: F811
    """Is a proposal for an employee outside the caller's scope answered as not found, starting nothing?"""
    before = dbs.scalar(select(ProcessInstance.id).order_by(ProcessInstance.id.desc()))
    with pytest.raises(NotFoundError):
        propose_as(dbs, world, username, "dinkes", evidence())
    assert dbs.scalar(select(ProcessInstance.id).order_by(ProcessInstance.id.desc())) == before
    assert dbs.scalar(select(Notification.id).where(Notification.user_id == world["users"]["asn.dinkes"])) is None


def test_subject_search_stays_in_scope(dbs, world):
    """Does the validator's employee search list only employees of their scope, and refuse non-validators?"""
    found = proposals.search_subjects(dbs, user(dbs, world, "validator.dinkes"))
    ids = {e.id for e in found.items}
    assert {world["employees"]["dinkes"], world["employees"]["puskesmas"]} <= ids
    assert world["employees"]["dindik"] not in ids and found.total == len(ids)
    by_name = proposals.search_subjects(dbs, user(dbs, world, "validator.dinkes"), "budi")
    assert [e.id for e in by_name.items] == [world["employees"]["puskesmas"]]
    with pytest.raises(ForbiddenError):
        proposals.search_subjects(dbs, user(dbs, world, "bkpsdm"))


# --- over HTTP --------------------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
VALID = {"golongan_id": "32", "tmt_golongan": "2030-04-01", "sk_nomor": "800/123/BKPSDM/2030",
         "sk_tanggal": "2030-03-15", "alasan": "Kenaikan pangkat reguler"}


def _post(client, url: str, fields: dict):
    data = dict(fields, csrf_token=csrf_token(client, "/usulan/baru/pegawai"))
    data["bukti.file"] = (io.BytesIO(PDF), "sk-kp.pdf")
    return client.post(url, data=data, content_type="multipart/form-data")


def _latest(dbs):
    return dbs.scalar(select(ProcessInstance).order_by(ProcessInstance.id.desc()))


def test_validator_picks_an_employee_of_their_opd(shipped, login_as, world):  # noqa: F811
    """Does the validator's search page list employees of their OPD only, each leading to the kinds page?"""
    client = login_as("validator.dinkes")
    assert 'href="/usulan/baru/pegawai"' in client.get("/usulan/").get_data(as_text=True)
    body = client.get("/usulan/baru/pegawai").get_data(as_text=True)
    assert "Siti Nurhaliza" in body and "Budi Santoso" in body and "Dewi Lestari" not in body
    page = client.get(f"/usulan/baru/pegawai/{world['employees']['dinkes']}/")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and 'data-testid="kind-riwayat_golongan"' in text
    assert f"/usulan/baru/pegawai/{world['employees']['dinkes']}/riwayat_golongan/tambah" in text


def test_validator_proposal_over_http(shipped, login_as, dbs, world, client):  # noqa: F811
    """Does the validator's filled form with a PDF start a request at BKPSDM that the employee then
    finds in Usulan Saya?"""
    employee_id = world["employees"]["dinkes"]
    url = f"/usulan/baru/pegawai/{employee_id}/riwayat_golongan/tambah"
    assert "Kirim usulan" in login_as("validator.dinkes").get(url).get_data(as_text=True)
    response = _post(client, url, VALID)
    assert response.status_code == 302
    instance = _latest(dbs)
    assert (instance.subject_employee_id, instance.initiator_user_id) == (employee_id,
                                                                          world["users"]["validator.dinkes"])
    assert [t.task_name for t in tasks_of(dbs, world, "bkpsdm", instance)] == ["Verifikasi BKPSDM"]
    client.post("/keluar", data={"csrf_token": csrf_token(client, "/usulan/baru/pegawai")})
    mine = login_as("asn.dinkes").get("/usulan/").get_data(as_text=True)
    assert f"/usulan/{instance.id}" in mine and 'href="/usulan/baru/pegawai"' not in mine


@pytest.mark.parametrize("username", ["validator.dindik", "validator.tanpa-cakupan", "asn.dindik"])
def test_employee_outside_scope_is_not_found_over_http(shipped, login_as, dbs, world, username):  # noqa: F811
    """Is every page and post for an employee outside the caller's scope a 404, starting nothing?"""
    client = login_as(username)
    base = f"/usulan/baru/pegawai/{world['employees']['dinkes']}"
    before = _latest(dbs)
    assert client.get(f"{base}/").status_code == 404
    assert client.get(f"{base}/riwayat_golongan/tambah").status_code == 404
    assert _post(client, f"{base}/riwayat_golongan/tambah", VALID).status_code == 404
    assert _latest(dbs) == before


def test_search_is_for_validators_only(shipped, login_as):  # noqa: F811
    """Is the employee search refused (403, with a message) to an ASN who is no validator?"""
    response = login_as("asn.dinkes").get("/usulan/baru/pegawai")
    assert response.status_code == 403 and "validator OPD" in response.get_data(as_text=True)
