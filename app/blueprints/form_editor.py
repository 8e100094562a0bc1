"""Studio form editor (/studio/formulir): the forms with their versions and users, an editor with the
JSON Schema and UI schema side by side and a live preview drawn by the task pages' renderer."""
from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from ..services import authz, form_store
from ..services.errors import BadRequestError, ConflictError, ValidationError
from .common import actor, session

bp = Blueprint("form_editor", __name__, url_prefix="/studio/formulir")
ACTIONS = ("simpan", "terbitkan")


@bp.before_request
@login_required
def _only_readers():
    authz.require_role(current_user, *form_store.READER_ROLES)


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_error):
    """Werkzeug refuses a form field over its own limit before the store could say why."""
    message = f"Kiriman terlalu besar: paling banyak {form_store.MAX_TEXT_BYTES // 1024} KB per skema."
    return render_template("error.html", status=413, title="Teks terlalu besar", message=message, fields={}), 413


@bp.get("")
def index():
    return render_template("form_editor/index.html", forms=form_store.list_forms(session(), current_user),
                           can_edit=authz.has_role(current_user, form_store.EDITOR_ROLE))


@bp.post("/baru")
def create():
    form = form_store.create(session(), actor(), current_user, request.form.get("nama", ""))
    flash(f"Formulir {form.name} dibuat dari templat sebagai draf.", "success")
    return redirect(url_for(".edit", name=form.name))


@bp.get("/<name>")
def edit(name: str):
    db = session()
    view = form_store.get_form(db, current_user, name)
    texts = (view.current.schema_text, view.current.ui_schema_text)
    return _editor(view, *texts, base=view.base_version)


@bp.post("/<name>")
def save(name: str):
    action = request.form.get("aksi")
    if action not in ACTIONS:
        raise BadRequestError("Pilih Simpan draf atau Terbitkan.")
    schema_text, ui_text, base = _texts()
    db = session()
    try:
        if action == "terbitkan":
            row = form_store.publish(db, actor(), current_user, name, schema_text, ui_text, base)
            flash(f"Formulir {name} versi {row.version} diterbitkan. Proses yang diterbitkan setelah ini "
                  "memakainya; versi proses yang sudah ada tetap memakai formulir lamanya.", "success")
        else:
            _, checked = form_store.save_draft(db, actor(), current_user, name, schema_text, ui_text, base)
            flash("Draf disimpan." if checked.ok else
                  f"Draf disimpan dengan {len(checked.problems)} masalah; draf ini belum dapat diterbitkan.",
                  "success" if checked.ok else "info")
    except (ValidationError, ConflictError) as refused:
        db.rollback()
        view = form_store.get_form(db, current_user, name)
        return _editor(view, schema_text, ui_text, base=base, refusal=refused), refused.status
    return redirect(url_for(".edit", name=name))


@bp.post("/<name>/pratinjau")
def preview(name: str):
    schema_text, ui_text, _ = _texts()
    checked = form_store.check(session(), current_user, schema_text, ui_text)
    return render_template("form_editor/_preview.html", checked=checked)


@bp.post("/<name>/buang-draf")
def discard(name: str):
    form_store.discard_draft(session(), actor(), current_user, name)
    flash("Draf dibuang; formulir kembali ke versi terbit terakhir.", "success")
    return redirect(url_for(".edit", name=name))


@bp.get("/<name>/unduh/<part>")
def download(name: str, part: str):
    wanted = request.args.get("versi", "")
    if wanted != "draf" and not wanted.isdigit():
        raise BadRequestError("Versi harus berupa nomor versi atau 'draf'.")
    filename, text = form_store.download(session(), current_user, name, part,
                                         None if wanted == "draf" else int(wanted))
    suffix = "" if wanted != "draf" else "_draf"
    return Response(text, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="{filename.replace(".json", f"{suffix}.json")}"',
        "X-Content-Type-Options": "nosniff"})


def _texts() -> tuple[str, str, int | None]:
    base = request.form.get("base_version", "")
    if base and not base.isdigit():
        raise BadRequestError("Nomor versi dasar tidak sah.")
    return request.form.get("schema_text", ""), request.form.get("ui_schema_text", ""), int(base) if base else None


def _editor(view: form_store.FormView, schema_text: str, ui_text: str, base: int | None, refusal=None):
    can_edit = authz.has_role(current_user, form_store.EDITOR_ROLE)
    checked = form_store.review(session(), current_user, schema_text, ui_text)
    return render_template("form_editor/edit.html", view=view, schema_text=schema_text, ui_text=ui_text,
                           base=base, checked=checked, can_edit=can_edit, refusal=refusal)
