"""Figures for the home page of each role."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import Employee, OrgUnit, ReferenceTable, User
from . import authz, system


def employee_summary(session: Session, user: User) -> dict:
    """Head counts by kind and by OPD, within what `user` may see."""
    scope = authz.employee_filter(session, user)
    by_kind = dict(session.execute(select(Employee.kind, func.count()).where(scope).group_by(Employee.kind)).all())
    by_opd = session.execute(
        select(OrgUnit.id, OrgUnit.name, func.count(Employee.id))
        .join(Employee, Employee.opd_id == OrgUnit.id).where(scope)
        .group_by(OrgUnit.id, OrgUnit.name).order_by(func.count(Employee.id).desc()).limit(10)).all()
    return {"total": sum(by_kind.values()), "by_kind": by_kind, "by_opd": by_opd}


def admin_summary(session: Session) -> dict:
    return {
        "users": session.scalar(select(func.count()).select_from(User)),
        "active_users": session.scalar(select(func.count()).select_from(User).where(User.active.is_(True))),
        "reference_tables": session.scalar(select(func.count()).select_from(ReferenceTable)),
        "units": session.scalar(select(func.count()).select_from(OrgUnit)),
        "worker_seen": system.last_heartbeat(session),
    }
