"""What process owners and admins see of running instances: the filtered list and one instance's page.

Only `process_owner` and `admin` may look (D28). The list reads columns, never the stored workflow
state, and pages by offset with a separate count; the indexes of migration 0011 keep both cheap at
tens of thousands of instances. Confidential fields of the task data (NIK, nomor KK, NPWP, ...)
are masked unless the viewer may see the subject employee's own data.
"""
from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import JSON, and_, exists, func, literal_column, select, type_coerce
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session

from ..engine import runtime
from ..engine.script_engine import SafeScriptEngine
from ..engine.workdays import WIB
from ..models import (INSTANCE_STATUSES, Employee, HumanTask, OrgUnit, ProcessDefinition, ProcessInstance,
                      ProcessTimer, ProcessVersion, User)
from . import audit, authz, definitions, diagrams, timers
from .errors import BadRequestError, NotFoundError
from .processes import timeline

ADMIN_ROLES = ("process_owner", "admin")
PAGE_SIZE = 50
STATUS_LABELS = {"running": "Berjalan", "waiting": "Menunggu", "completed": "Selesai", "cancelled": "Dibatalkan",
                 "error": "Galat", "suspended": "Ditangguhkan"}
assert set(STATUS_LABELS) == set(INSTANCE_STATUSES)
NOT_FOUND = "Instans proses tidak ditemukan."
# Keys whose values are confidential personal data, wherever they sit in the task data.
CONFIDENTIAL_KEY = re.compile(r"(^|_)(nik|kk|no_kk|nomor_kk|npwp|rekening|bpjs|ktp|paspor)($|_)")


def require_admin(user: User) -> None:
    authz.require_role(user, *ADMIN_ROLES)


@dataclass(frozen=True)
class InstanceFilter:
    process: str | None = None
    version: int | None = None
    status: str | None = None
    opd: str | None = None
    started_from: date | None = None
    started_to: date | None = None
    nip: str | None = None


def parse_filter(session: Session, args: Mapping[str, str]) -> InstanceFilter:
    """The filter from request arguments; a value the page does not offer is a BadRequestError."""
    raw = {name: (args.get(name) or "").strip() for name in ("proses", "versi", "status", "opd", "dari", "sampai",
                                                             "nip")}
    wanted = InstanceFilter(
        process=_process(session, raw["proses"]), version=_version(session, raw["proses"], raw["versi"]),
        status=_status(raw["status"]), opd=_opd(session, raw["opd"]), started_from=_date("dari", raw["dari"]),
        started_to=_date("sampai", raw["sampai"]), nip=_nip(raw["nip"]))
    if wanted.started_from and wanted.started_to and wanted.started_from > wanted.started_to:
        raise BadRequestError("Tanggal mulai 'dari' tidak boleh sesudah tanggal 'sampai'.")
    return wanted


def _process(session: Session, value: str) -> str | None:
    if value and session.get(ProcessDefinition, value) is None:
        raise BadRequestError(f"Proses '{value[:64]}' tidak dikenal; pilih dari daftar Proses.")
    return value or None


def _version(session: Session, process: str, value: str) -> int | None:
    if not value:
        return None
    if not process:
        raise BadRequestError("Pilih proses terlebih dahulu sebelum memilih versi.")
    if not value.isdigit() or session.scalar(select(ProcessVersion.id).where(
            ProcessVersion.process_key == process, ProcessVersion.version == int(value))) is None:
        raise BadRequestError(f"Versi '{value[:20]}' tidak ada pada proses '{process}'.")
    return int(value)


def _status(value: str) -> str | None:
    if value and value not in STATUS_LABELS:
        raise BadRequestError(f"Status '{value[:20]}' tidak dikenal; pilih dari daftar Status.")
    return value or None


def _opd(session: Session, value: str) -> str | None:
    if value and session.scalar(select(OrgUnit.id).where(OrgUnit.id == value, OrgUnit.parent_id.is_(None))) is None:
        raise BadRequestError(f"OPD '{value[:40]}' tidak dikenal; pilih dari daftar OPD.")
    return value or None


def _date(name: str, value: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadRequestError(f"Tanggal '{name}' harus berformat TTTT-BB-HH (misalnya 2025-01-31); "
                              f"diberikan '{value[:20]}'.") from None


def _nip(value: str) -> str | None:
    value = value.replace(" ", "")
    if value and not (value.isdigit() and len(value) == 18):
        raise BadRequestError("NIP harus 18 digit angka.")
    return value or None


@dataclass(frozen=True)
class InstanceRow:
    id: int
    process_key: str
    version: int
    status: str
    title: str
    created_at: datetime
    updated_at: datetime
    subject_nip: str | None
    subject_name: str | None
    opd_ids: list


def list_instances(session: Session, user: User, wanted: InstanceFilter,
                   page: int = 1) -> tuple[list[InstanceRow], int]:
    """One page (newest first) and the total count."""
    require_admin(user)
    conditions = _conditions(session, wanted)
    columns = (ProcessInstance.id, ProcessInstance.process_key, ProcessVersion.version, ProcessInstance.status,
               ProcessInstance.title, ProcessInstance.created_at, ProcessInstance.updated_at, Employee.nip,
               Employee.nama, ProcessInstance.opd_ids)
    stmt = (select(*columns).join(ProcessVersion, ProcessVersion.id == ProcessInstance.version_id)
            .outerjoin(Employee, Employee.id == ProcessInstance.subject_employee_id).where(*conditions)
            .order_by(ProcessInstance.created_at.desc(), ProcessInstance.id.desc())
            .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE))
    rows = [InstanceRow(*row) for row in session.execute(stmt)]
    total = session.scalar(select(func.count()).select_from(ProcessInstance).where(*conditions))
    return rows, total


def _conditions(session: Session, wanted: InstanceFilter) -> list:
    found = []
    if wanted.process:
        found.append(ProcessInstance.process_key == wanted.process)
    if wanted.version:
        found.append(ProcessInstance.version_id == select(ProcessVersion.id).where(
            ProcessVersion.process_key == wanted.process, ProcessVersion.version == wanted.version).scalar_subquery())
    if wanted.status:
        found.append(ProcessInstance.status == wanted.status)
    if wanted.opd:
        found.append(_involves(session, wanted.opd))
    if wanted.started_from:
        found.append(ProcessInstance.created_at >= _utc_midnight(wanted.started_from))
    if wanted.started_to:
        found.append(ProcessInstance.created_at < _utc_midnight(wanted.started_to + timedelta(days=1)))
    if wanted.nip:
        found.append(ProcessInstance.subject_employee_id.in_(select(Employee.id).where(Employee.nip == wanted.nip)))
    return found


def _involves(session: Session, opd: str):
    """opd_ids (a JSON list) holds `opd`: JSONB containment (GIN index) on PostgreSQL, json_each on SQLite."""
    if session.get_bind().dialect.name == "postgresql":
        return type_coerce(ProcessInstance.opd_ids, JSON).cast(JSONB).contains([opd])
    each = func.json_each(ProcessInstance.opd_ids).table_valued("value")
    return exists(select(literal_column("1")).select_from(each).where(and_(each.c.value == opd)))


def _utc_midnight(day: date) -> datetime:
    """The start of `day` in WIB as naive UTC (how created_at is stored)."""
    return datetime.combine(day, time(), WIB).astimezone(UTC).replace(tzinfo=None)


def filter_choices(session: Session) -> dict:
    """Processes with their versions, and the OPDs, for the filter form."""
    versions: dict[str, list[int]] = {}
    for key, number in session.execute(select(ProcessVersion.process_key, ProcessVersion.version)
                                       .order_by(ProcessVersion.process_key, ProcessVersion.version)):
        versions.setdefault(key, []).append(number)
    processes = list(session.execute(select(ProcessDefinition.key, ProcessDefinition.name)
                                     .order_by(ProcessDefinition.name)))
    opds = list(session.execute(select(OrgUnit.id, OrgUnit.name).where(OrgUnit.parent_id.is_(None))
                                .order_by(OrgUnit.name)))
    return {"processes": processes, "versions": versions, "opds": opds, "statuses": STATUS_LABELS}


# --- one instance -----------------------------------------------------------------------------

@dataclass(frozen=True)
class InstancePage:
    instance: ProcessInstance
    version: ProcessVersion
    definition_name: str
    subject: Employee | None
    data: dict
    masked: bool
    events: list
    tasks: list[tuple[HumanTask, User | None]]
    timers: list[ProcessTimer]

    @property
    def data_text(self) -> str:
        return json.dumps(self.data, ensure_ascii=False, indent=2, sort_keys=True, default=str)


def instance_page(session: Session, user: User, actor: audit.Actor, instance_id: int) -> InstancePage:
    """Everything the instance page shows; an unmasked view of confidential data is audited."""
    instance = get_instance(session, user, instance_id)
    version = session.get(ProcessVersion, instance.version_id)
    subject = session.get(Employee, instance.subject_employee_id) if instance.subject_employee_id else None
    may_see = may_see_confidential(session, user, subject)
    data, hidden = mask(process_data(version, instance), reveal=may_see)
    page = InstancePage(instance, version, _definition_name(session, instance.process_key), subject, data,
                        hidden, timeline(session, instance.id), open_tasks(session, instance.id),
                        timers.timers_of(session, instance.id))
    if may_see and _has_confidential(data):
        audit.record(session, actor, "process_instance.data_view", "process_instance", instance.id)
        session.commit()
    return page


def diagram(session: Session, user: User, instance_id: int) -> dict:
    """The request diagram's {xml, completed, active} plus `failed`: the timers whose step failed
    (while the instance is in error), for the viewer to mark red."""
    instance = get_instance(session, user, instance_id)
    state = diagrams.diagram_state(session, instance)
    failed: list[str] = []
    if instance.status == "error":
        failed = list(session.scalars(select(ProcessTimer.bpmn_id).where(
            ProcessTimer.instance_id == instance.id, ProcessTimer.status == "waiting",
            ProcessTimer.last_error.is_not(None)).order_by(ProcessTimer.id)))
    state["failed"] = failed
    state["active"] = [bpmn_id for bpmn_id in state["active"] if bpmn_id not in failed]
    return state


def get_instance(session: Session, user: User, instance_id: int) -> ProcessInstance:
    require_admin(user)
    instance = session.get(ProcessInstance, instance_id)
    if instance is None:
        raise NotFoundError(NOT_FOUND)
    return instance


def open_tasks(session: Session, instance_id: int) -> list[tuple[HumanTask, User | None]]:
    stmt = (select(HumanTask, User).outerjoin(User, User.id == HumanTask.assignee_user_id)
            .where(HumanTask.instance_id == instance_id).order_by(HumanTask.created_at, HumanTask.id))
    return [tuple(row) for row in session.execute(stmt)]


def process_data(version: ProcessVersion, instance: ProcessInstance) -> dict:
    """The workflow's data (the last completed step's), read from the stored state; nothing runs."""
    if not instance.state:
        return {}
    workflow = runtime.deserialize(definitions.specs_for(version), instance.state, SafeScriptEngine())
    return runtime.process_data(workflow)


def may_see_confidential(session: Session, user: User, subject: Employee | None) -> bool:
    """Whoever may open the subject's own employee record may see their NIK; without a subject, BKPSDM-wide roles."""
    if subject is None:
        return authz.has_role(user, *authz.ALL_EMPLOYEE_ROLES)
    return authz.can_view_employee(session, user, subject)


def mask(value, *, reveal: bool) -> tuple[object, bool]:
    """`value` with every confidential field's value masked (all but the last 4 characters) unless
    `reveal`; and whether anything was masked."""
    if isinstance(value, dict):
        masked, hidden = {}, False
        for key, item in value.items():
            if not reveal and isinstance(key, str) and CONFIDENTIAL_KEY.search(key.lower()) and _scalar(item):
                masked[key], hidden = _masked(item), hidden or item not in (None, "")
            else:
                masked[key], inner = mask(item, reveal=reveal)
                hidden = hidden or inner
        return masked, hidden
    if isinstance(value, list):
        items = [mask(item, reveal=reveal) for item in value]
        return [item for item, _ in items], any(inner for _, inner in items)
    return value, False


def _scalar(value) -> bool:
    return not isinstance(value, (dict, list))


def _masked(value) -> str | None:
    if value in (None, ""):
        return value
    text = str(value)
    return "•" * max(len(text) - 4, 4) + text[-4:] if len(text) > 4 else "••••"


def _has_confidential(value) -> bool:
    if isinstance(value, dict):
        return any((isinstance(k, str) and CONFIDENTIAL_KEY.search(k.lower()) and v not in (None, ""))
                   or _has_confidential(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_confidential(item) for item in value)
    return False


def _definition_name(session: Session, key: str) -> str:
    definition = session.get(ProcessDefinition, key)
    return definition.name if definition else key
