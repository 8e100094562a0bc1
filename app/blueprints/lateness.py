"""Keterlambatan validasi: validator tasks escalated to BKPSDM, per OPD and period."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from ..services import lateness
from ..services.lateness import QUARTERS
from .common import session, str_arg

bp = Blueprint("lateness", __name__, url_prefix="/keterlambatan-validasi")


@bp.get("/")
@login_required
def index():
    db = session()
    visible = lateness.visible_opds(db, current_user)
    period = lateness.parse_period(request.args.get("tahun", ""), request.args.get("kuartal", ""),
                                   request.args.get("bulan", ""))
    opd = str_arg("opd", 32) or None
    counts = lateness.counts_per_opd(db, current_user, period, opd)
    return render_template("lateness/index.html", period=period, opd=opd, counts=counts,
                           rows=lateness.rows(db, current_user, period, opd), quarters=QUARTERS,
                           all_opds=visible is None, total=sum(c.count for c in counts))
