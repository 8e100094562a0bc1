"""Notifikasi: the user's in-app notifications, marking them read, and the bell's unread count."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select, update

from ..models import Notification
from ..models.base import utcnow
from ..services.errors import NotFoundError
from .common import int_arg, session

bp = Blueprint("notifications", __name__, url_prefix="/notifikasi")
PER_PAGE = 50


def unread_count() -> int:
    """For the header bell; 0 for a visitor who has not signed in."""
    if not current_user.is_authenticated:
        return 0
    stmt = select(func.count()).select_from(Notification).where(
        Notification.user_id == current_user.id, Notification.read_at.is_(None))
    return session().scalar(stmt) or 0


@bp.get("/")
@login_required
def index():
    page = int_arg("halaman")
    stmt = (select(Notification).where(Notification.user_id == current_user.id)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(PER_PAGE).offset((page - 1) * PER_PAGE))
    return render_template("notifications/list.html", notifications=list(session().scalars(stmt)), page=page,
                           per_page=PER_PAGE)


@bp.post("/<int:notification_id>/baca")
@login_required
def mark_read(notification_id: int):
    db = session()
    note = db.get(Notification, notification_id)
    if note is None or note.user_id != current_user.id:
        raise NotFoundError("Notifikasi tidak ditemukan.")
    if note.read_at is None:
        note.read_at = utcnow()
        db.commit()
    if request.form.get("buka") and note.link and note.link.startswith("/") and not note.link.startswith("//"):
        return redirect(note.link)
    return redirect(url_for("notifications.index"))


@bp.post("/baca-semua")
@login_required
def mark_all_read():
    db = session()
    db.execute(update(Notification).where(Notification.user_id == current_user.id, Notification.read_at.is_(None))
               .values(read_at=utcnow()))
    db.commit()
    flash("Semua notifikasi ditandai sudah dibaca.", "success")
    return redirect(url_for("notifications.index"))
