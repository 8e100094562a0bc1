"""How long each human task waited: one row per user task that left the mirror (for the heat map)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class TaskHistory(Base):
    """A user task from the moment it became READY to the moment it stopped being READY.

    Written by the human-task mirror when a row leaves it (completed, or ended by an interrupting
    timer); `seconds` is wall-clock time, stored so that medians are plain integer arithmetic.
    """

    __tablename__ = "task_history"
    __table_args__ = (Index("ix_task_history_version_element", "version_id", "bpmn_id", "instance_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instances.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id"))
    task_id: Mapped[str] = mapped_column(String(36))
    bpmn_id: Mapped[str | None] = mapped_column(String(100))
    task_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(32))
    assignee_user_id: Mapped[int | None]
    ready_at: Mapped[datetime]
    ended_at: Mapped[datetime]
    seconds: Mapped[int]
