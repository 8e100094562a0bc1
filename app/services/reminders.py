"""The daily due-date reminders (KGB, retirement at BUP).

Each (kind, employee, due date) is claimed once in `reminders_sent` (INSERT … ON CONFLICT DO NOTHING,
so two runs at once cannot both claim it); the ASN's personal notice is written in the same
transaction, one transaction per batch. BKPSDM and the OPD validators get one summary per kind per
run, counting the rows no summary has counted yet — so a run that stopped halfway still gets its
summary sent by the next run, and a second run the same day sends nothing at all.
"""
from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ..extensions import insert_on_conflict
from ..models import Employee, ReminderSent, RoleGrant, User
from ..models.base import utcnow
from . import audit, authz
from .audit import SYSTEM
from .due_dates import KGB, KIND_LABELS, NOTICE_MONTHS, PENSIUN, DueItem, due_items, local_today, long_date
from .notifications import notify_users

BATCH_SIZE = 500
PAGE_LINK = "/jatuh-tempo?jenis={kind}"
OWN_LINK = "/data-saya"
SUMMARY_TITLES = {KGB: "{n} pegawai jatuh tempo KGB dalam {months} bulan",
                  PENSIUN: "{n} pegawai mencapai batas usia pensiun dalam {months} bulan"}


def send_due_reminders(session: Session, today: date | None = None) -> dict[str, int]:
    """Claim and announce what newly falls due; returns counts per kind and of summaries sent."""
    today = today or local_today()
    try:
        result = {kind: _send_personal(session, kind, today) for kind in (KGB, PENSIUN)}
        result["ringkasan"] = _send_summaries(session)
    except Exception:
        session.rollback()
        raise
    return result


def _send_personal(session: Session, kind: str, today: date) -> int:
    sent = {tuple(row) for row in session.execute(select(ReminderSent.employee_id, ReminderSent.due_date).where(
        ReminderSent.kind == kind, ReminderSent.due_date >= today))}
    fresh = [item for item in due_items(session, kind, today) if (item.employee_id, item.due_date) not in sent]
    # End the reading transaction: each batch then starts with its INSERT, so on SQLite it waits for the
    # write lock instead of failing to upgrade a read snapshot another run has written past.
    session.commit()
    claimed = 0
    for start in range(0, len(fresh), BATCH_SIZE):
        claimed += _claim_batch(session, kind, fresh[start:start + BATCH_SIZE])
        session.commit()
    return claimed


def _claim_batch(session: Session, kind: str, batch: list[DueItem]) -> int:
    now = utcnow()
    rows = [{"kind": kind, "employee_id": i.employee_id, "due_date": i.due_date, "sent_at": now} for i in batch]
    stmt = (insert_on_conflict(session, ReminderSent).values(rows)
            .on_conflict_do_nothing(index_elements=["kind", "employee_id", "due_date"])
            .returning(ReminderSent.employee_id, ReminderSent.due_date))
    claimed = {tuple(row) for row in session.execute(stmt)}
    owners = select(User.employee_id, User.id).where(
        User.employee_id.in_([employee_id for employee_id, _ in claimed]), User.active.is_(True))
    accounts = {employee_id: user_id for employee_id, user_id in session.execute(owners)}
    notified = 0
    for item in batch:
        if (item.employee_id, item.due_date) in claimed and item.employee_id in accounts:
            notified += _notify_employee(session, accounts[item.employee_id], item)
    audit.record(session, SYSTEM, "reminders.sent", "reminders_sent", None, jenis=kind, pegawai=len(claimed),
                 notifikasi=notified)
    return len(claimed)


def _notify_employee(session: Session, user_id: int, item: DueItem) -> int:
    when = long_date(item.due_date)
    if item.kind == KGB:
        title = f"KGB Anda jatuh tempo {when}"
        body = (f"Kenaikan gaji berkala (KGB) Anda berikutnya berlaku TMT {when}. Periksa data golongan dan "
                "masa kerja Anda di Data Saya; bila ada yang keliru, ajukan usul perubahan data dengan buktinya.")
    else:
        title = f"Batas usia pensiun Anda: pensiun TMT {when}"
        body = (f"Batas usia pensiun (BUP) jabatan Anda {item.bup} tahun, sehingga Anda pensiun TMT {when}. "
                "Persiapan pensiun dimulai sekarang: periksa kelengkapan data Anda dan hubungi pengelola "
                "kepegawaian OPD Anda.")
    return notify_users(session, [user_id], title=title, body=body, link=OWN_LINK,
                        key=f"jatuh-tempo:{item.kind}:{item.employee_id}:{item.due_date.isoformat()}")


def _send_summaries(session: Session) -> int:
    run = uuid.uuid4().hex
    session.execute(update(ReminderSent).where(ReminderSent.summary_run.is_(None)).values(summary_run=run))
    counts: dict[str, dict[str | None, int]] = defaultdict(dict)
    for kind, unit, n in session.execute(
            select(ReminderSent.kind, Employee.unor_id, func.count()).join(Employee)
            .where(ReminderSent.summary_run == run).group_by(ReminderSent.kind, Employee.unor_id)):
        counts[kind][unit] = n
    if not counts:
        session.commit()
        return 0
    sent = _notify_bkpsdm(session, counts, run) + _notify_validators(session, counts, run)
    audit.record(session, SYSTEM, "reminders.summary", "reminders_sent", run,
                 **{kind: sum(units.values()) for kind, units in counts.items()}, penerima=sent)
    session.commit()
    return sent


def _summary(session: Session, user_ids: list[int], kind: str, n: int, run: str, suffix: str) -> int:
    months = NOTICE_MONTHS[kind]
    title = SUMMARY_TITLES[kind].format(n=n, months=months) + suffix
    body = (f"Pengingat harian SIMASN: {n} pegawai baru masuk daftar jatuh tempo {KIND_LABELS[kind]} "
            f"(TMT dalam {months} bulan ke depan){suffix}. Daftar lengkapnya — dapat disaring per OPD dan bulan "
            "serta diunduh sebagai CSV — ada di halaman Jatuh tempo.")
    return notify_users(session, user_ids, title=title, body=body, link=PAGE_LINK.format(kind=kind),
                        key=f"jatuh-tempo:ringkasan:{kind}:{run}")


def _users_with_role(session: Session, role: str) -> list[User]:
    return list(session.scalars(select(User).join(RoleGrant).where(RoleGrant.role == role,
                                                                   User.active.is_(True)).order_by(User.id)))


def _notify_bkpsdm(session: Session, counts: dict, run: str) -> int:
    recipients = [user.id for user in _users_with_role(session, "bkpsdm")]
    if not recipients:
        return 0
    return sum(_summary(session, recipients, kind, sum(units.values()), run, "")
               for kind, units in counts.items())


def _notify_validators(session: Session, counts: dict, run: str) -> int:
    sent = 0
    for validator in _users_with_role(session, "validator_opd"):
        scope = authz.scope_unit_ids(session, validator)
        for kind, units in counts.items():
            n = sum(count for unit, count in units.items() if unit in scope)
            if n:
                sent += _summary(session, [validator.id], kind, n, run, " di cakupan OPD Anda")
    return sent
