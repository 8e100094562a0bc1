"""Who may see what. Every authorization decision is made here, never only in a route or template."""
from __future__ import annotations

from sqlalchemy import false, or_, select, true
from sqlalchemy.orm import Session

from ..models import Employee, OrgUnit, User
from .errors import ForbiddenError

ALL_EMPLOYEE_ROLES = frozenset({"bkpsdm", "kepala_bkpsdm", "admin"})
LIST_ROLES = ALL_EMPLOYEE_ROLES | {"validator_opd"}


def has_role(user: User, *roles: str) -> bool:
    return bool(user.role_names & set(roles))


def require_role(user: User, *roles: str) -> None:
    if not has_role(user, *roles):
        raise ForbiddenError("Anda tidak memiliki hak akses untuk halaman ini.")


def scope_unit_ids(session: Session, user: User) -> set[str]:
    """Every unit a validator may act on: each scoped unit and everything below it."""
    if "validator_opd" not in user.role_names or not user.scopes:
        return set()
    paths = session.scalars(select(OrgUnit.path).where(OrgUnit.id.in_(user.scope_unit_ids))).all()
    if not paths:
        return set()
    clauses = [OrgUnit.path.startswith(p, autoescape=True) for p in paths]
    return set(session.scalars(select(OrgUnit.id).where(or_(*clauses))))


def employee_filter(session: Session, user: User):
    """A WHERE clause on Employee limiting a list to what `user` may see."""
    if has_role(user, *ALL_EMPLOYEE_ROLES):
        return true()
    clauses = []
    units = scope_unit_ids(session, user)
    if units:
        clauses.append(Employee.unor_id.in_(units))
    if user.employee_id is not None:
        clauses.append(Employee.id == user.employee_id)
    return or_(*clauses) if clauses else false()


def can_list_employees(user: User) -> bool:
    return has_role(user, *LIST_ROLES)


def can_view_employee(session: Session, user: User, employee: Employee) -> bool:
    if user.employee_id == employee.id or has_role(user, *ALL_EMPLOYEE_ROLES):
        return True
    return employee.unor_id is not None and employee.unor_id in scope_unit_ids(session, user)


def can_create_employee(user: User) -> bool:
    return has_role(user, "bkpsdm", "admin")


def can_administer_users(user: User) -> bool:
    return has_role(user, "admin")
