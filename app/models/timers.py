"""Timers of running processes, timer-started runs, extra days off and validation lateness."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow

TIMER_STATUSES = ("waiting", "fired", "cancelled")
DAY_OFF_KINDS = {"cuti_bersama": "Cuti bersama", "libur_daerah": "Libur daerah"}


class ProcessTimer(Base):
    """Mirror of one timer event a process instance waits for (or waited for), with its due time.

    Kept exact by every step that stores the instance; the sweep reads only this table to know
    which instances to wake, and never deserializes a workflow that has nothing due.
    """

    __tablename__ = "process_timers"
    __table_args__ = (
        UniqueConstraint("instance_id", "task_id"),
        Index("ix_process_timers_status_due", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instances.id", ondelete="CASCADE"))
    task_id: Mapped[str] = mapped_column(String(36))
    bpmn_id: Mapped[str] = mapped_column(String(100))
    name: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10))  # date | duration | cycle
    due_at: Mapped[datetime | None]  # naive UTC
    interrupting: Mapped[bool | None]
    attached_to: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(12), default="waiting")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    fired_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)


class TimerStartRun(Base):
    """One row per (process, due time) of a timer start event: inserted before the instance starts,
    so that two beats racing for the same due time start it once."""

    __tablename__ = "timer_start_runs"

    process_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    due_at: Mapped[datetime] = mapped_column(primary_key=True)  # naive UTC
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instances.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class HariLibur(Base):
    """An extra day off decided locally (cuti bersama, libur daerah), on top of national holidays."""

    __tablename__ = "hari_libur"

    id: Mapped[int] = mapped_column(primary_key=True)
    tanggal: Mapped[date] = mapped_column(Date, unique=True)
    nama: Mapped[str] = mapped_column(String(200))
    jenis: Mapped[str] = mapped_column(String(20))  # DAY_OFF_KINDS
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ValidationLateness(Base):
    """A validator task escalated to BKPSDM because the OPD did not act in time (Lampiran VI.b)."""

    __tablename__ = "validation_lateness"
    __table_args__ = (
        UniqueConstraint("instance_id", "task_id"),
        Index("ix_validation_lateness_period_opd", "period", "opd_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instances.id", ondelete="CASCADE"))
    task_id: Mapped[str] = mapped_column(String(36))  # the escalated validator task
    opd_id: Mapped[str] = mapped_column(String(32), index=True)
    task_name: Mapped[str] = mapped_column(String(100))
    received_at: Mapped[datetime]  # when the task reached the OPD (naive UTC)
    due_at: Mapped[datetime | None]  # the deadline that was missed
    escalated_at: Mapped[datetime] = mapped_column(default=utcnow)
    working_days_waited: Mapped[int]  # working days between received_at and escalated_at
    period: Mapped[str] = mapped_column(String(7))  # "YYYY-MM" of escalated_at in WIB
