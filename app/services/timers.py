"""The timer sweep: wakes every instance with a due timer, each in its own transaction, exactly once.

Safe with several workers and several beats at once. The candidates are read without locks;
each instance is then taken with `FOR UPDATE SKIP LOCKED` (PostgreSQL; SQLite serialises
writers anyway) and re-read under the per-instance lock, so a timer another worker has just
fired is no longer waiting in the restored workflow and cannot fire twice. Timers that fell due
while nothing ran are simply due at the next sweep. An instance whose step fails is rolled back,
marked `error` with the reason, its due timers keep waiting with `attempts`/`last_error`, and
the sweep goes on with the others; `retry` puts it back in the sweep.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from ..engine import runtime
from ..models import InstanceEvent, ProcessInstance, ProcessTimer
from ..models.base import utcnow
from . import audit, instance_lock, processes, step_writes, sweep_booking, timer_starts
from .errors import ConflictError, NotFoundError

log = logging.getLogger(__name__)

SWEPT_STATUSES = ("running", "waiting")
DEFAULT_LIMIT = 500
BACKLOG_CALLS = 3  # a sweep asks for help at most this often (see fire_due_timers)
MEETING_STREAK = 3  # skips in a row after which a sweep leaves its batch for a fresh one (see _work)
SYSTEM_LABEL = "Sistem (pengatur waktu)"
ERROR_TEXT_LIMIT = 2000


@dataclass
class SweepResult:
    """What one sweep did; `fired` counts timers, the others count instances."""

    fired: int = 0
    instances: int = 0
    failed: list[int] = field(default_factory=list)
    skipped: int = 0
    started: int = 0

    def as_dict(self) -> dict:
        return {"fired": self.fired, "instances": self.instances, "failed": list(self.failed),
                "skipped": self.skipped, "started": self.started}


def fire_due_timers(session: Session, *, now: datetime | None = None, limit: int = DEFAULT_LIMIT,
                    actor: audit.Actor = audit.SYSTEM, on_backlog: Callable[[], None] | None = None,
                    reverse: bool = False) -> SweepResult:
    """Fire every timer due by `now` (naive UTC; default: the clock), `limit` instances per batch until
    none is left (or a whole batch was held by other workers), then start the timer-started processes
    that are due. Each instance commits on its own.

    `on_backlog` is called before a full batch is worked: for the first one, and again (at most
    BACKLOG_CALLS times in all) after a full batch this sweep worked alone, without meeting another
    sweep. The worker sends another sweep each time, so idle workers join at once; the repeat covers a
    helper that sat behind a busy worker's own sweep instead of reaching an idle worker. With `reverse`
    each batch is worked from its end, so two sweeps over the same backlog meet in the middle instead of
    taking turns on the same instances (each turn lost is a skipped lock)."""
    now = now or utcnow()
    result = SweepResult()
    calls, alone = 0, True
    while True:
        batch = due_instances(session, now, limit)
        if on_backlog is not None and len(batch) == limit and alone and calls < BACKLOG_CALLS:
            on_backlog()
            calls += 1
        done_before, skipped_before = result.instances + len(result.failed), result.skipped
        met = _work(session, batch, now, actor, result, reverse)
        alone = result.skipped == skipped_before
        if len(batch) < limit and not met or result.instances + len(result.failed) == done_before:
            break
    result.started = timer_starts.start_due_processes(session, now=now, actor=actor)
    return result


def _work(session: Session, batch: list[int], now: datetime, actor: audit.Actor, result: SweepResult,
          reverse: bool) -> bool:
    """Wake the batch's instances in turn; True if it stopped early on MEETING_STREAK skips in a row: it
    has met another sweep working the same batch from the other end, and what lies beyond is that one's
    (the caller reads a fresh batch instead of trying every instance the other has done)."""
    streak = 0
    for instance_id in (reversed(batch) if reverse else batch):
        skipped = result.skipped
        _wake(session, instance_id, now, actor, result)
        streak = streak + 1 if result.skipped > skipped else 0
        if streak == MEETING_STREAK:
            return True
    return False


def due_instances(session: Session, now: datetime, limit: int) -> list[int]:
    """Instances with a waiting timer due by `now`, the longest overdue first (read without locks)."""
    stmt = (select(ProcessTimer.instance_id)
            .join(ProcessInstance, ProcessInstance.id == ProcessTimer.instance_id)
            .where(ProcessTimer.status == "waiting", ProcessTimer.due_at <= now,
                   ProcessInstance.status.in_(SWEPT_STATUSES))
            .group_by(ProcessTimer.instance_id).order_by(func.min(ProcessTimer.due_at)).limit(limit))
    ids = list(session.scalars(stmt))
    session.rollback()  # end the read; every instance gets its own transaction
    return ids


def upcoming_moments(session: Session, now: datetime, horizon_seconds: float, limit: int) -> list[datetime]:
    """The whole seconds after `now` and within `horizon_seconds` at which a sweep finds something due:
    for each second in which waiting timers (of swept instances) fall due, the end of that second,
    earliest first, at most `limit` (naive UTC). The beat books a sweep at each (worker/tasks.py), so a
    timer fires within about a second of its due time instead of at the next beat."""
    horizon = now + timedelta(seconds=horizon_seconds)
    moments: list[datetime] = []
    after = now
    while len(moments) < limit:
        first = session.scalar(
            select(func.min(ProcessTimer.due_at))
            .join(ProcessInstance, ProcessInstance.id == ProcessTimer.instance_id)
            .where(ProcessTimer.status == "waiting", ProcessTimer.due_at > after, ProcessTimer.due_at <= horizon,
                   ProcessInstance.status.in_(SWEPT_STATUSES)))
        if first is None:
            break
        moment = sweep_booking.sweep_moment(first)
        moments.append(moment)
        after = moment  # a timer due exactly at `moment` is fired by that sweep
    session.rollback()  # end the read, as due_instances does
    return moments


def _wake(session: Session, instance_id: int, now: datetime, actor: audit.Actor, result: SweepResult) -> None:
    try:
        with processes._rollback_on_error(session):
            fired = _fire_instance(session, instance_id, now, actor)
        session.commit()
    except DBAPIError as err:  # lost connection, deadlock, serialisation: the next sweep tries again
        session.rollback()
        log.warning("timer sweep: instance %s skipped after a database error: %s", instance_id, err)
        result.skipped += 1
        return
    except Exception as err:
        _record_failure(session, instance_id, now, err, actor)
        result.failed.append(instance_id)
        return
    if fired is None:
        result.skipped += 1
    else:
        result.instances += 1
        result.fired += len(fired)


def _fire_instance(session: Session, instance_id: int, now: datetime, actor: audit.Actor) -> list | None:
    """Fire the instance's due timers; None if another worker holds it or nothing is due any more.

    One `SELECT … FOR UPDATE SKIP LOCKED` (PostgreSQL; SQLite waits for its write lock) takes the
    instance with its compiled version's stamp, the lane mapping, its mirror rows and its waiting
    timers, so an instance another worker holds costs one statement. The step's writes (state, task and
    timer mirrors, timeline) go out with the audit chain's tip as for a task completion (step_writes)."""
    locked = instance_lock.lock_by_instance(session, instance_id, skip_locked=True, mirrors=True)
    if locked is None:
        return None
    instance, version = locked.instance, locked.version
    if instance.status not in SWEPT_STATUSES or not any(_is_due(row, now) for row in locked.timers):
        return None
    workflow = processes._restore(session, actor, instance, version)
    writes = step_writes.Writes(session, open_tasks=locked.open_tasks)
    with writes:  # the operators' notifications join the step's writes
        runtime.fire_due_timers(workflow)
    fired = processes._write_step(writes, instance, version, workflow, set(), locked.lanes, locked.timers)
    for row in fired:
        step_writes.add_event(writes, instance, None, SYSTEM_LABEL, row.name or row.bpmn_id, _action(row))
    if fired:
        audit.record(session, actor, "timer.fired", "process_instance", instance.id, writes=writes,
                     timers=[row.bpmn_id for row in fired])
    else:  # the engine found nothing due after all (a clock difference): the state is still stored
        writes.flush()
    return fired


def _is_due(row: instance_lock.WaitingTimer, now: datetime) -> bool:
    return row.due_at is not None and row.due_at <= now


def _due_rows(session: Session, instance_id: int, now: datetime) -> list[ProcessTimer]:
    stmt = (select(ProcessTimer)
            .where(ProcessTimer.instance_id == instance_id, ProcessTimer.status == "waiting",
                   ProcessTimer.due_at <= now)
            .execution_options(populate_existing=True))
    return list(session.scalars(stmt))


def _action(row: instance_lock.WaitingTimer) -> str:
    """The timeline's word for a timer: a deadline (interrupting), a reminder, or a plain wait."""
    if row.interrupting is None:
        return "waktu"
    return "tenggat" if row.interrupting else "pengingat"


def _record_failure(session: Session, instance_id: int, now: datetime, err: Exception,
                    actor: audit.Actor) -> None:
    """In a transaction of its own: the instance goes to `error`, its due timers keep waiting."""
    message = f"{type(err).__name__}: {getattr(err, 'message', None) or err}"[:ERROR_TEXT_LIMIT]
    try:
        with processes._rollback_on_error(session), processes._locked(session, instance_id, None) as instance:
            instance.status, instance.error_message = "error", message
            for row in _due_rows(session, instance_id, now):
                row.attempts, row.last_error = row.attempts + 1, message
            session.add(InstanceEvent(instance_id=instance_id, actor_user_id=None, actor_label=SYSTEM_LABEL,
                                      step="Langkah terjadwal gagal", action="gagal", note=message))
            audit.record(session, actor, "timer.failed", "process_instance", instance_id, error=message)
        session.commit()
    except Exception:  # the failure itself could not be written: the timers stay due for the next sweep
        log.exception("timer sweep: could not record the failure of instance %s", instance_id)
    log.warning("timer sweep: instance %s failed: %s", instance_id, message)


def retry(session: Session, actor: audit.Actor, instance_id: int) -> ProcessInstance:
    """Put an instance whose timer step failed back into the sweep (the next sweep fires its due timers)."""
    with processes._rollback_on_error(session), processes._locked(session, instance_id, None) as instance:
        if instance.status != "error":
            raise ConflictError("Proses ini tidak sedang dalam status galat.")
        waiting = session.scalar(select(func.count()).select_from(ProcessTimer).where(
            ProcessTimer.instance_id == instance_id, ProcessTimer.status == "waiting"))
        instance.status = "waiting" if waiting else "running"
        audit.record(session, actor, "timer.retry", "process_instance", instance_id,
                     previous_error=instance.error_message)
    session.commit()
    return instance


def timers_of(session: Session, instance_id: int) -> list[ProcessTimer]:
    """The mirror rows of one instance, oldest first (for the operations and request pages)."""
    if session.get(ProcessInstance, instance_id) is None:
        raise NotFoundError("Proses tidak ditemukan.")
    stmt = select(ProcessTimer).where(ProcessTimer.instance_id == instance_id).order_by(ProcessTimer.id)
    return list(session.scalars(stmt))
