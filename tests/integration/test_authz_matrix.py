"""The authorization matrix of DESIGN.md §1: role × scope × employee → allowed or refused,
for every employee page, checked both in the service layer and over HTTP."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.models import Employee, User
from app.services import authz
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
