"""User administration: accounts, roles, OPD scopes, deactivation — each audited."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.models import AuditEvent, User
from tests.conftest import csrf_token, login
from tests.world import employee


def _user(dbs, username) -> User:
    return dbs.scalar(select(User).where(User.username == username))


def _post(client, path, data):
    return client.post(path, data=dict(data, csrf_token=csrf_token(client, "/admin/pengguna")))


def _actions(dbs, user_id):
    return dbs.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "user",
                                                       AuditEvent.object_id == str(user_id))).all()


def test_create_user_linked_to_employee(login_as, dbs, world):
    """Can an admin create an ASN account linked to an employee by NIP, with roles, and is it audited?"""
    nip = employee(dbs, world, "kecamatan").nip
    client = login_as("admin")
    response = _post(client, "/admin/pengguna/baru", {"username": nip, "display_name": "Ahmad Fauzi",
                                                      "password": "rahasia-awal-1", "nip": nip, "roles": ["asn"]})
    assert response.status_code == 302
    user = _user(dbs, nip)
    assert user.employee_id == world["employees"]["kecamatan"] and user.role_names == {"asn"}
    assert "perm.user_created" in _actions(dbs, user.id)


def test_create_user_with_invalid_nip(login_as, dbs):
    """Is an invalid NIP on the account form answered with 422 and the fault, creating nothing?"""
    response = _post(login_as("admin"), "/admin/pengguna/baru", {
        "username": "orang.baru", "display_name": "Orang Baru", "password": "rahasia-awal-1",
        "nip": "199913322020011001", "roles": ["asn"]})
    assert response.status_code == 422
    assert "bukan tanggal lahir yang sah" in response.get_data(as_text=True)
    assert _user(dbs, "orang.baru") is None


def test_create_user_with_weak_password_and_taken_name(login_as, dbs):
    """Are a weak password and a taken username each explained next to their field?"""
    response = _post(login_as("admin"), "/admin/pengguna/baru", {
        "username": "bkpsdm", "display_name": "X", "password": "pendek", "roles": ["asn"]})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Nama pengguna sudah dipakai" in body and "minimal 10 karakter" in body


def test_grant_and_revoke_role(login_as, dbs):
    """Does granting then revoking a role change what the user may do, with both audited?"""
    target = _user(dbs, "tanpa-peran")
    client = login_as("admin")
    _post(client, f"/admin/pengguna/{target.id}/grant_role", {"role": "bkpsdm"})
    dbs.expire_all()
    assert _user(dbs, "tanpa-peran").role_names == {"bkpsdm"}
    _post(client, f"/admin/pengguna/{target.id}/revoke_role", {"role": "bkpsdm"})
    dbs.expire_all()
    assert _user(dbs, "tanpa-peran").role_names == set()
    assert {"perm.role_granted", "perm.role_revoked"} <= set(_actions(dbs, target.id))


def test_scope_grants_a_validator_an_opd(app, login_as, dbs, world):
    """Does adding an OPD scope let a validator see that OPD's employees, and removing it stop that?"""
    target = _user(dbs, "validator.tanpa-cakupan")
    admin = login_as("admin")
    _post(admin, f"/admin/pengguna/{target.id}/add_scope", {"unit_id": "KEC-CIPONDOH"})
    validator = app.test_client()
    login(validator, "validator.tanpa-cakupan")
    url = f"/pegawai/{world['employees']['kecamatan']}"
    assert validator.get(url).status_code == 200
    _post(admin, f"/admin/pengguna/{target.id}/remove_scope", {"unit_id": "KEC-CIPONDOH"})
    assert validator.get(url).status_code == 404
    assert {"perm.scope_granted", "perm.scope_revoked"} <= set(_actions(dbs, target.id))


def test_unknown_scope_unit(login_as, dbs):
    """Is an unknown unit refused with a message instead of a crash?"""
    target = _user(dbs, "validator.tanpa-cakupan")
    response = _post(login_as("admin"), f"/admin/pengguna/{target.id}/add_scope", {"unit_id": "TIDAK-ADA"})
    assert response.status_code == 302
    dbs.expire_all()
    assert _user(dbs, "validator.tanpa-cakupan").scopes == []


def test_deactivated_user_is_logged_out_and_cannot_log_in(app, login_as, dbs):
    """Does deactivating an account end its access at once?"""
    target = _user(dbs, "bkpsdm")
    victim = app.test_client()
    login(victim, "bkpsdm")
    _post(login_as("admin"), f"/admin/pengguna/{target.id}/deactivate", {})
    assert victim.get("/pegawai/").status_code == 302  # session no longer accepted
    assert login(app.test_client(), "bkpsdm").status_code == 401


def test_admin_cannot_lock_themselves_out(login_as, dbs):
    """Is an admin stopped from deactivating their own account or removing their own admin role?"""
    me = _user(dbs, "admin")
    client = login_as("admin")
    page = _post(client, f"/admin/pengguna/{me.id}/deactivate", {})
    assert page.status_code == 302
    dbs.expire_all()
    assert _user(dbs, "admin").active
    _post(client, f"/admin/pengguna/{me.id}/revoke_role", {"role": "admin"})
    dbs.expire_all()
    assert "admin" in _user(dbs, "admin").role_names


def test_unknown_action_and_user(login_as):
    """Are an unknown action and an unknown user answered with 422 and 404?"""
    client = login_as("admin")
    assert _post(client, "/admin/pengguna/1/hapus_semua", {}).status_code == 422
    assert client.get("/admin/pengguna/99999999").status_code == 404


def test_non_admin_cannot_post_admin_actions(login_as, dbs):
    """Can a BKPSDM analyst grant roles by posting directly?"""
    target = _user(dbs, "tanpa-peran")
    client = login_as("bkpsdm")
    response = client.post(f"/admin/pengguna/{target.id}/grant_role",
                           data={"role": "admin", "csrf_token": csrf_token(client, "/beranda")})
    assert response.status_code == 403
    dbs.expire_all()
    assert _user(dbs, "tanpa-peran").role_names == set()


# --- the menu: one "Administrasi" entry and its page -------------------------------------------------

def _menu(body: str) -> list[tuple[str, bool]]:
    """(label, marked as the current page) of each main-menu entry."""
    menu = body[body.index('aria-label="Menu utama"'):]
    menu = menu[:menu.index("</nav>")]
    return [(link.split(">", 1)[1].split("<", 1)[0].strip(), 'aria-current="page"' in link.split(">", 1)[0])
            for link in menu.split("<a ")[1:]]


def test_the_admin_reaches_every_administration_page_from_one_menu_entry(login_as):
    """Does the admin's menu hold one "Administrasi" entry instead of seven, does its page link to each
    section, and is the entry marked while any of those pages is shown?"""
    from app.web import ADMIN_SECTIONS
    client = login_as("admin")
    labels = [label for label, _current in _menu(client.get("/beranda").get_data(as_text=True))]
    assert labels == ["Beranda", "Pegawai", "Jatuh tempo", "Kotak Tugas", "Referensi", "Keterlambatan",
                      "Administrasi"]
    hub = client.get("/admin/")
    assert hub.status_code == 200
    body = hub.get_data(as_text=True)
    assert body.count('data-testid="admin-section-') == len(ADMIN_SECTIONS) == 7
    for path in ("/admin/pengguna", "/admin/lajur", "/admin/audit", "/admin/operasi/", "/hari-libur/",
                 "/admin/instans/", "/studio/formulir"):
        assert f'href="{path}"' in body, path
        page = client.get(path)
        assert page.status_code == 200, path
        assert ("Administrasi", True) in _menu(page.get_data(as_text=True)), path


@pytest.mark.parametrize("username, expected", [("bkpsdm", {"Hari libur"}),
                                                 ("pemilik.proses", {"Instans Proses", "Formulir", "Studio Proses"})])
def test_other_roles_keep_their_own_entries_and_may_not_open_the_administration_page(login_as, username, expected):
    """Do BKPSDM and the process owner keep their direct entries (Hari libur; Instans Proses, Formulir,
    Studio Proses) and get 403 on the administration page?"""
    client = login_as(username)
    labels = {label for label, _current in _menu(client.get("/beranda").get_data(as_text=True))}
    assert expected <= labels and "Administrasi" not in labels, labels
    assert client.get("/admin/").status_code == 403
