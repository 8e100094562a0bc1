"""Mutasi antar-OPD (process `mutasi_unit_kerja`): who may propose a transfer and with what data,
and the service-task operator that applies an approved transfer inside the caller's transaction
(flush only; the process service commits).

Everything about the flow (who releases, who accepts, who decides) lives in
workflows/mutasi_unit_kerja.bpmn and its forms; this module only checks the data and writes it.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Employee, OrgUnit, ProcessInstance, RiwayatJabatan, RiwayatPindahUnit, User
from . import personnel, processes
from .audit import Actor
from .authz import can_view_employee, scope_unit_ids
from .errors import ConflictError, ForbiddenError, NotFoundError, ValidationError
from .operators import register
from .reference import code_exists

PROCESS_KEY = "mutasi_unit_kerja"
JENIS_RIWAYAT = "pemindahan"
FIELDS = ("opd_tujuan", "unor_tujuan", "jabatan_nama", "jenis_jabatan_id", "tmt", "alasan")
OPEN_STATUSES = ("running", "waiting", "suspended", "error")
REQUIRED = "Wajib diisi."


# --- who may start, and with what --------------------------------------------------------------

def may_start(session: Session, user: User, employee: Employee) -> bool:
    """BKPSDM for anyone; a validator for an employee of an OPD their scope covers."""
    if "bkpsdm" in user.role_names:
        return True
    return employee.opd_id is not None and employee.opd_id in scope_unit_ids(session, user)


def startable_employee(session: Session, user: User, employee_id: int | None) -> Employee:
    """The employee `user` may propose a transfer for; otherwise not found / forbidden."""
    employee = session.get(Employee, employee_id) if employee_id is not None else None
    if employee is None or not can_view_employee(session, user, employee):
        raise NotFoundError("Pegawai tidak ditemukan.")
    if not may_start(session, user, employee):
        raise ForbiddenError("Mutasi hanya dapat diusulkan oleh BKPSDM atau validator OPD asal pegawai.")
    return employee


def start_transfer(session: Session, user: User, actor: Actor, employee_id: int | None,
                   form: dict) -> ProcessInstance:
    """Check the proposer and the fields, then start `mutasi_unit_kerja` (committed)."""
    employee = startable_employee(session, user, employee_id)
    data = check_proposal(session, employee, form)
    open_one = session.scalar(select(ProcessInstance.id).where(
        ProcessInstance.process_key == PROCESS_KEY, ProcessInstance.subject_employee_id == employee.id,
        ProcessInstance.status.in_(OPEN_STATUSES)))
    if open_one is not None:
        raise ConflictError(f"Pegawai ini masih memiliki usulan mutasi yang berjalan (usulan #{open_one}).")
    origin, target = session.get(OrgUnit, data["opd_asal"]), session.get(OrgUnit, data["opd_tujuan"])
    title = (f"Mutasi {employee.nama}: {origin.short_name or origin.name if origin else data['opd_asal']} → "
             f"{target.short_name or target.name}")
    return processes.start(session, user, actor, PROCESS_KEY, subject_employee_id=employee.id, data=data,
                           title=title)


def check_proposal(session: Session, employee: Employee, form: dict) -> dict:
    """The start data of a transfer, or ValidationError with the wrong fields named."""
    values = {name: str(form.get(name) or "").strip() for name in FIELDS}
    errors: dict[str, list[str]] = {}
    for name, value in values.items():
        if not value:
            errors[name] = [REQUIRED]
    if employee.opd_id is None or employee.unor_id is None:
        raise ValidationError("Pegawai belum memiliki unit kerja; mutasi tidak dapat diusulkan.")
    target = session.get(OrgUnit, values["opd_tujuan"]) if values["opd_tujuan"] else None
    if values["opd_tujuan"] and (target is None or not target.is_opd or not target.active):
        errors["opd_tujuan"] = ["OPD tujuan tidak dikenal."]
    elif target is not None and target.id == employee.opd_id:
        errors["opd_tujuan"] = ["OPD tujuan harus berbeda dari OPD asal pegawai."]
    if values["unor_tujuan"] and "opd_tujuan" not in errors:
        unit = session.get(OrgUnit, values["unor_tujuan"])
        if unit is None or not unit.active or unit.opd_id != values["opd_tujuan"]:
            errors["unor_tujuan"] = ["Unit kerja tujuan harus berada di bawah OPD tujuan."]
    if len(values["jabatan_nama"]) > 300:
        errors["jabatan_nama"] = ["Paling banyak 300 karakter."]
    if values["jenis_jabatan_id"] and not code_exists(session, "jenisJabatan", values["jenis_jabatan_id"]):
        errors["jenis_jabatan_id"] = ["Jenis jabatan tidak dikenal."]
    if values["tmt"]:
        tmt = _date(values["tmt"])
        if tmt is None:
            errors["tmt"] = ["Tanggal tidak valid (format TTTT-BB-HH)."]
        elif employee.tmt_jabatan is not None and tmt <= employee.tmt_jabatan:
            errors["tmt"] = [f"TMT mutasi harus setelah TMT jabatan sekarang ({employee.tmt_jabatan.isoformat()})."]
    if len(values["alasan"]) > 1000:
        errors["alasan"] = ["Paling banyak 1000 karakter."]
    if errors:
        raise ValidationError("Isian usulan mutasi belum benar; periksa kolom yang ditandai.", fields=errors)
    return {"opd_asal": employee.opd_id, **values}


def _date(value) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


# --- the operator -------------------------------------------------------------------------------

@register("apply_transfer")
def apply_transfer(ctx, params, data) -> dict:
    """Add the position record (jenis_riwayat "pemindahan") and the unit-transfer record with the
    decree number in `nomor_sk`; the employee's unit and OPD are recomputed; change log `mutasi-<id>`.

    Refusals raise ``ValidationError`` (Bahasa Indonesia) and the step's transaction is rolled back."""
    session, actor = ctx.session, ctx.actor
    employee = session.get(Employee, ctx.instance.subject_employee_id)
    if employee is None:
        raise ValidationError("Pegawai yang dimutasi tidak ditemukan.")
    origin, target = data.get("opd_asal"), data.get("opd_tujuan")
    if not origin or not target or origin == target:
        raise ValidationError("OPD tujuan mutasi harus berbeda dari OPD asal.")
    if employee.opd_id != origin:
        raise ValidationError("Pegawai sudah tidak berada di OPD asal; mutasi tidak dapat diterapkan.")
    unit = session.get(OrgUnit, data.get("unor_tujuan") or "")
    if unit is None or unit.opd_id != target:
        raise ValidationError("Unit kerja tujuan tidak berada di bawah OPD tujuan.")
    tmt = _date(data.get("tmt"))
    if tmt is None:
        raise ValidationError("TMT mutasi tidak valid.")
    nomor_sk = str(data.get("nomor_sk") or "").strip()
    if not nomor_sk:
        raise ValidationError("Nomor SK mutasi belum diterbitkan.")
    if not str(data.get("jabatan_nama") or "").strip() or not data.get("jenis_jabatan_id"):
        raise ValidationError("Jabatan baru pada usulan mutasi belum lengkap.")
    reason = str(data.get("alasan") or "").strip() or f"Mutasi ke {unit.name}"
    request_ref = f"mutasi-{ctx.instance.id}"
    sk = {"sk_nomor": nomor_sk, "sk_tanggal": ctx.now().date()}
    previous_unit = employee.unor_id
    position = personnel.add_history(session, actor, employee, RiwayatJabatan, {
        "jenis_riwayat": JENIS_RIWAYAT, "unor_id": unit.id, "jabatan_nama": str(data["jabatan_nama"]).strip(),
        "jenis_jabatan_id": str(data["jenis_jabatan_id"]), "tmt_jabatan": tmt, **sk}, reason, request_ref)
    transfer = personnel.add_history(session, actor, employee, RiwayatPindahUnit, {
        "unor_asal_id": previous_unit, "unor_baru_id": unit.id, "tmt_pindah": tmt, **sk}, reason, request_ref)
    if employee.unor_id != unit.id:
        raise ValidationError("TMT mutasi lebih awal dari riwayat terakhir pegawai; unit kerja tidak berubah.")
    return {"riwayat_jabatan_id": position.id, "riwayat_pindah_unit_id": transfer.id}
