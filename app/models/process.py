"""BPMN process definitions, their versions, running instances and the human-task mirror."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow

INSTANCE_STATUSES = ("running", "waiting", "completed", "cancelled", "error", "suspended")


class ProcessDefinition(Base):
    __tablename__ = "process_definitions"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProcessVersion(Base):
    """One published version: its XML, checksum, the spec serialized once, and the pinned forms."""

    __tablename__ = "process_versions"
    __table_args__ = (UniqueConstraint("process_key", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_key: Mapped[str] = mapped_column(ForeignKey("process_definitions.key"))
    version: Mapped[int]
    bpmn_xml: Mapped[str] = mapped_column(Text)
    checksum: Mapped[str] = mapped_column(String(64))
    spec: Mapped[dict]
    forms: Mapped[dict]  # {form file name: schema or UI schema}, pinned at publication
    source: Mapped[str] = mapped_column(String(20), default="shipped")  # shipped | studio
    published_by: Mapped[int | None]
    published_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProcessInstance(Base):
    __tablename__ = "process_instances"
    __table_args__ = (
        Index("ix_process_instances_subject", "subject_employee_id", "status"),
        # The instances list (newest first), alone or filtered by process/version or status (migration 0011).
        Index("ix_process_instances_created", "created_at", "id"),
        Index("ix_process_instances_process_created", "process_key", "version_id", "created_at", "id"),
        Index("ix_process_instances_status_created", "status", "created_at", "id"),
        Index("ix_process_instances_opd_ids", text("(opd_ids::jsonb)"), postgresql_using="gin").ddl_if(
            dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id"), index=True)
    process_key: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(12), default="running", index=True)
    title: Mapped[str] = mapped_column(String(300))
    category: Mapped[str | None] = mapped_column(String(32))
    subject_employee_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"))
    initiator_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    opd_ids: Mapped[list] = mapped_column(default=list)
    state: Mapped[dict]
    lock_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    completed_at: Mapped[datetime | None]
    error_message: Mapped[str | None] = mapped_column(Text)  # why a timer step failed (status error)

    __mapper_args__ = {"version_id_col": lock_version}


INBOX_ORDER = ("due_at", "created_at", "id")  # ascending, NULLs last on PostgreSQL: the Kotak Tugas order


class HumanTask(Base):
    """Mirror of every READY user task; inboxes read only this table."""

    __tablename__ = "human_tasks"
    __table_args__ = (
        UniqueConstraint("instance_id", "task_id"),
        # In the Kotak Tugas order, so a page is read in order and stops early: the inbox of one role, of
        # one validator unit, and the same narrowed by each filter.
        Index("ix_human_tasks_inbox", "role", *INBOX_ORDER),
        Index("ix_human_tasks_scope", "role", "scope_opd_id", *INBOX_ORDER),
        Index("ix_human_tasks_process", "role", "process_key", *INBOX_ORDER),
        Index("ix_human_tasks_category", "role", "category", *INBOX_ORDER),
        Index("ix_human_tasks_opd", "role", "opd_id", *INBOX_ORDER),
        Index("ix_human_tasks_assignee", "assignee_user_id", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instances.id", ondelete="CASCADE"))
    task_id: Mapped[str] = mapped_column(String(36))
    task_name: Mapped[str] = mapped_column(String(100))
    bpmn_id: Mapped[str | None] = mapped_column(String(100))  # the diagram element (null on rows before 0011)
    title: Mapped[str] = mapped_column(String(300))
    lane: Mapped[str | None] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(32))
    scope_opd_id: Mapped[str | None] = mapped_column(String(32))
    subject_employee_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"), index=True)
    # Copied from the instance for the inbox filters: process, request category, and the OPD the task
    # concerns (its scope, else the subject's OPD when the request started).
    process_key: Mapped[str] = mapped_column(String(64))
    category: Mapped[str | None] = mapped_column(String(32))
    opd_id: Mapped[str | None] = mapped_column(String(32))
    assignee_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    form_id: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_at: Mapped[datetime | None]
    claimed_at: Mapped[datetime | None]


class LaneRole(Base):
    """Which role acts in a lane, and which process variable gives the lane its OPD scope."""

    __tablename__ = "lane_roles"

    lane: Mapped[str] = mapped_column(String(100), primary_key=True)
    role: Mapped[str] = mapped_column(String(32))
    scope_variable: Mapped[str | None] = mapped_column(String(64))
    description: Mapped[str | None] = mapped_column(String(300))


class InstanceEvent(Base):
    """The timeline of a request: step, actor, time, note."""

    __tablename__ = "instance_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instances.id", ondelete="CASCADE"), index=True)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_user_id: Mapped[int | None]
    actor_label: Mapped[str] = mapped_column(String(200))
    step: Mapped[str] = mapped_column(String(300))
    action: Mapped[str] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)


class Notification(Base):
    """An in-app notification for one user."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_unread", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str | None] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(300))
    read_at: Mapped[datetime | None]


class DecreeCounter(Base):
    """The last decree (SK) number issued per series and year."""

    __tablename__ = "decree_counters"

    series: Mapped[str] = mapped_column(String(32), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last_number: Mapped[int] = mapped_column(default=0)
