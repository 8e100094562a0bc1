"""The daily due-date reminders: who is told what, once per due date, and nothing lost when a run stops."""
from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from celery.schedules import crontab
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import AuditEvent, Notification, ReminderSent
from app.services import reminders
from tests.due_samples import NOW, account_for, add_employee
from tests.world import employee
from worker import BEAT_SCHEDULE


@pytest.fixture()
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


def _inbox(dbs, world, username: str) -> list[Notification]:
    return list(dbs.scalars(select(Notification).where(Notification.user_id == world["users"][username])
                            .order_by(Notification.id)))


def _titles(dbs, world, username: str) -> list[str]:
    return [n.title for n in _inbox(dbs, world, username)]


def test_first_run_tells_each_party(frozen, dbs, world):
    """Does the ASN get a personal notice, and BKPSDM and each validator one summary per kind for their scope?"""
    retiring = account_for(dbs, employee(dbs, world, "kecamatan"), "asn.kecamatan")
    result = reminders.send_due_reminders(dbs)
    assert result == {"kgb": 2, "pensiun": 1, "ringkasan": 4}
    assert _titles(dbs, world, "asn.dinkes") == ["KGB Anda jatuh tempo 1 Maret 2030"]
    notice = dbs.scalars(select(Notification).where(Notification.user_id == retiring.id)).one()
    assert notice.title == "Batas usia pensiun Anda: pensiun TMT 1 Februari 2030" and "58 tahun" in notice.body
    assert notice.link == "/data-saya"
    assert _titles(dbs, world, "bkpsdm") == ["2 pegawai jatuh tempo KGB dalam 2 bulan",
                                             "1 pegawai mencapai batas usia pensiun dalam 12 bulan"]
    assert [n.link for n in _inbox(dbs, world, "bkpsdm")] == ["/jatuh-tempo?jenis=kgb", "/jatuh-tempo?jenis=pensiun"]
    assert _titles(dbs, world, "validator.dinkes") == ["2 pegawai jatuh tempo KGB dalam 2 bulan di cakupan OPD Anda"]
    assert _titles(dbs, world, "validator.puskesmas") == [
        "1 pegawai jatuh tempo KGB dalam 2 bulan di cakupan OPD Anda"]
    for nobody in ("validator.dindik", "validator.tanpa-cakupan", "kepala", "admin", "asn.dindik"):
        assert _titles(dbs, world, nobody) == [], nobody


def test_second_run_sends_nothing(frozen, dbs, world):
    """Run twice on the same day: is nothing sent, claimed or summarised a second time?"""
    reminders.send_due_reminders(dbs)
    notifications = dbs.scalar(select(func.count()).select_from(Notification))
    claimed = dbs.scalar(select(func.count()).select_from(ReminderSent))
    assert reminders.send_due_reminders(dbs) == {"kgb": 0, "pensiun": 0, "ringkasan": 0}
    assert dbs.scalar(select(func.count()).select_from(Notification)) == notifications
    assert dbs.scalar(select(func.count()).select_from(ReminderSent)) == claimed == 3


def test_next_days_send_only_what_newly_falls_due(frozen, dbs, world):
    """As days pass, is only a newly due KGB announced, and the one already announced never again?"""
    later = add_employee(dbs, world["units"]["dinkes"], birth=date(1991, 4, 4), tmt_golongan=date(2028, 4, 1))
    reminders.send_due_reminders(dbs)
    assert dbs.scalar(select(func.count()).select_from(ReminderSent).where(ReminderSent.employee_id == later.id)) == 0
    frozen.move_to(NOW + timedelta(days=22))  # 1 February: the window now reaches 1 April
    assert reminders.send_due_reminders(dbs) == {"kgb": 1, "pensiun": 0, "ringkasan": 2}
    assert _titles(dbs, world, "bkpsdm")[-1] == "1 pegawai jatuh tempo KGB dalam 2 bulan"
    assert _titles(dbs, world, "asn.dinkes") == ["KGB Anda jatuh tempo 1 Maret 2030"]
    frozen.move_to(NOW + timedelta(days=23))
    assert reminders.send_due_reminders(dbs) == {"kgb": 0, "pensiun": 0, "ringkasan": 0}


def test_a_new_cycle_is_a_new_reminder(frozen, dbs, world):
    """Two years on, is the next KGB of the same employee announced again (a new due date)?"""
    reminders.send_due_reminders(dbs)
    frozen.move_to(NOW + timedelta(days=2 * 365 + 1))
    reminders.send_due_reminders(dbs)
    assert _titles(dbs, world, "asn.dinkes") == ["KGB Anda jatuh tempo 1 Maret 2030", "KGB Anda jatuh tempo 1 Maret 2032"]


def test_summary_survives_a_run_that_stopped(frozen, dbs, world, monkeypatch):
    """If a run stops after the personal notices, does the next run still send the summaries, once?"""
    def broken(_session):
        raise RuntimeError("worker stopped")
    with monkeypatch.context() as patch:
        patch.setattr(reminders, "_send_summaries", broken)
        with pytest.raises(RuntimeError):
            reminders.send_due_reminders(dbs)
    assert _titles(dbs, world, "asn.dinkes") == ["KGB Anda jatuh tempo 1 Maret 2030"]
    assert _titles(dbs, world, "bkpsdm") == []
    assert reminders.send_due_reminders(dbs) == {"kgb": 0, "pensiun": 0, "ringkasan": 4}
    assert len(_titles(dbs, world, "bkpsdm")) == 2
    assert len(_titles(dbs, world, "asn.dinkes")) == 1


def test_runs_are_audited(frozen, dbs, world):
    """Is each batch and each summary recorded in the audit trail with its counts?"""
    reminders.send_due_reminders(dbs)
    events = {e.action: e.details for e in dbs.scalars(select(AuditEvent).where(
        AuditEvent.action.like("reminders.%")))}
    assert events["reminders.summary"]["kgb"] == 2 and events["reminders.summary"]["pensiun"] == 1
    batches = dbs.scalars(select(AuditEvent.details).where(AuditEvent.action == "reminders.sent")).all()
    assert sorted((b["jenis"], b["pegawai"], b["notifikasi"]) for b in batches) == [("kgb", 2, 1), ("pensiun", 1, 0)]


def test_large_batches_are_split(frozen, dbs, world, monkeypatch):
    """With a batch size of 2, are all due employees still claimed once, in several transactions?"""
    monkeypatch.setattr(reminders, "BATCH_SIZE", 2)
    for n in range(5):
        add_employee(dbs, world["units"]["dindik"], birth=date(1980, 1, 1), tmt_golongan=date(2028, 2, 1))
    assert reminders.send_due_reminders(dbs)["kgb"] == 7
    assert dbs.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "reminders.sent")) == 5
    assert _titles(dbs, world, "validator.dindik") == ["5 pegawai jatuh tempo KGB dalam 2 bulan di cakupan OPD Anda"]


def test_daily_beat_entry_and_task_shim(frozen, dbs, world):
    """Is the job on the beat schedule at 06:00 (Asia/Jakarta), and does its task shim run the service?"""
    entry = BEAT_SCHEDULE["due-date-reminders"]
    assert entry["task"] == "simasn.due_reminders"
    assert entry["schedule"] == crontab(hour=6, minute=0)
    from worker.tasks import due_reminders
    assert due_reminders.run() == {"kgb": 2, "pensiun": 1, "ringkasan": 4}


def _concurrent_runs(monkeypatch) -> list:
    """Two runs in two sessions, both holding the same fresh list before either claims anything."""
    barrier, results, errors = threading.Barrier(2, timeout=30), [], []
    listed = reminders.due_items

    def both_listed(session, kind, today):
        items = listed(session, kind, today)
        barrier.wait()
        return items
    monkeypatch.setattr(reminders, "due_items", both_listed)

    def run():
        try:
            with Session(db.engine) as session:
                results.append(reminders.send_due_reminders(session))
        except Exception as exc:  # reported below, in the test's thread
            errors.append(exc)
    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    return results


def test_two_runs_at_once_send_each_reminder_once(app, frozen, monkeypatch):
    """With two beats firing together, is each reminder and each summary still sent once?"""
    users = app.config["WORLD"]["users"]
    with Session(db.engine) as session:
        mark = session.scalar(select(func.coalesce(func.max(Notification.id), 0)))
    try:
        results = _concurrent_runs(monkeypatch)
        # Either run may win each kind; together they claim each due item once and summarise it once.
        assert [sum(r[key] for r in results) for key in ("kgb", "pensiun", "ringkasan")] == [2, 1, 4]
        with Session(db.engine) as session:
            titles = session.execute(select(Notification.user_id, Notification.title)
                                     .where(Notification.id > mark)).all()
        assert sorted(t for u, t in titles if u == users["bkpsdm"]) == [
            "1 pegawai mencapai batas usia pensiun dalam 12 bulan", "2 pegawai jatuh tempo KGB dalam 2 bulan"]
        assert [t for u, t in titles if u == users["asn.dinkes"]] == ["KGB Anda jatuh tempo 1 Maret 2030"]
    finally:
        with Session(db.engine) as session:
            session.execute(delete(Notification).where(Notification.id > mark))
            session.execute(delete(ReminderSent))
            session.commit()
