"""A timer written to fall due before the next beat looks ahead gets a sweep booked at its due second.

Each beat sweep books a sweep at every second of the coming interval in which timers fall due (D37). A
timer written after that look — a deadline seconds or minutes away, a timer already due when its step
stores it — would wait for the next beat. So the step that writes such a timer notes its due time
(`note`, from both timer mirrors), and once the step has committed a sweep is sent with that `eta`
(`configure` binds the sender: create_app gives it the broker client). Nothing is sent for a step that
rolls back, and a process sends each second at most once.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import event
from sqlalchemy.orm import Session

from ..models.base import utcnow

log = logging.getLogger(__name__)
FLAG = "simasn.sweep_booking"  # session.info: the earliest noted moment of the transaction
REMEMBERED = 1000  # booked moments a process remembers, to send each second once

_book: Callable[[datetime], None] | None = None
_horizon = timedelta(0)
_booked: set[datetime] = set()
_booked_lock = threading.Lock()


def configure(book: Callable[[datetime], None] | None, horizon_seconds: float) -> None:
    """`book(moment)` sends a sweep due at `moment` (naive UTC); timers due within `horizon_seconds` of
    their step (the beat's look-ahead, one sweep interval) are booked. None turns booking off."""
    global _book, _horizon
    _book, _horizon = book, timedelta(seconds=horizon_seconds)
    _booked.clear()
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_soft_rollback", _after_soft_rollback)


def sweep_moment(due: datetime) -> datetime:
    """When to sweep for a timer due at `due`: the end of its second (a sweep at that moment finds it due)."""
    return due.replace(microsecond=0) + timedelta(seconds=1)


def note(session: Session, due: datetime | None) -> None:
    """A waiting timer due at `due` (naive UTC) was written in this transaction."""
    if _book is None or due is None or due > utcnow() + _horizon:
        return
    moment = sweep_moment(due)  # as the beat books
    earliest = session.info.get(FLAG)
    session.info[FLAG] = moment if earliest is None else min(earliest, moment)


def _after_commit(session: Session) -> None:
    if session.get_nested_transaction() is not None:  # a savepoint released: wait for the real commit
        return
    moment = session.info.pop(FLAG, None)
    if moment is None or _book is None:
        return
    with _booked_lock:
        if moment in _booked:
            return
        if len(_booked) >= REMEMBERED:
            now = utcnow()
            _booked.difference_update({booked for booked in _booked if booked < now})
        _booked.add(moment)
    try:
        _book(moment)
    except Exception:  # the commit has happened; the next beat sweep fires the timer
        log.warning("Sapuan pengatur waktu untuk %s tidak dapat dipesan; beat berikutnya yang menjalankan.",
                    moment, exc_info=True)


def _after_soft_rollback(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(FLAG, None)
