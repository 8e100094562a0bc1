"""All models, imported here so that metadata and Alembic see every table."""
from .account import ROLES, OpdScope, RoleGrant, User
from .audit import AuditEvent, AuditHead, ChangeLog, SystemStatus
from .base import Base
from .employee import DERIVED_COLUMNS, EMPLOYEE_KINDS, Employee
from .history import (CATEGORIES, HISTORY_MODELS, RiwayatAnak, RiwayatDiklat, RiwayatGolongan,
                      RiwayatHukdis, RiwayatJabatan, RiwayatPasangan, RiwayatPendidikan,
                      RiwayatPenghargaan, RiwayatPindahInstansi, RiwayatPindahUnit)
from .organization import OrgUnit
from .reference import ReferenceEntry, ReferenceTable

__all__ = [
    "AuditEvent", "AuditHead", "Base", "CATEGORIES", "ChangeLog", "DERIVED_COLUMNS", "EMPLOYEE_KINDS", "Employee",
    "HISTORY_MODELS", "OpdScope", "OrgUnit", "ROLES", "ReferenceEntry", "ReferenceTable", "RiwayatAnak",
    "RiwayatDiklat", "RiwayatGolongan", "RiwayatHukdis", "RiwayatJabatan", "RiwayatPasangan",
    "RiwayatPendidikan", "RiwayatPenghargaan", "RiwayatPindahInstansi", "RiwayatPindahUnit", "RoleGrant", "SystemStatus",
    "User",
]
