"""Usulkan mutasi antar-OPD: BKPSDM or the validator of the employee's OPD fills the destination,
the new position and the TMT, and the `mutasi_unit_kerja` process starts (see services/transfers.py)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..services import organization, reference, transfers
from ..services.errors import ConflictError, ValidationError
from .common import actor, session

bp = Blueprint("transfers", __name__, url_prefix="/mutasi")


def _employee(db):
    return transfers.startable_employee(db, current_user, request.args.get("pegawai", type=int))


def _page(db, employee, form: dict, fields: dict | None = None, status: int = 200):
    opds = [(u.id, u.name) for u in organization.opd_units(db) if u.active and u.id != employee.opd_id]
    chosen = form.get("opd_tujuan") or ""
    units = [(code, label) for code, label, opd in _units(db)
             if opd != employee.opd_id and (not chosen or opd == chosen)]
    return render_template("transfers/new.html", employee=employee, form=form, fields=fields or {}, opds=opds,
                           units=units, chosen=chosen,
                           jenis_jabatan=reference.reference_choices(db, "jenisJabatan")), status


def _units(db) -> list[tuple[str, str, str]]:
    from sqlalchemy import select

    from ..models import OrgUnit
    rows = db.execute(select(OrgUnit.id, OrgUnit.name, OrgUnit.opd_id, OrgUnit.parent_id)
                      .where(OrgUnit.active.is_(True))).all()
    opd_names = {r.id: r.name for r in rows if r.parent_id is None}
    labelled = [(r.id, opd_names.get(r.opd_id, "") if r.parent_id is None else
                 f"{opd_names.get(r.opd_id, '')} › {r.name}", r.opd_id) for r in rows]
    return sorted(labelled, key=lambda item: item[1])


@bp.get("/baru")
@login_required
def new():
    db = session()
    employee = _employee(db)
    return _page(db, employee, {"opd_tujuan": request.args.get("opd_tujuan", "")})


@bp.post("/baru")
@login_required
def create():
    db = session()
    employee = _employee(db)
    form = request.form.to_dict()
    form.pop("csrf_token", None)
    try:
        instance = transfers.start_transfer(db, current_user, actor(), employee.id, form)
    except (ValidationError, ConflictError) as exc:
        db.rollback()
        flash(exc.message, "error")
        return _page(db, employee, form, exc.fields, exc.status)
    flash("Usulan mutasi terkirim ke validator OPD asal. Perkembangannya dapat dilihat di halaman usulan.",
          "success")
    return redirect(url_for("requests.detail", instance_id=instance.id))
