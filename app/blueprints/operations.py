"""Operasi: the admin's view of the background machinery — beat, broker, outbox, timers, failed jobs."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from ..models import OUTBOX_STATUSES
from ..services import authz, jobs, operations, outbox
from ..services.errors import ConflictError
from .common import actor, int_arg, session

bp = Blueprint("operations", __name__, url_prefix="/admin/operasi")
PER_PAGE = 50


@bp.before_request
@login_required
def _only_admins():
    authz.require_role(current_user, "admin")


@bp.get("/")
def index():
    db, page = session(), int_arg("halaman")
    facts = operations.overview(db, current_app.config["SETTINGS"].broker_url)
    dead, total = outbox.dead_letters(db, page, PER_PAGE)
    return render_template("operations/index.html", facts=facts, dead=dead, dead_total=total, page=page,
                           pages=max(1, -(-total // PER_PAGE)), statuses=OUTBOX_STATUSES,
                           mail=outbox.mail_settings())


@bp.post("/pesan/<int:message_id>/kirim-ulang")
def retry_message(message_id: int):
    try:
        message = outbox.retry_dead(session(), current_user, actor(), message_id)
        flash(f"Pesan untuk {message.recipient} dijadwalkan untuk dikirim ulang.", "success")
    except ConflictError as exc:
        flash(exc.message, "error")
    return redirect(url_for("operations.index"))


@bp.post("/pesan/kirim-ulang-semua")
def retry_all_messages():
    count = outbox.retry_all_dead(session(), current_user, actor())
    flash(f"{count} pesan gagal dijadwalkan untuk dikirim ulang." if count else "Tidak ada pesan gagal.",
          "success" if count else "info")
    return redirect(url_for("operations.index"))


@bp.post("/tugas/<int:failure_id>/jalankan-ulang")
def rerun_job(failure_id: int):
    queue = current_app.extensions["simasn_queue"]
    try:
        failure = jobs.rerun(session(), current_user, actor(), failure_id, queue.send)
        flash(f"Tugas {failure.task_name} dikirim ulang ke worker.", "success")
    except ConflictError as exc:
        flash(exc.message, "error")
    return redirect(url_for("operations.index"))
