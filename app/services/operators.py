"""The registry of service-task operators a diagram may call, and the built-in ones.

An operator is `fn(ctx, params, data)`: `ctx` gives the session, actor and instance of the
step being run (its writes join the step's transaction), `params` are the evaluated
parameters of the service task, `data` the live task data. Other modules register more
operators with `@register("name")`; they must be imported before a definition is loaded.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import import_module
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..engine.workdays import WIB
from ..extensions import insert_on_conflict
from ..models import DecreeCounter, ProcessInstance, RoleGrant, User
from . import instance_lock, notifications
from .audit import Actor
from .authz import scope_unit_ids
from .errors import ValidationError

DEFAULT_DECREE_FORMAT = "{number:03d}/{series}/BKPSDM/{year}"


@dataclass
class OperatorContext:
    session: Session
    actor: Actor
    instance: ProcessInstance
    settings: Mapping[str, Any] = field(default_factory=dict)
    now: Callable[[], datetime] = lambda: datetime.now(WIB)


Operator = Callable[[OperatorContext, dict, dict], Any]
OPERATORS: dict[str, Operator] = {}


def register(name: str) -> Callable[[Operator], Operator]:
    def decorator(fn: Operator) -> Operator:
        OPERATORS[name] = fn
        return fn
    return decorator


# Modules that register operators of their own; imported before the registry is read.
OPERATOR_MODULES = ("app.services.change_requests", "app.services.transfers", "app.services.lateness")


def _registry() -> dict[str, Operator]:
    for module in OPERATOR_MODULES:
        import_module(module)
    return OPERATORS


def operator_names() -> frozenset[str]:
    return frozenset(_registry())


def bind(ctx: OperatorContext) -> dict[str, Callable[[dict, dict], Any]]:
    """The registry as the script engine wants it: `fn(params, data)` with `ctx` filled in."""
    return {name: _bound(fn, ctx) for name, fn in _registry().items()}


def _bound(fn: Operator, ctx: OperatorContext) -> Callable[[dict, dict], Any]:
    return lambda params, data: fn(ctx, params, data)


@register("notify")
def notify(ctx: OperatorContext, params: dict, data: dict) -> dict:
    """In-app notification to `to`: "subject", "initiator" or a role name."""
    title = str(params.get("title") or "").strip()
    if not title:
        raise ValidationError("Operator notify membutuhkan parameter 'title'.")
    recipients = _recipients(ctx, str(params.get("to") or "subject"))
    count = notifications.notify_users(ctx.session, recipients, title=title, body=params.get("body"),
                                       link=f"/usulan/{ctx.instance.id}",
                                       key=f"instance:{ctx.instance.id}:{ctx.instance.lock_version}:{title}")
    return {"penerima": count}


def _recipients(ctx: OperatorContext, to: str) -> list[int]:
    session, instance = ctx.session, ctx.instance
    if to == "subject":
        if instance.subject_employee_id is None:
            return []
        read_with_lock = instance_lock.subject_users(session, instance)
        if read_with_lock is not None:
            return read_with_lock
        stmt = select(User.id).where(User.employee_id == instance.subject_employee_id, User.active.is_(True))
        return list(session.scalars(stmt))
    if to == "initiator":
        return [instance.initiator_user_id] if instance.initiator_user_id else []
    holders = select(User.id).join(RoleGrant).where(RoleGrant.role == to, User.active.is_(True))
    if to != "validator_opd":
        return sorted(set(session.scalars(holders)))  # ids only: no User rows and their eager roles/scopes
    opds = set(instance.opd_ids or [])
    users = session.scalars(select(User).where(User.id.in_(holders))).all()
    return sorted(u.id for u in users if scope_unit_ids(session, u) & opds)


@register("issue_decree_number")
def issue_decree_number(ctx: OperatorContext, params: dict, data: dict) -> str:
    """The next decree (SK) number of `series` this year, e.g. 001/KP/BKPSDM/2026."""
    series = str(params.get("series") or "").strip()
    if not series:
        raise ValidationError("Operator issue_decree_number membutuhkan parameter 'series'.")
    year = ctx.now().year
    number = next_decree_number(ctx.session, series, year)
    template = params.get("format") or DEFAULT_DECREE_FORMAT
    return template.format(number=number, series=series, year=year)


def next_decree_number(session: Session, series: str, year: int) -> int:
    """Atomic upsert: concurrent callers wait on the counter row and get distinct numbers."""
    stmt = insert_on_conflict(session, DecreeCounter).values(series=series, year=year, last_number=1)
    stmt = stmt.on_conflict_do_update(index_elements=["series", "year"],
                                      set_={"last_number": DecreeCounter.last_number + 1})
    return session.execute(stmt.returning(DecreeCounter.last_number)).scalar_one()
