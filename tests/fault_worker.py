"""Celery entry point for the fault tests only: `celery -A tests.fault_worker worker`.

It is `worker.main` plus one hook that makes "killed in the middle of a transition" deterministic:
when the environment variable TEST_HOLD_COMMIT_DIR names a folder, the first commit of a session in
which a timer fired (its "timer.fired" audit event was written) is held just before COMMIT — after every write of the step (workflow
state, timer mirror, human tasks, lateness, notifications, timeline, audit) has been flushed to the
database inside the open transaction. The worker then writes `held` (JSON: its pid and, on
PostgreSQL, the backend pid of the open transaction) into that folder and waits; the test SIGKILLs
its process group while it waits.

Why this cannot be switched on in production: the hook exists only in this module, which lives under
`tests/` (not packaged: pyproject ships `app*` and `worker*` only) and is imported only by a worker
started with `-A tests.fault_worker`; production runs `worker.main`, and no SIMASN_* setting or
application code knows about it. A held commit that is never killed gives up after HOLD_LIMIT seconds
and rolls back.
"""
from __future__ import annotations

import json
import os
import threading
from pathlib import Path

from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tests.workers import HOLD_DIR_VARIABLE
from worker.main import celery, flask_app  # noqa: F401  (the Celery app this entry point serves)

HOLD_LIMIT = 300  # seconds
FIRED = "timer_fired"
FIRED_ACTION = "timer.fired"
_held = threading.Event()


class HeldTooLong(RuntimeError):
    """The test did not kill the worker while it held the commit."""


def hold_folder() -> Path | None:
    value = os.environ.get(HOLD_DIR_VARIABLE)
    return Path(value) if value else None


def _note_fired_timer(connection, _cursor, _statement, parameters, _context, _executemany) -> None:
    """The timer step writes through its own statements (step_writes): look for the audit event's action
    among the values sent on the connection (on PostgreSQL one statement carries the event)."""
    values = parameters.values() if isinstance(parameters, dict) else parameters or ()
    if FIRED_ACTION in values:
        connection.info[FIRED] = True


def _forget_on_rollback(connection) -> None:
    connection.info.pop(FIRED, None)


def _hold_before_commit(session: Session) -> None:
    folder = hold_folder()
    if folder is None or not session.connection().info.pop(FIRED, False) or _held.is_set():
        return
    _held.set()
    session.flush()  # the step's last writes reach the database, uncommitted
    _announce(folder, session)
    if not threading.Event().wait(HOLD_LIMIT):
        raise HeldTooLong(f"commit held for {HOLD_LIMIT}s without being killed")


def _announce(folder: Path, session: Session) -> None:
    """Write `held` (atomically): this process id and, on PostgreSQL, the backend holding the transaction."""
    postgres = session.get_bind().dialect.name == "postgresql"
    backend = session.execute(text("SELECT pg_backend_pid()")).scalar() if postgres else None
    partial = folder / "held.partial"
    partial.write_text(json.dumps({"pid": os.getpid(), "backend_pid": backend}))
    partial.rename(folder / "held")


if hold_folder() is not None:
    event.listen(Engine, "before_cursor_execute", _note_fired_timer)
    event.listen(Engine, "rollback", _forget_on_rollback)
    event.listen(Session, "before_commit", _hold_before_commit)
