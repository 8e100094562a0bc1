"""Email notifications through the outbox, delivered to a real SMTP server (aiosmtpd) in the test process:
the same transaction as the step, exactly once per key, back-off, dead letters, abandoned claims and two
workers at once. Time is moved with time_machine."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
import time_machine
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import AuditEvent, Notification, OutboxMessage, User
from app.models.base import utcnow
from app.services import outbox
from app.services.mail import MailSettings
from app.services.notifications import notify_users
from tests.conftest import csrf_token
from tests.integration.test_processes import act, publish, start
from tests.smtp import MailServer, free_port, mail_server, outbox_bound, smtp_settings

T0 = datetime(2026, 12, 1, 2, 0)
PAST = datetime(2025, 1, 1)
SITI = "siti.nurhaliza@contoh.go.id"


@pytest.fixture()
def smtp():
    with mail_server() as server:
        yield server


@pytest.fixture()
def wakes(smtp):
    with outbox_bound(smtp_settings(smtp.port)) as calls:
        yield calls


def with_email(dbs, world, username: str, address: str | None = SITI) -> int:
    user = dbs.get(User, world["users"][username])
    user.email = address
    dbs.commit()
    return user.id


def messages(dbs) -> list[OutboxMessage]:
    dbs.expire_all()
    return list(dbs.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def tell(dbs, user_ids, key: str = "uji:1", title: str = "Usulan disetujui") -> None:
    notify_users(dbs, user_ids, title=title, body="Nomor SK: 001/UJI/BKPSDM/2026", link="/usulan/7", key=key)


def test_email_is_queued_in_the_steps_transaction_and_sent_after_commit(dbs, world, smtp, wakes):
    """Is the outbox row part of the caller's transaction (a rollback takes it back, the worker is woken only
    after commit), and does delivery hand exactly one message with recipient, subject and absolute link?"""
    user_id = with_email(dbs, world, "asn.dinkes")
    tell(dbs, [user_id])
    assert [(m.status, m.recipient) for m in messages(dbs)] == [("pending", SITI)] and wakes == []
    dbs.rollback()
    assert messages(dbs) == [] and wakes == []
    assert dbs.scalars(select(Notification).where(Notification.user_id == user_id)).all() == []
    tell(dbs, [user_id])
    dbs.commit()
    assert wakes == [1]
    report = outbox.deliver_due(dbs)
    assert (report.sent, report.retried, report.dead) == (1, 0, 0)
    (mail,) = smtp.received
    assert mail.recipients == [SITI] and mail.subject == "[SIMASN] Usulan disetujui"
    assert "Yth. Asn Dinkes," in mail.text and "Nomor SK: 001/UJI/BKPSDM/2026" in mail.text
    assert "https://simasn.tangerangkota.go.id/usulan/7" in mail.text
    (row,) = messages(dbs)
    assert (row.status, row.attempts, row.sent_at is not None) == ("sent", 1, True)


def test_the_same_key_is_emailed_once(dbs, world, smtp, wakes):
    """Does notifying again with the same key (before and after delivery) leave one row and one mail,
    while users without an address or with a deactivated account get no email at all?"""
    siti = with_email(dbs, world, "asn.dinkes")
    validator = with_email(dbs, world, "validator.dinkes", None)
    inactive = with_email(dbs, world, "kepala", "kepala@contoh.go.id")
    dbs.get(User, inactive).active = False
    for _ in range(2):
        tell(dbs, [siti, validator, inactive])
        dbs.commit()
    outbox.deliver_due(dbs)
    tell(dbs, [siti])
    dbs.commit()
    assert outbox.deliver_due(dbs).sent == 0
    assert [m.recipient for m in messages(dbs)] == [SITI]
    assert [m.recipients for m in smtp.received] == [[SITI]]
    assert wakes == [1]  # only the commit that added a row woke the worker
    assert len(dbs.scalars(select(Notification).where(Notification.user_id == validator)).all()) == 2


def test_unreachable_server_backs_off_then_dead_then_admin_retry_delivers(dbs, world, login_as):
    """With no SMTP server listening, are attempts spaced 1, 2, 4 and 8 minutes apart, is the message dead
    after the fifth, and after the admin's "Kirim ulang" is it delivered once the server is up?"""
    port = free_port()  # nothing listens here yet
    with outbox_bound(smtp_settings(port)) as wakes, time_machine.travel(T0, tick=False) as traveller:
        tell(dbs, [with_email(dbs, world, "asn.dinkes")])
        dbs.commit()
        waits = []
        for attempt in range(1, 6):
            report = outbox.deliver_due(dbs)
            assert report.stopped and "tidak dapat dipakai" in report.stopped
            (row,) = messages(dbs)
            assert row.attempts == attempt
            if row.status == "dead":
                break
            waits.append(row.next_attempt_at - utcnow())
            assert outbox.deliver_due(dbs).retried == 0  # not due yet: nothing is tried
            traveller.shift(waits[-1])
        assert waits == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
        assert (row.status, row.attempts) == ("dead", 5) and "127.0.0.1" in row.last_error
        client = login_as("admin")
        response = client.post(f"/admin/operasi/pesan/{row.id}/kirim-ulang",
                               data={"csrf_token": csrf_token(client, "/admin/operasi/")})
        assert response.status_code == 302
        (row,) = messages(dbs)
        assert (row.status, row.attempts) == ("pending", 0) and len(wakes) == 2
        assert dbs.scalar(select(AuditEvent.action).where(AuditEvent.object_type == "outbox",
                                                          AuditEvent.object_id == str(row.id))) == "outbox.retried"
        server = MailServer(port=port).start()
        try:
            assert outbox.deliver_due(dbs).sent == 1
        finally:
            server.stop()
    assert [m.recipients for m in server.received] == [[SITI]]
    assert messages(dbs)[0].status == "sent"


def test_a_refused_address_is_dead_at_once(dbs, world, smtp, wakes):
    """Is an address the server refuses permanently (550) a dead letter after one attempt, with the reason?"""
    smtp.refused.add("tidak.ada@contoh.go.id")
    tell(dbs, [with_email(dbs, world, "asn.dinkes", "tidak.ada@contoh.go.id")])
    dbs.commit()
    report = outbox.deliver_due(dbs)
    (row,) = messages(dbs)
    assert (report.dead, row.status, row.attempts) == (1, "dead", 1)
    assert "ditolak" in row.last_error and "550" in row.last_error
    assert smtp.received == []


def test_a_claim_abandoned_by_a_dead_worker_is_taken_back_after_the_lease(dbs, world, smtp, wakes):
    """Is a message left "sending" by a worker that died left alone while its lease runs, then sent once?"""
    with time_machine.travel(T0, tick=False) as traveller:
        tell(dbs, [with_email(dbs, world, "asn.dinkes")])
        dbs.commit()
        (row,) = messages(dbs)
        row.status, row.attempts, row.claimed_at = "sending", 1, utcnow()
        dbs.commit()
        assert outbox.deliver_due(dbs).sent == 0
        traveller.shift(timedelta(seconds=outbox.mail_settings().lease_seconds + 1))
        report = outbox.deliver_due(dbs)
    assert (report.recovered, report.sent) == (1, 1)
    (row,) = messages(dbs)
    assert (row.status, row.attempts) == ("sent", 2) and "terputus" in row.last_error
    assert len(smtp.received) == 1


def test_the_notify_step_of_a_process_emails_the_employee(dbs, world, tmp_path, smtp, wakes):
    """When a validator refuses a proposal, does the notify step queue the ASN's email with the request's link,
    delivered once?"""
    with_email(dbs, world, "asn.dinkes")
    publish(dbs, tmp_path)
    instance = start(dbs, world)
    act(dbs, world, "validator.dinkes", instance, {"keputusan": "tolak", "catatan": "Bukti tidak terbaca"})
    assert wakes == [1]
    assert outbox.deliver_due(dbs).sent == 1
    (mail,) = smtp.received
    assert mail.subject == "[SIMASN] Usulan ditolak"
    assert f"https://simasn.tangerangkota.go.id/usulan/{instance.id}" in mail.text


def test_without_smtp_notifications_stay_in_the_application(dbs, world):
    """With no SMTP host, is a notification only in the application: no outbox row, no wake-up?"""
    with outbox_bound(MailSettings()) as wakes:
        user_id = with_email(dbs, world, "asn.dinkes")
        tell(dbs, [user_id])
        dbs.commit()
        assert outbox.deliver_due(dbs).sent == 0
    assert messages(dbs) == [] and wakes == []
    assert [n.title for n in dbs.scalars(select(Notification).where(Notification.user_id == user_id))] == [
        "Usulan disetujui"]


def test_a_failing_wake_up_does_not_undo_the_commit(dbs, world, smtp):
    """If waking the worker raises (broker gone), does the commit still stand, for the sweep to deliver?"""
    def broken():
        raise ConnectionError("broker tidak ada")

    previous = outbox.configure(smtp_settings(smtp.port), wake=broken)
    try:
        tell(dbs, [with_email(dbs, world, "asn.dinkes")])
        dbs.commit()
        assert [m.status for m in messages(dbs)] == ["pending"]
        assert outbox.deliver_due(dbs).sent == 1
    finally:
        outbox.configure(*previous)
    assert len(smtp.received) == 1


@pytest.fixture()
def committed_messages(app):
    """30 due messages committed for real (two workers must see them), removed afterwards."""
    rows = [dict(channel="email", idempotency_key=f"uji-paralel:{n}", recipient=f"pegawai{n}@contoh.go.id",
                 subject=f"Pesan {n}", body="Isi", status="pending", attempts=0, next_attempt_at=PAST,
                 created_at=PAST) for n in range(30)]
    with db.engine.begin() as conn:
        conn.execute(insert(OutboxMessage), rows)
    yield len(rows)
    with db.engine.begin() as conn:
        conn.execute(delete(OutboxMessage).where(OutboxMessage.idempotency_key.like("uji-paralel:%")))


def test_two_workers_at_once_send_each_message_once(app, committed_messages, smtp, wakes):
    """Do two workers delivering at the same time (own connections; SKIP LOCKED on PostgreSQL, the
    conditional claim on SQLite) send every message exactly once between them?"""
    reports, errors = [], []

    def worker():
        with Session(bind=db.engine, expire_on_commit=False) as session:
            try:
                reports.append(outbox.deliver_due(session))
            except Exception as exc:  # reported below, with the other worker's result
                errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sum(r.sent for r in reports) == committed_messages
    ids = [m.message["Message-ID"] for m in smtp.received]
    assert len(ids) == committed_messages and len(set(ids)) == committed_messages
    with Session(bind=db.engine) as session:
        statuses = session.scalars(select(OutboxMessage.status)
                                   .where(OutboxMessage.idempotency_key.like("uji-paralel:%"))).all()
    assert set(statuses) == {"sent"}
