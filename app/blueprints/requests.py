"""Usulan Saya: the requests an ASN made or that are about them, their timeline, evidence and
withdrawal. Who may look at a request is decided by services.request_access."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import or_, select

from ..models import HumanTask, ProcessInstance
from ..services import processes
from ..services.errors import ValidationError
from ..services.request_access import instance_documents, is_own, visible_instance
from .common import actor, session

bp = Blueprint("requests", __name__, url_prefix="/usulan")

STATUS_LABELS = {"running": "Diproses", "waiting": "Menunggu tindakan", "completed": "Selesai",
                 "cancelled": "Ditarik/dibatalkan", "error": "Bermasalah", "suspended": "Ditangguhkan"}


@bp.get("/")
@login_required
def index():
    db = session()
    clauses = [ProcessInstance.initiator_user_id == current_user.id]
    if current_user.employee_id is not None:
        clauses.append(ProcessInstance.subject_employee_id == current_user.employee_id)
    stmt = select(ProcessInstance).where(or_(*clauses)).order_by(ProcessInstance.created_at.desc(),
                                                                 ProcessInstance.id.desc())
    return render_template("requests/list.html", instances=list(db.scalars(stmt)), labels=STATUS_LABELS)


def _detail(db, instance: ProcessInstance, fields: dict | None = None, reason: str = ""):
    open_tasks = list(db.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id)
                                 .order_by(HumanTask.created_at)))
    return render_template("requests/detail.html", instance=instance, labels=STATUS_LABELS,
                           events=processes.timeline(db, instance.id), open_tasks=open_tasks,
                           evidence=instance_documents(db, instance),
                           can_withdraw=is_own(current_user, instance)
                           and instance.status in processes.OPEN_STATUSES,
                           fields=fields or {}, reason=reason)


@bp.get("/<int:instance_id>")
@login_required
def detail(instance_id: int):
    db = session()
    return _detail(db, visible_instance(db, current_user, instance_id))


@bp.post("/<int:instance_id>/tarik")
@login_required
def withdraw(instance_id: int):
    db = session()
    reason = request.form.get("alasan", "")
    try:
        processes.withdraw(db, current_user, actor(), instance_id, reason)
    except ValidationError as exc:
        flash(exc.message, "error")
        return _detail(db, visible_instance(db, current_user, instance_id), exc.fields, reason), 422
    flash("Usulan telah ditarik dan tidak akan diproses lagi.", "success")
    return redirect(url_for("requests.detail", instance_id=instance_id))
