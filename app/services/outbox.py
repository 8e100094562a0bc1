"""The email outbox: rows written in the caller's transaction, delivered by the worker after commit.

Writing: `add_emails` inserts one row per recipient with an address (INSERT … ON CONFLICT DO NOTHING on
the idempotency key, so the same event never queues a second message) and flags the session; when that
session commits, the bound wake-up publishes a delivery task. If the broker is down the wake-up only
logs: the beat sweep (`deliver_due` every 30 s) delivers whatever is due, so nothing waits on Redis.

Delivering: each message is claimed in its own short transaction (pending → sending, attempts + 1;
`FOR UPDATE SKIP LOCKED` on PostgreSQL, a conditional UPDATE on both backends), then sent, then marked
sent in a second transaction. A claimed message is therefore never sent by two workers. The one window
for a duplicate is a worker dying after the SMTP server accepted a message and before it was marked:
after `lease_seconds` the message is taken back as abandoned and sent again (at least once, never lost).
Failures wait `backoff_seconds · 2^(attempt-1)`; after `max_attempts` (or a refused address) the message
is `dead` and listed for the admin, who may send it again.
"""
from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from sqlalchemy import event, func, select, update
from sqlalchemy.orm import Session

from ..extensions import insert_on_conflict
from ..models import OutboxMessage, User
from ..models.base import utcnow
from . import audit, authz
from .errors import ConflictError, NotFoundError
from .mail import DeliveryError, MailSettings, SmtpMailer, absolute_link, build_message, compose_body

log = logging.getLogger(__name__)
WAKE_FLAG = "simasn.outbox.wake"
MAX_ERROR = 2000


@dataclass
class _Binding:
    mail: MailSettings
    wake: Callable[[], None]


_binding = _Binding(MailSettings(), lambda: None)


def configure(mail: MailSettings, wake: Callable[[], None] | None = None) -> tuple[MailSettings, Callable]:
    """Bind the mail settings and the after-commit wake-up (create_app does this); returns the previous pair."""
    previous = (_binding.mail, _binding.wake)
    _binding.mail = mail
    if wake is not None:
        _binding.wake = wake
    _listen_once()
    return previous


def mail_settings() -> MailSettings:
    return _binding.mail


# --- writing -------------------------------------------------------------------------------------------

def add_emails(session: Session, user_ids: Iterable[int], *, title: str, body: str | None, link: str | None,
               key: str | None) -> int:
    """Queue one email per active recipient with an address, in the caller's transaction; returns how many
    rows were new (a key already queued for that user is skipped, not an error). Nothing when SMTP is off."""
    mail = _binding.mail
    ids = sorted(set(user_ids))
    if not mail.enabled or not ids:
        return 0
    stmt = select(User.id, User.email, User.display_name).where(
        User.id.in_(ids), User.active.is_(True), User.email.is_not(None), User.email != "")
    now, url = utcnow(), absolute_link(mail.base_url, link)
    rows = [_row(user_id, email, compose_body(name, title, body, url), title, key, now)
            for user_id, email, name in session.execute(stmt)]
    if not rows:
        return 0
    inserted = len(session.execute(_insert_ignoring_duplicates(session, rows)).all())
    if inserted:
        session.info[WAKE_FLAG] = True
    return inserted


def _row(user_id: int, email: str, text: str, title: str, key: str | None, now: datetime) -> dict:
    return dict(channel="email", idempotency_key=_idempotency_key(key, user_id), user_id=user_id,
                recipient=email.strip(), subject=title[:300], body=text, status="pending", attempts=0,
                next_attempt_at=now, created_at=now)


def _idempotency_key(key: str | None, user_id: int) -> str:
    full = f"email:{key if key else uuid.uuid4().hex}:user:{user_id}"
    return full if len(full) <= 255 else "email:sha256:" + hashlib.sha256(full.encode()).hexdigest()


def _insert_ignoring_duplicates(session: Session, rows: list[dict]):
    # RETURNING names the rows really inserted (psycopg reports no rowcount for a multi-row VALUES).
    return (insert_on_conflict(session, OutboxMessage).values(rows).on_conflict_do_nothing(index_elements=["idempotency_key"])
            .returning(OutboxMessage.id))


# --- waking the worker after commit --------------------------------------------------------------------

def _after_commit(session: Session) -> None:
    if session.info.pop(WAKE_FLAG, False):
        try:
            _binding.wake()
        except Exception:  # the commit has happened; the sweep will deliver
            log.exception("Membangunkan worker outbox gagal; sweep berikutnya akan mengirim.")


def _after_soft_rollback(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(WAKE_FLAG, None)


def _listen_once() -> None:
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_soft_rollback", _after_soft_rollback)


# --- delivering ----------------------------------------------------------------------------------------

@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    dead: int = 0
    recovered: int = 0
    stopped: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def deliver_due(session: Session, *, limit: int = 100,
                mailer_factory: Callable[[MailSettings], SmtpMailer] = SmtpMailer) -> DeliveryReport:
    """Send up to `limit` due messages, each claimed, sent and marked in its own transactions."""
    mail, report = _binding.mail, DeliveryReport()
    if not mail.enabled:
        return report
    report.recovered = _recover_abandoned(session, mail)
    with mailer_factory(mail) as mailer:
        for _ in range(limit):
            message = _claim_next(session)
            if message is None:
                break
            failure = _send(session, mailer, mail, message, report)
            if failure is not None and failure.connection:
                report.stopped = str(failure)  # the server is unreachable: the others wait for the next run
                break
    return report


def _recover_abandoned(session: Session, mail: MailSettings) -> int:
    now = utcnow()
    stale = (OutboxMessage.status == "sending",
             OutboxMessage.claimed_at < now - timedelta(seconds=mail.lease_seconds))
    note = "Pengiriman terputus (worker berhenti di tengah pengiriman)"
    dead = session.execute(update(OutboxMessage).where(*stale, OutboxMessage.attempts >= mail.max_attempts)
                           .values(status="dead", claimed_at=None, last_error=f"{note}; batas percobaan tercapai.")
                           ).rowcount
    back = session.execute(update(OutboxMessage).where(*stale).values(
        status="pending", claimed_at=None, next_attempt_at=now, last_error=f"{note}; dicoba lagi.")).rowcount
    session.commit()
    return dead + back


@dataclass(frozen=True)
class Claimed:
    """A message this worker has claimed (status sending), read back by the claiming UPDATE itself."""
    id: int
    recipient: str
    subject: str
    body: str
    idempotency_key: str
    attempts: int


def _claim_next(session: Session) -> Claimed | None:
    """Take the oldest due message for this worker: pending → sending, committed before any sending."""
    now = utcnow()
    due = (select(OutboxMessage.id).where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now)
           .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(1))
    if session.get_bind().dialect.name == "postgresql":
        candidate = session.scalar(due.with_for_update(skip_locked=True))
        target = OutboxMessage.id == candidate
    else:  # one statement, so that two SQLite writers cannot both take the same row
        candidate, target = True, OutboxMessage.id == due.scalar_subquery()
    row = None
    if candidate is not None:
        row = session.execute(
            update(OutboxMessage).where(target, OutboxMessage.status == "pending")
            .values(status="sending", attempts=OutboxMessage.attempts + 1, claimed_at=now)
            .returning(OutboxMessage.id, OutboxMessage.recipient, OutboxMessage.subject, OutboxMessage.body,
                       OutboxMessage.idempotency_key, OutboxMessage.attempts)).first()
    session.commit()
    return Claimed(*row) if row is not None else None


def _send(session: Session, mailer: SmtpMailer, mail: MailSettings, message: Claimed,
          report: DeliveryReport) -> DeliveryError | None:
    email = build_message(mail, recipient=message.recipient, subject=message.subject, body=message.body,
                          idempotency_key=message.idempotency_key)
    try:
        mailer.send(email)
    except DeliveryError as failure:
        _mark_failed(session, mail, message, failure, report)
        return failure
    _finish(session, message, status="sent", sent_at=utcnow())
    report.sent += 1
    return None


def _mark_failed(session: Session, mail: MailSettings, message: Claimed, failure: DeliveryError,
                 report: DeliveryReport) -> None:
    error = str(failure)[:MAX_ERROR]
    if failure.permanent or message.attempts >= mail.max_attempts:
        _finish(session, message, status="dead", last_error=error)
        report.dead += 1
        return
    wait = timedelta(seconds=mail.backoff_seconds * 2 ** (message.attempts - 1))
    _finish(session, message, status="pending", next_attempt_at=utcnow() + wait, last_error=error)
    report.retried += 1


def _finish(session: Session, message: Claimed, **values) -> None:
    changed = session.execute(update(OutboxMessage).where(OutboxMessage.id == message.id,
                                                          OutboxMessage.status == "sending")
                              .values(claimed_at=None, **values)).rowcount
    session.commit()
    if changed != 1:
        log.warning("Pesan outbox %s sudah diambil kembali sebagai terputus sebelum ditandai %s.",
                    message.id, values["status"])


# --- the admin's view and retry ------------------------------------------------------------------------

def counts_by_status(session: Session) -> dict[str, int]:
    rows = session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status))
    counts = {status: 0 for status in ("pending", "sending", "sent", "dead")}
    counts.update({status: count for status, count in rows})
    return counts


def due_count(session: Session) -> int:
    stmt = select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == "pending",
                                                                 OutboxMessage.next_attempt_at <= utcnow())
    return session.scalar(stmt) or 0


def dead_letters(session: Session, page: int = 1, per_page: int = 50) -> tuple[list[OutboxMessage], int]:
    base = select(OutboxMessage).where(OutboxMessage.status == "dead")
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = session.scalars(base.order_by(OutboxMessage.id.desc()).offset((page - 1) * per_page).limit(per_page))
    return list(rows), total


def retry_dead(session: Session, admin: User, actor: audit.Actor, message_id: int) -> OutboxMessage:
    """Send a dead message again from its first attempt; audited, committed, the worker woken."""
    authz.require_role(admin, "admin")
    message = session.get(OutboxMessage, message_id)
    if message is None:
        raise NotFoundError("Pesan tidak ditemukan.")
    if message.status != "dead":
        raise ConflictError("Pesan ini tidak berstatus gagal, jadi tidak perlu dikirim ulang.")
    _requeue(session, [message.id])
    audit.record(session, actor, "outbox.retried", "outbox", message.id, recipient=message.recipient,
                 last_error=message.last_error)
    session.commit()
    return message


def retry_all_dead(session: Session, admin: User, actor: audit.Actor) -> int:
    authz.require_role(admin, "admin")
    ids = list(session.scalars(select(OutboxMessage.id).where(OutboxMessage.status == "dead")))
    if ids:
        _requeue(session, ids)
        audit.record(session, actor, "outbox.retried_all", "outbox", None, count=len(ids))
    session.commit()
    return len(ids)


def _requeue(session: Session, ids: list[int]) -> None:
    """Back to pending from the first attempt, to the user's current address if the admin corrected it."""
    current = (select(User.email).where(User.id == OutboxMessage.user_id, User.email.is_not(None), User.email != "")
               .scalar_subquery())
    session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(ids), OutboxMessage.status == "dead")
                    .values(status="pending", attempts=0, next_attempt_at=utcnow(), claimed_at=None,
                            recipient=func.coalesce(current, OutboxMessage.recipient)),
                    execution_options={"synchronize_session": "fetch"})
    session.info[WAKE_FLAG] = True
