"""Task shims: take ids and plain values, open what they need, call one service function."""
from __future__ import annotations

from celery import shared_task

from app.extensions import db
from app.services import system


@shared_task(name="simasn.health")
def health() -> dict:
    return system.health(db.session())


@shared_task(name="simasn.heartbeat")
def heartbeat() -> str:
    return system.heartbeat(db.session()).isoformat()
