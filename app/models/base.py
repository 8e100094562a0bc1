"""Declarative base, naming convention and the column helpers shared by every model."""
from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import JSON, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Byte-wise ordering on PostgreSQL so that prefix searches are plain index range scans.
SearchText = String(200).with_variant(String(200, collation="C"), "postgresql")
Code = String(64)


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict: JSON, list: JSON}


class CreatedMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def to_plain(value):
    """A column value as JSON-friendly data, for the change log and the audit trail."""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value
