"""Ajukan usulan: an ASN (for their own data) or a validator OPD (for an employee of their OPD)
picks a kind of data and an operation, fills that kind's form with evidence, and the
usul_perubahan_data process starts with the proposal in its data."""
from __future__ import annotations

import functools

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from ..forms import bind_uploads, parse_submission, render_form, validate_submission
from ..services import change_requests, definitions, documents, proposals
from ..services.errors import NotFoundError
from ..services.reference import reference_choices
from .common import actor, int_arg, session, str_arg

bp = Blueprint("proposals", __name__, url_prefix="/usulan/baru")
OWN = {"employee_id": None}


@bp.get("/pegawai")
@login_required
def subjects():
    q = str_arg("q")
    page = proposals.search_subjects(session(), current_user, q, int_arg("halaman"))
    return render_template("proposals/subjects.html", page=page, q=q)


@bp.get("/", defaults=OWN)
@bp.get("/pegawai/<int:employee_id>/")
@login_required
def choose(employee_id: int | None):
    db = session()
    employee = proposals.subject(db, current_user, employee_id)
    kinds = [(key, kind.label, _records(db, employee, key)) for key, kind in change_requests.KINDS.items()]
    return render_template("proposals/choose.html", employee=employee, kinds=kinds, employee_id=employee_id,
                           data_utama=change_requests.DATA_UTAMA)


def _records(db, employee, key: str) -> list:
    model = change_requests.KINDS[key].model
    if key == change_requests.DATA_UTAMA:
        return []
    stmt = select(model).where(model.employee_id == employee.id, model.deleted_at.is_(None)).order_by(model.id)
    return list(db.scalars(stmt))


def _proposal(db, employee_id: int | None, kind: str, operation: str):
    """The employee, form id, schema, UI schema and the record id of a proposal page; 404 if unknown."""
    if kind not in change_requests.KINDS or operation not in change_requests.OPERATIONS or (
            kind == change_requests.DATA_UTAMA and operation != "koreksi"):
        raise NotFoundError("Jenis usulan tidak dikenal. Pilih jenis data dari halaman Ajukan usulan.")
    employee = proposals.subject(db, current_user, employee_id)
    record_id = request.values.get("record", type=int) if operation != "tambah" else None
    if operation != "tambah" and kind != change_requests.DATA_UTAMA and record_id is None:
        raise NotFoundError("Pilih riwayat yang ingin dikoreksi atau dihapus.")
    form_id = change_requests.form_for(kind, employee, operation)
    forms = definitions.require_latest(db, proposals.PROCESS_KEY).forms
    return employee, form_id, forms[f"{form_id}.schema.json"], forms.get(f"{form_id}.uischema.json"), record_id


def _page(db, employee_id, kind, operation, data, errors=None, status=200):
    employee, form_id, schema, ui, record_id = _proposal(db, employee_id, kind, operation)
    provider = functools.partial(reference_choices, db)
    return render_template("proposals/form.html", kind=kind, label=change_requests.KINDS[kind].label,
                           operation=operation, record_id=record_id, employee=employee, employee_id=employee_id,
                           form_html=render_form(schema, ui, data, errors, provider)), status


@bp.get("/<kind>/<operation>", defaults=OWN)
@bp.get("/pegawai/<int:employee_id>/<kind>/<operation>")
@login_required
def form(employee_id: int | None, kind: str, operation: str):
    db = session()
    employee, _form_id, _schema, _ui, record_id = _proposal(db, employee_id, kind, operation)
    data = change_requests.current_values(db, employee, kind, record_id) if operation == "koreksi" else {}
    return _page(db, employee_id, kind, operation, data)


@bp.post("/<kind>/<operation>", defaults=OWN)
@bp.post("/pegawai/<int:employee_id>/<kind>/<operation>")
@login_required
def submit(employee_id: int | None, kind: str, operation: str):
    db = session()
    employee, form_id, schema, ui, record_id = _proposal(db, employee_id, kind, operation)
    store_dir = current_app.config["SETTINGS"].document_store

    def store(upload, doc_kind):
        return documents.store_upload(db, store_dir, upload, upload.filename, current_user.id, doc_kind).id

    posted, errors = bind_uploads(schema, ui, request.form, request.files, store)
    data = parse_submission(schema, ui, posted)
    errors = validate_submission(schema, data, ui, functools.partial(reference_choices, db)) | errors
    if errors:
        db.commit()  # keep stored uploads so the proposer need not upload again
        flash("Usulan belum lengkap; perbaiki isian yang ditandai.", "error")
        return _page(db, employee_id, kind, operation, data, errors, 422)
    instance = proposals.start(db, current_user, actor(), employee, kind, operation, record_id, data, form_id)
    flash("Usulan terkirim ke BKPSDM untuk diverifikasi; pegawai yang bersangkutan telah diberi tahu."
          if employee.id != current_user.employee_id else
          "Usulan Anda terkirim ke validator OPD. Perkembangannya dapat dilihat di Usulan Saya.", "success")
    return redirect(url_for("requests.detail", instance_id=instance.id))
