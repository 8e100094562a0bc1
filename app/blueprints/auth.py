"""Log in and log out."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from ..extensions import limiter, login_manager
from ..models import User
from ..services import auth
from ..services.errors import AuthenticationError
from .common import session

bp = Blueprint("auth", __name__)
login_manager.login_view = "auth.login"
login_manager.login_message = "Silakan masuk terlebih dahulu."
login_manager.login_message_category = "info"


@login_manager.user_loader
def load_user(user_id: str):
    user = session().get(User, int(user_id)) if user_id.isdigit() else None
    return user if user is not None and user.active else None


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.get("/masuk")
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    return render_template("auth/login.html", username="")


@bp.post("/masuk")
@limiter.limit(_login_limit, methods=["POST"])
def login_post():
    username = request.form.get("username", "")
    cfg = current_app.config
    try:
        user = auth.authenticate(session(), username, request.form.get("password", ""),
                                 ip=request.remote_addr, max_failures=cfg["LOGIN_MAX_FAILURES"],
                                 lockout_minutes=cfg["LOGIN_LOCKOUT_MINUTES"],
                                 demo_mode=cfg["DEMO_MODE"])
    except AuthenticationError as exc:
        return render_template("auth/login.html", username=username, error=exc.message), exc.status
    login_user(user)
    flash("Anda berhasil masuk.", "success")
    return redirect(_safe_next(request.args.get("next")))


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("home.index")


@bp.post("/keluar")
@login_required
def logout():
    auth.record_logout(session(), current_user, request.remote_addr)
    logout_user()
    flash("Anda telah keluar.", "info")
    return redirect(url_for("auth.login"))
