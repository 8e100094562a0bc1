"""Notifications to users: written in the caller's transaction, never committed here.

`notify_users` is the one way the application tells someone something. It adds the in-app
notification rows and, when SMTP is configured, one email outbox row per recipient with an
address (`outbox.add_emails`), so a step that rolls back also takes back what it would have said,
and what it said is delivered after commit by the worker.
"""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from ..models import Notification
from . import outbox, step_writes


def notify_users(session: Session, user_ids: Iterable[int], *, title: str, body: str | None = None,
                 link: str | None = None, key: str | None = None) -> int:
    """Tell each user in `user_ids` once; `key` names the event (the same key never emails a user twice).
    Returns the count of users told in the application."""
    recipients = sorted(set(user_ids))
    writes = step_writes.current(session)
    for user_id in recipients:
        if writes is not None:  # an engine step: the rows go out with the step's other writes
            step_writes.add_notification(writes, user_id, title[:300], body, link)
        else:
            session.add(Notification(user_id=user_id, title=title[:300], body=body, link=link))
    outbox.add_emails(session, recipients, title=title, body=body, link=link, key=key)
    return len(recipients)
