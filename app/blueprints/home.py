"""The home page, one per role."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required

from ..services import authz, dashboard, employees
from ..services.errors import NotFoundError
from .common import session

bp = Blueprint("home", __name__)


@bp.get("/")
def root():
    return redirect(url_for("home.index") if current_user.is_authenticated else url_for("auth.login"))


@bp.get("/beranda")
@login_required
def index():
    user, db = current_user, session()
    context = {"me": None, "summary": None, "admin": None,
               "scoped_only": not authz.has_role(user, *authz.ALL_EMPLOYEE_ROLES)}
    try:
        context["me"] = employees.own_employee(db, user)
    except NotFoundError:
        pass
    if authz.can_list_employees(user):
        context["summary"] = dashboard.employee_summary(db, user)
    if authz.has_role(user, "admin"):
        context["admin"] = dashboard.admin_summary(db)
    return render_template("home/index.html", **context)
