"""What the operations page shows: the worker's heartbeat, the broker, the outbox, timers, failed jobs."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..dispatch import BrokerStatus, broker_status
from ..models import JobFailure, ProcessTimer
from ..models.base import utcnow
from . import jobs, outbox, system

BEAT_LATE_AFTER = timedelta(minutes=3)  # the heartbeat runs every minute
TIMER_LATE_AFTER = timedelta(minutes=5)  # a due timer not fired by then means the sweep is not keeping up


@dataclass
class TimerFacts:
    waiting: int
    due: int
    late: int
    failing: int
    oldest_due: list[ProcessTimer]


@dataclass
class Overview:
    now: datetime
    last_beat: datetime | None
    beat_late: bool
    broker: BrokerStatus
    email_enabled: bool
    outbox_counts: dict[str, int]
    outbox_due: int
    timers: TimerFacts
    failed_jobs: list[JobFailure]
    failed_jobs_24h: int


def overview(session: Session, broker_url: str) -> Overview:
    now = utcnow()
    beat = system.last_heartbeat(session)
    return Overview(
        now=now, last_beat=beat, beat_late=beat is None or now - beat > BEAT_LATE_AFTER,
        broker=broker_status(broker_url), email_enabled=outbox.mail_settings().enabled,
        outbox_counts=outbox.counts_by_status(session), outbox_due=outbox.due_count(session),
        timers=timer_facts(session, now), failed_jobs=jobs.recent_failures(session),
        failed_jobs_24h=jobs.failures_since(session, now - timedelta(days=1)))


def timer_facts(session: Session, now: datetime) -> TimerFacts:
    """Waiting timers of running processes: all, due by now, late (the sweep is not keeping up), failing."""
    waiting = ProcessTimer.status == "waiting"

    def count(*conditions) -> int:
        return session.scalar(select(func.count()).select_from(ProcessTimer).where(waiting, *conditions)) or 0

    oldest = session.scalars(select(ProcessTimer).where(waiting, ProcessTimer.due_at <= now)
                             .order_by(ProcessTimer.due_at, ProcessTimer.id).limit(20))
    return TimerFacts(waiting=count(), due=count(ProcessTimer.due_at <= now),
                      late=count(ProcessTimer.due_at <= now - TIMER_LATE_AFTER),
                      failing=count(ProcessTimer.last_error.is_not(None)), oldest_due=list(oldest))
