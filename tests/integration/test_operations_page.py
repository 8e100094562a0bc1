"""The admin's Operasi page: who may open it, what it shows (email off/on, beat, broker, outbox counts, dead
letters, failed jobs), retrying dead letters and re-running failed jobs, and the user's email address."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from celery.signals import task_failure
from sqlalchemy import select

from app.models import AuditEvent, JobFailure, OutboxMessage, ProcessTimer, User
from app.models.base import utcnow
from app.services import system
from app.services.mail import MailSettings
from tests.conftest import csrf_token
from tests.integration.test_processes import publish, start
from tests.smtp import outbox_bound, smtp_settings
from worker import init_celery

PAGE = "/admin/operasi/"
EMAIL_OFF = "Email tidak dikonfigurasi — notifikasi hanya di aplikasi."
PAST = datetime(2025, 1, 1)


def add_message(dbs, n: int, status: str, error: str | None = None) -> OutboxMessage:
    message = OutboxMessage(idempotency_key=f"uji-operasi:{n}", recipient=f"pegawai{n}@contoh.go.id",
                            subject=f"Pesan {n}", body="Isi", status=status, attempts=5 if status == "dead" else 1,
                            next_attempt_at=PAST, created_at=PAST, last_error=error)
    dbs.add(message)
    dbs.commit()
    return message


def post(client, path: str, data: dict | None = None):
    return client.post(path, data={**(data or {}), "csrf_token": csrf_token(client, PAGE)})


def audit_actions(dbs, object_type: str) -> list[str]:
    return list(dbs.scalars(select(AuditEvent.action).where(AuditEvent.object_type == object_type)
                            .order_by(AuditEvent.seq)))


@pytest.mark.parametrize("username", ["bkpsdm", "kepala", "validator.dinkes", "asn.dinkes", "pemilik.proses"])
def test_only_the_admin_opens_the_operations_page(dbs, login_as, username):
    """Is the page, and every retry on it, refused (403) to every role but admin, changing nothing?"""
    dead = add_message(dbs, 1, "dead", "gagal")
    client = login_as(username)
    assert client.get(PAGE).status_code == 403
    token = csrf_token(client, "/tugas/")
    for path in (f"{PAGE}pesan/{dead.id}/kirim-ulang", f"{PAGE}pesan/kirim-ulang-semua", f"{PAGE}tugas/1/jalankan-ulang"):
        assert client.post(path, data={"csrf_token": token}).status_code == 403
    dbs.expire_all()
    assert dbs.get(OutboxMessage, dead.id).status == "dead"
    assert "Operasi" not in client.get("/beranda").get_data(as_text=True)


def test_a_visitor_is_sent_to_the_login_page(client):
    """Does someone not signed in get the login page instead of the operations page?"""
    response = client.get(PAGE)
    assert response.status_code == 302 and "/masuk" in response.headers["Location"]


def test_the_page_says_when_email_is_not_configured(dbs, login_as):
    """With no SMTP host, does the admin read that notifications stay in the application?"""
    with outbox_bound(MailSettings()):
        body = login_as("admin").get(PAGE).get_data(as_text=True)
    assert EMAIL_OFF in body


def test_the_page_shows_beat_broker_outbox_and_dead_letters(dbs, login_as):
    """Does the admin see the last heartbeat, a reachable broker with its queue depth, the outbox counted by
    status and each dead letter with its error — and the email settings in use?"""
    system.heartbeat(dbs)
    for n, status in enumerate(["pending", "sent", "sent", "dead", "dead"]):
        add_message(dbs, n, status, "Alamat penerima ditolak server SMTP" if status == "dead" else None)
    with outbox_bound(smtp_settings(2525)):
        client = login_as("admin")
        body = client.get(PAGE).get_data(as_text=True)
    assert EMAIL_OFF not in body and "Email aktif melalui 127.0.0.1:2525" in body
    assert "belum pernah" not in body and "terlambat — periksa worker" not in body
    assert 'data-testid="broker-status">Basis data (mode bawaan):' in body and "terhubung" in body
    assert 'data-testid="queue-depths"' in body and "Tidak tersedia" not in body
    for status, count in {"pending": 1, "sending": 0, "sent": 2, "dead": 2}.items():
        assert f'data-testid="outbox-{status}">{count}<' in body
    assert body.count('data-testid="dead-letter"') == 2 and "pegawai4@contoh.go.id" in body
    assert "Alamat penerima ditolak server SMTP" in body
    assert "Operasi" in client.get("/beranda").get_data(as_text=True)


def test_an_unreachable_broker_is_reported(dbs, login_as, app, monkeypatch):
    """With Redis configured but not running, does the page say the broker is unreachable and why the queue
    depth is not available, instead of failing?"""
    monkeypatch.setitem(app.config, "SETTINGS", replace(app.config["SETTINGS"], broker_url="redis://127.0.0.1:1/0"))
    body = login_as("admin").get(PAGE).get_data(as_text=True)
    assert "tidak terhubung" in body and "Tidak tersedia: Redis tidak dapat dihubungi." in body


def test_retrying_dead_letters_one_and_all(dbs, world, login_as):
    """Does "Kirim ulang" put a dead letter back to pending from its first attempt (audited), to the address
    the admin has since corrected, does a second click say it is no longer dead, and does "Kirim ulang semua"
    take the rest?"""
    first, second, sent = add_message(dbs, 1, "dead", "x"), add_message(dbs, 2, "dead", "y"), add_message(dbs, 3, "sent")
    first.user_id = world["users"]["asn.dinkes"]
    dbs.get(User, first.user_id).email = "alamat.baru@contoh.go.id"
    dbs.commit()
    client = login_as("admin")
    with outbox_bound(smtp_settings(2525)) as wakes:
        assert post(client, f"{PAGE}pesan/{first.id}/kirim-ulang").status_code == 302
        again = post(client, f"{PAGE}pesan/{first.id}/kirim-ulang")
        assert again.status_code == 302
        assert "tidak berstatus gagal" in client.get(PAGE).get_data(as_text=True)
        assert post(client, f"{PAGE}pesan/{sent.id}/kirim-ulang").status_code == 302
        assert post(client, f"{PAGE}pesan/999999/kirim-ulang").status_code == 404
        assert post(client, f"{PAGE}pesan/kirim-ulang-semua").status_code == 302
    dbs.expire_all()
    assert [(m.status, m.attempts) for m in (dbs.get(OutboxMessage, first.id), dbs.get(OutboxMessage, second.id))] \
        == [("pending", 0), ("pending", 0)]
    assert dbs.get(OutboxMessage, sent.id).status == "sent"
    assert [dbs.get(OutboxMessage, m.id).recipient for m in (first, second)] == [
        "alamat.baru@contoh.go.id", "pegawai2@contoh.go.id"]
    assert audit_actions(dbs, "outbox") == ["outbox.retried", "outbox.retried_all"]
    assert len(wakes) == 2


def test_a_failed_job_is_recorded_by_the_worker_signal_and_re_run(dbs, login_as, app):
    """When a task raises in the worker, is it listed with its error, and does "Jalankan ulang" publish it again
    with the same arguments (audited) — or, with the broker down, say so and change nothing?"""
    init_celery(app).close()  # connects the failure recorder, as the worker does at start
    task = type("Task", (), {"name": "simasn.uji.gagal"})()
    task_failure.send(sender=task, task_id="abc-123", exception=RuntimeError("basis data terkunci"),
                      args=[7], kwargs={"ulang": True})
    failure = dbs.scalars(select(JobFailure).where(JobFailure.task_id == "abc-123")).one()
    assert (failure.task_name, failure.args, failure.kwargs) == ("simasn.uji.gagal", [7], {"ulang": True})
    client = login_as("admin")
    assert "RuntimeError: basis data terkunci" in client.get(PAGE).get_data(as_text=True)
    queue, sent = app.extensions["simasn_queue"], []
    queue_send = queue.send
    try:
        queue.send = lambda name, args, kwargs: False
        post(client, f"{PAGE}tugas/{failure.id}/jalankan-ulang")
        assert "Broker tidak dapat dihubungi" in client.get(PAGE).get_data(as_text=True)
        dbs.expire_all()
        assert dbs.get(JobFailure, failure.id).rerun_at is None
        queue.send = lambda name, args, kwargs: sent.append((name, args, kwargs)) or True
        assert post(client, f"{PAGE}tugas/{failure.id}/jalankan-ulang").status_code == 302
    finally:
        queue.send = queue_send
    assert sent == [("simasn.uji.gagal", [7], {"ulang": True})]
    dbs.expire_all()
    assert dbs.get(JobFailure, failure.id).rerun_at is not None
    assert audit_actions(dbs, "job_failure") == ["job.rerun"]
    assert "dijalankan ulang" in client.get(PAGE).get_data(as_text=True)


def test_the_admin_sets_and_clears_a_users_email(dbs, world, login_as):
    """Is a valid address saved (audited), a malformed one refused with a message and the old one kept, and an
    empty one accepted as "in-app only"?"""
    user_id = world["users"]["asn.dinkes"]
    client = login_as("admin")
    path = f"/admin/pengguna/{user_id}/set_email"
    post(client, path, {"email": " siti@contoh.go.id "})
    dbs.expire_all()
    assert dbs.get(User, user_id).email == "siti@contoh.go.id"
    response = post(client, path, {"email": "siti@@contoh"})
    assert response.status_code == 302
    assert "Alamat email tidak sah" in client.get(f"/admin/pengguna/{user_id}").get_data(as_text=True)
    dbs.expire_all()
    assert dbs.get(User, user_id).email == "siti@contoh.go.id"
    post(client, path, {"email": ""})
    dbs.expire_all()
    assert dbs.get(User, user_id).email is None
    assert audit_actions(dbs, "user").count("perm.email_changed") == 2


def test_due_and_late_timers_are_counted_and_listed(dbs, world, tmp_path, login_as):
    """Are waiting timers counted (all, due, late past five minutes, failing), the due ones listed oldest first,
    and fired ones left out?"""
    publish(dbs, tmp_path)
    instance = start(dbs, world)
    now = utcnow()
    for n, (minutes, status, error) in enumerate([(60, "waiting", None), (-1, "waiting", None),
                                                  (-10, "waiting", "Instance terkunci"), (-30, "fired", None)]):
        dbs.add(ProcessTimer(instance_id=instance.id, task_id=f"uji-{n}", bpmn_id=f"tenggat_{n}", name=f"Tenggat {n}",
                             kind="duration", due_at=now + timedelta(minutes=minutes), status=status,
                             attempts=2 if error else 0, last_error=error))
    dbs.commit()
    body = login_as("admin").get(PAGE).get_data(as_text=True)
    for name, count in {"waiting": 3, "due": 2, "late": 1, "failing": 1}.items():
        assert f'data-testid="timers-{name}">{count}' in body
    listed = body.split('data-testid="due-timers"', 1)[1].split("</table>", 1)[0]
    assert listed.index("Tenggat 2") < listed.index("Tenggat 1") and "Tenggat 0" not in listed
    assert "Tenggat 3" not in listed and "Instance terkunci (2×)" in listed
