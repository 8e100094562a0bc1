"""Ajukan usulan: an ASN picks a kind of data and an operation, fills that kind's form with
evidence, and the usul_perubahan_data process starts with the proposal in its data."""
from __future__ import annotations

import functools

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from ..forms import bind_uploads, parse_submission, render_form, validate_submission
from ..services import change_requests, definitions, documents, employees, processes
from ..services.errors import NotFoundError
from ..services.reference import reference_choices
from .common import actor, session

bp = Blueprint("proposals", __name__, url_prefix="/usulan/baru")
PROCESS_KEY = "usul_perubahan_data"
TOP_LEVEL = ("bukti", "alasan")


@bp.get("/")
@login_required
def choose():
    db = session()
    employee = employees.own_employee(db, current_user)
    kinds = [(key, kind.label, _records(db, employee, key)) for key, kind in change_requests.KINDS.items()]
    return render_template("proposals/choose.html", employee=employee, kinds=kinds,
                           data_utama=change_requests.DATA_UTAMA)


def _records(db, employee, key: str) -> list:
    model = change_requests.KINDS[key].model
    if key == change_requests.DATA_UTAMA:
        return []
    stmt = select(model).where(model.employee_id == employee.id, model.deleted_at.is_(None)).order_by(model.id)
    return list(db.scalars(stmt))


def _proposal(db, kind: str, operation: str):
    """The employee, form id, schema, UI schema and the record id of a proposal page; 404 if unknown."""
    if kind not in change_requests.KINDS or operation not in change_requests.OPERATIONS or (
            kind == change_requests.DATA_UTAMA and operation != "koreksi"):
        raise NotFoundError("Jenis usulan tidak dikenal. Pilih jenis data dari halaman Ajukan usulan.")
    employee = employees.own_employee(db, current_user)
    record_id = request.values.get("record", type=int) if operation != "tambah" else None
    if operation != "tambah" and kind != change_requests.DATA_UTAMA and record_id is None:
        raise NotFoundError("Pilih riwayat yang ingin dikoreksi atau dihapus.")
    form_id = change_requests.form_for(kind, employee, operation)
    forms = definitions.require_latest(db, PROCESS_KEY).forms
    return employee, form_id, forms[f"{form_id}.schema.json"], forms.get(f"{form_id}.uischema.json"), record_id


def _page(db, kind, operation, data, errors=None, status=200):
    employee, form_id, schema, ui, record_id = _proposal(db, kind, operation)
    provider = functools.partial(reference_choices, db)
    return render_template("proposals/form.html", kind=kind, label=change_requests.KINDS[kind].label,
                           operation=operation, record_id=record_id, employee=employee,
                           form_html=render_form(schema, ui, data, errors, provider)), status


@bp.get("/<kind>/<operation>")
@login_required
def form(kind: str, operation: str):
    db = session()
    employee, _form_id, _schema, _ui, record_id = _proposal(db, kind, operation)
    data = change_requests.current_values(db, employee, kind, record_id) if operation == "koreksi" else {}
    return _page(db, kind, operation, data)


@bp.post("/<kind>/<operation>")
@login_required
def submit(kind: str, operation: str):
    db = session()
    employee, form_id, schema, ui, record_id = _proposal(db, kind, operation)
    store_dir = current_app.config["SETTINGS"].document_store

    def store(upload, doc_kind):
        return documents.store_upload(db, store_dir, upload, upload.filename, current_user.id, doc_kind).id

    posted, errors = bind_uploads(schema, ui, request.form, request.files, store)
    data = parse_submission(schema, ui, posted)
    errors = validate_submission(schema, data, ui, functools.partial(reference_choices, db)) | errors
    if errors:
        db.commit()  # keep stored uploads so the ASN need not upload again
        flash("Usulan belum lengkap; perbaiki isian yang ditandai.", "error")
        return _page(db, kind, operation, data, errors, 422)
    usulan = {key: value for key, value in data.items() if key not in TOP_LEVEL}
    start_data = {"jenis": kind, "operasi": operation, "record_id": record_id, "usulan": usulan,
                  "bukti": data.get("bukti"), "alasan": data.get("alasan"), "form_id": form_id,
                  "dimulai_oleh": "asn"}
    title = f"Usul {operation} {change_requests.KINDS[kind].label.lower()} — {employee.nama}"
    instance = processes.start(db, current_user, actor(), PROCESS_KEY, subject_employee_id=employee.id,
                               data=start_data, title=title)
    flash("Usulan Anda terkirim ke validator OPD. Perkembangannya dapat dilihat di Usulan Saya.", "success")
    return redirect(url_for("requests.detail", instance_id=instance.id))
