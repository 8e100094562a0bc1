"""Reference tables (tabel referensi) of BKN's SIASN, plus local tables where BKN has no code."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Code, utcnow


class ReferenceTable(Base):
    __tablename__ = "reference_tables"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(Text)
    is_local: Mapped[bool] = mapped_column(default=False)
    checksum: Mapped[str] = mapped_column(String(64))
    row_count: Mapped[int] = mapped_column(default=0)
    loaded_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReferenceEntry(Base):
    __tablename__ = "reference_entries"
    __table_args__ = (Index("ix_reference_entries_table_name", "table_key", "name"),)

    table_key: Mapped[str] = mapped_column(ForeignKey("reference_tables.key"), primary_key=True)
    code: Mapped[str] = mapped_column(Code, primary_key=True)
    name: Mapped[str] = mapped_column(String(500))
    attrs: Mapped[dict] = mapped_column(default=dict)
