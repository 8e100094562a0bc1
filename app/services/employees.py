"""Employee lists, profiles and "Data Saya", all filtered through authz."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import CATEGORIES, EMPLOYEE_KINDS, Employee, OrgUnit, User
from . import audit, authz
from .audit import Actor
from .errors import ForbiddenError, NotFoundError, ValidationError

MAX_PER_PAGE = 100


@dataclass(frozen=True)
class EmployeeQuery:
    q: str = ""
    opd_id: str | None = None
    golongan_id: str | None = None
    kind: str | None = None
    page: int = 1
    per_page: int = 25


@dataclass(frozen=True)
class Page:
    items: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def normalize_name(name: str) -> str:
    """The search key of a name: lower case, single spaces, no punctuation."""
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s]", " ", name.lower())).strip()


def _search_clause(q: str):
    digits = q.replace(" ", "")
    if digits.isdigit():
        return Employee.nip.startswith(digits) if len(digits) < 18 else Employee.nip == digits
    key = normalize_name(q)
    return Employee.nama_cari.startswith(key, autoescape=True)


def search(session: Session, user: User, query: EmployeeQuery) -> Page:
    if not authz.can_list_employees(user):
        raise ForbiddenError("Daftar pegawai hanya untuk validator OPD dan BKPSDM.")
    if query.kind and query.kind not in EMPLOYEE_KINDS:
        raise ValidationError("Jenis pegawai tidak dikenal.", fields={"jenis": ["Pilih PNS, CPNS atau PPPK."]})
    stmt = select(Employee).where(authz.employee_filter(session, user))
    if query.q.strip():
        stmt = stmt.where(_search_clause(query.q.strip()))
    if query.opd_id:
        stmt = stmt.where(Employee.opd_id == query.opd_id)
    if query.golongan_id:
        stmt = stmt.where(Employee.golongan_id == query.golongan_id)
    if query.kind:
        stmt = stmt.where(Employee.kind == query.kind)
    total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    per_page = min(max(query.per_page, 1), MAX_PER_PAGE)
    rows = session.scalars(stmt.order_by(Employee.nama_cari, Employee.id)
                           .offset((query.page - 1) * per_page).limit(per_page)).all()
    return Page(list(rows), total, query.page, per_page)


def get_for(session: Session, user: User, employee_id: int, actor: Actor) -> Employee:
    """The employee if `user` may see them; otherwise NotFound, exactly as if absent."""
    employee = session.get(Employee, employee_id)
    if employee is None or not authz.can_view_employee(session, user, employee):
        raise NotFoundError("Pegawai tidak ditemukan.")
    if user.employee_id != employee.id:
        audit.record(session, actor, "employee.view", "employee", employee.id, nip=employee.nip)
        session.commit()
    return employee


def own_employee(session: Session, user: User) -> Employee:
    if user.employee_id is None:
        raise NotFoundError("Akun Anda belum terhubung dengan data pegawai. Hubungi admin BKPSDM.")
    employee = session.get(Employee, user.employee_id)
    if employee is None:
        raise NotFoundError("Data pegawai Anda tidak ditemukan.")
    return employee


def histories(session: Session, employee: Employee, include_deleted: bool = False) -> dict[str, dict]:
    """The nine categories, each with its rows per model, newest first."""
    result = {}
    for key, category in CATEGORIES.items():
        tables = {}
        for model in category["models"]:
            stmt = select(model).where(model.employee_id == employee.id)
            if not include_deleted:
                stmt = stmt.where(model.deleted_at.is_(None))
            tables[model.__tablename__] = list(session.scalars(stmt.order_by(model.id.desc())))
        result[key] = {"label": category["label"], "tables": tables}
    return result


def opd_choices(session: Session, user: User) -> list[OrgUnit]:
    """OPDs offered as a filter: all for BKPSDM, the scoped ones for a validator."""
    stmt = select(OrgUnit).where(OrgUnit.parent_id.is_(None)).order_by(OrgUnit.name)
    if not authz.has_role(user, *authz.ALL_EMPLOYEE_ROLES):
        units = authz.scope_unit_ids(session, user)
        stmt = stmt.where(OrgUnit.id.in_(select(OrgUnit.opd_id).where(OrgUnit.id.in_(units))))
    return list(session.scalars(stmt))


def unit_choices(session: Session) -> list[tuple[str, str]]:
    """Every active unit as (id, "OPD › unit") for a select list, ordered by OPD."""
    units = session.execute(select(OrgUnit.id, OrgUnit.name, OrgUnit.opd_id, OrgUnit.parent_id)
                            .where(OrgUnit.active.is_(True))).all()
    opd_names = {u.id: u.name for u in units if u.parent_id is None}
    labelled = [(u.id, opd_names.get(u.opd_id, "") if u.parent_id is None else
                 f"{opd_names.get(u.opd_id, '')} › {u.name}") for u in units]
    return sorted(labelled, key=lambda item: item[1])
