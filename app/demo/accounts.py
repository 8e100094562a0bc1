"""Demo accounts for every role, with published passwords (usable only in demo mode)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Employee, OpdScope, OrgUnit, RoleGrant, User
from ..services import audit
from ..services.audit import SYSTEM
from ..services.passwords import hash_password

PASSWORD = "simasn-demo-2026"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    display_name: str
    roles: tuple[str, ...]
    scope_opd_name: str | None = None  # the validator's OPD, found by name
    employee_opd_name: str | None = None  # link to an employee of this OPD


ACCOUNTS = (
    DemoAccount("admin", "Admin Sistem BKPSDM", ("admin",)),
    DemoAccount("bkpsdm", "Analis Kepegawaian BKPSDM", ("bkpsdm",)),
    DemoAccount("kepala", "Kepala BKPSDM", ("kepala_bkpsdm",)),
    DemoAccount("pemilik.proses", "Pemilik Proses BKPSDM", ("process_owner",)),
    DemoAccount("validator.dinkes", "Validator Dinas Kesehatan", ("validator_opd",), scope_opd_name="Dinas Kesehatan"),
    DemoAccount("validator.disdik", "Validator Dinas Pendidikan", ("validator_opd",), scope_opd_name="Dinas Pendidikan"),
    DemoAccount("asn", "", ("asn",), employee_opd_name="Dinas Kesehatan"),
)


def _opd(session: Session, name: str) -> OrgUnit | None:
    return session.scalar(select(OrgUnit).where(OrgUnit.parent_id.is_(None), OrgUnit.name.startswith(name))
                          .order_by(OrgUnit.name))


def _employee_in(session: Session, opd: OrgUnit | None) -> Employee | None:
    if opd is None:
        return None
    taken = select(User.employee_id).where(User.employee_id.is_not(None))
    return session.scalar(select(Employee).where(Employee.opd_id == opd.id, Employee.id.not_in(taken))
                          .order_by(Employee.id))


def ensure_demo_accounts(session: Session) -> list[tuple[str, str, str]]:
    """Create the missing demo accounts; return (username, password, roles) for every one."""
    password_hash = None
    for spec in ACCOUNTS:
        if session.scalar(select(User.id).where(User.username == spec.username)):
            continue
        password_hash = password_hash or hash_password(PASSWORD)
        _create(session, spec, password_hash)
    session.commit()
    return [(a.username, PASSWORD, ", ".join(a.roles)) for a in ACCOUNTS]


def _create(session: Session, spec: DemoAccount, password_hash: str) -> None:
    employee = _employee_in(session, _opd(session, spec.employee_opd_name)) if spec.employee_opd_name else None
    user = User(username=spec.username, display_name=spec.display_name or (employee.nama if employee else spec.username),
                password_hash=password_hash, employee_id=employee.id if employee else None, is_demo=True)
    session.add(user)
    session.flush()
    for role in spec.roles:
        session.add(RoleGrant(user_id=user.id, role=role))
    opd = _opd(session, spec.scope_opd_name) if spec.scope_opd_name else None
    if opd is not None:
        session.add(OpdScope(user_id=user.id, unit_id=opd.id))
    audit.record(session, SYSTEM, "perm.user_created", "user", user.id, username=user.username,
                 roles=list(spec.roles), demo=True)
