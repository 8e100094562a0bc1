"""Data utama of an ASN. The "current" columns are derived from the histories (see services.current)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Code, SearchText, utcnow

EMPLOYEE_KINDS = ("PNS", "CPNS", "PPPK")

# Columns that only services.current.recompute_current() may write.
DERIVED_COLUMNS = (
    "golongan_id", "tmt_golongan", "jabatan_nama", "jenis_jabatan_id", "eselon_id", "jabatan_fungsional_id",
    "tmt_jabatan", "unor_id", "opd_id", "tingkat_pendidikan_id", "pendidikan_nama", "tahun_lulus",
)


class Employee(Base):
    __tablename__ = "employees"
    __table_args__ = (
        CheckConstraint("jenis_kelamin in ('M', 'F')", name="jenis_kelamin"),
        CheckConstraint("kind in ('PNS', 'CPNS', 'PPPK')", name="kind"),
        Index("ix_employees_opd_nama", "opd_id", "nama_cari"),
        # A validator searches by name within the units of their scope: one index serves both.
        Index("ix_employees_unor_nama", "unor_id", "nama_cari"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pns_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    nip: Mapped[str] = mapped_column(String(18).with_variant(String(18, collation="C"), "postgresql"), unique=True)
    nik: Mapped[str] = mapped_column(String(16), unique=True)
    nama: Mapped[str] = mapped_column(String(200))
    nama_cari: Mapped[str] = mapped_column(SearchText, index=True)
    gelar_depan: Mapped[str | None] = mapped_column(String(60))
    gelar_belakang: Mapped[str | None] = mapped_column(String(60))
    tempat_lahir: Mapped[str] = mapped_column(String(100))
    tanggal_lahir: Mapped[date] = mapped_column(index=True)
    jenis_kelamin: Mapped[str] = mapped_column(String(1))
    agama_id: Mapped[str] = mapped_column(Code)
    jenis_kawin_id: Mapped[str] = mapped_column(Code)
    kind: Mapped[str] = mapped_column(String(4), index=True)
    jenis_pegawai_id: Mapped[str] = mapped_column(Code)
    kedudukan_hukum_id: Mapped[str] = mapped_column(Code)
    jenis_pengadaan_id: Mapped[str | None] = mapped_column(Code)
    tmt_cpns: Mapped[date | None]
    tmt_pns: Mapped[date | None]
    tmt_pppk: Mapped[date | None]
    email: Mapped[str | None] = mapped_column(String(200))
    nomor_hp: Mapped[str | None] = mapped_column(String(30))
    alamat: Mapped[str | None] = mapped_column(String(500))
    npwp: Mapped[str | None] = mapped_column(String(20))

    # Derived from the histories; never typed in.
    golongan_id: Mapped[str | None] = mapped_column(Code, index=True)
    tmt_golongan: Mapped[date | None] = mapped_column(index=True)  # the KGB cycle counts from it
    jabatan_nama: Mapped[str | None] = mapped_column(String(300))
    jenis_jabatan_id: Mapped[str | None] = mapped_column(Code)
    eselon_id: Mapped[str | None] = mapped_column(Code)
    jabatan_fungsional_id: Mapped[str | None] = mapped_column(Code)  # its jenjang and BUP decide retirement
    tmt_jabatan: Mapped[date | None]
    unor_id: Mapped[str | None] = mapped_column(ForeignKey("org_units.id"))
    opd_id: Mapped[str | None] = mapped_column(ForeignKey("org_units.id"), index=True)
    tingkat_pendidikan_id: Mapped[str | None] = mapped_column(Code)
    pendidikan_nama: Mapped[str | None] = mapped_column(String(300))
    tahun_lulus: Mapped[int | None]

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def nama_lengkap(self) -> str:
        front = f"{self.gelar_depan} " if self.gelar_depan else ""
        back = f", {self.gelar_belakang}" if self.gelar_belakang else ""
        return f"{front}{self.nama}{back}"
