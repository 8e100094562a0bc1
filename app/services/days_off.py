"""Extra days off (cuti bersama, libur daerah) and the working-day calendar built from them.

Every engine step asks `work_calendar(session)`. The calendar (national holidays from the
`holidays` package plus the `hari_libur` rows) is cached per process and database, and rebuilt
when the table's revision token, replaced in the same transaction as each change, differs from
the cached one (a fresh random token, so a rolled-back change can never be mistaken for another).
"""
from __future__ import annotations

import threading
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..engine.workdays import WIB, WorkCalendar, national_holidays, national_holidays_between
from ..models import DAY_OFF_KINDS, HariLibur, SystemStatus, User
from . import audit, system
from .authz import require_role
from .errors import ConflictError, NotFoundError, ValidationError

REVISION_KEY = "hari_libur_revision"
EDITOR_ROLES = ("admin", "bkpsdm")
YEARS_BACK, YEARS_AHEAD = 1, 2  # hari_kerja(n) reaches at most ~1.5 years ahead
EARLIEST_YEAR, LATEST_YEARS_AHEAD = 2000, 5


_cache: dict[str, tuple[tuple[str, int], frozenset[date]]] = {}  # database url -> (key, days)
_cache_lock = threading.Lock()
_MEMO = "work_calendar"  # session.info: (the transaction it was read in, the calendar)


def work_calendar(session: Session) -> WorkCalendar:
    """Weekends, national holidays and the extra days off, as of the table's current revision.

    Asked again in the same transaction (a timer step asks for the engine and for `record_lateness`),
    the calendar is reused without reading the revision again."""
    transaction = session.get_transaction()
    memo = session.info.get(_MEMO)
    if transaction is not None and memo is not None and memo[0] is transaction:
        return memo[1]
    return remember_revision(session, _revision(session))


def remember_revision(session: Session, revision: str | None) -> WorkCalendar:
    """The calendar as of `revision` (read by the caller, e.g. with the instance lock), kept for the rest
    of the transaction so that `work_calendar` does not read the revision again."""
    calendar = _current_calendar(session, revision or "0")
    session.info[_MEMO] = (session.get_transaction(), calendar)
    return calendar


def revision_column():
    """The revision as a scalar subquery, for a statement that reads it along with other things."""
    return system.revision_column(REVISION_KEY)


def _current_calendar(session: Session, revision: str) -> WorkCalendar:
    year = datetime.now(WIB).year
    database, key = str(session.get_bind().engine.url), (revision, year)
    with _cache_lock:
        cached = _cache.get(database)
        if cached is None or cached[0] != key:
            extra = set(session.scalars(select(HariLibur.tanggal)))
            national = national_holidays_between(year - YEARS_BACK, year + YEARS_AHEAD)
            cached = _cache[database] = (key, national | extra)
        return WorkCalendar(holidays=cached[1])


def _revision(session: Session) -> str:
    return session.scalar(select(SystemStatus.value).where(SystemStatus.key == REVISION_KEY)) or "0"


def _bump_revision(session: Session) -> None:
    session.info.pop(_MEMO, None)
    system.new_revision(session, REVISION_KEY)


def days_off(session: Session, year: int) -> list[HariLibur]:
    stmt = (select(HariLibur).where(HariLibur.tanggal >= date(year, 1, 1), HariLibur.tanggal <= date(year, 12, 31))
            .order_by(HariLibur.tanggal))
    return list(session.scalars(stmt))


def holidays_of(year: int) -> list[tuple[date, str]]:
    """National holidays of `year`, for reference next to the extra days off."""
    return sorted(national_holidays(year).items())


def add_day_off(session: Session, user: User, actor: audit.Actor, *, tanggal: str, nama: str,
                jenis: str) -> HariLibur:
    """Record an extra day off; refused with a message per field when the input is wrong."""
    require_role(user, *EDITOR_ROLES)
    day, name = _checked(tanggal, nama, jenis)
    taken = ConflictError(f"Tanggal {day:%d-%m-%Y} sudah tercatat sebagai hari libur.",
                          fields={"tanggal": ["Sudah tercatat."]})
    if session.scalar(select(HariLibur.id).where(HariLibur.tanggal == day)) is not None:
        raise taken
    row = HariLibur(tanggal=day, nama=name, jenis=jenis, created_by=user.id)
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:  # the same date added at the same moment by someone else
        raise taken from None
    _bump_revision(session)
    audit.record(session, actor, "hari_libur.added", "hari_libur", row.id, tanggal=day, nama=name, jenis=jenis)
    session.commit()
    return row


def delete_day_off(session: Session, user: User, actor: audit.Actor, day_off_id: int) -> None:
    require_role(user, *EDITOR_ROLES)
    row = session.get(HariLibur, day_off_id)
    if row is None:
        raise NotFoundError("Hari libur tidak ditemukan.")
    audit.record(session, actor, "hari_libur.deleted", "hari_libur", row.id, tanggal=row.tanggal, nama=row.nama,
                 jenis=row.jenis)
    session.delete(row)
    _bump_revision(session)
    session.commit()


def _checked(tanggal: str, nama: str, jenis: str) -> tuple[date, str]:
    fields: dict[str, list[str]] = {}
    day = _parse_date(tanggal, fields)
    name = (nama or "").strip()
    if not name:
        fields["nama"] = ["Wajib diisi."]
    elif len(name) > 200:
        fields["nama"] = ["Paling banyak 200 karakter."]
    if jenis not in DAY_OFF_KINDS:
        fields["jenis"] = ["Pilih cuti bersama atau libur daerah."]
    if fields:
        raise ValidationError("Isian hari libur belum benar; periksa kolom yang ditandai.", fields=fields)
    return day, name


def _parse_date(raw: str, fields: dict[str, list[str]]) -> date | None:
    try:
        day = date.fromisoformat((raw or "").strip())
    except ValueError:
        fields["tanggal"] = ["Tanggal tidak sah; gunakan format TTTT-BB-HH."]
        return None
    latest = datetime.now(WIB).year + LATEST_YEARS_AHEAD
    if not EARLIEST_YEAR <= day.year <= latest:
        fields["tanggal"] = [f"Tahun harus antara {EARLIEST_YEAR} dan {latest}."]
    elif day.weekday() >= 5:
        fields["tanggal"] = ["Tanggal ini hari Sabtu atau Minggu; sudah bukan hari kerja."]
    elif day in national_holidays(day.year):
        fields["tanggal"] = [f"Tanggal ini sudah libur nasional ({national_holidays(day.year)[day]})."]
    return day
