"""Forms edited in the studio: every published version of a form, and at most one draft per form."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow

FORM_STATUSES = ("draft", "published")
DRAFT_ONLY = text("status = 'draft'")


class FormDefinition(Base):
    """One version of a form: its JSON Schema and UI schema, kept as the text the owner wrote.

    Published rows never change (process versions pin their content at publication). A draft may
    hold text that is not valid JSON yet; its `version` is the published version it started from
    (0 for a new form) and `problems` what the last check found.
    """

    __tablename__ = "form_definitions"
    __table_args__ = (
        UniqueConstraint("name", "status", "version"),
        Index("uq_form_definitions_draft", "name", unique=True, postgresql_where=DRAFT_ONLY,
              sqlite_where=DRAFT_ONLY),
        CheckConstraint("status IN ('draft', 'published')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(10))
    version: Mapped[int]
    schema_text: Mapped[str] = mapped_column(Text)
    ui_schema_text: Mapped[str] = mapped_column(Text)
    problems: Mapped[list] = mapped_column(default=list)
    source: Mapped[str] = mapped_column(String(10), default="studio")  # shipped | studio
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime | None]
