"""Registering a new employee (data utama with the first position and rank), by BKPSDM."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.identity import IdentityError, cross_check_nik, cross_check_nip, parse_nik, parse_nip
from ..models import EMPLOYEE_KINDS, Employee, OrgUnit, RiwayatGolongan, RiwayatJabatan, User
from . import authz, personnel, reference
from .audit import Actor
from .employees import normalize_name
from .errors import ForbiddenError, ValidationError

REQUIRED = {
    "nip": "NIP", "nik": "NIK", "nama": "Nama", "tempat_lahir": "Tempat lahir", "tanggal_lahir": "Tanggal lahir",
    "jenis_kelamin": "Jenis kelamin", "agama_id": "Agama", "jenis_kawin_id": "Status perkawinan",
    "kind": "Jenis pegawai", "unor_id": "Unit kerja", "jabatan_nama": "Nama jabatan",
    "jenis_jabatan_id": "Jenis jabatan", "golongan_id": "Golongan", "tmt_golongan": "TMT golongan",
    "tmt_jabatan": "TMT jabatan",
}
REFERENCE_FIELDS = {"agama_id": "agama", "jenis_kawin_id": "kawin", "jenis_jabatan_id": "jenisJabatan"}
DEFAULT_JENIS_PEGAWAI = "15"  # PNS Daerah Kabupaten/Kota (SIASN)
KEDUDUKAN_AKTIF = "01"


def _date(raw: str, label: str, faults: dict, key: str) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        faults.setdefault(key, []).append(f"{label} harus berupa tanggal (HH-BB-TTTT).")
        return None


def _parse(form: dict) -> tuple[dict, dict[str, list[str]]]:
    data = {k: (form.get(k) or "").strip() for k in list(REQUIRED) + ["gelar_depan", "gelar_belakang", "tmt_cpns",
                                                                       "email", "nomor_hp"]}
    faults: dict[str, list[str]] = {}
    for key, label in REQUIRED.items():
        if not data[key]:
            faults.setdefault(key, []).append(f"{label} wajib diisi.")
    for key in ("tanggal_lahir", "tmt_cpns", "tmt_golongan", "tmt_jabatan"):
        data[key] = _date(data[key], REQUIRED.get(key, "TMT CPNS"), faults, key)
    if data["jenis_kelamin"] and data["jenis_kelamin"] not in ("M", "F"):
        faults.setdefault("jenis_kelamin", []).append("Pilih laki-laki atau perempuan.")
    if data["kind"] and data["kind"] not in EMPLOYEE_KINDS:
        faults.setdefault("kind", []).append("Pilih PNS, CPNS atau PPPK.")
    return data, faults


def _identity_faults(data: dict, faults: dict) -> None:
    nip_info = nik_info = None
    try:
        nip_info = parse_nip(data["nip"]) if data["nip"] else None
    except IdentityError as exc:
        faults.setdefault("nip", []).extend(exc.faults)
    try:
        nik_info = parse_nik(data["nik"]) if data["nik"] else None
    except IdentityError as exc:
        faults.setdefault("nik", []).extend(exc.faults)
    if not (data["tanggal_lahir"] and data["jenis_kelamin"] in ("M", "F")):
        return
    if nip_info and data["kind"]:
        tmt = data["tmt_cpns"] if data["kind"] != "PPPK" else None
        faults.setdefault("nip", []).extend(cross_check_nip(
            nip_info, birth_date=data["tanggal_lahir"], sex=data["jenis_kelamin"], kind=data["kind"], tmt_cpns=tmt))
    if nik_info:
        faults.setdefault("nik", []).extend(cross_check_nik(
            nik_info, birth_date=data["tanggal_lahir"], sex=data["jenis_kelamin"]))


def _database_faults(session: Session, data: dict, faults: dict) -> None:
    if data["nip"] and session.scalar(select(Employee.id).where(Employee.nip == data["nip"])):
        faults.setdefault("nip", []).append("NIP sudah terdaftar.")
    if data["nik"] and session.scalar(select(Employee.id).where(Employee.nik == data["nik"])):
        faults.setdefault("nik", []).append("NIK sudah terdaftar pada pegawai lain.")
    for key, table in REFERENCE_FIELDS.items():
        if data[key] and not reference.code_exists(session, table, data[key]):
            faults.setdefault(key, []).append("Pilihan tidak dikenal; pilih dari daftar.")
    golongan_table = "golonganPppk" if data["kind"] == "PPPK" else "golonganPns"
    if data["golongan_id"] and not reference.code_exists(session, golongan_table, data["golongan_id"]):
        faults.setdefault("golongan_id", []).append("Golongan tidak sesuai dengan jenis pegawai.")
    if data["unor_id"] and session.get(OrgUnit, data["unor_id"]) is None:
        faults.setdefault("unor_id", []).append("Unit kerja tidak dikenal.")


def validate(session: Session, form: dict) -> dict:
    data, faults = _parse(form)
    _identity_faults(data, faults)
    _database_faults(session, data, faults)
    faults = {k: v for k, v in faults.items() if v}
    if faults:
        raise ValidationError("Data pegawai belum benar; perbaiki isian yang ditandai.", fields=faults)
    return data


def create_employee(session: Session, user: User, actor: Actor, form: dict) -> Employee:
    if not authz.can_create_employee(user):
        raise ForbiddenError("Hanya BKPSDM yang dapat mendaftarkan pegawai baru.")
    data = validate(session, form)
    reason = (form.get("reason") or "").strip() or "Pendaftaran pegawai baru"
    employee = Employee(
        nip=data["nip"], nik=data["nik"], nama=data["nama"], nama_cari=normalize_name(data["nama"]),
        gelar_depan=data["gelar_depan"] or None, gelar_belakang=data["gelar_belakang"] or None,
        tempat_lahir=data["tempat_lahir"], tanggal_lahir=data["tanggal_lahir"],
        jenis_kelamin=data["jenis_kelamin"], agama_id=data["agama_id"], jenis_kawin_id=data["jenis_kawin_id"],
        kind=data["kind"], jenis_pegawai_id=DEFAULT_JENIS_PEGAWAI, kedudukan_hukum_id=KEDUDUKAN_AKTIF,
        tmt_cpns=data["tmt_cpns"] if data["kind"] != "PPPK" else None,
        tmt_pppk=data["tmt_jabatan"] if data["kind"] == "PPPK" else None,
        email=data["email"] or None, nomor_hp=data["nomor_hp"] or None)
    session.add(employee)
    session.flush()
    personnel.log_creation(session, actor, employee, reason)
    personnel.add_history(session, actor, employee, RiwayatJabatan, dict(
        jenis_riwayat="pengangkatan", jenis_jabatan_id=data["jenis_jabatan_id"], jabatan_nama=data["jabatan_nama"],
        unor_id=data["unor_id"], tmt_jabatan=data["tmt_jabatan"]), reason)
    personnel.add_history(session, actor, employee, RiwayatGolongan, dict(
        golongan_id=data["golongan_id"], tmt_golongan=data["tmt_golongan"]), reason)
    session.commit()
    return employee
