"""Operational facts: the health of the database and when the worker last reported."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import AuditHead, Employee, SystemStatus
from ..models.base import utcnow


def health(session: Session) -> dict:
    """What a worker task reports back: proof that it reached the same database."""
    head = session.get(AuditHead, 1)
    return {"employees": session.scalar(select(func.count()).select_from(Employee)),
            "audit_seq": head.seq if head else 0, "dialect": session.get_bind().dialect.name}


def heartbeat(session: Session, key: str = "worker_heartbeat") -> datetime:
    now = utcnow()
    row = session.get(SystemStatus, key)
    if row is None:
        session.add(SystemStatus(key=key, value=now.isoformat(), updated_at=now))
    else:
        row.value, row.updated_at = now.isoformat(), now
    session.commit()
    return now


def last_heartbeat(session: Session, key: str = "worker_heartbeat") -> datetime | None:
    row = session.get(SystemStatus, key)
    return row.updated_at if row else None


def new_revision(session: Session, key: str) -> None:
    """Replace the revision token `key` with a fresh random value, in the caller's transaction (a random
    token, so a change that was rolled back can never be mistaken for a later one)."""
    row = session.get(SystemStatus, key)
    if row is None:
        session.add(SystemStatus(key=key, value=uuid.uuid4().hex, updated_at=utcnow()))
    else:
        row.value, row.updated_at = uuid.uuid4().hex, utcnow()


def revision_column(key: str):
    """The revision token `key` as a scalar subquery, for a statement that reads it with other things."""
    return select(SystemStatus.value).where(SystemStatus.key == key).scalar_subquery()
