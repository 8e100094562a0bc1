"""Append to and verify the hash-chained audit trail."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ..models import AuditEvent, AuditHead
from ..models.base import to_plain, utcnow

if TYPE_CHECKING:
    from .step_writes import Writes

GENESIS = "0" * 64


@dataclass(frozen=True)
class Actor:
    """Who did something: a user, or the system (user_id None)."""
    user_id: int | None
    label: str
    ip_address: str | None = None


SYSTEM = Actor(None, "sistem")


_HASHED = ("seq", "occurred_at", "actor_user_id", "actor_label", "action", "object_type", "object_id", "details",
           "ip_address")
_SEQ_TAIL = '"seq":0}'  # "seq" sorts last among _HASHED: the canonical text ends with it


def _canonical(event: AuditEvent) -> str:
    return _canonical_text({name: getattr(event, name) for name in _HASHED})


def _canonical_text(fields: dict) -> str:
    body = {name: fields[name] for name in _HASHED}
    body["occurred_at"] = body["occurred_at"].isoformat()
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def event_hash(event: AuditEvent) -> str:
    return hashlib.sha256(f"{event.prev_hash}|{_canonical(event)}".encode()).hexdigest()


def hash_prefix(fields: dict) -> str:
    """The canonical text of an event whose number is not known yet, up to where the number goes: the
    event's hash is sha256(prev_hash + "|" + prefix + seq + "}"), so PostgreSQL can compute it in the
    statement that takes the number (step_writes)."""
    text = _canonical_text({**fields, "seq": 0})
    if not text.endswith(_SEQ_TAIL):
        raise AssertionError("the canonical audit text must end with its sequence number")
    return text[:-2]


def _plain(details: dict) -> dict:
    return json.loads(json.dumps(details or {}, default=to_plain))


def record(session: Session, actor: Actor, action: str, object_type: str | None = None,
           object_id: object = None, *, writes: Writes | None = None, **details) -> AuditEvent:
    """Append one event in the caller's transaction (the caller commits).

    With `writes` (step_writes), the step's queued writes go out with the tip's advance: on PostgreSQL
    one statement for the whole step, which also numbers the event, computes its hash and stores it
    (checked here against the hash computed in Python; a difference rolls the step back)."""
    fields = dict(occurred_at=utcnow(), actor_user_id=actor.user_id, actor_label=actor.label, action=action,
                  object_type=object_type, object_id=None if object_id is None else str(object_id),
                  details=_plain(details), ip_address=actor.ip_address)
    if writes is not None and writes.postgres:
        prefix = hash_prefix(fields)
        row = writes.send_with_event(fields, prefix)
        if row is not None:  # None: the chain has no tip yet (the step's writes are sent; go on as below)
            if hashlib.sha256(f"{row.prev_hash}|{prefix}{row.seq}}}".encode()).hexdigest() != row.hash:
                raise RuntimeError(f"audit event #{row.seq}: the hash computed by the database differs")
            return AuditEvent(**fields, seq=row.seq, prev_hash=row.prev_hash, hash=row.hash)
    seq, prev_hash = _advance_head(session, writes)
    event = AuditEvent(**fields, seq=seq, prev_hash=prev_hash)
    event.hash = event_hash(event)
    if writes is None:
        session.add(event)
        session.flush()
        session.execute(update(AuditHead).where(AuditHead.id == 1).values(hash=event.hash)
                        .execution_options(synchronize_session=False))
        return event
    writes.append_audit({column.key: getattr(event, column.key) for column in AuditEvent.__table__.columns
                         if column.key != "id"}, event.hash)
    return event


def _advance_head(session: Session, writes: Writes | None = None) -> tuple[int, str]:
    """Lock the chain's tip and take the next number: (new seq, hash of the previous event).

    One `UPDATE … RETURNING` takes the row lock (PostgreSQL) or the write lock (SQLite) and reads
    the tip; the hash column still holds the previous event's hash until `record` writes the new one."""
    if writes is not None:
        row = writes.advance_head()
    else:
        table = AuditHead.__table__
        row = session.execute(update(table).where(table.c.id == 1).values(seq=table.c.seq + 1)
                              .returning(table.c.seq, table.c.hash)).first()
    if row is None:
        session.add(AuditHead(id=1, seq=1, hash=GENESIS))
        session.flush()
        return 1, GENESIS
    return row.seq, row.hash


@dataclass(frozen=True)
class ChainReport:
    checked: int
    first_broken_seq: int | None
    reason: str | None

    @property
    def ok(self) -> bool:
        return self.first_broken_seq is None


def verify_chain(session: Session, batch: int = 5000) -> ChainReport:
    """Walk the chain in order; name the first event whose hash or link does not hold."""
    prev_hash, expected_seq, checked = GENESIS, 1, 0
    last_seq = 0
    while True:
        rows = session.scalars(select(AuditEvent).where(AuditEvent.seq > last_seq)
                               .order_by(AuditEvent.seq).limit(batch)).all()
        if not rows:
            break
        for event in rows:
            reason = _fault(event, expected_seq, prev_hash)
            if reason:
                return ChainReport(checked, event.seq, reason)
            prev_hash, expected_seq, checked = event.hash, event.seq + 1, checked + 1
        last_seq = rows[-1].seq
        session.expunge_all()
    return _check_tip(session, checked, expected_seq - 1, prev_hash)


def _fault(event: AuditEvent, expected_seq: int, prev_hash: str) -> str | None:
    if event.seq != expected_seq:
        return f"urutan melompat: diharapkan #{expected_seq}, ditemukan #{event.seq} (ada baris yang dihapus)"
    if event.prev_hash != prev_hash:
        return "tautan ke baris sebelumnya tidak cocok"
    if event_hash(event) != event.hash:
        return "isi baris telah diubah (hash tidak cocok)"
    return None


def _check_tip(session: Session, checked: int, last_seq: int, last_hash: str) -> ChainReport:
    head = session.scalars(select(AuditHead).where(AuditHead.id == 1)
                           .execution_options(populate_existing=True)).first()
    if head is None or (head.seq == last_seq and head.hash == last_hash):
        return ChainReport(checked, None, None)
    return ChainReport(checked, last_seq + 1, f"baris terakhir hilang: ujung rantai tercatat #{head.seq}")


def list_events(session: Session, page: int = 1, per_page: int = 50, action: str | None = None):
    """Newest first, for the admin's audit page."""
    stmt = select(AuditEvent)
    if action:
        stmt = stmt.where(AuditEvent.action.startswith(action, autoescape=True))
    total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = session.scalars(stmt.order_by(AuditEvent.seq.desc()).offset((page - 1) * per_page).limit(per_page))
    return list(rows), total
