"""Notifications to users: written in the caller's transaction, never committed here.

`notify_users` is the one way the application tells someone something. It adds the in-app
notification rows; delivery by other channels (email) is added to the same transaction by
the outbox, so a step that rolls back also takes back what it would have said.
"""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from ..models import Notification


def notify_users(session: Session, user_ids: Iterable[int], *, title: str, body: str | None = None,
                 link: str | None = None, key: str | None = None) -> int:
    """Tell each user in `user_ids` once; `key` names the event (for idempotent delivery). Returns the count."""
    recipients = sorted(set(user_ids))
    for user_id in recipients:
        session.add(Notification(user_id=user_id, title=title[:300], body=body, link=link))
    return len(recipients)
