"""Evidence documents (dokumen bukti): one row per upload, the content in the document store.

The file itself is stored once per content under its sha256 (see ``app/services/documents.py``);
several rows may point at the same file. A row is never changed after the upload.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, event
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Code, utcnow


class Document(Base):
    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int]
    media_type: Mapped[str] = mapped_column(String(100))  # sniffed from the content, never from the name
    original_name: Mapped[str] = mapped_column(String(255))  # for display and download only
    document_kind_id: Mapped[str | None] = mapped_column(Code)  # reference table "dokumen" (SIASN)
    uploaded_by: Mapped[int]
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)


@event.listens_for(Document, "before_update")
def _refuse_update(_mapper, _connection, document: Document) -> None:
    raise ValueError(f"Dokumen {document.id} tidak boleh diubah setelah diunggah.")
