"""Kotak Tugas: the READY user tasks a user may act on, read from the human-task mirror only."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select, union_all
from sqlalchemy.orm import Session, aliased

from ..models import CATEGORIES, HumanTask, ProcessDefinition, ProcessInstance, User
from ..models.base import utcnow
from .authz import scope_unit_ids
from .errors import BadRequestError

ASN_ROLE = "asn"
SCOPED_ROLE = "validator_opd"
SORT_LABELS = {"due": "Tenggat terdekat (tanpa tenggat di akhir, yang terlama lebih dulu)"}
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


def access_branches(session: Session, user: User) -> list:
    """The tasks `user` may act on (as `can_act`), as disjoint conditions that each fix the leading
    columns of an inbox index: one per role, and one per unit for a validator. Each branch is read
    from its index in the inbox order and stops after a page (PostgreSQL 15 does not merge ordered
    UNION ALL branches by itself, and one OR over all of them means sorting every matching row)."""
    branches = []
    if user.employee_id is not None:
        branches.append(and_(HumanTask.role == ASN_ROLE, HumanTask.subject_employee_id == user.employee_id))
    if SCOPED_ROLE in user.role_names:
        units = scope_unit_ids(session, user)
        held = sorted(units & user.scope_unit_ids)  # the units granted (OPDs, where tasks are scoped)
        branches += [and_(HumanTask.role == SCOPED_ROLE, HumanTask.scope_opd_id == unit) for unit in held]
        if units - set(held):  # their sub-units: tasks are rarely scoped there, so one branch for all
            branches.append(and_(HumanTask.role == SCOPED_ROLE, HumanTask.scope_opd_id.in_(sorted(units - set(held)))))
    branches += [HumanTask.role == role for role in sorted(user.role_names - {ASN_ROLE, SCOPED_ROLE})]
    return branches


PAGE_SIZE = 50
COUNT_CAP = 1000  # the badge says "more than 1 000" beyond this; counting 12 000 rows per view is waste


def _filters(user: User, wanted: InboxFilter, now: datetime | None) -> list:
    now = now or utcnow()
    claims = (HumanTask.assignee_user_id == user.id if wanted.claimed_only else
              or_(HumanTask.assignee_user_id.is_(None), HumanTask.assignee_user_id == user.id))
    suspended = select(ProcessInstance.id).where(ProcessInstance.status == "suspended")  # hidden while suspended
    conditions = [
        (True, claims),
        (True, HumanTask.instance_id.not_in(suspended)),
        (wanted.process, HumanTask.process_key == wanted.process),
        (wanted.category, HumanTask.category == wanted.category),
        (wanted.opd, HumanTask.opd_id == wanted.opd),
        (wanted.overdue, HumanTask.due_at < now),
        (wanted.older_than_days, HumanTask.created_at < now - timedelta(days=wanted.older_than_days or 0)),
    ]
    return [condition for wanted_value, condition in conditions if wanted_value]


def _branch_selects(session: Session, user: User, wanted: InboxFilter, now: datetime | None, *columns) -> list:
    filters = _filters(user, wanted, now)
    return [select(*columns).where(branch, *filters) for branch in access_branches(session, user)]


def _wanted(wanted: InboxFilter | None, legacy: dict) -> InboxFilter:
    return wanted if wanted is not None else InboxFilter(**{k: v for k, v in legacy.items() if v is not None})


def tasks_for(session: Session, user: User, wanted: InboxFilter | None = None, *, sort: str = "due",
              now: datetime | None = None, limit: int | None = PAGE_SIZE, offset: int = 0,
              **filters) -> list[HumanTask]:
    """Tasks `user` can act on: unclaimed or claimed by them (only theirs with `claimed_only`), one page
    in the inbox order (nearest due date first, undated last, oldest first within each).

    Filters come as an InboxFilter or as its fields by keyword (process=..., overdue=True, ...)."""
    if sort not in SORT_LABELS:
        raise BadRequestError(f"Urutan '{sort}' tidak dikenal.")
    selects = _branch_selects(session, user, _wanted(wanted, filters), now, HumanTask)
    if not selects:
        return []
    if len(selects) == 1:
        stmt = selects[0].order_by(*_inbox_order(HumanTask)).offset(offset)
        return list(session.scalars(stmt if limit is None else stmt.limit(limit)))
    # Each branch reads its own first offset+limit rows from its index; only those are merged and sorted.
    window = None if limit is None else offset + limit
    parts = [branch.order_by(*_inbox_order(HumanTask)).limit(window).subquery() for branch in selects]
    task = aliased(HumanTask, union_all(*(select(part) for part in parts)).subquery("inbox"))
    stmt = select(task).order_by(*_inbox_order(task)).offset(offset)
    return list(session.scalars(stmt if limit is None else stmt.limit(limit)))


def _inbox_order(task) -> tuple:
    """Nearest due date first, undated last; oldest first among equals (the inbox indexes' order)."""
    return task.due_at.asc().nulls_last(), task.created_at, task.id


def count_for(session: Session, user: User, wanted: InboxFilter | None = None, *, now: datetime | None = None,
              cap: int | None = COUNT_CAP, **filters) -> int:
    """How many tasks `tasks_for` would list without paging; at most `cap` + 1 (then: "more than cap")."""
    selects = _branch_selects(session, user, _wanted(wanted, filters), now, HumanTask.id)
    if not selects:
        return 0
    rows = selects[0] if len(selects) == 1 else union_all(*selects)
    rows = rows if cap is None else rows.limit(cap + 1)
    return session.scalar(select(func.count()).select_from(rows.subquery()))
