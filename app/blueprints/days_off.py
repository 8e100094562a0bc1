"""Hari libur tambahan (cuti bersama, libur daerah): listed with the national holidays, added, deleted."""
from __future__ import annotations

from datetime import datetime

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..engine.workdays import WIB
from ..models import DAY_OFF_KINDS
from ..services import authz, days_off
from ..services.errors import DomainError
from .common import actor, int_arg, session

bp = Blueprint("days_off", __name__, url_prefix="/hari-libur")


@bp.before_request
@login_required
def _only_editors():
    authz.require_role(current_user, *days_off.EDITOR_ROLES)


def _page(year: int, form: dict, fields: dict, status: int = 200):
    return render_template("days_off/index.html", year=year, rows=days_off.days_off(session(), year),
                           national=days_off.holidays_of(year), kinds=DAY_OFF_KINDS, form=form,
                           fields=fields), status


@bp.get("/")
def index():
    this_year = datetime.now(WIB).year
    year = int_arg("tahun", this_year, days_off.EARLIEST_YEAR, this_year + days_off.LATEST_YEARS_AHEAD)
    return _page(year, {}, {})


@bp.post("/")
def add():
    db, form = session(), request.form
    try:
        row = days_off.add_day_off(db, current_user, actor(), tanggal=form.get("tanggal", ""),
                                   nama=form.get("nama", ""), jenis=form.get("jenis", ""))
    except DomainError as exc:
        db.rollback()
        flash(exc.message, "error")
        return _page(datetime.now(WIB).year, form, exc.fields, exc.status)
    flash(f"Hari libur {row.nama} ({row.tanggal:%d-%m-%Y}) ditambahkan; tenggat baru memperhitungkannya.", "success")
    return redirect(url_for("days_off.index", tahun=row.tanggal.year))


@bp.post("/<int:day_off_id>/hapus")
def delete(day_off_id: int):
    db = session()
    days_off.delete_day_off(db, current_user, actor(), day_off_id)
    flash("Hari libur dihapus.", "success")
    return redirect(url_for("days_off.index", tahun=request.form.get("tahun") or None))
