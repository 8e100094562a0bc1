"""Due-date reminders already sent: one row per (kind, employee, due date), so each is sent once."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow

REMINDER_KINDS = ("kgb", "pensiun")


class ReminderSent(Base):
    __tablename__ = "reminders_sent"
    __table_args__ = (UniqueConstraint("kind", "employee_id", "due_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id", ondelete="CASCADE"), index=True)
    due_date: Mapped[date]
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The run whose summary (to BKPSDM and the validators) counted this row; NULL until then, so a
    # run that stopped after sending the personal notices still gets its summary sent by the next one.
    summary_run: Mapped[str | None] = mapped_column(String(32), index=True)
