"""Kotak Tugas: the READY user tasks a user may act on, read from the human-task mirror only."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, false, func, or_, select
from sqlalchemy.orm import Session

from ..models import CATEGORIES, HumanTask, ProcessDefinition, ProcessInstance, User
from ..models.base import utcnow
from .authz import scope_unit_ids
from .errors import BadRequestError

ASN_ROLE = "asn"
SCOPED_ROLE = "validator_opd"
SORTS = {"due": (HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.created_at, HumanTask.id),
         "created": (HumanTask.created_at, HumanTask.id)}
SORT_LABELS = {"due": "Tenggat terdekat", "created": "Paling lama dibuat"}
DATA_UTAMA = "data_utama"
# The nine history categories of Lampiran II.3 and the data utama: what a change request is about.
CATEGORY_LABELS = {**{key: category["label"] for key, category in CATEGORIES.items()}, DATA_UTAMA: "Data utama"}
_KIND_CATEGORY = {model.__tablename__: key for key, category in CATEGORIES.items() for model in category["models"]}
AGE_LABELS = {3: "lebih dari 3 hari", 7: "lebih dari 7 hari", 14: "lebih dari 14 hari", 30: "lebih dari 30 hari"}


def category_of(data: dict) -> str | None:
    """The request category of a process's start data: from its `jenis` (a history table or data utama)."""
    kind = data.get("jenis")
    return DATA_UTAMA if kind == DATA_UTAMA else _KIND_CATEGORY.get(kind) if isinstance(kind, str) else None


@dataclass(frozen=True)
class InboxFilter:
    process: str | None = None
    category: str | None = None
    opd: str | None = None
    older_than_days: int | None = None  # tasks waiting longer than this many days
    overdue: bool = False
    claimed_only: bool = False


def check_filter(session: Session, wanted: InboxFilter, opd_ids: set[str]) -> InboxFilter:
    """`wanted` if every value is one the page offers (`opd_ids`: the OPDs offered to this user), else
    BadRequestError naming the value."""
    if wanted.process and session.get(ProcessDefinition, wanted.process) is None:
        raise BadRequestError(f"Proses '{wanted.process}' tidak dikenal; pilih dari daftar Proses.")
    if wanted.category and wanted.category not in CATEGORY_LABELS:
        raise BadRequestError(f"Kategori '{wanted.category}' tidak dikenal; pilih dari daftar Kategori.")
    if wanted.opd and wanted.opd not in opd_ids:
        raise BadRequestError(f"OPD '{wanted.opd}' tidak tersedia untuk Anda; pilih dari daftar OPD.")
    if wanted.older_than_days is not None and wanted.older_than_days not in AGE_LABELS:
        raise BadRequestError(f"Umur tugas '{wanted.older_than_days}' tidak dikenal; pilih dari daftar Umur tugas.")
    return wanted


def can_act(session: Session, user: User, task: HumanTask) -> bool:
    """May `user` complete `task` (ignoring claims)? The ASN lane means the subject's own account."""
    if task.role == ASN_ROLE:
        return user.employee_id is not None and user.employee_id == task.subject_employee_id
    if task.role not in user.role_names:
        return False
    if task.role == SCOPED_ROLE:
        # The task's OPD is usually one the validator holds directly; only otherwise expand the sub-units.
        scope = task.scope_opd_id
        return scope is not None and (scope in user.scope_unit_ids or scope in scope_unit_ids(session, user))
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


def _inbox(session: Session, user: User, wanted: InboxFilter, now: datetime | None):
    stmt = select(HumanTask).where(access_clause(session, user), HumanTask.instance_id.not_in(
        select(ProcessInstance.id).where(ProcessInstance.status == "suspended")))  # hidden while suspended
    if wanted.claimed_only:
        stmt = stmt.where(HumanTask.assignee_user_id == user.id)
    else:
        stmt = stmt.where(or_(HumanTask.assignee_user_id.is_(None), HumanTask.assignee_user_id == user.id))
    now = now or utcnow()
    conditions = [
        (wanted.process, HumanTask.process_key == wanted.process),
        (wanted.category, HumanTask.category == wanted.category),
        (wanted.opd, HumanTask.opd_id == wanted.opd),
        (wanted.overdue, HumanTask.due_at < now),
        (wanted.older_than_days, HumanTask.created_at < now - timedelta(days=wanted.older_than_days or 0)),
    ]
    return stmt.where(*(condition for wanted_value, condition in conditions if wanted_value))


def _wanted(wanted: InboxFilter | None, legacy: dict) -> InboxFilter:
    return wanted if wanted is not None else InboxFilter(**{k: v for k, v in legacy.items() if v is not None})


def tasks_for(session: Session, user: User, wanted: InboxFilter | None = None, *, sort: str = "due",
              now: datetime | None = None, limit: int | None = PAGE_SIZE, offset: int = 0,
              **filters) -> list[HumanTask]:
    """Tasks `user` can act on: unclaimed or claimed by them (only theirs with `claimed_only`), one page.

    Filters come as an InboxFilter or as its fields by keyword (process=..., overdue=True, ...)."""
    stmt = _inbox(session, user, _wanted(wanted, filters), now)
    stmt = stmt.order_by(*SORTS.get(sort, SORTS["due"])).offset(offset)
    return list(session.scalars(stmt if limit is None else stmt.limit(limit)))


def count_for(session: Session, user: User, wanted: InboxFilter | None = None, *, now: datetime | None = None,
              **filters) -> int:
    """How many tasks `tasks_for` would list without paging."""
    stmt = _inbox(session, user, _wanted(wanted, filters), now)
    return session.scalar(select(func.count()).select_from(stmt.subquery()))
