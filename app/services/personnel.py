"""Every write to personnel data goes through here: change log, audit and derived fields together."""
from __future__ import annotations

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from ..models import DERIVED_COLUMNS, ChangeLog, Employee
from ..models.base import to_plain, utcnow
from . import audit
from .audit import Actor
from .current import recompute_current
from .errors import ValidationError

_BOOKKEEPING = {"created_at", "updated_at", "created_by", "deleted_at", "deleted_by", "delete_reason"}


def snapshot(record) -> dict:
    """The record's columns as plain JSON values (bookkeeping columns left out)."""
    return {attr.key: to_plain(getattr(record, attr.key)) for attr in inspect(record).mapper.column_attrs
            if attr.key not in _BOOKKEEPING}


def _diff(old: dict, new: dict) -> tuple[dict, dict]:
    keys = [k for k in new if old.get(k) != new.get(k)]
    return {k: old.get(k) for k in keys}, {k: new[k] for k in keys}


def _log(session: Session, actor: Actor, employee_id: int, record, operation: str,
         old: dict | None, new: dict | None, reason: str, request_ref: str | None) -> ChangeLog:
    if not (reason or "").strip():
        raise ValidationError("Alasan perubahan wajib diisi.", fields={"reason": ["Wajib diisi."]})
    entry = ChangeLog(actor_user_id=actor.user_id, employee_id=employee_id, entity=record.__tablename__,
                      entity_id=record.id, operation=operation, old_values=old, new_values=new,
                      reason=reason.strip(), request_ref=request_ref)
    session.add(entry)
    audit.record(session, actor, f"data.{operation}", record.__tablename__, record.id,
                 employee_id=employee_id, reason=reason.strip(), request_ref=request_ref,
                 fields=sorted((new or old or {}).keys()))
    return entry


def _refresh_current(session: Session, actor: Actor, employee: Employee, reason: str,
                     request_ref: str | None) -> None:
    session.flush()
    changed = recompute_current(session, employee)
    if changed:
        old = {k: to_plain(v[0]) for k, v in changed.items()}
        new = {k: to_plain(v[1]) for k, v in changed.items()}
        _log(session, actor, employee.id, employee, "derive", old, new, reason, request_ref)


def add_history(session: Session, actor: Actor, employee: Employee, model, values: dict,
                reason: str, request_ref: str | None = None):
    record = model(employee_id=employee.id, created_by=actor.user_id, **values)
    session.add(record)
    session.flush()
    _log(session, actor, employee.id, record, "create", None, snapshot(record), reason, request_ref)
    _refresh_current(session, actor, employee, reason, request_ref)
    return record


def update_history(session: Session, actor: Actor, employee: Employee, record, values: dict,
                   reason: str, request_ref: str | None = None):
    before = snapshot(record)
    for key, value in values.items():
        setattr(record, key, value)
    session.flush()
    old, new = _diff(before, snapshot(record))
    if new:
        _log(session, actor, employee.id, record, "update", old, new, reason, request_ref)
        _refresh_current(session, actor, employee, reason, request_ref)
    return record


def delete_history(session: Session, actor: Actor, employee: Employee, record, reason: str,
                   request_ref: str | None = None):
    """Soft delete with a reason; the row stays for the record."""
    _log(session, actor, employee.id, record, "delete", snapshot(record), None, reason, request_ref)
    record.deleted_at, record.deleted_by, record.delete_reason = utcnow(), actor.user_id, reason.strip()
    _refresh_current(session, actor, employee, reason, request_ref)
    return record


def update_employee(session: Session, actor: Actor, employee: Employee, values: dict,
                    reason: str, request_ref: str | None = None) -> Employee:
    derived = sorted(set(values) & set(DERIVED_COLUMNS))
    if derived:
        raise ValidationError("Kolom berikut diturunkan dari riwayat dan tidak dapat diisi langsung: "
                              + ", ".join(derived))
    before = snapshot(employee)
    for key, value in values.items():
        setattr(employee, key, value)
    session.flush()
    old, new = _diff(before, snapshot(employee))
    if new:
        _log(session, actor, employee.id, employee, "update", old, new, reason, request_ref)
    return employee


def log_creation(session: Session, actor: Actor, employee: Employee, reason: str) -> None:
    _log(session, actor, employee.id, employee, "create", None, snapshot(employee), reason, None)
