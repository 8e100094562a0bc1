"""Process owners' and admins' actions on a running instance: suspend, resume, cancel, retry a failed
step, reassign a human task.

Each action takes the per-instance lock (processes._locked), checks the instance's status under it,
writes a timeline event and an audit event, and commits once. An action the status does not allow
is a ConflictError (409); bad input is a ValidationError (422) and changes nothing.

A suspended instance keeps its human tasks and timers: the inboxes leave its tasks out, completing
or claiming one is refused (processes), and the timer sweep skips it (timers.SWEPT_STATUSES); a
timer that fell due meanwhile fires at the first sweep after resuming.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ..engine import runtime
from ..models import HumanTask, ProcessInstance, ProcessTimer, ProcessVersion, RoleGrant, User
from ..models.base import utcnow
from . import audit, instance_lock, processes, timers
from .errors import ConflictError, NotFoundError, ValidationError
from .inbox import can_act
from .instance_views import STATUS_LABELS, require_admin
from .notifications import notify_users
from .timer_mirror import cancel_timers

SUSPENDABLE = ("running", "waiting", "error")
CANCELLABLE = ("running", "waiting", "error", "suspended")
REASON_LIMIT = 1000
TASK_NOT_FOUND = "Tugas tidak ditemukan pada instans proses ini."


def suspend(session: Session, user: User, actor: audit.Actor, instance_id: int, reason: str = "") -> ProcessInstance:
    """Stop an instance where it is: no task can be completed and no timer fires until it is resumed."""
    with _step(session, user, instance_id, SUSPENDABLE, "ditangguhkan") as instance:
        previous, instance.status = instance.status, "suspended"
        processes._event(session, instance, user, "Proses ditangguhkan", "tangguhkan", _clean(reason))
        audit.record(session, actor, "process.suspended", "process_instance", instance.id, previous=previous,
                     reason=_clean(reason))
    session.commit()
    return instance


def resume(session: Session, user: User, actor: audit.Actor, instance_id: int) -> ProcessInstance:
    """Back to the status it would have: error if a failure is still unresolved, else waiting or running."""
    with _step(session, user, instance_id, ("suspended",), "dilanjutkan") as instance:
        instance.status = "error" if instance.error_message else _open_status(session, instance.id)
        processes._event(session, instance, user, "Proses dilanjutkan", "lanjutkan", None)
        audit.record(session, actor, "process.resumed", "process_instance", instance.id, status=instance.status)
    session.commit()
    return instance


def cancel(session: Session, user: User, actor: audit.Actor, instance_id: int, reason: str) -> ProcessInstance:
    """End an open instance for good, with a reason: its tasks leave the inboxes, its timers stop."""
    reason = _clean(reason)
    if not reason:
        raise ValidationError("Alasan pembatalan wajib diisi.", fields={"alasan": ["Wajib diisi."]})
    with _step(session, user, instance_id, CANCELLABLE, "dibatalkan") as instance:
        version = session.get(ProcessVersion, instance.version_id)
        workflow = processes._restore(session, actor, instance, version)
        runtime.cancel(workflow)
        instance.state = json.loads(runtime.serialize(workflow))
        previous, instance.status, instance.completed_at = instance.status, "cancelled", utcnow()
        session.execute(delete(HumanTask).where(HumanTask.instance_id == instance.id))
        cancel_timers(session, instance)
        processes._event(session, instance, user, "Proses dibatalkan oleh pengelola", "batal", reason)
        audit.record(session, actor, "process.cancelled", "process_instance", instance.id, previous=previous,
                     reason=reason)
    session.commit()
    return instance


@dataclass(frozen=True)
class RetryOutcome:
    instance: ProcessInstance
    fired: int  # timers fired by the retry
    error: str | None  # the failure again, if the step failed once more


def retry(session: Session, user: User, actor: audit.Actor, instance_id: int, *,
          now: datetime | None = None) -> RetryOutcome:
    """Re-run the failed step of an instance in error, now: first it leaves `error` (under the lock,
    with a timeline event), then its due timers fire under the lock exactly as the sweep would; a new
    failure puts it back in `error` with the reason (timers.py records it)."""
    with _step(session, user, instance_id, ("error",), "dicoba ulang") as instance:
        previous_error = instance.error_message
        instance.status = _open_status(session, instance.id)
        processes._event(session, instance, user, "Langkah gagal dicoba ulang", "coba_ulang", previous_error)
        audit.record(session, actor, "process.retried", "process_instance", instance.id, previous_error=previous_error)
    session.commit()
    result = timers.SweepResult()
    timers._wake(session, instance_id, now or utcnow(), actor, result)
    instance = session.get(ProcessInstance, instance_id, populate_existing=True)
    return RetryOutcome(instance, result.fired, instance.error_message if instance.status == "error" else None)


def reassign(session: Session, user: User, actor: audit.Actor, instance_id: int, human_task_id: int,
             target_user_id) -> HumanTask:
    """Give a human task of the instance to `target_user_id`, who must hold the task's role and OPD scope."""
    require_admin(user)
    target = _target(session, target_user_id)
    with processes._rollback_on_error(session):
        locked = instance_lock.lock_by_task(session, human_task_id)
        task = session.get(HumanTask, human_task_id, populate_existing=True) if locked else None
        if task is None or task.instance_id != instance_id:
            raise NotFoundError(TASK_NOT_FOUND)
        if not can_act(session, target, task):
            raise ValidationError(f"{target.display_name} tidak memegang peran dan cakupan OPD tugas ini; "
                                  "pilih pengguna dari daftar.", fields={"pengguna": ["Tidak berwenang."]})
        previous = task.assignee_user_id
        task.assignee_user_id, task.claimed_at = target.id, utcnow()
        processes._event(session, locked.instance, user, f"Tugas '{task.task_name}' dialihkan",
                         "alihkan", f"Kepada {target.display_name}")
        audit.record(session, actor, "task.reassigned", "human_task", task.id, instance_id=task.instance_id,
                     previous_assignee=previous, assignee=target.id)
        notify_users(session, [target.id], title=f"Tugas dialihkan kepada Anda: {task.task_name}",
                     body=f"{user.display_name} mengalihkan tugas '{task.title}' kepada Anda.",
                     link=f"/tugas/{task.id}",
                     key=f"task-reassigned:{task.id}:{target.id}:{task.claimed_at:%Y%m%d%H%M%S%f}")
    session.commit()
    return task


def candidates(session: Session, task: HumanTask) -> list[User]:
    """Active users who may act on `task` (its role and scope), by name: the choices for reassigning."""
    stmt = (select(User).join(RoleGrant, RoleGrant.user_id == User.id)
            .where(RoleGrant.role == task.role, User.active.is_(True)).order_by(User.display_name))
    if task.role == "asn":
        stmt = select(User).where(User.employee_id == task.subject_employee_id, User.active.is_(True))
    return [candidate for candidate in session.scalars(stmt) if can_act(session, candidate, task)]


# --- helpers --------------------------------------------------------------------------------------

@contextmanager
def _step(session: Session, user: User, instance_id: int, allowed: tuple[str, ...],
          verb: str) -> Iterator[ProcessInstance]:
    """The instance under its lock, if its status allows the action; rolled back on any error."""
    require_admin(user)
    with processes._rollback_on_error(session), processes._locked(session, instance_id, None) as instance:
        if instance.status not in allowed:
            raise ConflictError(f"Proses berstatus '{STATUS_LABELS.get(instance.status, instance.status)}' "
                                f"tidak dapat {verb}.")
        yield instance


def _open_status(session: Session, instance_id: int) -> str:
    """waiting if a human task or a timer waits, else running (as processes._store decides)."""
    tasks = session.scalar(select(func.count()).select_from(HumanTask).where(HumanTask.instance_id == instance_id))
    waiting = session.scalar(select(func.count()).select_from(ProcessTimer).where(
        ProcessTimer.instance_id == instance_id, ProcessTimer.status == "waiting"))
    return "waiting" if tasks or waiting else "running"


def _target(session: Session, raw) -> User:
    text = str(raw or "").strip()
    target = session.get(User, int(text)) if text.isdigit() else None
    if target is None or not target.active:
        raise ValidationError("Pilih pengguna tujuan yang aktif dari daftar.", fields={"pengguna": ["Wajib dipilih."]})
    return target


def _clean(reason: str | None) -> str:
    return (reason or "").strip()[:REASON_LIMIT]
