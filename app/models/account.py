"""User accounts, their roles and the OPD scopes of validators (Lampiran IV)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow

ROLES = {
    "asn": "ASN (User level 1)",
    "validator_opd": "Validator OPD (User level 2)",
    "bkpsdm": "Analis BKPSDM",
    "kepala_bkpsdm": "Kepala BKPSDM",
    "process_owner": "Pemilik proses",
    "admin": "Administrator (User Administrator)",
}


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    # Demo accounts have published passwords; they can log in only while SIMASN_DEMO_MODE is on.
    is_demo: Mapped[bool] = mapped_column(default=False)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    roles: Mapped[list["RoleGrant"]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    scopes: Mapped[list["OpdScope"]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    @property
    def role_names(self) -> set[str]:
        return {grant.role for grant in self.roles}

    @property
    def scope_unit_ids(self) -> set[str]:
        return {scope.unit_id for scope in self.scopes}

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)


class RoleGrant(Base):
    __tablename__ = "role_grants"
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    granted_by: Mapped[int | None]
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)


class OpdScope(Base):
    __tablename__ = "opd_scopes"
    __table_args__ = (UniqueConstraint("user_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[str] = mapped_column(ForeignKey("org_units.id"))
    granted_by: Mapped[int | None]
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)
