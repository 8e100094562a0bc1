"""Helpers for the timer tests: publishing the timer fixtures, starting them, WIB moments, the mirror."""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from app.engine import runtime
from app.engine.workdays import WIB
from app.models import HumanTask, InstanceEvent, Notification, ProcessTimer, ProcessVersion, User
from app.services import definitions, inbox, operators, processes
from app.services.audit import SYSTEM, Actor

DATA = Path(__file__).resolve().parent / "data"
FORMS = DATA / "forms"
# Monday 6 January 2025, 09:00 WIB: a working week without holidays
MONDAY_9_WIB = datetime(2025, 1, 6, 9, 0, tzinfo=WIB)


def wib(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=WIB)


def naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


def publish(session, tmp_path: Path, name: str, xml: bytes | None = None) -> ProcessVersion:
    """Publish tests/data/bpmn/<name>.bpmn (or `xml` in its place) from a fresh folder."""
    folder = tmp_path / f"workflows-{len(list(tmp_path.glob('workflows-*')))}"
    folder.mkdir()
    (folder / f"{name}.bpmn").write_bytes(xml if xml is not None else (DATA / "bpmn" / f"{name}.bpmn").read_bytes())
    return definitions.load_shipped(session, folder, FORMS, operators.operator_names(), SYSTEM)[name]


def variant(name: str, old: str, new: str) -> bytes:
    xml = (DATA / "bpmn" / f"{name}.bpmn").read_text()
    assert old in xml, old
    return xml.replace(old, new).encode()


def user(session, world, username: str) -> User:
    return session.get(User, world["users"][username])


def actor(u: User) -> Actor:
    return Actor(u.id, u.display_name)


def start(session, world, key: str = "uji_tenggat", username: str = "asn.dinkes", employee: str = "dinkes"):
    u = user(session, world, username)
    return processes.start(session, u, actor(u), key, subject_employee_id=world["employees"][employee])


def tasks_of(session, world, username: str, instance) -> list[HumanTask]:
    return [t for t in inbox.tasks_for(session, user(session, world, username), limit=None)
            if t.instance_id == instance.id]


def act(session, world, username: str, instance, data: dict):
    (task,) = tasks_of(session, world, username, instance)
    u = user(session, world, username)
    return processes.complete_task(session, u, actor(u), task.id, data)


def timers(session, instance, status: str | None = None) -> list[ProcessTimer]:
    stmt = (select(ProcessTimer).where(ProcessTimer.instance_id == instance.id).order_by(ProcessTimer.id)
            .execution_options(populate_existing=True))
    rows = list(session.scalars(stmt))
    return [row for row in rows if status is None or row.status == status]


def waiting_in_workflow(session, instance) -> set[tuple[str, str, datetime | None]]:
    """(task id, bpmn id, due) of every timer the stored workflow waits for."""
    session.refresh(instance)
    version = session.get(ProcessVersion, instance.version_id)
    workflow = processes._restore(session, SYSTEM, instance, version)
    return {(view.task_id, view.bpmn_id, naive_utc(view.due) if view.due else None)
            for view in runtime.waiting_timers(workflow)}


def assert_mirror_exact(session, instance) -> None:
    mirrored = {(row.task_id, row.bpmn_id, row.due_at) for row in timers(session, instance, "waiting")}
    assert mirrored == waiting_in_workflow(session, instance)


def timeline(session, instance) -> list[tuple[str, str]]:
    stmt = (select(InstanceEvent.step, InstanceEvent.action).where(InstanceEvent.instance_id == instance.id)
            .order_by(InstanceEvent.occurred_at, InstanceEvent.id))
    return [tuple(row) for row in session.execute(stmt)]


def notification_titles(session, world, username: str) -> list[str]:
    stmt = select(Notification.title).where(Notification.user_id == world["users"][username]).order_by(Notification.id)
    return list(session.scalars(stmt))
