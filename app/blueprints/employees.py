"""Employee list (validators: own OPD; BKPSDM: all), profile, and registration of a new employee."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..models import EMPLOYEE_KINDS
from ..services import authz, employees, enrolment, reference, transfers
from ..services.errors import ForbiddenError, ValidationError
from .common import actor, int_arg, session, str_arg

bp = Blueprint("employees", __name__, url_prefix="/pegawai")


@bp.get("/")
@login_required
def index():
    query = employees.EmployeeQuery(q=str_arg("q"), opd_id=str_arg("opd") or None,
                                    golongan_id=str_arg("golongan") or None, kind=str_arg("jenis") or None,
                                    page=int_arg("halaman"), per_page=int_arg("per_halaman", 25, 1, 100))
    db = session()
    page = employees.search(db, current_user, query)
    golongan = reference.reference_choices(db, "golonganPns") + reference.reference_choices(db, "golonganPppk")
    return render_template("employees/list.html", page=page, query=query, kinds=EMPLOYEE_KINDS,
                           opds=employees.opd_choices(db, current_user), golongan=golongan,
                           can_create=authz.can_create_employee(current_user))


@bp.get("/<int:employee_id>")
@login_required
def profile(employee_id: int):
    db = session()
    employee = employees.get_for(db, current_user, employee_id, actor())
    return render_template("employees/profile.html", employee=employee, own=False,
                           histories=employees.histories(db, employee),
                           may_transfer=transfers.may_start(db, current_user, employee))


def _form_context(db):
    return dict(kinds=EMPLOYEE_KINDS, agama=reference.reference_choices(db, "agama"),
                kawin=reference.reference_choices(db, "kawin"),
                jenis_jabatan=reference.reference_choices(db, "jenisJabatan"),
                golongan=reference.reference_choices(db, "golonganPns") + reference.reference_choices(db, "golonganPppk"),
                units=employees.unit_choices(db))


@bp.get("/baru")
@login_required
def new():
    if not authz.can_create_employee(current_user):
        raise ForbiddenError("Hanya BKPSDM yang dapat mendaftarkan pegawai baru.")
    return render_template("employees/new.html", form={}, fields={}, **_form_context(session()))


@bp.post("/baru")
@login_required
def create():
    db = session()
    try:
        employee = enrolment.create_employee(db, current_user, actor(), request.form.to_dict())
    except ValidationError as exc:
        db.rollback()
        flash(exc.message, "error")
        return render_template("employees/new.html", form=request.form, fields=exc.fields,
                               **_form_context(db)), 422
    flash(f"Pegawai {employee.nama} (NIP {employee.nip}) berhasil didaftarkan.", "success")
    return redirect(url_for("employees.profile", employee_id=employee.id))
