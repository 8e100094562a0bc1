"""The authorization matrix of DESIGN.md §1: role × scope × employee → allowed or refused,
for every employee page, checked both in the service layer and over HTTP."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.models import Employee, User
from app.services import authz
from tests.conftest import csrf_token
from tests.world import EMPLOYEES, USERS

ALL = set(EMPLOYEES)
VISIBLE = {
    "asn.dinkes": {"dinkes"},
    "asn.dindik": {"dindik"},
    "validator.dinkes": {"dinkes", "puskesmas"},  # the OPD and its sub-units
    "validator.puskesmas": {"puskesmas"},  # a sub-unit scope does not reach up to the OPD
    "validator.dindik": {"dindik"},
    "validator.tanpa-cakupan": set(),
    "bkpsdm": ALL,
    "kepala": ALL,
    "admin": ALL,
    "pemilik.proses": set(),
    "tanpa-peran": set(),
}
MAY_LIST = {"validator.dinkes", "validator.puskesmas", "validator.dindik", "validator.tanpa-cakupan",
            "bkpsdm", "kepala", "admin"}
MAY_REGISTER = {"bkpsdm", "admin"}
MAY_ADMINISTER = {"admin"}
HAS_OWN_DATA = {"asn.dinkes", "asn.dindik"}
MATRIX = [(user, key) for user in USERS for key in EMPLOYEES]


def test_matrix_covers_every_account():
    """Does the expectation table name every account of the test world?"""
    assert set(VISIBLE) == set(USERS)


@pytest.mark.parametrize("username,employee_key", MATRIX)
def test_service_decides_visibility(dbs, world, username, employee_key):
    """Does authz.can_view_employee agree with the matrix for this role, scope and employee?"""
    user = dbs.get(User, world["users"][username])
    employee = dbs.get(Employee, world["employees"][employee_key])
    assert authz.can_view_employee(dbs, user, employee) is (employee_key in VISIBLE[username])


@pytest.mark.parametrize("username,employee_key", MATRIX)
def test_profile_page(login_as, world, username, employee_key):
    """Is the profile page shown when allowed, and answered as not found (404) otherwise?"""
    client = login_as(username)
    response = client.get(f"/pegawai/{world['employees'][employee_key]}")
    if employee_key in VISIBLE[username]:
        assert response.status_code == 200
    else:
        assert response.status_code == 404
        assert "tidak ditemukan" in response.get_data(as_text=True)


@pytest.mark.parametrize("username", list(USERS))
def test_employee_list(login_as, dbs, world, username):
    """Does the employee list show exactly the employees in the user's scope, or refuse with 403?"""
    client = login_as(username)
    response = client.get("/pegawai/?per_halaman=100")
    if username not in MAY_LIST:
        assert response.status_code == 403
        assert "Akses ditolak" in response.get_data(as_text=True)
        return
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    for key, employee_id in world["employees"].items():
        nip = dbs.get(Employee, employee_id).nip
        assert (nip in body) is (key in VISIBLE[username]), (username, key)


@pytest.mark.parametrize("username", list(USERS))
def test_data_saya(login_as, username):
    """Is "Data Saya" shown to an account linked to an employee and 404 (with guidance) otherwise?"""
    response = login_as(username).get("/data-saya")
    assert response.status_code == (200 if username in HAS_OWN_DATA else 404)


@pytest.mark.parametrize("username", list(USERS))
def test_register_page(login_as, username):
    """May only BKPSDM and admins open the new-employee form?"""
    response = login_as(username).get("/pegawai/baru")
    assert response.status_code == (200 if username in MAY_REGISTER else 403)


@pytest.mark.parametrize("username", list(USERS))
def test_admin_pages(login_as, username):
    """May only admins open user administration and the audit trail?"""
    client = login_as(username)
    for path in ("/admin/pengguna", "/admin/audit"):
        assert client.get(path).status_code == (200 if username in MAY_ADMINISTER else 403), path


@pytest.mark.parametrize("username", list(USERS))
def test_reference_browser_is_open_to_every_account(login_as, username):
    """Can every signed-in account read the reference tables?"""
    assert login_as(username).get("/referensi/golonganPns").status_code == 200


def test_viewing_someone_else_is_audited(login_as, dbs, world):
    """Is a view of another person's data recorded, and a view of one's own data not?"""
    from app.models import AuditEvent
    client = login_as("bkpsdm")
    target = world["employees"]["dindik"]
    client.get(f"/pegawai/{target}")
    views = dbs.scalars(select(AuditEvent).where(AuditEvent.action == "employee.view",
                                                 AuditEvent.object_id == str(target))).all()
    assert len(views) == 1 and views[0].actor_label == "bkpsdm"


def test_nonexistent_employee_looks_the_same_as_out_of_scope(login_as, world):
    """Does an id that does not exist get exactly the same answer as one outside the scope?"""
    client = login_as("validator.dindik")
    client.get("/beranda")  # consume the welcome message
    missing = client.get("/pegawai/99999999")
    hidden = client.get(f"/pegawai/{world['employees']['dinkes']}")
    assert missing.status_code == hidden.status_code == 404
    assert missing.get_data(as_text=True) == hidden.get_data(as_text=True)


@pytest.mark.parametrize("username", list(USERS))
def test_home_page_for_every_role(login_as, username):
    """Does every account get a working home page with what its roles need?"""
    response = login_as(username).get("/beranda")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert ('data-testid="home-summary"' in body) is (username in MAY_LIST)
    assert ('data-testid="home-asn"' in body) is (username in HAS_OWN_DATA)
    assert ('data-testid="home-admin"' in body) is (username in MAY_ADMINISTER)
    if username.startswith("validator."):
        assert "Pegawai dalam cakupan OPD Anda" in body


# --- tasks, requests, diagrams and evidence ----------------------------------------------------
# One request per cell: its subject is in DINKES or DINDIK (own or other OPD of each account) and it
# waits at the validator ("periksa"), at BKPSDM ("verifikasi") or at the ASN ("perbaiki"). Who may act
# follows the lane; who may see the request, its diagram and its evidence follows VISIBLE.

STAGES = ("periksa", "verifikasi", "perbaiki")
SUBJECTS = ("dinkes", "dindik")
ACTS = {"periksa": lambda key: f"validator.{key}", "verifikasi": lambda key: "bkpsdm",
        "perbaiki": lambda key: f"asn.{key}"}
TASK_NAMES = {"periksa": "Periksa usulan", "verifikasi": "Verifikasi BKPSDM", "perbaiki": "Perbaiki usulan"}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
KIND = "riwayat_penghargaan"
PROPOSAL = {"penghargaan_id": "100", "tahun": "2020", "sk_nomor": "800/Kep.12-BKPSDM/2030",
            "sk_tanggal": "2030-03-01", "alasan": "Sesuai piagam terlampir"}
DECISIONS = {"periksa": {"keputusan": "setuju"}, "verifikasi": {"keputusan": "kembalikan", "catatan": "Uji"}}
MOVES = {"periksa": [], "verifikasi": [("periksa", {"keputusan": "setuju"})],
         "perbaiki": [("periksa", {"keputusan": "kembalikan", "catatan": "Lampirkan piagam yang terbaca"})]}
TASK_MATRIX = [(user, stage, key) for user in USERS for stage in STAGES for key in SUBJECTS]


@pytest.fixture()
def shipped_processes(dbs):
    from pathlib import Path

    from app.services import definitions, operators
    from app.services.audit import SYSTEM
    root = Path(__file__).resolve().parents[2]
    definitions.load_shipped(dbs, root / "workflows", root / "forms", operators.operator_names(), SYSTEM)


def _request_at(app, dbs, world, stage: str, key: str):
    """A proposal of employee `key` by their own ASN, with a PDF, moved on to `stage`; its task and document."""
    from app.models import HumanTask
    from app.services import documents, processes, proposals
    from app.services.audit import Actor
    from app.services.change_requests import form_for
    asn = dbs.get(User, world["users"][f"asn.{key}"])
    employee = dbs.get(Employee, world["employees"][key])
    document = documents.store_upload(dbs, app.config["SETTINGS"].document_store, PDF, f"piagam-{key}.pdf", asn.id)
    data = {**PROPOSAL, "tahun": 2020, "bukti": {"document_id": document.id}}
    instance = proposals.start(dbs, asn, Actor(asn.id, asn.username), employee, KIND, "tambah", None, data,
                               form_for(KIND, employee, "tambah"))
    for step, decision in MOVES[stage]:
        actor_user = dbs.get(User, world["users"][ACTS[step](key)])
        task = dbs.scalar(select(HumanTask).where(HumanTask.instance_id == instance.id))
        processes.complete_task(dbs, actor_user, Actor(actor_user.id, actor_user.username), task.id, decision)
    task = dbs.scalar(select(HumanTask).where(HumanTask.instance_id == instance.id))
    assert task.task_name == TASK_NAMES[stage]
    return instance, task, document


def _completion(stage: str, document_id: int) -> dict:
    if stage == "perbaiki":
        return {**PROPOSAL, "bukti.document_id": str(document_id)}
    return DECISIONS[stage]


def test_task_matrix_covers_every_account_stage_and_opd():
    """Does the task matrix have a cell for every account, every waiting step and both OPDs?"""
    assert len(TASK_MATRIX) == len(USERS) * len(STAGES) * len(SUBJECTS)
    assert all(ACTS[stage](key) in USERS for stage in STAGES for key in SUBJECTS)


@pytest.mark.parametrize("username,stage,key", TASK_MATRIX)
def test_request_task_and_evidence_matrix(app, dbs, world, shipped_processes, login_as, username, stage, key):
    """For this account and a request of this OPD waiting at this step: are the request page, its diagram,
    the evidence download and preview shown exactly when the account may see the request, and are the task
    page, claiming and completing allowed exactly to whoever the step's lane names — 404 otherwise, with
    nothing changed?"""
    from app.models import HumanTask, ProcessInstance
    instance, task, document = _request_at(app, dbs, world, stage, key)
    instance_id, task_id, version = instance.id, task.id, instance.lock_version
    client = login_as(username)
    sees, acts = key in VISIBLE[username], username == ACTS[stage](key)
    expected = 200 if sees else 404
    assert client.get(f"/usulan/{instance_id}").status_code == expected
    assert client.get(f"/proses/{instance_id}/diagram").status_code == expected
    for path in (f"/dokumen/{document.id}", f"/dokumen/{document.id}/pratinjau"):
        response = client.get(path)
        assert response.status_code == expected, path
        assert (response.data == PDF) is sees
    token = csrf_token(client, "/usulan/")
    assert client.get(f"/tugas/{task_id}").status_code == (200 if acts else 404)
    claimed = client.post(f"/tugas/{task_id}/ambil", data={"csrf_token": token})
    assert claimed.status_code == (302 if acts else 404)
    done = client.post(f"/tugas/{task_id}", data={**_completion(stage, document.id), "csrf_token": token,
                                                  "expected_version": str(version), "usulan": str(instance_id)})
    assert done.status_code == (302 if acts else 404), done.get_data(as_text=True)[:500]
    dbs.expire_all()
    if acts:
        assert dbs.get(HumanTask, task_id) is None
        assert dbs.get(ProcessInstance, instance_id).lock_version > version
    else:
        left = dbs.get(HumanTask, task_id)
        assert left is not None and left.assignee_user_id is None
        assert dbs.get(ProcessInstance, instance_id).lock_version == version


def test_unreferenced_and_missing_documents_look_the_same(app, dbs, world, login_as):
    """Is a document cited by no request hidden from everyone but its uploader, with the same 404 as an id
    that does not exist?"""
    from app.services import documents
    uploader = world["users"]["asn.dinkes"]
    document = documents.store_upload(dbs, app.config["SETTINGS"].document_store, PDF, "lain.pdf", uploader)
    dbs.commit()
    client = login_as("bkpsdm")
    client.get("/beranda")  # consume the welcome message
    for suffix in ("", "/pratinjau"):
        hidden, missing = client.get(f"/dokumen/{document.id}{suffix}"), client.get(f"/dokumen/99999999{suffix}")
        assert hidden.status_code == missing.status_code == 404
        assert hidden.get_data(as_text=True) == missing.get_data(as_text=True)
    client.post("/keluar", data={"csrf_token": csrf_token(client, "/usulan/")})
    assert login_as("asn.dinkes").get(f"/dokumen/{document.id}/pratinjau").status_code == 200
