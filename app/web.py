"""Template helpers: Indonesian labels, dates, reference names, the navigation of each role."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import Flask, g, request
from flask_login import current_user

from .extensions import db
from .models import ROLES, OrgUnit
from .presentation import COLUMN_LABELS, REFERENCE_COLUMNS, TABLE_COLUMNS, TABLE_TITLES
from .services import authz, reference

WIB_OFFSET = timedelta(hours=7)
OBJECT_LABELS = {"user": "Pengguna", "employee": "Pegawai", "employees": "Pegawai", "lane_role": "Lajur proses"}
MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
          "Oktober", "November", "Desember")


def tanggal(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, datetime):
        value = value + WIB_OFFSET  # stored as naive UTC
        return f"{value.day} {MONTHS[value.month - 1]} {value.year} {value:%H:%M} WIB"
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def detail_text(details: dict) -> str:
    """Audit details as a person reads them: "kunci: nilai; ...", lists joined by commas."""
    parts = []
    for key, value in (details or {}).items():
        if value in (None, "", [], {}):
            continue
        shown = ", ".join(map(str, value)) if isinstance(value, list) else ("ya" if value is True else value)
        parts.append(f"{key.replace('_', ' ')}: {shown}")
    return "; ".join(parts)


def object_label(object_type) -> str:
    if not object_type:
        return ""
    return OBJECT_LABELS.get(object_type, object_type.replace("riwayat_", "Riwayat ").replace("_", " "))


def ref_name(table_key: str, code) -> str:
    if code in (None, ""):
        return "—"
    cache = g.setdefault("_ref_names", {})
    key = (table_key, str(code))
    if key not in cache:
        cache[key] = reference.reference_name(db.session(), table_key, str(code)) or str(code)
    return cache[key]


def unit_name(unit_id) -> str:
    if not unit_id:
        return "—"
    unit = db.session().get(OrgUnit, unit_id)
    return unit.name if unit else str(unit_id)


def cell(table: str, column: str, record) -> str:
    """A history cell as a person reads it: reference names, dates, yes/no."""
    value = getattr(record, column)
    ref = REFERENCE_COLUMNS.get(column)
    if column in ("unor_id", "unor_asal_id", "unor_baru_id"):
        return unit_name(value)
    if ref:
        return ref_name(ref(record) if callable(ref) else ref, value)
    if isinstance(value, bool):
        return "Ya" if value else "Tidak"
    if isinstance(value, (date, datetime)):
        return tanggal(value)
    return "—" if value in (None, "") else str(value)


# The administrator's pages, reached from one "Administrasi" menu entry (app/templates/admin/index.html)
# and from the admin's card on the home page: (endpoint, title, what it is for).
ADMIN_SECTIONS = (
    ("admin.users", "Pengguna", "Akun, peran dan cakupan OPD setiap pengguna; aktifkan atau nonaktifkan akun."),
    ("admin.lane_list", "Lajur Proses", "Pemetaan lajur diagram BPMN ke peran dan variabel cakupan OPD."),
    ("days_off.index", "Hari libur", "Cuti bersama dan libur daerah yang dilewati tenggat hari kerja."),
    ("instances.index", "Instans Proses", "Proses yang berjalan: tangguhkan, lanjutkan, batalkan, ulangi langkah "
                                          "gagal, alihkan tugas; peta waktu tunggu."),
    ("form_editor.index", "Formulir", "Formulir tugas (JSON Schema dan UI schema): sunting, pratinjau, terbitkan."),
    ("admin.audit_log", "Audit", "Jejak audit berantai hash dan pemeriksaan keutuhannya."),
    ("operations.index", "Operasi", "Beat terakhir, antrean, pengatur waktu, pekerjaan gagal dan surel yang "
                                    "tidak terkirim."),
)
_ADMIN_BLUEPRINTS = {endpoint.split(".")[0] for endpoint, _title, _text in ADMIN_SECTIONS}


def nav_items() -> list[tuple[str, str, bool]]:
    """The main menu of the signed-in user: (endpoint, label, is the current page's entry)."""
    if not current_user.is_authenticated:
        return []
    items = [("home.index", "Beranda")]
    if current_user.employee_id:
        items.append(("me.data_saya", "Data Saya"))
    if authz.can_list_employees(current_user):
        items.append(("employees.index", "Pegawai"))
        items.append(("due_dates.index", "Jatuh tempo"))
    items.append(("tasks.index", "Kotak Tugas"))
    if current_user.employee_id or authz.has_role(current_user, "validator_opd"):
        items.append(("requests.index", "Usulan Saya"))
    items.append(("reference.index", "Referensi"))
    if authz.has_role(current_user, "bkpsdm", "kepala_bkpsdm", "admin", "validator_opd"):
        items.append(("lateness.index", "Keterlambatan"))
    admin = authz.has_role(current_user, "admin")
    if authz.has_role(current_user, "bkpsdm") and not admin:
        items.append(("days_off.index", "Hari libur"))
    if authz.has_role(current_user, "process_owner"):
        items += [("instances.index", "Instans Proses"), ("form_editor.index", "Formulir"),
                  ("studio.index", "Studio Proses")]
    if admin:
        items.append(("admin.index", "Administrasi"))
    listed = {endpoint for endpoint, _label in items}
    return [(endpoint, label, _is_current(endpoint, listed)) for endpoint, label in items]


def _is_current(endpoint: str, listed: set[str]) -> bool:
    """The entry of the page being shown; the administrator's pages without an entry of their own light
    up "Administrasi"."""
    current = request.endpoint or ""
    if current == endpoint:
        return True
    if endpoint == "admin.index" and current not in listed:
        return current.split(".")[0] in _ADMIN_BLUEPRINTS
    return False


def unread_notifications() -> int:
    from .blueprints.notifications import unread_count
    return unread_count()


def install_template_helpers(app: Flask) -> None:
    app.jinja_env.filters["tanggal"] = tanggal
    app.jinja_env.globals.update(
        unread_notifications=unread_notifications, ref_name=ref_name, unit_name=unit_name, detail_text=detail_text, object_label=object_label, cell=cell, nav_items=nav_items, ADMIN_SECTIONS=ADMIN_SECTIONS, ROLES=ROLES,
        COLUMN_LABELS=COLUMN_LABELS, TABLE_COLUMNS=TABLE_COLUMNS, TABLE_TITLES=TABLE_TITLES)
