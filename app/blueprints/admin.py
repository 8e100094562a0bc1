"""User administration, the lane → role mapping and the audit trail (User Administrator)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..models import ROLES
from ..services import accounts, audit, authz, employees, lanes
from ..services.errors import DomainError, ValidationError
from .common import actor, int_arg, session, str_arg

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def _only_admins():
    authz.require_role(current_user, "admin")


@bp.get("/")
def index():
    """The administrator's pages in one place (the menu has one entry for them: Administrasi)."""
    return render_template("admin/index.html")


@bp.get("/pengguna")
def users():
    q, page = str_arg("q"), int_arg("halaman")
    rows, total = accounts.list_users(session(), current_user, q, page)
    return render_template("admin/users.html", users=rows, total=total, q=q, page=page,
                           pages=max(1, -(-total // 25)), roles=ROLES)


@bp.get("/pengguna/baru")
def new_user():
    return render_template("admin/user_new.html", roles=ROLES, form={}, fields={}, selected_roles=[])


@bp.post("/pengguna/baru")
def create_user():
    db, form = session(), request.form
    try:
        user = accounts.create_user(db, current_user, actor(), username=form.get("username", ""),
                                    display_name=form.get("display_name", ""), password=form.get("password", ""),
                                    email=form.get("email") or None, nip=form.get("nip") or None,
                                    roles=form.getlist("roles"))
    except DomainError as exc:
        db.rollback()
        flash(exc.message, "error")
        return render_template("admin/user_new.html", roles=ROLES, form=form, fields=exc.fields,
                               selected_roles=form.getlist("roles")), exc.status
    flash(f"Akun {user.username} dibuat.", "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.get("/pengguna/<int:user_id>")
def user_detail(user_id: int):
    db = session()
    user = accounts.get_user(db, current_user, user_id)
    return render_template("admin/user_detail.html", user=user, roles=ROLES, units=employees.unit_choices(db),
                           unit_names=dict(employees.unit_choices(db)))


ACTIONS = {
    "grant_role": lambda db, u, f: accounts.grant_role(db, current_user, actor(), u, f.get("role", "")),
    "revoke_role": lambda db, u, f: accounts.revoke_role(db, current_user, actor(), u, f.get("role", "")),
    "add_scope": lambda db, u, f: accounts.add_scope(db, current_user, actor(), u, f.get("unit_id", "")),
    "remove_scope": lambda db, u, f: accounts.remove_scope(db, current_user, actor(), u, f.get("unit_id", "")),
    "deactivate": lambda db, u, f: accounts.set_active(db, current_user, actor(), u, False),
    "activate": lambda db, u, f: accounts.set_active(db, current_user, actor(), u, True),
    "reset_password": lambda db, u, f: accounts.reset_password(db, current_user, actor(), u, f.get("password", "")),
    "set_email": lambda db, u, f: accounts.set_email(db, current_user, actor(), u, f.get("email", "")),
}
DONE = {
    "grant_role": "Peran diberikan.", "revoke_role": "Peran dicabut.", "add_scope": "Cakupan OPD ditambahkan.",
    "remove_scope": "Cakupan OPD dicabut.", "deactivate": "Akun dinonaktifkan.", "activate": "Akun diaktifkan.",
    "reset_password": "Kata sandi diganti.", "set_email": "Alamat email disimpan.",
}


@bp.post("/pengguna/<int:user_id>/<action>")
def user_action(user_id: int, action: str):
    if action not in ACTIONS:
        raise ValidationError("Tindakan tidak dikenal.")
    db = session()
    user = accounts.get_user(db, current_user, user_id)
    try:
        ACTIONS[action](db, user, request.form)
        flash(DONE[action], "success")
    except DomainError as exc:
        db.rollback()
        detail = " ".join(m for msgs in exc.fields.values() for m in msgs)
        flash(f"{exc.message} {detail}".strip(), "error")
    return redirect(url_for("admin.user_detail", user_id=user_id))


LANE_FIELDS = ("role", "scope_variable", "description")


def _lanes_page(form=None, fields=None, status=200):
    return render_template("admin/lanes.html", lanes=lanes.list_lanes(session(), current_user), roles=ROLES,
                           form=form or {}, fields=fields or {}), status


@bp.get("/lajur")
def lane_list():
    return _lanes_page()


@bp.post("/lajur")
def lane_create():
    db, form = session(), request.form
    try:
        row = lanes.create_lane(db, current_user, actor(), lane=form.get("lane", ""),
                                **{key: form.get(key, "") for key in LANE_FIELDS})
    except DomainError as exc:
        db.rollback()
        flash(exc.message, "error")
        return _lanes_page(form, exc.fields, exc.status)
    flash(f"Lajur '{row.lane}' dipetakan ke peran {ROLES[row.role]}.", "success")
    return redirect(url_for("admin.lane_list"))


@bp.get("/lajur/<lane>")
def lane_edit(lane: str):
    row = lanes.get_lane(session(), current_user, lane)
    return render_template("admin/lane_edit.html", lane=row, roles=ROLES, fields={},
                           form={"role": row.role, "scope_variable": row.scope_variable or "",
                                 "description": row.description or ""})


@bp.post("/lajur/<lane>")
def lane_update(lane: str):
    db, form = session(), request.form
    try:
        moved = lanes.update_lane(db, current_user, actor(), lane, **{key: form.get(key, "") for key in LANE_FIELDS})
    except DomainError as exc:
        db.rollback()
        flash(exc.message, "error")
        row = lanes.get_lane(db, current_user, lane)
        return render_template("admin/lane_edit.html", lane=row, roles=ROLES, fields=exc.fields,
                               form=form), exc.status
    flash(f"Lajur '{lane}' disimpan." + (f" {moved} tugas terbuka dipindah ke peran baru." if moved else ""),
          "success")
    return redirect(url_for("admin.lane_list"))


@bp.post("/lajur/<lane>/hapus")
def lane_delete(lane: str):
    db = session()
    try:
        lanes.delete_lane(db, current_user, actor(), lane)
    except DomainError as exc:
        db.rollback()
        flash(exc.message, "error")
        return _lanes_page(status=exc.status)
    flash(f"Lajur '{lane}' dihapus.", "success")
    return redirect(url_for("admin.lane_list"))


@bp.get("/audit")
def audit_log():
    page, action = int_arg("halaman"), str_arg("aksi") or None
    rows, total = audit.list_events(session(), page, 50, action)
    return render_template("admin/audit.html", events=rows, total=total, page=page, action=action or "",
                           pages=max(1, -(-total // 50)))


@bp.post("/audit/verifikasi")
def verify_audit():
    report = audit.verify_chain(session())
    if report.ok:
        flash(f"Rantai audit utuh: {report.checked} kejadian diperiksa.", "success")
    else:
        flash(f"Rantai audit RUSAK pada kejadian #{report.first_broken_seq}: {report.reason}.", "error")
    return redirect(url_for("admin.audit_log"))
