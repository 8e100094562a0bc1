"""User administration ("memberikan hak akses", Lampiran IV.2.a.1): accounts, roles, OPD scopes."""
from __future__ import annotations

import re

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ..domain.identity import IdentityError, parse_nip
from ..models import ROLES, Employee, OpdScope, OrgUnit, RoleGrant, User
from . import audit, authz
from .audit import Actor
from .errors import ConflictError, NotFoundError, ValidationError
from .passwords import hash_password, password_faults

USERNAME = re.compile(r"^[A-Za-z0-9._-]{3,64}$")
EMAIL = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")


def _require_admin(admin: User) -> None:
    authz.require_role(admin, "admin")


def list_users(session: Session, admin: User, q: str = "", page: int = 1, per_page: int = 25):
    _require_admin(admin)
    stmt = select(User)
    if q.strip():
        like = f"%{q.strip().lower()}%"
        stmt = stmt.where(or_(func.lower(User.username).like(like), func.lower(User.display_name).like(like)))
    total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = session.scalars(stmt.order_by(User.username).offset((page - 1) * per_page).limit(per_page)).all()
    return list(rows), total


def get_user(session: Session, admin: User, user_id: int) -> User:
    _require_admin(admin)
    user = session.get(User, user_id)
    if user is None:
        raise NotFoundError("Pengguna tidak ditemukan.")
    return user


def _employee_by_nip(session: Session, nip: str) -> Employee:
    try:
        parse_nip(nip)
    except IdentityError as exc:
        raise ValidationError("NIP tidak sah.", fields={"nip": exc.faults}) from None
    employee = session.scalar(select(Employee).where(Employee.nip == nip))
    if employee is None:
        raise ValidationError("NIP tidak terdaftar.", fields={"nip": ["Tidak ada pegawai dengan NIP ini."]})
    if session.scalar(select(User.id).where(User.employee_id == employee.id)):
        raise ConflictError("Pegawai ini sudah memiliki akun.", fields={"nip": ["Sudah memiliki akun."]})
    return employee


def create_user(session: Session, admin: User, actor: Actor, *, username: str, display_name: str,
                password: str, email: str | None = None, nip: str | None = None,
                roles: list[str] | tuple = ()) -> User:
    _require_admin(admin)
    faults = _new_user_faults(session, username, display_name, password, roles, email)
    if faults:
        raise ValidationError("Periksa kembali isian formulir.", fields=faults)
    employee = _employee_by_nip(session, nip.strip()) if nip and nip.strip() else None
    user = User(username=username.strip(), display_name=display_name.strip(), email=(email or "").strip() or None,
                password_hash=hash_password(password), employee_id=employee.id if employee else None)
    session.add(user)
    session.flush()
    for role in roles:
        session.add(RoleGrant(user_id=user.id, role=role, granted_by=admin.id))
    audit.record(session, actor, "perm.user_created", "user", user.id, username=user.username,
                 roles=sorted(roles), employee_id=user.employee_id)
    session.commit()
    return user


def _new_user_faults(session, username, display_name, password, roles, email=None) -> dict[str, list[str]]:
    faults: dict[str, list[str]] = {}
    if not USERNAME.match(username or ""):
        faults["username"] = ["3–64 karakter: huruf, angka, titik, garis bawah atau tanda hubung."]
    elif session.scalar(select(User.id).where(func.lower(User.username) == username.strip().lower())):
        faults["username"] = ["Nama pengguna sudah dipakai."]
    if not (display_name or "").strip():
        faults["display_name"] = ["Nama wajib diisi."]
    if password_faults(password or ""):
        faults["password"] = password_faults(password or "")
    if email_faults(email):
        faults["email"] = email_faults(email)
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        faults["roles"] = [f"Peran tidak dikenal: {', '.join(unknown)}."]
    return faults


def grant_role(session: Session, admin: User, actor: Actor, user: User, role: str) -> None:
    _require_admin(admin)
    if role not in ROLES:
        raise ValidationError(f"Peran '{role}' tidak dikenal.")
    if role in user.role_names:
        raise ConflictError(f"Pengguna sudah memiliki peran {ROLES[role]}.")
    user.roles.append(RoleGrant(user_id=user.id, role=role, granted_by=admin.id))
    audit.record(session, actor, "perm.role_granted", "user", user.id, role=role)
    session.commit()


def revoke_role(session: Session, admin: User, actor: Actor, user: User, role: str) -> None:
    _require_admin(admin)
    grant = next((g for g in user.roles if g.role == role), None)
    if grant is None:
        raise NotFoundError("Peran tersebut tidak dimiliki pengguna ini.")
    if user.id == admin.id and role == "admin":
        raise ValidationError("Anda tidak dapat mencabut peran admin dari akun Anda sendiri.")
    user.roles.remove(grant)
    audit.record(session, actor, "perm.role_revoked", "user", user.id, role=role)
    session.commit()


def add_scope(session: Session, admin: User, actor: Actor, user: User, unit_id: str) -> None:
    _require_admin(admin)
    unit = session.get(OrgUnit, unit_id or "")
    if unit is None:
        raise ValidationError("Unit organisasi tidak dikenal.", fields={"unit_id": ["Pilih unit dari daftar."]})
    if unit.id in user.scope_unit_ids:
        raise ConflictError(f"Cakupan {unit.name} sudah dimiliki pengguna ini.")
    user.scopes.append(OpdScope(user_id=user.id, unit_id=unit.id, granted_by=admin.id))
    audit.record(session, actor, "perm.scope_granted", "user", user.id, unit_id=unit.id)
    session.commit()


def remove_scope(session: Session, admin: User, actor: Actor, user: User, unit_id: str) -> None:
    _require_admin(admin)
    scope = next((s for s in user.scopes if s.unit_id == unit_id), None)
    if scope is None:
        raise NotFoundError("Cakupan tersebut tidak dimiliki pengguna ini.")
    user.scopes.remove(scope)
    audit.record(session, actor, "perm.scope_revoked", "user", user.id, unit_id=unit_id)
    session.commit()


def set_active(session: Session, admin: User, actor: Actor, user: User, active: bool) -> None:
    _require_admin(admin)
    if user.id == admin.id and not active:
        raise ValidationError("Anda tidak dapat menonaktifkan akun Anda sendiri.")
    user.active = active
    if active:
        user.failed_logins, user.locked_until = 0, None
    audit.record(session, actor, "perm.user_activated" if active else "perm.user_deactivated", "user", user.id)
    session.commit()


def reset_password(session: Session, admin: User, actor: Actor, user: User, password: str) -> None:
    _require_admin(admin)
    faults = password_faults(password or "")
    if faults:
        raise ValidationError("Kata sandi baru tidak memenuhi syarat.", fields={"password": faults})
    user.password_hash, user.failed_logins, user.locked_until = hash_password(password), 0, None
    audit.record(session, actor, "perm.password_reset", "user", user.id)
    session.commit()


def email_faults(email: str | None) -> list[str]:
    """Why an email address (optional: empty is fine) cannot be used for notifications."""
    value = (email or "").strip()
    if value and (len(value) > 200 or not EMAIL.match(value)):
        return ["Alamat email tidak sah (contoh: nama@tangerangkota.go.id)."]
    return []


def set_email(session: Session, admin: User, actor: Actor, user: User, email: str) -> None:
    """The address notifications are emailed to; empty removes it (notifications stay in the application)."""
    _require_admin(admin)
    faults = email_faults(email)
    if faults:
        raise ValidationError("Alamat email tidak dapat dipakai.", fields={"email": faults})
    old, user.email = user.email, (email or "").strip() or None
    audit.record(session, actor, "perm.email_changed", "user", user.id, old=old, new=user.email)
    session.commit()
