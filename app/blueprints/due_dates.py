"""Jatuh tempo: KGB and retirement (BUP) falling due — BKPSDM sees every OPD, a validator their scope."""
from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, render_template
from flask_login import current_user, login_required

from ..services import due_dates, employees
from ..web import ref_name, unit_name
from .common import actor, int_arg, session, str_arg

bp = Blueprint("due_dates", __name__, url_prefix="/jatuh-tempo")

CSV_HEADER = ("NIP", "Nama", "Unit kerja", "OPD", "Golongan", "Jabatan", "Jenis", "Tanggal jatuh tempo",
              "Sisa hari", "Keterangan")


def _query(per_page: int = 50) -> due_dates.DueQuery:
    return due_dates.DueQuery(kind=str_arg("jenis"), opd_id=str_arg("opd"), month=str_arg("bulan"),
                              page=int_arg("halaman"), per_page=per_page)


def golongan_name(code) -> str:
    return ref_name("golonganPppk" if (code or "").startswith("PPPK") else "golonganPns", code)


def note(item: due_dates.DueItem) -> str:
    return f"BUP {item.bup} tahun" if item.bup else "KGB tiap 2 tahun"


@bp.get("/")
@login_required
def index():
    db = session()
    query = _query()
    page = due_dates.list_page(db, current_user, query)
    return render_template("due_dates/list.html", page=page, query=query, kinds=due_dates.KIND_LABELS,
                           opds=employees.opd_choices(db, current_user), golongan_name=golongan_name, note=note,
                           notice=due_dates.NOTICE_MONTHS)


@bp.get("/unduh.csv")
@login_required
def export_csv():
    items = due_dates.export(session(), current_user, actor(), _query())
    out = io.StringIO()
    out.write("\ufeff")  # so that spreadsheet programs read the names as UTF-8
    writer = csv.writer(out, delimiter=";")
    writer.writerow(CSV_HEADER)
    for item in items:
        writer.writerow((item.nip, item.nama, unit_name(item.unor_id), unit_name(item.opd_id),
                         golongan_name(item.golongan_id), item.jabatan_nama or "", item.kind_label,
                         item.due_date.strftime("%d-%m-%Y"), item.days_left, note(item)))
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=jatuh-tempo.csv"})
