"""Read-only browser of the reference tables."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

from ..services import reference
from ..services.errors import NotFoundError
from .common import int_arg, session, str_arg

bp = Blueprint("reference", __name__, url_prefix="/referensi")


@bp.get("/")
@login_required
def index():
    return render_template("reference/index.html", tables=reference.list_tables(session()))


@bp.get("/<key>")
@login_required
def table(key: str):
    db = session()
    meta = next((t for t in reference.list_tables(db) if t.key == key), None)
    if meta is None:
        raise NotFoundError("Tabel referensi tidak ditemukan.")
    q, page = str_arg("q"), int_arg("halaman")
    rows, total = reference.search_entries(db, key, q, page, 50)
    return render_template("reference/table.html", meta=meta, rows=rows, total=total, q=q, page=page,
                           pages=max(1, -(-total // 50)))
