"""Usulan perubahan data: the kinds of change an ASN can propose, the values a correction starts
from, the validator's side-by-side view, and the service-task operator that applies an approved
proposal inside the caller's transaction (flush only; the process service commits).

Form field names are the model's column names, so a posted form is the ``usulan`` as it is.
"""
from __future__ import annotations

from datetime import date
from typing import NamedTuple

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from ..models import (
    DERIVED_COLUMNS,
    Document,
    Employee,
    OrgUnit,
    RiwayatAnak,
    RiwayatDiklat,
    RiwayatGolongan,
    RiwayatHukdis,
    RiwayatJabatan,
    RiwayatPasangan,
    RiwayatPendidikan,
    RiwayatPenghargaan,
    RiwayatPindahInstansi,
    RiwayatPindahUnit,
)
from ..models.base import to_plain
from ..presentation import COLUMN_LABELS, REFERENCE_COLUMNS, TABLE_TITLES
from . import personnel
from .employees import normalize_name
from .errors import ValidationError
from .operators import register
from .reference import code_exists, reference_name


class Kind(NamedTuple):
    model: type
    form: str
    label: str


DATA_UTAMA = "data_utama"
OPERATIONS = ("tambah", "koreksi", "hapus")
DELETE_FORM = "usul_hapus"  # alasan + bukti only, for operasi "hapus"

_HISTORY = (RiwayatPasangan, RiwayatAnak, RiwayatJabatan, RiwayatPendidikan, RiwayatDiklat, RiwayatGolongan,
            RiwayatPenghargaan, RiwayatHukdis, RiwayatPindahInstansi, RiwayatPindahUnit)
KINDS: dict[str, Kind] = {
    **{m.__tablename__: Kind(m, f"usul_{m.__tablename__}", TABLE_TITLES[m.__tablename__]) for m in _HISTORY},
    DATA_UTAMA: Kind(Employee, "usul_data_utama", "Data utama"),
}

# Data utama an ASN may propose. NIP and NIK are identity keys, and tanggal_lahir and jenis_kelamin
# are encoded in both, so they cannot change by proposal (that is a re-enrolment with BKN/Dukcapil);
# status kepegawaian and TMT CPNS/PNS/PPPK follow from decrees of their own processes.
EMPLOYEE_FIELDS = ("nama", "gelar_depan", "gelar_belakang", "tempat_lahir", "agama_id", "jenis_kawin_id",
                   "email", "nomor_hp", "alamat", "npwp")
_SYSTEM = {"id", "employee_id", "dokumen_id", "created_at", "created_by", "deleted_at", "deleted_by",
           "delete_reason"}
UNIT_FIELDS = {"unor_id", "unor_asal_id", "unor_baru_id"}
_MORE_REFERENCES = {
    "jabatan_fungsional_id": "jabatanFungsional", "jabatan_pelaksana_id": "jabatanPelaksana",
    "instansi_id": "instansi", "jenis_mutasi_id": "jenisMutasi", "jenis_penugasan_id": "jenisPenugasan",
    "jenis_pemberhentian_id": "jenisPemberhentian", "pendidikan_id": "pendidikan",
    "latihan_struktural_id": "latihanStruktural", "jenis_kursus_id": "jenisKursus",
    "alasan_hukdis_id": "alasanHukumanDisiplin", "agama_id": "agama", "jenis_kawin_id": "kawin",
}
_MORE_LABELS = {
    "nik": "NIK", "nip_pasangan": "NIP suami/istri", "tanggal_meninggal": "Tgl. meninggal",
    "akta_meninggal": "Akta kematian", "pasangan_id": "Orang tua (pasangan)", "tempat_lahir": "Tempat lahir",
    "status_tunjangan": "Mendapat tunjangan", "jabatan_fungsional_id": "Jabatan fungsional",
    "jabatan_pelaksana_id": "Jabatan pelaksana", "instansi_id": "Instansi", "jenis_mutasi_id": "Jenis mutasi",
    "jenis_penugasan_id": "Jenis penugasan", "jenis_pemberhentian_id": "Jenis pemberhentian",
    "tmt_pelantikan": "Tgl. pelantikan", "pendidikan_id": "Program studi (kode)", "tanggal_lulus": "Tgl. lulus",
    "gelar_depan": "Gelar depan", "gelar_belakang": "Gelar belakang", "pendidikan_pertama": "Pendidikan pertama",
    "latihan_struktural_id": "Diklat struktural", "jenis_kursus_id": "Jenis kursus", "pertek_nomor": "Nomor Pertek",
    "pertek_tanggal": "Tgl. Pertek", "angka_kredit_utama": "Angka kredit utama",
    "angka_kredit_tambahan": "Angka kredit tambahan", "alasan_hukdis_id": "Alasan hukuman",
    "keterangan": "Keterangan", "masa_tahun": "Masa hukuman (tahun)", "masa_bulan": "Masa hukuman (bulan)",
    "nomor_pp": "Peraturan dasar", "unor_baru_id": "Unit baru", "sk_bkn_nomor": "Nomor SK BKN",
    "sk_bkn_tanggal": "Tgl. SK BKN", "agama_id": "Agama", "jenis_kawin_id": "Status perkawinan",
    "email": "Email", "nomor_hp": "Nomor HP", "alamat": "Alamat", "npwp": "NPWP",
}
MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
          "Oktober", "November", "Desember")


class Row(NamedTuple):
    field: str
    label: str
    old_display: str
    new_display: str
    changed: bool


def proposable_fields(kind: str) -> tuple[str, ...]:
    """The columns a proposal of this kind may set, in the model's order."""
    model = _kind(kind).model
    if model is Employee:
        return EMPLOYEE_FIELDS
    return tuple(a.key for a in inspect(model).mapper.column_attrs if a.key not in _SYSTEM)


def label_of(field: str) -> str:
    return COLUMN_LABELS.get(field) or _MORE_LABELS.get(field) or field.replace("_", " ").capitalize()


def reference_table(field: str, value=None, employee_kind: str | None = None) -> str | None:
    """The reference table naming ``field``'s codes (golongan: PNS or PPPK table)."""
    if field == "golongan_id":
        pppk = employee_kind == "PPPK" if employee_kind else str(value or "").startswith("PPPK")
        return "golonganPppk" if pppk else "golonganPns"
    table = REFERENCE_COLUMNS.get(field) or _MORE_REFERENCES.get(field)
    return table if isinstance(table, str) else None


def form_for(kind: str, employee: Employee, operation: str = "tambah") -> str:
    """The form id a proposal of this kind uses for this employee and operation."""
    if operation == "hapus":
        return DELETE_FORM
    if kind == "riwayat_golongan" and employee.kind == "PPPK":
        return "usul_riwayat_golongan_pppk"
    return _kind(kind).form


# -- reading: prefill and comparison -------------------------------------------------------------

def current_values(session: Session, employee: Employee, kind: str, record_id: int | None = None) -> dict:
    """The values a correction form starts from (JSON-plain; empty fields left out)."""
    source = employee if kind == DATA_UTAMA else _own_record(session, employee, kind, record_id)
    values = {field: to_plain(getattr(source, field)) for field in proposable_fields(kind)}
    return {field: value for field, value in values.items() if value is not None}


def compare(current: dict, proposed: dict, kind: str, *, session: Session | None = None) -> list[Row]:
    """Current against proposed, one row per field either side fills, changed fields marked.

    With ``session``, codes are shown by their reference names and units by their names.
    A field absent from ``proposed`` is shown as proposed empty (a form post leaves empty fields out).
    """
    rows = []
    for field in proposable_fields(kind):
        old, new = _normal(current.get(field)), _normal(proposed.get(field))
        if old is None and new is None:
            continue
        rows.append(Row(field, label_of(field), display(field, old, session), display(field, new, session),
                        old != new))
    return rows


def display(field: str, value, session: Session | None = None) -> str:
    """A value as office staff read it: names for codes, Indonesian dates, Ya/Tidak."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "Ya" if value else "Tidak"
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    parsed = _as_date(value) if isinstance(value, (str, date)) and _looks_like_date(field) else None
    if parsed is not None:
        return f"{parsed.day} {MONTHS[parsed.month - 1]} {parsed.year}"
    return _named(field, value, session) or str(value)


def _named(field: str, value, session: Session | None) -> str | None:
    if session is None:
        return None
    if field in UNIT_FIELDS:
        unit = session.get(OrgUnit, str(value))
        return unit.name if unit else None
    table = reference_table(field, value)
    return reference_name(session, table, str(value)) if table else None


def _looks_like_date(field: str) -> bool:
    return field.startswith(("tanggal", "tmt", "akhir")) or field.endswith("_tanggal")


def _as_date(value) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _normal(value):
    """Compare form text and stored values alike: dates as ISO text, blanks as None."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return to_plain(value)


# -- the operator ---------------------------------------------------------------------------------

@register("apply_change_request")
def apply_change_request(ctx, params, data) -> dict:
    """Service task: apply an approved proposal (tambah, koreksi or hapus) for the instance's employee.

    ``ctx`` carries ``session``, ``actor`` and ``instance``; refusals raise ``ValidationError``
    before anything is written.
    """
    data = data or {}
    kind, operation = data.get("jenis"), data.get("operasi")
    _kind(kind)
    if operation not in OPERATIONS or (kind == DATA_UTAMA and operation != "koreksi"):
        raise ValidationError(f"Jenis operasi '{operation}' tidak dapat dipakai untuk {_kind(kind).label}.")
    session, actor = ctx.session, ctx.actor
    employee = session.get(Employee, ctx.instance.subject_employee_id)
    if employee is None:
        raise ValidationError("Pegawai yang diusulkan tidak ditemukan.")
    reason = (data.get("alasan") or "").strip()
    if not reason:
        raise ValidationError("Alasan usulan wajib diisi.", fields={"alasan": ["Wajib diisi."]})
    document_id = _evidence(session, data.get("bukti"))
    request_ref = f"usul-{ctx.instance.id}"
    if kind == DATA_UTAMA:
        values = _values(session, employee, kind, data.get("usulan"), creating=False)
        if "nama" in values:
            values["nama_cari"] = normalize_name(values["nama"])
        personnel.update_employee(session, actor, employee, values, reason, request_ref)
        return {"record_id": employee.id, "operasi": operation}
    return _apply_history(session, actor, employee, kind, operation, data, reason, document_id, request_ref)


def _apply_history(session, actor, employee, kind, operation, data, reason, document_id, request_ref) -> dict:
    model = KINDS[kind].model
    if operation == "tambah":
        values = _values(session, employee, kind, data.get("usulan"), creating=True)
        record = personnel.add_history(session, actor, employee, model, {**values, "dokumen_id": document_id},
                                       reason, request_ref)
        return {"record_id": record.id, "operasi": operation}
    record = _own_record(session, employee, kind, data.get("record_id"))
    if operation == "koreksi":
        values = _values(session, employee, kind, data.get("usulan"), creating=False)
        personnel.update_history(session, actor, employee, record, {**values, "dokumen_id": document_id},
                                 reason, request_ref)
    else:
        personnel.delete_history(session, actor, employee, record, reason, request_ref)
    return {"record_id": record.id, "operasi": operation}


def _kind(kind) -> Kind:
    try:
        return KINDS[kind]
    except (KeyError, TypeError):
        raise ValidationError(f"Jenis usulan '{kind}' tidak dikenal.") from None


def _own_record(session: Session, employee: Employee, kind: str, record_id):
    """The employee's live history row; another employee's row looks absent."""
    model = _kind(kind).model
    if model is Employee:
        return employee
    record = session.get(model, record_id) if isinstance(record_id, int) and not isinstance(record_id, bool) else None
    if record is None or record.employee_id != employee.id:
        raise ValidationError("Riwayat yang diusulkan tidak ditemukan pada data pegawai ini.",
                              fields={"record_id": ["Tidak ditemukan."]})
    if record.deleted_at is not None:
        raise ValidationError("Riwayat ini sudah dihapus dan tidak dapat diubah lagi.",
                              fields={"record_id": ["Sudah dihapus."]})
    return record


def _evidence(session: Session, bukti) -> str:
    """The id (as text) of the first evidence document; each one must exist."""
    items = bukti if isinstance(bukti, list) else [bukti] if bukti else []
    ids = [item.get("document_id") if isinstance(item, dict) else None for item in items]
    if not ids:
        raise ValidationError("Dokumen bukti wajib dilampirkan.", fields={"bukti": ["Wajib dilampirkan."]})
    for document_id in ids:
        if not isinstance(document_id, int) or session.get(Document, document_id) is None:
            raise ValidationError("Dokumen bukti tidak ditemukan.", fields={"bukti": ["Dokumen tidak ditemukan."]})
    return str(ids[0])


def _values(session: Session, employee: Employee, kind: str, usulan, *, creating: bool) -> dict:
    """The proposed values, typed and checked; every problem is named by its field."""
    if not isinstance(usulan, dict) or not usulan:
        raise ValidationError("Usulan tidak berisi data.", fields={"usulan": ["Kosong."]})
    allowed, columns = set(proposable_fields(kind)), inspect(_kind(kind).model).mapper.columns
    errors: dict[str, list[str]] = {}
    values = {}
    for field, raw in usulan.items():
        if field not in allowed:
            errors[field] = [_not_proposable(field)]
            continue
        try:
            values[field] = _typed(columns[field], raw)
        except ValueError as error:
            errors[field] = [str(error)]
    for field, value in values.items():
        problem = _reference_problem(session, employee, field, value)
        if problem:
            errors.setdefault(field, []).append(problem)
    for field in _missing(columns, allowed, values, creating):
        errors.setdefault(field, []).append("Wajib diisi.")
    if errors:
        named = "; ".join(f"{label_of(f)} ({f}): {' '.join(m)}" for f, m in errors.items())
        raise ValidationError(f"Usulan tidak dapat diterapkan — {named}", fields=errors)
    return values


def _not_proposable(field: str) -> str:
    if field in DERIVED_COLUMNS:
        return "Kolom ini diturunkan dari riwayat dan tidak dapat diusulkan langsung."
    return "Kolom ini tidak dapat diusulkan."


def _typed(column, raw):
    """The raw JSON value as the column's Python type; blank text is None."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    kind = column.type.python_type
    if kind is bool:
        if isinstance(raw, bool):
            return raw
        if str(raw).lower() in ("true", "false"):
            return str(raw).lower() == "true"
        raise ValueError("Pilih ya atau tidak.")
    if kind is date:
        parsed = _as_date(raw) if isinstance(raw, str) and len(raw) == 10 else None
        if parsed is None:
            raise ValueError("Tanggal tidak sah (format TTTT-BB-HH).")
        return parsed
    if kind in (int, float):
        return _number(kind, raw)
    text = str(raw).strip()
    length = getattr(column.type, "length", None)
    if length and len(text) > length:
        raise ValueError(f"Maksimal {length} karakter.")
    return text


def _number(kind, raw):
    if isinstance(raw, bool):
        raise ValueError("Harus berupa angka.")  # noqa: TRY004 - collected as a field message
    try:
        value = kind(raw)
    except (TypeError, ValueError):
        raise ValueError("Harus berupa bilangan bulat." if kind is int else "Harus berupa angka.") from None
    if kind is int and isinstance(raw, float) and raw != value:
        raise ValueError("Harus berupa bilangan bulat.")
    return value


def _reference_problem(session: Session, employee: Employee, field: str, value) -> str | None:
    if value is None:
        return None
    if field in UNIT_FIELDS:
        return None if session.get(OrgUnit, value) is not None else f"Unit kerja '{value}' tidak dikenal."
    if field == "pasangan_id":
        spouse = session.get(RiwayatPasangan, value)
        ok = spouse is not None and spouse.employee_id == employee.id and spouse.deleted_at is None
        return None if ok else "Data suami/istri tidak ditemukan pada data pegawai ini."
    table = reference_table(field, value, employee.kind)
    if table and not code_exists(session, table, value):
        return f"Kode '{value}' tidak ada di tabel referensi {table}."
    return None


def _missing(columns, allowed: set[str], values: dict, creating: bool) -> list[str]:
    """Required columns left empty: all of them when adding, the ones blanked when correcting."""
    required = [c.key for c in columns if c.key in allowed and not c.nullable and c.default is None]
    if creating:
        return [field for field in required if values.get(field) is None]
    return [field for field in required if field in values and values[field] is None]

