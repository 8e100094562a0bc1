"""Data Saya: an ASN's own data utama and nine history tabs."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from ..services import due_dates, employees
from .common import session

bp = Blueprint("me", __name__)


@bp.get("/data-saya")
@login_required
def data_saya():
    db = session()
    employee = employees.own_employee(db, current_user)
    return render_template("employees/profile.html", employee=employee, own=True,
                           histories=employees.histories(db, employee), due=due_dates.for_employee(db, employee))
