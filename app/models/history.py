"""The nine history categories (riwayat) of Lampiran II.3, with the fields SIASN uses.

a) keluarga: RiwayatPasangan (marriage/divorce and spouse), RiwayatAnak
b) RiwayatJabatan (pengangkatan / pemindahan / pemberhentian)
c) RiwayatPendidikan   d) RiwayatDiklat (diklat and kursus)   e) RiwayatGolongan
f) RiwayatPenghargaan  g) RiwayatHukdis  h) RiwayatPindahInstansi  i) RiwayatPindahUnit
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from .base import Base, Code, utcnow


class HistoryRecord:
    """Columns every history row carries: owner, SK, soft delete, provenance."""

    id: Mapped[int] = mapped_column(primary_key=True)

    @declared_attr
    def employee_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("employees.id", ondelete="CASCADE"), index=True)

    sk_nomor: Mapped[str | None] = mapped_column(String(100))
    sk_tanggal: Mapped[date | None]
    dokumen_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int | None]
    deleted_at: Mapped[datetime | None]
    deleted_by: Mapped[int | None]
    delete_reason: Mapped[str | None] = mapped_column(Text)


class RiwayatPasangan(HistoryRecord, Base):
    __tablename__ = "riwayat_pasangan"
    nama: Mapped[str] = mapped_column(String(200))
    nik: Mapped[str | None] = mapped_column(String(16))
    tanggal_lahir: Mapped[date | None]
    jenis_kelamin: Mapped[str] = mapped_column(String(1))
    status_pekerjaan: Mapped[str | None] = mapped_column(String(100))
    nip_pasangan: Mapped[str | None] = mapped_column(String(18))
    status_perkawinan: Mapped[str] = mapped_column(Code)  # reference table "kawin"
    tanggal_menikah: Mapped[date]
    akta_nikah: Mapped[str | None] = mapped_column(String(100))
    tanggal_cerai: Mapped[date | None]
    akta_cerai: Mapped[str | None] = mapped_column(String(100))
    tanggal_meninggal: Mapped[date | None]
    akta_meninggal: Mapped[str | None] = mapped_column(String(100))


class RiwayatAnak(HistoryRecord, Base):
    __tablename__ = "riwayat_anak"
    pasangan_id: Mapped[int | None] = mapped_column(ForeignKey("riwayat_pasangan.id"))
    nama: Mapped[str] = mapped_column(String(200))
    nik: Mapped[str | None] = mapped_column(String(16))
    jenis_kelamin: Mapped[str] = mapped_column(String(1))
    tempat_lahir: Mapped[str | None] = mapped_column(String(100))
    tanggal_lahir: Mapped[date]
    jenis_anak_id: Mapped[str] = mapped_column(Code)  # local table "jenisAnak"
    akta_kelahiran: Mapped[str | None] = mapped_column(String(100))
    status_tunjangan: Mapped[bool] = mapped_column(default=False)


class RiwayatJabatan(HistoryRecord, Base):
    __tablename__ = "riwayat_jabatan"
    jenis_riwayat: Mapped[str] = mapped_column(String(20))  # pengangkatan | pemindahan | pemberhentian
    jenis_jabatan_id: Mapped[str] = mapped_column(Code)
    jabatan_nama: Mapped[str] = mapped_column(String(300))
    jabatan_fungsional_id: Mapped[str | None] = mapped_column(Code)
    jabatan_pelaksana_id: Mapped[str | None] = mapped_column(Code)
    eselon_id: Mapped[str | None] = mapped_column(Code)
    unor_id: Mapped[str] = mapped_column(ForeignKey("org_units.id"))
    instansi_id: Mapped[str | None] = mapped_column(Code)
    jenis_mutasi_id: Mapped[str | None] = mapped_column(Code)
    jenis_penugasan_id: Mapped[str | None] = mapped_column(Code)
    jenis_pemberhentian_id: Mapped[str | None] = mapped_column(Code)
    tmt_jabatan: Mapped[date]
    tmt_pelantikan: Mapped[date | None]


class RiwayatPendidikan(HistoryRecord, Base):
    __tablename__ = "riwayat_pendidikan"
    tingkat_pendidikan_id: Mapped[str] = mapped_column(Code)
    pendidikan_id: Mapped[str | None] = mapped_column(Code)
    pendidikan_nama: Mapped[str] = mapped_column(String(300))
    nama_sekolah: Mapped[str] = mapped_column(String(300))
    tahun_lulus: Mapped[int]
    tanggal_lulus: Mapped[date | None]
    nomor_ijazah: Mapped[str | None] = mapped_column(String(100))
    gelar_depan: Mapped[str | None] = mapped_column(String(60))
    gelar_belakang: Mapped[str | None] = mapped_column(String(60))
    pendidikan_pertama: Mapped[bool] = mapped_column(default=False)


class RiwayatDiklat(HistoryRecord, Base):
    __tablename__ = "riwayat_diklat"
    kategori: Mapped[str] = mapped_column(String(10))  # diklat | kursus
    jenis_diklat_id: Mapped[str] = mapped_column(Code)
    latihan_struktural_id: Mapped[str | None] = mapped_column(Code)
    jenis_kursus_id: Mapped[str | None] = mapped_column(Code)
    nama: Mapped[str] = mapped_column(String(300))
    institusi_penyelenggara: Mapped[str] = mapped_column(String(300))
    nomor_sertifikat: Mapped[str | None] = mapped_column(String(100))
    tanggal_mulai: Mapped[date]
    tanggal_selesai: Mapped[date]
    tahun: Mapped[int]
    jumlah_jam: Mapped[int]


class RiwayatGolongan(HistoryRecord, Base):
    __tablename__ = "riwayat_golongan"
    golongan_id: Mapped[str] = mapped_column(Code)  # "golonganPns" (11..45) or "golonganPppk"
    jenis_kp_id: Mapped[str | None] = mapped_column(Code)
    tmt_golongan: Mapped[date]
    masa_kerja_tahun: Mapped[int] = mapped_column(default=0)
    masa_kerja_bulan: Mapped[int] = mapped_column(default=0)
    pertek_nomor: Mapped[str | None] = mapped_column(String(100))
    pertek_tanggal: Mapped[date | None]
    angka_kredit_utama: Mapped[float | None]
    angka_kredit_tambahan: Mapped[float | None]


class RiwayatPenghargaan(HistoryRecord, Base):
    __tablename__ = "riwayat_penghargaan"
    penghargaan_id: Mapped[str] = mapped_column(Code)
    nama: Mapped[str | None] = mapped_column(String(300))
    tahun: Mapped[int]


class RiwayatHukdis(HistoryRecord, Base):
    __tablename__ = "riwayat_hukdis"
    jenis_hukuman_id: Mapped[str] = mapped_column(Code)
    tingkat: Mapped[str] = mapped_column(String(1))  # R ringan | S sedang | B berat
    alasan_hukdis_id: Mapped[str | None] = mapped_column(Code)
    keterangan: Mapped[str | None] = mapped_column(Text)
    tmt_hukuman: Mapped[date]
    masa_tahun: Mapped[int] = mapped_column(default=0)
    masa_bulan: Mapped[int] = mapped_column(default=0)
    akhir_hukuman: Mapped[date | None]
    nomor_pp: Mapped[str | None] = mapped_column(String(60))


class RiwayatPindahInstansi(HistoryRecord, Base):
    __tablename__ = "riwayat_pindah_instansi"
    arah: Mapped[str] = mapped_column(String(6))  # masuk | keluar
    instansi_asal_id: Mapped[str] = mapped_column(Code)
    instansi_tujuan_id: Mapped[str] = mapped_column(Code)
    unor_baru_id: Mapped[str | None] = mapped_column(ForeignKey("org_units.id"))
    tmt_pindah: Mapped[date]
    sk_bkn_nomor: Mapped[str | None] = mapped_column(String(100))
    sk_bkn_tanggal: Mapped[date | None]


class RiwayatPindahUnit(HistoryRecord, Base):
    __tablename__ = "riwayat_pindah_unit"
    unor_asal_id: Mapped[str | None] = mapped_column(ForeignKey("org_units.id"))
    unor_baru_id: Mapped[str] = mapped_column(ForeignKey("org_units.id"))
    tmt_pindah: Mapped[date]


# The nine categories, in the order of the Lampiran, for pages and services.
CATEGORIES: dict[str, dict] = {
    "keluarga": {"label": "Keluarga (perkawinan, pasangan, anak)", "models": (RiwayatPasangan, RiwayatAnak)},
    "jabatan": {"label": "Jabatan", "models": (RiwayatJabatan,)},
    "pendidikan": {"label": "Pendidikan", "models": (RiwayatPendidikan,)},
    "diklat": {"label": "Diklat dan kursus", "models": (RiwayatDiklat,)},
    "golongan": {"label": "Kepangkatan (golongan)", "models": (RiwayatGolongan,)},
    "penghargaan": {"label": "Penghargaan", "models": (RiwayatPenghargaan,)},
    "hukdis": {"label": "Hukuman disiplin", "models": (RiwayatHukdis,)},
    "pindah_instansi": {"label": "Pindah instansi", "models": (RiwayatPindahInstansi,)},
    "pindah_unit": {"label": "Pindah unit kerja", "models": (RiwayatPindahUnit,)},
}
HISTORY_MODELS = tuple(m for c in CATEGORIES.values() for m in c["models"])
