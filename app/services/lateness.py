"""Keterlambatan validasi: validator tasks escalated to BKPSDM, recorded against the OPD.

The `record_lateness` operator runs in the escalation step (an interrupting timer on the
validator's task); the page lists the rows per OPD and period. BKPSDM and admins see every OPD,
a validator only the OPDs of their scope.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..engine.workdays import WIB
from ..extensions import insert_on_conflict
from ..models import HumanTask, OrgUnit, User, ValidationLateness
from ..models.base import utcnow
from . import step_writes
from .authz import has_role, scope_unit_ids
from .days_off import work_calendar
from .errors import BadRequestError, ForbiddenError, ValidationError
from .operators import OperatorContext, register

ALL_OPD_ROLES = ("bkpsdm", "admin", "kepala_bkpsdm")
QUARTERS = {1: (1, 2, 3), 2: (4, 5, 6), 3: (7, 8, 9), 4: (10, 11, 12)}
EARLIEST_YEAR = 2000


@register("record_lateness")
def record_lateness(ctx: OperatorContext, params: dict, data: dict) -> dict:
    """Record that the OPD let the task `tugas` (its name) wait until it was escalated; once per task."""
    task_name = str(params.get("tugas") or "").strip()
    opd = str(params.get("opd") or data.get("opd") or "").strip()
    if not task_name or not opd:
        raise ValidationError("Operator record_lateness membutuhkan parameter 'tugas' dan OPD ('opd').")
    session, instance = ctx.session, ctx.instance
    task = _open_task(session, instance.id, task_name)
    if task is None:
        raise ValidationError(f"Operator record_lateness: tugas '{task_name}' tidak sedang terbuka.")
    now = utcnow()
    received, escalated = _wib(task.created_at), _wib(now)
    row = {"instance_id": instance.id, "task_id": task.task_id, "opd_id": opd[:32], "task_name": task.task_name,
           "received_at": task.created_at, "due_at": task.due_at, "escalated_at": now,
           "working_days_waited": work_calendar(session).working_days_between(received.date(), escalated.date()),
           "period": f"{escalated:%Y-%m}"}
    table = ValidationLateness.__table__
    stored = session.execute(insert_on_conflict(session, table).values(row).on_conflict_do_nothing(
        index_elements=["instance_id", "task_id"]).returning(table.c.working_days_waited, table.c.opd_id)).first()
    if stored is None:  # recorded before: the first record stands
        stored = session.execute(select(table.c.working_days_waited, table.c.opd_id).where(
            table.c.instance_id == instance.id, table.c.task_id == task.task_id)).one()
    return {"hari_kerja": stored.working_days_waited, "opd": stored.opd_id}


def _open_task(session: Session, instance_id: int, task_name: str):
    """The open task called `task_name`: from the mirror rows the step's lock read, else from the table."""
    writes = step_writes.current(session)
    if writes is not None and writes.open_tasks is not None:
        return next((row for row in writes.open_tasks if row.task_name == task_name), None)
    return session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id,
                                                   HumanTask.task_name == task_name)).first()


@dataclass(frozen=True)
class Period:
    year: int
    quarter: int | None = None
    month: int | None = None

    @property
    def months(self) -> tuple[str, ...]:
        if self.month:
            chosen: tuple[int, ...] = (self.month,)
        elif self.quarter:
            chosen = QUARTERS[self.quarter]
        else:
            chosen = tuple(range(1, 13))
        return tuple(f"{self.year:04d}-{month:02d}" for month in chosen)


def parse_period(year: str, quarter: str, month: str) -> Period:
    """The period from the page's filters (year required, then a quarter or a month); 400 if malformed."""
    now = datetime.now(WIB)
    chosen_year = _number(year, "tahun", EARLIEST_YEAR, now.year + 1, now.year)
    chosen_quarter = _number(quarter, "kuartal", 1, 4, None)
    chosen_month = _number(month, "bulan", 1, 12, None)
    if chosen_quarter and chosen_month:
        raise BadRequestError("Pilih kuartal atau bulan, tidak keduanya.")
    return Period(chosen_year, chosen_quarter, chosen_month)


def _number(raw: str, name: str, low: int, high: int, default: int | None) -> int | None:
    raw = (raw or "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise BadRequestError(f"Parameter '{name}' harus bilangan bulat antara {low} dan {high}; "
                              f"diberikan '{raw[:20]}'.")
    return int(raw)


@dataclass(frozen=True)
class OpdCount:
    opd_id: str
    name: str
    count: int
    working_days: int


def visible_opds(session: Session, user: User) -> set[str] | None:
    """None: every OPD; otherwise the units a validator may see. Others may not open the page."""
    if has_role(user, *ALL_OPD_ROLES):
        return None
    if has_role(user, "validator_opd"):
        return scope_unit_ids(session, user)
    raise ForbiddenError("Halaman keterlambatan validasi hanya untuk BKPSDM, admin dan validator OPD.")


def _filtered(stmt, session: Session, user: User, period: Period, opd: str | None):
    visible = visible_opds(session, user)
    stmt = stmt.where(ValidationLateness.period.in_(period.months))
    if visible is not None:
        stmt = stmt.where(ValidationLateness.opd_id.in_(visible or {""}))
    if opd:
        stmt = stmt.where(ValidationLateness.opd_id == opd)
    return stmt


def counts_per_opd(session: Session, user: User, period: Period, opd: str | None = None) -> list[OpdCount]:
    stmt = (select(ValidationLateness.opd_id, func.count(), func.sum(ValidationLateness.working_days_waited))
            .group_by(ValidationLateness.opd_id))
    rows = session.execute(_filtered(stmt, session, user, period, opd)).all()
    names = dict(session.execute(select(OrgUnit.id, OrgUnit.name).where(
        OrgUnit.id.in_([row[0] for row in rows]))).all()) if rows else {}
    counts = [OpdCount(opd_id, names.get(opd_id, opd_id), count, int(days or 0)) for opd_id, count, days in rows]
    return sorted(counts, key=lambda c: (-c.count, c.name))


def rows(session: Session, user: User, period: Period, opd: str | None = None,
         limit: int = 200) -> list[ValidationLateness]:
    stmt = select(ValidationLateness).order_by(ValidationLateness.escalated_at.desc(), ValidationLateness.id.desc())
    return list(session.scalars(_filtered(stmt, session, user, period, opd).limit(limit)))


def _wib(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC).astimezone(WIB)
