"""Processes whose start event is a timer (e.g. a quarterly report): one instance per due time.

For the latest version of each process with a timer start event, the due times since its
publication (see `app.engine.schedules`) that have no `timer_start_runs` row yet are started.
The row is inserted first (`ON CONFLICT DO NOTHING`) in the same transaction as the new
instance, so of two beats racing for one due time exactly one inserts it and starts the
process; the other finds the row and does nothing. A start that fails is recorded on its row
with the error instead of being retried at every sweep.
"""
from __future__ import annotations

import logging
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..engine import runtime
from ..engine.errors import ExpressionError
from ..engine.schedules import ScheduleError, schedule_of
from ..engine.script_engine import SafeScriptEngine
from ..engine.workdays import WIB
from ..extensions import insert_on_conflict
from ..models import InstanceEvent, ProcessDefinition, ProcessInstance, ProcessVersion, TimerStartRun
from ..models.base import utcnow
from . import audit, definitions, processes
from .days_off import work_calendar

log = logging.getLogger(__name__)

SYSTEM_LABEL = "Sistem (jadwal)"


def start_due_processes(session: Session, *, now: datetime | None = None,
                        actor: audit.Actor = audit.SYSTEM) -> int:
    """Start every timer-started process that is due by `now` (naive UTC) and not started yet."""
    now = now or utcnow()
    started = 0
    for version in _latest_versions(session):
        for due in _pending(session, version, now):
            started += _start_once(session, version, due, actor)
    session.rollback()  # nothing open is left behind by the reads
    return started


def due_times(session: Session, version: ProcessVersion, now: datetime) -> list[datetime]:
    """Due times (naive UTC) of the version's timer start events from its publication up to `now`."""
    specs = definitions.specs_for(version)
    timers = runtime.start_timers(specs)
    if not timers:
        return []
    engine = SafeScriptEngine(calendar=work_calendar(session))  # evaluates expressions only
    published, until = _aware(version.published_at), _aware(now)
    dues: set[datetime] = set()
    for timer in timers:
        try:
            value = engine.environment.evaluate(timer.expression, {})
            schedule = schedule_of(timer.kind, value)
        except (ExpressionError, ScheduleError) as err:
            log.warning("timer start of %s v%s (%s) ignored: %s", version.process_key, version.version,
                        timer.bpmn_id, err)
            continue
        dues |= {due.replace(tzinfo=None) for due in schedule.occurrences(published, until)}
    return sorted(dues)


def _latest_versions(session: Session) -> list[ProcessVersion]:
    latest = (select(ProcessVersion.process_key, func.max(ProcessVersion.version).label("version"))
              .group_by(ProcessVersion.process_key).subquery())
    stmt = select(ProcessVersion).join(latest, (ProcessVersion.process_key == latest.c.process_key)
                                       & (ProcessVersion.version == latest.c.version))
    return [version for version in session.scalars(stmt) if runtime.start_timers(definitions.specs_for(version))]


def _pending(session: Session, version: ProcessVersion, now: datetime) -> list[datetime]:
    dues = due_times(session, version, now)
    if not dues:
        return []
    done = set(session.scalars(select(TimerStartRun.due_at).where(
        TimerStartRun.process_key == version.process_key, TimerStartRun.due_at >= dues[0])))
    return [due for due in dues if due not in done]


def _start_once(session: Session, version: ProcessVersion, due: datetime, actor: audit.Actor) -> int:
    """1 if this caller inserted the run row and started the instance, 0 if someone else had it."""
    try:
        if not _insert_run(session, version.process_key, due):
            session.rollback()
            return 0
        instance = _start_instance(session, version, due, actor)
        run = session.get(TimerStartRun, (version.process_key, due))
        run.instance_id = instance.id
        session.commit()
        return 1
    except Exception as err:
        session.rollback()
        _record_failure(session, version, due, err, actor)
        return 0


def _insert_run(session: Session, process_key: str, due: datetime) -> bool:
    """Insert the (process, due time) row unless it exists; True if this call inserted it."""
    stmt = (insert_on_conflict(session, TimerStartRun).values(process_key=process_key, due_at=due, created_at=utcnow())
            .on_conflict_do_nothing(index_elements=["process_key", "due_at"])
            .returning(TimerStartRun.process_key))
    return session.execute(stmt).first() is not None


def _start_instance(session: Session, version: ProcessVersion, due: datetime, actor: audit.Actor) -> ProcessInstance:
    definition = session.get(ProcessDefinition, version.process_key)
    when = due.replace(tzinfo=UTC).astimezone(WIB)
    instance = ProcessInstance(
        version_id=version.id, process_key=version.process_key, status="running", opd_ids=[], state={},
        title=f"{definition.name if definition else version.process_key} — {when:%d-%m-%Y}"[:300])
    session.add(instance)
    session.flush()
    data = {"jadwal": when.isoformat()}
    engine = processes._engine(session, actor, instance)
    workflow = runtime.start_workflow_by_timer(definitions.specs_for(version), engine, data)
    processes._store(session, instance, version, workflow, extra_opds=set())
    session.add(InstanceEvent(instance_id=instance.id, actor_user_id=None, actor_label=SYSTEM_LABEL,
                              step="Dimulai sesuai jadwal", action="mulai"))
    audit.record(session, actor, "process.started", "process_instance", instance.id, key=version.process_key,
                 version=version.version, due_at=due, by="timer")
    return instance


def _record_failure(session: Session, version: ProcessVersion, due: datetime, err: Exception,
                    actor: audit.Actor) -> None:
    """The due time is marked done (no instance) and audited with the reason, so it is not retried forever."""
    message = f"{type(err).__name__}: {getattr(err, 'message', None) or err}"[:2000]
    try:
        if _insert_run(session, version.process_key, due):
            audit.record(session, actor, "process.timer_start_failed", "process_version", version.id,
                         key=version.process_key, due_at=due, error=message)
        session.commit()
    except Exception:
        session.rollback()
        log.exception("timer start of %s at %s: the failure could not be recorded", version.process_key, due)
    log.warning("timer start of %s at %s failed: %s", version.process_key, due, message)


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
