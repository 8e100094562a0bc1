"""All models, imported here so that metadata and Alembic see every table."""
from .account import ROLES, OpdScope, RoleGrant, User
from .audit import AuditEvent, AuditHead, ChangeLog, SystemStatus
from .base import Base
from .document import Document
from .employee import DERIVED_COLUMNS, EMPLOYEE_KINDS, Employee
from .form_definition import FORM_STATUSES, FormDefinition
from .history import (CATEGORIES, HISTORY_MODELS, RiwayatAnak, RiwayatDiklat, RiwayatGolongan,
                      RiwayatHukdis, RiwayatJabatan, RiwayatPasangan, RiwayatPendidikan,
                      RiwayatPenghargaan, RiwayatPindahInstansi, RiwayatPindahUnit)
from .jobs import JobFailure
from .organization import OrgUnit
from .outbox import OUTBOX_STATUSES, OutboxMessage
from .process_draft import ProcessDraft
from .process import (INSTANCE_STATUSES, DecreeCounter, HumanTask, InstanceEvent, LaneRole, Notification,
                      ProcessDefinition, ProcessInstance, ProcessVersion)
from .reference import ReferenceEntry, ReferenceTable
from .reminders import REMINDER_KINDS, ReminderSent
from .task_history import TaskHistory
from .timers import (DAY_OFF_KINDS, TIMER_STATUSES, HariLibur, ProcessTimer, TimerStartRun,
                     ValidationLateness)

__all__ = [
    "FORM_STATUSES", "FormDefinition",
    "REMINDER_KINDS", "ReminderSent",
    "TaskHistory",
    "JobFailure", "OUTBOX_STATUSES", "OutboxMessage",
    "DAY_OFF_KINDS", "HariLibur", "ProcessTimer", "TIMER_STATUSES", "TimerStartRun", "ValidationLateness",
    "DecreeCounter", "HumanTask", "INSTANCE_STATUSES", "InstanceEvent", "LaneRole", "Notification",
    "ProcessDefinition", "ProcessInstance", "ProcessVersion", "ProcessDraft",
    "AuditEvent", "AuditHead", "Base", "CATEGORIES", "ChangeLog", "DERIVED_COLUMNS", "Document", "EMPLOYEE_KINDS", "Employee",
    "HISTORY_MODELS", "OpdScope", "OrgUnit", "ROLES", "ReferenceEntry", "ReferenceTable", "RiwayatAnak",
    "RiwayatDiklat", "RiwayatGolongan", "RiwayatHukdis", "RiwayatJabatan", "RiwayatPasangan",
    "RiwayatPendidikan", "RiwayatPenghargaan", "RiwayatPindahInstansi", "RiwayatPindahUnit", "RoleGrant", "SystemStatus",
    "User",
]
