"""Starting a data-change proposal (usul_perubahan_data): by the ASN for their own data, or by a
validator OPD for an employee within their scope.

A validator's proposal is the validator's check: the process sends it straight to BKPSDM (the
start gateway reads ``dimulai_oleh``) and tells the employee. A validator proposing for their own
data is an ASN like any other, so nobody checks their own proposal.
"""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import Employee, ProcessInstance, User
from . import authz, change_requests, employees, processes
from .audit import Actor
from .employees import Page, normalize_name
from .errors import ForbiddenError, NotFoundError

PROCESS_KEY = "usul_perubahan_data"
BY_ASN, BY_VALIDATOR = "asn", "validator"
NOT_FOUND = "Pegawai tidak ditemukan atau tidak termasuk cakupan OPD Anda."
PAGE_SIZE = 25


def proposer(session: Session, user: User, employee: Employee) -> str:
    """Who ``user`` proposes as for ``employee``: the ASN themself, or a validator of their OPD."""
    if user.employee_id is not None and user.employee_id == employee.id:
        return BY_ASN
    if employee.unor_id is not None and employee.unor_id in authz.scope_unit_ids(session, user):
        return BY_VALIDATOR
    raise NotFoundError(NOT_FOUND)


def subject(session: Session, user: User, employee_id: int | None) -> Employee:
    """The employee a proposal page is about: the user's own (no id) or one in the validator's scope."""
    if employee_id is None:
        return employees.own_employee(session, user)
    employee = session.get(Employee, employee_id)
    if employee is None:
        raise NotFoundError(NOT_FOUND)
    proposer(session, user, employee)
    return employee


def search_subjects(session: Session, user: User, q: str = "", page: int = 1) -> Page:
    """Employees of the validator's scope, by name prefix or NIP prefix, one page."""
    units = authz.scope_unit_ids(session, user)
    if not units:
        raise ForbiddenError("Hanya validator OPD yang dapat mengajukan usulan untuk pegawai lain.")
    stmt = select(Employee).where(Employee.unor_id.in_(units))
    text = q.strip()
    if text:
        digits = text.replace(" ", "")
        stmt = stmt.where(Employee.nip.startswith(digits) if digits.isdigit()
                          else Employee.nama_cari.startswith(normalize_name(text), autoescape=True))
    total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    page = max(page, 1)
    rows = session.scalars(stmt.order_by(Employee.nama_cari, Employee.id)
                           .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    return Page(list(rows), total or 0, page, PAGE_SIZE)


def start(session: Session, user: User, actor: Actor, employee: Employee, kind: str, operation: str,
          record_id: int | None, data: dict, form_id: str) -> ProcessInstance:
    """Start the process with a proposal whose form was already validated; committed."""
    by = proposer(session, user, employee)
    label = change_requests.KINDS[kind].label
    usulan = {key: value for key, value in data.items() if key not in ("bukti", "alasan")}
    start_data = {"jenis": kind, "operasi": operation, "record_id": record_id, "usulan": usulan,
                  "bukti": data.get("bukti"), "alasan": data.get("alasan"), "form_id": form_id,
                  "dimulai_oleh": by}
    title = f"Usul {operation} {label.lower()} — {employee.nama}"
    return processes.start(session, user, actor, PROCESS_KEY, subject_employee_id=employee.id,
                           data=start_data, title=title)
