"""The studio draft of a process: the XML the process owner is editing, one per process."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class ProcessDraft(Base):
    """Unpublished BPMN XML of a process; publishing turns it into version n+1 and removes it."""

    __tablename__ = "process_drafts"

    process_key: Mapped[str] = mapped_column(ForeignKey("process_definitions.key"), primary_key=True)
    bpmn_xml: Mapped[str] = mapped_column(Text)
    base_version: Mapped[int | None]  # the published version the draft started from
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    source: Mapped[str] = mapped_column(String(10), default="editor")  # editor | import
