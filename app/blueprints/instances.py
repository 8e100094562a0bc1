"""Instans Proses: process owners and admins list running instances, open one, act on it, and see the
heat map of a process version. Every decision is in services.instance_views / instance_admin / heatmap."""
from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..services import heatmap, instance_admin, instance_views
from .common import actor, int_arg, session

bp = Blueprint("instances", __name__, url_prefix="/admin/instans")
FILTER_ARGS = ("proses", "versi", "status", "opd", "dari", "sampai", "nip")


@bp.before_request
@login_required
def _only_process_admins():
    instance_views.require_admin(current_user)


@bp.get("/")
def index():
    db, page = session(), int_arg("halaman")
    wanted = instance_views.parse_filter(db, request.args)
    rows, total = instance_views.list_instances(db, current_user, wanted, page)
    args = {name: request.args[name].strip() for name in FILTER_ARGS if request.args.get(name, "").strip()}
    return render_template("instances/index.html", rows=rows, total=total, page=page, args=args, wanted=wanted,
                           pages=max(1, -(-total // instance_views.PAGE_SIZE)),
                           choices=instance_views.filter_choices(db), labels=instance_views.STATUS_LABELS)


@bp.get("/<int:instance_id>")
def show(instance_id: int):
    db = session()
    page = instance_views.instance_page(db, current_user, actor(), instance_id)
    choices = {task.id: instance_admin.candidates(db, task) for task, _ in page.tasks}
    return render_template("instances/show.html", page=page, instance=page.instance, candidates=choices,
                           labels=instance_views.STATUS_LABELS)


@bp.get("/<int:instance_id>/diagram")
def diagram(instance_id: int):
    response = jsonify(instance_views.diagram(session(), current_user, instance_id))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/<int:instance_id>/tangguhkan")
def suspend(instance_id: int):
    instance_admin.suspend(session(), current_user, actor(), instance_id, request.form.get("alasan", ""))
    flash("Proses ditangguhkan: tugasnya tidak tampil di Kotak Tugas dan pengatur waktunya berhenti.", "success")
    return _back(instance_id)


@bp.post("/<int:instance_id>/lanjutkan")
def resume(instance_id: int):
    instance = instance_admin.resume(session(), current_user, actor(), instance_id)
    flash(f"Proses dilanjutkan (status: {instance_views.STATUS_LABELS[instance.status]}).", "success")
    return _back(instance_id)


@bp.post("/<int:instance_id>/batalkan")
def cancel(instance_id: int):
    instance_admin.cancel(session(), current_user, actor(), instance_id, request.form.get("alasan", ""))
    flash("Proses dibatalkan.", "success")
    return _back(instance_id)


@bp.post("/<int:instance_id>/coba-ulang")
def retry(instance_id: int):
    outcome = instance_admin.retry(session(), current_user, actor(), instance_id)
    if outcome.error:
        flash(f"Langkah masih gagal: {outcome.error}", "error")
    else:
        flash(f"Langkah dijalankan ulang ({outcome.fired} pengatur waktu berjalan).", "success")
    return _back(instance_id)


@bp.post("/<int:instance_id>/tugas/<int:task_id>/alihkan")
def reassign(instance_id: int, task_id: int):
    task = instance_admin.reassign(session(), current_user, actor(), instance_id, task_id, request.form.get("pengguna"))
    flash(f"Tugas '{task.task_name}' dialihkan.", "success")
    return _back(instance_id)


@bp.get("/peta-panas/<key>/<int:version>")
def heat_map(key: str, version: int):
    heat = heatmap.heat_map(session(), current_user, key, version)
    return render_template("instances/heatmap.html", heat=heat)


@bp.get("/peta-panas/<key>/<int:version>/data")
def heat_map_data(key: str, version: int):
    response = jsonify(heatmap.heat_map(session(), current_user, key, version).as_json())
    response.headers["Cache-Control"] = "no-store"
    return response


def _back(instance_id: int):
    return redirect(url_for("instances.show", instance_id=instance_id))
