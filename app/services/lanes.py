"""The lane → role mapping (lane_roles), kept by the User Administrator.

A lane of a diagram is acted on by one role; lanes that act for an OPD name the process variable
holding that OPD (D18). Changing a lane's role moves its open tasks to the new role's inboxes at
once; a changed scope variable applies to tasks created afterwards. A lane that a published
version of any process uses cannot be deleted, since that version's next task could not be
mirrored.
"""
from __future__ import annotations

import keyword
import re
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..models import ROLES, HumanTask, LaneRole, ProcessDefinition, ProcessVersion, User
from . import audit, authz, definitions
from .errors import ConflictError, NotFoundError, ValidationError

SCOPED_ROLE = "validator_opd"
_LANE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._()-]*")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
NOT_FOUND = "Lajur tidak ditemukan."


@dataclass(frozen=True)
class LaneUse:
    lane: LaneRole
    processes: list[str]  # names of the processes whose published versions use the lane


def list_lanes(session: Session, user: User) -> list[LaneUse]:
    """Every mapped lane with the processes that use it, by lane name."""
    authz.require_role(user, "admin")
    uses = _uses(session)
    lanes = session.scalars(select(LaneRole).order_by(LaneRole.lane))
    return [LaneUse(lane, sorted(uses.get(lane.lane, set()))) for lane in lanes]


def get_lane(session: Session, user: User, name: str) -> LaneRole:
    authz.require_role(user, "admin")
    lane = session.get(LaneRole, name)
    if lane is None:
        raise NotFoundError(NOT_FOUND)
    return lane


def create_lane(session: Session, user: User, actor: audit.Actor, *, lane: str, role: str,
                scope_variable: str = "", description: str = "") -> LaneRole:
    authz.require_role(user, "admin")
    name = (lane or "").strip()
    values = _checked(role, scope_variable, description, _lane_name_problem(name))
    if session.get(LaneRole, name) is not None:
        raise ConflictError(f"Lajur '{name}' sudah ada; ubah lajur itu bila pemetaannya perlu diganti.",
                            fields={"lane": ["Sudah ada."]})
    row = LaneRole(lane=name, **values)
    session.add(row)
    session.flush()
    audit.record(session, actor, "lane_role.created", "lane_role", name, **values)
    session.commit()
    return row


def update_lane(session: Session, user: User, actor: audit.Actor, name: str, *, role: str,
                scope_variable: str = "", description: str = "") -> int:
    """Change a lane's role, scope variable and description; returns how many open tasks moved role."""
    row = get_lane(session, user, name)
    values = _checked(role, scope_variable, description, None)
    before = {"role": row.role, "scope_variable": row.scope_variable, "description": row.description}
    for key, value in values.items():
        setattr(row, key, value)
    moved = 0
    if before["role"] != row.role:
        moved = session.execute(update(HumanTask).where(HumanTask.lane == name).values(role=row.role)
                                .execution_options(synchronize_session=False)).rowcount
    changes = {key: f"{before[key] or '—'} → {values[key] or '—'}" for key in values if before[key] != values[key]}
    audit.record(session, actor, "lane_role.updated", "lane_role", name, **changes, open_tasks_moved=moved)
    session.commit()
    return moved


def delete_lane(session: Session, user: User, actor: audit.Actor, name: str) -> None:
    row = get_lane(session, user, name)
    users = sorted(_uses(session).get(name, set()))
    if users:
        raise ConflictError(f"Lajur '{name}' tidak dapat dihapus karena dipakai oleh proses "
                            f"{', '.join(users)}. Ubah pemetaannya saja, atau terbitkan versi proses tanpa lajur ini.")
    details = {"role": row.role, "scope_variable": row.scope_variable, "description": row.description}
    session.delete(row)
    audit.record(session, actor, "lane_role.deleted", "lane_role", name, **details)
    session.commit()


def _uses(session: Session) -> dict[str, set[str]]:
    """Lane name -> names of the processes with a published version using it (any version)."""
    names = dict(session.execute(select(ProcessDefinition.key, ProcessDefinition.name)).all())
    uses: dict[str, set[str]] = {}
    for version in session.scalars(select(ProcessVersion)):
        label = f"\"{names.get(version.process_key, version.process_key)}\" ({version.process_key})"
        for lane in definitions.lanes_for(version):
            uses.setdefault(lane, set()).add(label)
    return uses


def _checked(role: str, scope_variable: str, description: str, name_problem: str | None) -> dict:
    """The values to store, or ValidationError naming every bad field."""
    role, variable, text = (role or "").strip(), (scope_variable or "").strip(), (description or "").strip()
    errors: dict[str, list[str]] = {}
    if name_problem:
        errors["lane"] = [name_problem]
    if role not in ROLES:
        errors["role"] = ["Pilih salah satu peran yang dikenal."]
    if variable and not _is_identifier(variable):
        errors["scope_variable"] = ["Harus nama variabel: huruf, angka dan garis bawah, diawali huruf "
                                    "(mis. opd_asal), paling panjang 64 karakter."]
    elif role == SCOPED_ROLE and not variable:
        errors["scope_variable"] = ["Lajur Validator OPD membutuhkan variabel yang berisi OPD-nya (mis. opd)."]
    if len(text) > 300:
        errors["description"] = ["Paling panjang 300 karakter."]
    if errors:
        raise ValidationError("Pemetaan lajur belum benar; periksa kolom yang ditandai.", fields=errors)
    return {"role": role, "scope_variable": variable or None, "description": text or None}


def _lane_name_problem(name: str) -> str | None:
    if not name:
        return "Wajib diisi; tulis persis seperti nama lajur pada diagram BPMN."
    if len(name) > 100 or not _LANE_NAME.fullmatch(name):
        return ("Paling panjang 100 karakter: huruf, angka, spasi, titik, tanda hubung, garis bawah "
                "atau tanda kurung, diawali huruf atau angka.")
    return None


def _is_identifier(text: str) -> bool:
    return len(text) <= 64 and bool(_IDENTIFIER.fullmatch(text)) and not keyword.iskeyword(text)
