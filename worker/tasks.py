"""Task shims: take ids and plain values, open what they need, call one service function."""
from __future__ import annotations

from celery import shared_task

from app.extensions import db
from app.services import outbox, reminders, system, timers


@shared_task(name="simasn.health")
def health() -> dict:
    return system.health(db.session())


@shared_task(name="simasn.heartbeat")
def heartbeat() -> str:
    return system.heartbeat(db.session()).isoformat()


@shared_task(name="simasn.outbox.deliver")
def deliver_outbox() -> dict:
    """Woken after a commit that queued email, and run by beat as the sweep that never lets one wait."""
    return outbox.deliver_due(db.session()).as_dict()


@shared_task(name="simasn.due_reminders")
def due_reminders() -> dict:
    """Daily: KGB and retirement (BUP) falling due — a notice to each ASN, a summary to BKPSDM and validators."""
    return reminders.send_due_reminders(db.session())


@shared_task(name="simasn.timers.sweep")
def sweep_timers() -> dict:
    """Beat, every SIMASN_TIMER_SWEEP_SECONDS: fire due timers (one transaction per instance) and start
    the timer-started processes that are due."""
    return timers.fire_due_timers(db.session()).as_dict()
