"""What falls due: the next KGB (periodic salary step) and retirement at BUP, per employee and as lists.

The rules are pure functions over dates and month numbers; the lists are one SQL query per kind that
computes the same month numbers in the database (no loop over employees in Python). Every due date
is the 1st of a month, so a due date is carried as a month index (year * 12 + month - 1).
The rules and their sources are written down in docs/decisions.md (D-number "KGB and BUP").
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import (Integer, and_, case, cast, extract, func, literal_column, null, or_, select, true,
                        union_all)
from sqlalchemy.orm import Session, aliased

from ..engine.workdays import WIB
from ..models import Employee, ReferenceEntry, User
from . import audit, authz, employees
from .audit import Actor
from .employees import MAX_PER_PAGE, Page
from .errors import BadRequestError, ForbiddenError

KGB, PENSIUN = "kgb", "pensiun"
KIND_LABELS = {KGB: "KGB", PENSIUN: "Pensiun (BUP)"}
NOTICE_MONTHS = {KGB: 2, PENSIUN: 12}  # how far ahead each kind is listed and announced
KGB_INTERVAL_MONTHS = 24
EARLIEST_TMT = date(1940, 1, 1)  # no golongan TMT in service is older
LOOKAHEAD_MONTHS = 12  # the furthest month a list may be asked for

# Batas usia pensiun by position: PP 11/2017 art. 239 (as amended by PP 17/2020), kept by UU 20/2023.
BUP_BY_POSITION = {
    "administrasi": 58,  # administrator, pengawas, pelaksana
    "pimpinan_tinggi": 60,  # JPT utama, madya, pratama (eselon I and II)
    "fungsional_ahli_utama": 65,
    "fungsional_ahli_madya": 60,
    "fungsional_ahli_muda": 58,
    "fungsional_ahli_pertama": 58,
    "fungsional_keterampilan": 58,  # penyelia, mahir, terampil, pemula
}
# SIASN jabatanFungsional.jenjang → the position of the table above.
JENJANG_POSITION = {
    "UT": "fungsional_ahli_utama", "MA": "fungsional_ahli_madya", "MU": "fungsional_ahli_muda",
    "PT": "fungsional_ahli_pertama", "PY": "fungsional_keterampilan", "MH": "fungsional_keterampilan",
    "TR": "fungsional_keterampilan", "PM": "fungsional_keterampilan",
}
JPT_ESELON = ("10", "11", "12", "21", "22")  # SIASN eselon codes of I.a … II.b
# A JF's own BUP in SIASN (usiaBup) wins where its law sets one (guru 60, jaksa 62, dosen 65, ...);
# values outside this range ("0", blanks) are ignored and the jenjang decides.
SPECIAL_BUP = {str(age): age for age in range(56, 71)}

# SIASN kedudukan hukum codes of people no longer serving: nothing falls due for them.
ENDED_KEDUDUKAN = ("66", "67", "68", "69", "70", "77", "88", "89", "98", "99")
KGB_PAUSED_KEDUDUKAN = ("02", "13")  # CLTN and its extension do not count towards a KGB
ELIGIBLE_KINDS = {KGB: ("PNS", "CPNS", "PPPK"), PENSIUN: ("PNS", "CPNS")}  # PPPK contracts end, not retire

MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")
MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
          "Oktober", "November", "Desember")


# --- pure rules ------------------------------------------------------------------------------------

def month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def month_start(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def first_month_from(day: date) -> int:
    """The month index of the first 1st-of-a-month on or after `day`."""
    return month_index(day) + (1 if day.day > 1 else 0)


def local_today() -> date:
    return datetime.now(WIB).date()


def long_date(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def functional_bup(usia_bup: str | None, jenjang: str | None) -> int | None:
    """BUP of a jabatan fungsional: its own SIASN age if valid, else by jenjang; None if unknown."""
    special = SPECIAL_BUP.get(str(usia_bup or ""))
    if special:
        return special
    position = JENJANG_POSITION.get(jenjang or "")
    return BUP_BY_POSITION[position] if position else None


def bup_age(eselon_id: str | None, usia_bup: str | None = None, jenjang: str | None = None) -> int:
    """The retirement age of a position; a rangkap (structural + functional) gets the higher one."""
    structural = BUP_BY_POSITION["pimpinan_tinggi" if eselon_id in JPT_ESELON else "administrasi"]
    return max(structural, functional_bup(usia_bup, jenjang) or 0)


def retirement_date(birth: date, age: int) -> date:
    """TMT pensiun: the 1st of the month after the month in which `age` is reached."""
    return month_start(month_index(birth) + age * 12 + 1)


def next_kgb_month(start: int, low: int) -> int:
    """The first KGB month index ≥ `low`, counting every 24 months after `start` (exclusive)."""
    if start >= low:
        return start + KGB_INTERVAL_MONTHS
    return low + (start - low) % KGB_INTERVAL_MONTHS


def kgb_reference(employee) -> date | None:
    """The TMT the KGB cycle counts from: the current golongan, else the appointment."""
    return employee.tmt_golongan or employee.tmt_cpns or employee.tmt_pppk


def next_kgb_date(reference: date, on_or_after: date) -> date:
    """A KGB takes effect on a 1st; a reference TMT later in a month counts from the next month."""
    return month_start(next_kgb_month(first_month_from(reference), first_month_from(on_or_after)))


# --- one employee (Data Saya) ------------------------------------------------------------------------

@dataclass(frozen=True)
class OwnDue:
    kgb: date | None
    pensiun: date | None
    bup: int | None


def for_employee(session: Session, employee: Employee, today: date | None = None) -> OwnDue:
    today = today or local_today()
    serving = employee.kedudukan_hukum_id not in ENDED_KEDUDUKAN
    kgb = None
    reference = kgb_reference(employee)
    if serving and reference and employee.kind in ELIGIBLE_KINDS[KGB] \
            and employee.kedudukan_hukum_id not in KGB_PAUSED_KEDUDUKAN:
        kgb = next_kgb_date(reference, today)
    if not serving or employee.kind not in ELIGIBLE_KINDS[PENSIUN]:
        return OwnDue(kgb, None, None)
    attrs = _functional_attrs(session, employee.jabatan_fungsional_id)
    age = bup_age(employee.eselon_id, attrs.get("usiaBup"), attrs.get("jenjang"))
    return OwnDue(kgb, retirement_date(employee.tanggal_lahir, age), age)


def _functional_attrs(session: Session, code: str | None) -> dict:
    if not code:
        return {}
    return session.scalar(select(ReferenceEntry.attrs).where(
        ReferenceEntry.table_key == "jabatanFungsional", ReferenceEntry.code == code)) or {}


# --- the same rules in SQL ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Window:
    """Due months low..high inclusive (month indices)."""
    low: int
    high: int


def default_window(kind: str, today: date) -> Window:
    return Window(first_month_from(today), month_index(today) + NOTICE_MONTHS[kind])


def _int(part: str, column):
    return cast(extract(part, column), Integer)


def _month_sql(column):
    return _int("year", column) * 12 + _int("month", column) - 1


def _first_month_sql(column):
    return _month_sql(column) + case((_int("day", column) > 1, 1), else_=0)


def _serving(kind: str):
    clauses = [Employee.kind.in_(ELIGIBLE_KINDS[kind]), Employee.kedudukan_hukum_id.not_in(ENDED_KEDUDUKAN)]
    if kind == KGB:
        clauses.append(Employee.kedudukan_hukum_id.not_in(KGB_PAUSED_KEDUDUKAN))
    return and_(*clauses)


def _columns(kind: str, due, bup):
    return (Employee.id.label("employee_id"), Employee.nip, Employee.nama, Employee.gelar_depan,
            Employee.gelar_belakang, Employee.nama_cari, Employee.unor_id, Employee.opd_id, Employee.golongan_id,
            Employee.jabatan_nama, literal_column(f"'{kind}'").label("kind"), due.label("due_month"),
            bup.label("bup"))


def _kgb_cycles(window: Window):
    """An index-friendly filter: golongan TMTs whose 24-month cycle reaches a month of `window`.

    A cycle starts in month M for TMTs from the 2nd of month M-1 to the 1st of M (first_month_from),
    so each earlier cycle k is one date range; employees without a golongan TMT are checked exactly."""
    cycles = (window.low - month_index(EARLIEST_TMT)) // KGB_INTERVAL_MONTHS + 1
    ranges = [Employee.tmt_golongan.between(
        month_start(window.low - k * KGB_INTERVAL_MONTHS - 1) + timedelta(days=1),
        month_start(window.high - k * KGB_INTERVAL_MONTHS)) for k in range(1, cycles + 1)]
    return or_(Employee.tmt_golongan.is_(None), *ranges)


def kgb_select(window: Window, where):
    """Employees whose next KGB falls in `window`; `where` limits scope and filters."""
    start = _first_month_sql(func.coalesce(Employee.tmt_golongan, Employee.tmt_cpns, Employee.tmt_pppk))
    due = case((start >= window.low, start + KGB_INTERVAL_MONTHS),
               else_=window.low + (KGB_INTERVAL_MONTHS - (window.low - start) % KGB_INTERVAL_MONTHS)
               % KGB_INTERVAL_MONTHS)
    return (select(*_columns(KGB, due, cast(null(), Integer)))
            .where(_serving(KGB), _kgb_cycles(window), due.between(window.low, window.high), where))


def bup_age_sql(functional_entry):
    """bup_age() in SQL over an outer-joined jabatanFungsional reference row.

    Simple CASEs (CASE x WHEN …) read each JSON attribute once per row; the higher of the structural
    and the functional age is folded into the results, so no expression is evaluated twice."""
    usia = functional_entry.attrs["usiaBup"].as_string()
    jenjang = functional_entry.attrs["jenjang"].as_string()

    def at_least(floor: int):
        by_jenjang = case({code: max(floor, BUP_BY_POSITION[position]) for code, position in JENJANG_POSITION.items()},
                          value=jenjang, else_=floor)
        return case({text: max(floor, age) for text, age in SPECIAL_BUP.items()}, value=usia, else_=by_jenjang)
    return case((Employee.eselon_id.in_(JPT_ESELON), at_least(BUP_BY_POSITION["pimpinan_tinggi"])),
                else_=at_least(BUP_BY_POSITION["administrasi"]))


def possible_bup_ages(session: Session) -> set[int]:
    usia = ReferenceEntry.attrs["usiaBup"].as_string()
    found = session.scalars(select(usia).distinct().where(ReferenceEntry.table_key == "jabatanFungsional"))
    return set(BUP_BY_POSITION.values()) | {SPECIAL_BUP[v] for v in found if v in SPECIAL_BUP}


def _birth_bands(window: Window, ages: set[int]):
    """An index-friendly filter: births whose retirement month at one of `ages` can fall in `window`."""
    return or_(*[Employee.tanggal_lahir.between(month_start(window.low - age * 12 - 1),
                                                month_start(window.high - age * 12) - timedelta(days=1))
                 for age in sorted(ages)])


def pensiun_select(window: Window, where, ages: set[int]):
    functional_entry = aliased(ReferenceEntry)
    age = bup_age_sql(functional_entry)
    due = _month_sql(Employee.tanggal_lahir) + age * 12 + 1
    joined = and_(functional_entry.table_key == "jabatanFungsional",
                  functional_entry.code == Employee.jabatan_fungsional_id)
    return (select(*_columns(PENSIUN, due, age)).select_from(Employee).outerjoin(functional_entry, joined)
            .where(_serving(PENSIUN), _birth_bands(window, ages), due.between(window.low, window.high), where))



# --- lists: the daily job (whole city) and the "Jatuh tempo" page (caller's scope) ----------------

@dataclass(frozen=True)
class DueItem:
    kind: str
    employee_id: int
    nip: str
    nama: str
    unor_id: str | None
    opd_id: str | None
    golongan_id: str | None
    jabatan_nama: str | None
    due_date: date
    days_left: int
    bup: int | None

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]


@dataclass(frozen=True)
class DueQuery:
    kind: str = ""  # "" (both), "kgb" or "pensiun"
    opd_id: str = ""
    month: str = ""  # "YYYY-MM"; "" → each kind's notice window
    page: int = 1
    per_page: int = 50


def _item(row, today: date) -> DueItem:
    due = month_start(int(row.due_month))
    name = f"{row.gelar_depan + ' ' if row.gelar_depan else ''}{row.nama}" \
           f"{', ' + row.gelar_belakang if row.gelar_belakang else ''}"
    return DueItem(row.kind, row.employee_id, row.nip, name, row.unor_id, row.opd_id, row.golongan_id,
                   row.jabatan_nama, due, (due - today).days, None if row.bup is None else int(row.bup))


def _select(session: Session, kind: str, window: Window, where):
    if kind == KGB:
        return kgb_select(window, where)
    return pensiun_select(window, where, possible_bup_ages(session))


def due_items(session: Session, kind: str, today: date) -> list[DueItem]:
    """Everything of `kind` falling due in its notice window, city-wide (for the daily reminders)."""
    sub = _select(session, kind, default_window(kind, today), true()).subquery()
    rows = session.execute(select(sub).order_by(sub.c.due_month, sub.c.employee_id))
    return [_item(row, today) for row in rows]


def month_label(index: int) -> str:
    return f"{MONTHS[index % 12]} {index // 12}"


def parse_month(raw: str, today: date) -> int | None:
    if not raw:
        return None
    match = MONTH_PATTERN.match(raw)
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise BadRequestError(f"Bulan harus ditulis TTTT-BB, misalnya 2030-03; diberikan '{raw[:20]}'.")
    index = int(match.group(1)) * 12 + int(match.group(2)) - 1
    first, last = first_month_from(today), month_index(today) + LOOKAHEAD_MONTHS
    if not first <= index <= last:
        raise BadRequestError(f"Bulan harus antara {month_label(first)} dan {month_label(last)}.")
    return index


def _scope(session: Session, user: User, query: DueQuery):
    if not authz.can_list_employees(user):
        raise ForbiddenError("Daftar jatuh tempo hanya untuk validator OPD dan BKPSDM.")
    if query.kind and query.kind not in KIND_LABELS:
        raise BadRequestError(f"Jenis jatuh tempo tidak dikenal: '{query.kind[:20]}'. Pilih KGB atau Pensiun.")
    where = authz.employee_filter(session, user)
    if query.opd_id:
        if query.opd_id not in {u.id for u in employees.opd_choices(session, user)}:
            raise BadRequestError("OPD tidak dikenal atau di luar cakupan Anda; pilih dari daftar.")
        where = and_(where, Employee.opd_id == query.opd_id)
    return where


def _listing(session: Session, user: User, query: DueQuery, today: date):
    where = _scope(session, user, query)
    month = parse_month(query.month, today)
    selects = []
    for kind in ([query.kind] if query.kind else [KGB, PENSIUN]):
        window = Window(max(first_month_from(today), month), month) if month is not None \
            else default_window(kind, today)
        selects.append(_select(session, kind, window, where))
    return (selects[0] if len(selects) == 1 else union_all(*selects)).subquery()


def _ordered(sub):
    return select(sub).order_by(sub.c.due_month, sub.c.nama_cari, sub.c.employee_id, sub.c.kind)


def list_page(session: Session, user: User, query: DueQuery, today: date | None = None) -> Page:
    today = today or local_today()
    sub = _listing(session, user, query, today)
    per_page = min(max(query.per_page, 1), MAX_PER_PAGE)
    # The total rides along as a window count, so the list is computed once per page, not twice.
    rows = session.execute(_ordered(sub).add_columns(func.count().over().label("total"))
                           .offset((query.page - 1) * per_page).limit(per_page)).all()
    total = rows[0].total if rows else session.scalar(select(func.count()).select_from(sub))
    return Page([_item(row, today) for row in rows], total, query.page, per_page)


def export(session: Session, user: User, actor: Actor, query: DueQuery, today: date | None = None) -> list[DueItem]:
    """Every row of the filtered list (no paging), for CSV; the export of personal data is audited."""
    today = today or local_today()
    items = [_item(row, today) for row in session.execute(_ordered(_listing(session, user, query, today)))]
    audit.record(session, actor, "due_dates.export", "employees", None, jenis=query.kind or "semua",
                 opd=query.opd_id or "semua", bulan=query.month or "bawaan", rows=len(items))
    session.commit()
    return items
