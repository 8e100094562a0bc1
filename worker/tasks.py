"""Task shims: take ids and plain values, open what they need, call one service function."""
from __future__ import annotations

import logging
from celery import shared_task
from flask import current_app

from app.dispatch import booked_sweep
from app.extensions import db
from app.models.base import utcnow
from app.services import outbox, reminders, system, timers

log = logging.getLogger(__name__)
MAX_SWEEP_HELPERS = 8  # extra timer sweeps sent for one backlog, at most
MAX_BOOKED_SWEEPS = 60  # sweeps a beat sweep books ahead, at most (one per second with due timers)


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
def sweep_timers(helpers: int = 0, booked: bool = False) -> dict:
    """Beat, every SIMASN_TIMER_SWEEP_SECONDS: fire due timers (one transaction per instance) and start
    the timer-started processes that are due. With a backlog (a full first batch) it sends one more sweep
    before working, so an idle worker joins at once instead of at the next beat, and again while it works
    full batches alone (timers.BACKLOG_CALLS); each helper does the same, to a depth of MAX_SWEEP_HELPERS
    from the beat's sweep (a backlog that never shrinks cannot keep them going).

    A beat sweep then books one sweep at the end of each second of the coming interval in which timers
    fall due (`timers.upcoming_moments`), so a timer fires about a second after its due time rather than
    up to a whole interval later. Booked and helper sweeps book nothing: only the beat looks ahead."""
    session = db.session()
    more = (lambda: _send_helper(helpers + 1)) if helpers < MAX_SWEEP_HELPERS else None
    # helpers alternate direction: the beat's sweep and its first helper meet in the middle of a backlog
    result = timers.fire_due_timers(session, on_backlog=more, reverse=helpers % 2 == 1).as_dict()
    if not booked and helpers == 0:
        result["booked"] = _book_sweeps(session)
    return result


def _send_helper(helpers: int) -> None:
    expires = float(current_app.config["SETTINGS"].timer_sweep_seconds)
    try:
        sweep_timers.apply_async(kwargs={"helpers": helpers}, expires=expires)
    except Exception:  # the broker is gone: this sweep still works the backlog alone
        log.warning("timer sweep: could not send a helper sweep", exc_info=True)


def _book_sweeps(session) -> int:
    """Book a sweep at each moment of the coming interval at which timers fall due; returns how many.
    A booked sweep that cannot run within one interval of its moment is dropped (the beat covers it)."""
    interval = float(current_app.config["SETTINGS"].timer_sweep_seconds)
    moments = timers.upcoming_moments(session, utcnow(), interval, MAX_BOOKED_SWEEPS)
    try:
        for moment in moments:
            sweep_timers.apply_async(**booked_sweep(moment, interval))
    except Exception:  # the broker is gone: the next beat sweeps as before
        log.warning("timer sweep: could not book the coming sweeps", exc_info=True)
        return 0
    return len(moments)
