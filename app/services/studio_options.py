"""What the side panel of the BPMN editor offers: the mapped lanes, the forms a user task may name,
the registered operators with their parameters, and the help for timer expressions."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import ROLES, LaneRole, User
from . import authz, operators, studio_checks

# Indonesian description and parameters of each built-in operator; `expression` parameters are
# evaluated by the safe evaluator, so text is written in quotes ("subject").
OPERATOR_HELP = {
    "notify": ("Kirim notifikasi dalam aplikasi.", (
        ("to", 'Penerima: "subject" (pegawai), "initiator" (pengaju) atau nama peran, mis. "bkpsdm".'),
        ("title", "Judul notifikasi (teks dalam tanda kutip)."),
        ("body", "Isi notifikasi (opsional; teks dalam tanda kutip atau nama variabel)."))),
    "issue_decree_number": ("Terbitkan nomor SK berikutnya dari sebuah seri.", (
        ("series", 'Seri nomor SK, mis. "MUTASI".'),
        ("format", 'Format nomor (opsional), bawaan "{number:03d}/{series}/BKPSDM/{year}".'))),
    "apply_change_request": ("Terapkan usulan perubahan data yang disetujui (memakai data proses).", ()),
    "apply_transfer": ("Terapkan mutasi unit kerja (riwayat jabatan dan pindah unit, nomor SK dari nomor_sk).", ()),
    "record_lateness": ("Catat keterlambatan validasi OPD untuk tugas yang dieskalasi.", (
        ("tugas", 'Nama tugas yang terlambat, dalam tanda kutip, mis. "Periksa usulan".'),
        ("opd", "Variabel yang berisi OPD, mis. opd."))),
}

TIMER_HELP = (
    ("hari_kerja(5)", "5 hari kerja (melewati Sabtu, Minggu dan hari libur nasional)."),
    ("hari(14)", "14 hari kalender."),
    ("jam(4)", "4 jam."),
    ('"P3D"', "Durasi ISO 8601 dalam tanda kutip: P3D = 3 hari, PT12H = 12 jam, P1W = 1 minggu."),
    ('"2026-01-02T08:00:00"', "timeDate: tanggal dan jam tertentu (ISO 8601, dalam tanda kutip)."),
    ('"R/2026-01-01T08:00:00/P3M"', "timeCycle (hanya event mulai): berulang tiap 3 bulan sejak tanggal itu."),
)


def editor_options(session: Session, user: User) -> dict:
    """The choices of the side panel, as JSON for the editor's script."""
    authz.require_role(user, "process_owner")
    lanes = session.scalars(select(LaneRole).order_by(LaneRole.lane))
    return {
        "lanes": [{"name": lane.lane, "role": ROLES.get(lane.role, lane.role),
                   "scope": lane.scope_variable or ""} for lane in lanes],
        "forms": sorted(studio_checks.default_known_forms(session)),
        "operators": [_operator(name) for name in sorted(operators.operator_names())],
        "timer_help": [{"example": example, "meaning": meaning} for example, meaning in TIMER_HELP],
    }


def _operator(name: str) -> dict:
    description, params = OPERATOR_HELP.get(name, ("Operator terdaftar (tanpa keterangan).", ()))
    return {"name": name, "description": description,
            "params": [{"name": param, "help": help_text} for param, help_text in params]}
