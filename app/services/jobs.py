"""Background jobs that failed in the worker: recorded by the worker, listed and re-run by the admin."""
from __future__ import annotations

import json
from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import JobFailure, User
from ..models.base import utcnow
from . import audit, authz
from .errors import ConflictError, NotFoundError

MAX_ERROR = 2000


def record_failure(session: Session, task_name: str, task_id: str, args, kwargs, error: BaseException) -> None:
    """Called from the worker's task_failure signal; commits its own row."""
    session.add(JobFailure(task_name=task_name[:200], task_id=str(task_id)[:64], args=_plain(list(args or [])),
                           kwargs=_plain(dict(kwargs or {})), error=f"{type(error).__name__}: {error}"[:MAX_ERROR]))
    session.commit()


def _plain(value):
    return json.loads(json.dumps(value, default=str))


def recent_failures(session: Session, limit: int = 20) -> list[JobFailure]:
    return list(session.scalars(select(JobFailure).order_by(JobFailure.id.desc()).limit(limit)))


def failures_since(session: Session, since) -> int:
    return session.scalar(select(func.count()).select_from(JobFailure).where(JobFailure.failed_at >= since)) or 0


def rerun(session: Session, admin: User, actor: audit.Actor, failure_id: int,
          send: Callable[[str, list, dict], bool]) -> JobFailure:
    """Publish the failed task again with its arguments; audited. ConflictError when the broker refuses."""
    authz.require_role(admin, "admin")
    failure = session.get(JobFailure, failure_id)
    if failure is None:
        raise NotFoundError("Catatan tugas gagal tidak ditemukan.")
    if not send(failure.task_name, failure.args, failure.kwargs):
        raise ConflictError("Broker tidak dapat dihubungi; tugas belum dijalankan ulang. Coba lagi nanti.")
    failure.rerun_at, failure.rerun_by = utcnow(), admin.id
    audit.record(session, actor, "job.rerun", "job_failure", failure.id, task=failure.task_name)
    session.commit()
    return failure
