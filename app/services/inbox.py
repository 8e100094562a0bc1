"""Kotak Tugas: the READY user tasks a user may act on, read from the human-task mirror only."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, false, func, or_, select
from sqlalchemy.orm import Session

from ..models import HumanTask, ProcessInstance, User
from ..models.base import utcnow
from .authz import scope_unit_ids

ASN_ROLE = "asn"
SCOPED_ROLE = "validator_opd"
SORTS = {"due": (HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.created_at, HumanTask.id),
         "created": (HumanTask.created_at, HumanTask.id)}


def can_act(session: Session, user: User, task: HumanTask) -> bool:
    """May `user` complete `task` (ignoring claims)? The ASN lane means the subject's own account."""
    if task.role == ASN_ROLE:
        return user.employee_id is not None and user.employee_id == task.subject_employee_id
    if task.role not in user.role_names:
        return False
    if task.role == SCOPED_ROLE:
        return task.scope_opd_id is not None and task.scope_opd_id in scope_unit_ids(session, user)
    return True


def access_clause(session: Session, user: User):
    """A WHERE clause on HumanTask with the same meaning as `can_act`."""
    clauses = []
    if user.employee_id is not None:
        clauses.append(and_(HumanTask.role == ASN_ROLE, HumanTask.subject_employee_id == user.employee_id))
    if SCOPED_ROLE in user.role_names:
        units = scope_unit_ids(session, user)
        if units:
            clauses.append(and_(HumanTask.role == SCOPED_ROLE, HumanTask.scope_opd_id.in_(units)))
    others = user.role_names - {ASN_ROLE, SCOPED_ROLE}
    if others:
        clauses.append(HumanTask.role.in_(others))
    return or_(*clauses) if clauses else false()


PAGE_SIZE = 50


def _inbox(session: Session, user: User, *, process: str | None, opd: str | None, overdue: bool,
           claimed_only: bool, now: datetime | None):
    stmt = select(HumanTask).where(access_clause(session, user))
    if claimed_only:
        stmt = stmt.where(HumanTask.assignee_user_id == user.id)
    else:
        stmt = stmt.where(or_(HumanTask.assignee_user_id.is_(None), HumanTask.assignee_user_id == user.id))
    if process:
        stmt = stmt.join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id).where(
            ProcessInstance.process_key == process)
    if opd:
        stmt = stmt.where(HumanTask.scope_opd_id == opd)
    if overdue:
        stmt = stmt.where(HumanTask.due_at < (now or utcnow()))
    return stmt


def tasks_for(session: Session, user: User, *, process: str | None = None, opd: str | None = None,
              overdue: bool = False, claimed_only: bool = False, sort: str = "due",
              now: datetime | None = None, limit: int | None = PAGE_SIZE, offset: int = 0) -> list[HumanTask]:
    """Tasks `user` can act on: unclaimed or claimed by them (only theirs with `claimed_only`), one page."""
    stmt = _inbox(session, user, process=process, opd=opd, overdue=overdue, claimed_only=claimed_only, now=now)
    stmt = stmt.order_by(*SORTS.get(sort, SORTS["due"])).offset(offset)
    return list(session.scalars(stmt if limit is None else stmt.limit(limit)))


def count_for(session: Session, user: User, *, process: str | None = None, opd: str | None = None,
              overdue: bool = False, claimed_only: bool = False, now: datetime | None = None) -> int:
    """How many tasks `tasks_for` would list without paging."""
    stmt = _inbox(session, user, process=process, opd=opd, overdue=overdue, claimed_only=claimed_only, now=now)
    return session.scalar(select(func.count()).select_from(stmt.subquery()))
