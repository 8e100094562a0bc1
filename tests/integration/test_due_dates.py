"""Lists of what falls due (KGB, retirement at BUP): scope, filters, and SQL that agrees with the rules."""
from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from app.models import RiwayatJabatan, User
from app.services import due_dates, personnel
from app.services.audit import SYSTEM
from app.services.due_dates import DueQuery, list_page, month_index, month_start
from app.services.errors import BadRequestError, ForbiddenError
from tests.due_samples import NOW, TODAY, add_employee, jf_code
from tests.world import employee


@pytest.fixture()
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def _user(dbs, world, name) -> User:
    return dbs.get(User, world["users"][name])


def _rows(dbs, world, name, **query):
    page = list_page(dbs, _user(dbs, world, name), DueQuery(per_page=100, **query))
    assert page.total < 100
    return {(item.kind, item.employee_id): item for item in page.items}


def test_bkpsdm_sees_every_opd(frozen, dbs, world):
    """Does BKPSDM see the KGB of both Dinkes employees and the Kecamatan employee's retirement, soonest first?"""
    page = list_page(dbs, _user(dbs, world, "bkpsdm"), DueQuery())
    ids = world["employees"]
    assert [(i.kind, i.employee_id) for i in page.items] == [
        ("pensiun", ids["kecamatan"]), *sorted([("kgb", ids["dinkes"]), ("kgb", ids["puskesmas"])],
                                               key=lambda k: employee(dbs, world, "dinkes" if k[1] == ids["dinkes"]
                                                                      else "puskesmas").nama_cari)]
    retiring = page.items[0]
    assert retiring.due_date == date(2030, 2, 1) and retiring.bup == 58 and retiring.days_left == 22
    assert {i.due_date for i in page.items[1:]} == {date(2030, 3, 1)}


@pytest.mark.parametrize("validator, expected", [
    ("validator.dinkes", {("kgb", "dinkes"), ("kgb", "puskesmas")}),
    ("validator.puskesmas", {("kgb", "puskesmas")}),  # a sub-unit scope does not reach up to its OPD
    ("validator.dindik", set()),
    ("validator.tanpa-cakupan", set()),
])
def test_validator_sees_only_own_scope(frozen, dbs, world, validator, expected):
    """Does a validator never see what falls due in another OPD?"""
    names = {v: k for k, v in world["employees"].items()}
    assert {(kind, names[eid]) for kind, eid in _rows(dbs, world, validator)} == expected


def test_validator_cannot_filter_into_another_opd(frozen, dbs, world):
    """Is an OPD outside the validator's scope refused as a filter, instead of listing it?"""
    with pytest.raises(BadRequestError, match="di luar cakupan"):
        list_page(dbs, _user(dbs, world, "validator.dinkes"), DueQuery(opd_id="KEC-CIPONDOH"))


def test_asn_and_roleless_are_refused(frozen, dbs, world):
    """Is the list closed to an ASN and to an account without a role?"""
    for name in ("asn.dinkes", "tanpa-peran", "pemilik.proses"):
        with pytest.raises(ForbiddenError):
            list_page(dbs, _user(dbs, world, name), DueQuery())


def test_filters_kind_opd_month(frozen, dbs, world):
    """Do the kind, OPD and month filters each narrow the list?"""
    ids = world["employees"]
    assert set(_rows(dbs, world, "bkpsdm", kind="pensiun")) == {("pensiun", ids["kecamatan"])}
    assert set(_rows(dbs, world, "bkpsdm", opd_id="OPD-DINKES")) == {("kgb", ids["dinkes"]), ("kgb", ids["puskesmas"])}
    assert set(_rows(dbs, world, "bkpsdm", month="2030-02")) == {("pensiun", ids["kecamatan"])}
    assert set(_rows(dbs, world, "bkpsdm", month="2030-03", kind="kgb")) == {("kgb", ids["dinkes"]),
                                                                           ("kgb", ids["puskesmas"])}
    # A month beyond the 2-month KGB notice still answers (planning ahead), and only that month.
    later = add_employee(dbs, world["units"]["dindik"], birth=date(1990, 5, 5), tmt_golongan=date(2028, 12, 1))
    assert ("kgb", later.id) not in _rows(dbs, world, "bkpsdm", kind="kgb")
    assert set(_rows(dbs, world, "bkpsdm", month="2030-12")) == {("kgb", later.id)}


@pytest.mark.parametrize("query, message", [
    ({"kind": "kenaikan"}, "Jenis jatuh tempo tidak dikenal"),
    ({"month": "2030-13"}, "TTTT-BB"),
    ({"month": "maret"}, "TTTT-BB"),
    ({"month": "2029-12"}, "Bulan harus antara Februari 2030 dan Januari 2031"),
    ({"month": "2031-02"}, "Bulan harus antara"),
    ({"opd_id": "TIDAK-ADA"}, "OPD tidak dikenal"),
])
def test_bad_filters_are_refused(frozen, dbs, world, query, message):
    """Is each malformed filter refused with a clear Indonesian message?"""
    with pytest.raises(BadRequestError, match=message):
        list_page(dbs, _user(dbs, world, "bkpsdm"), DueQuery(**query))


def test_position_decides_retirement(frozen, dbs, world):
    """With one birth date, do a pelaksana (58), a JPT (60) and a JF ahli utama (65) retire on different dates?"""
    unit = world["units"]["dinkes"]
    birth = date(1970, 6, 17)  # 58 → 1 Jul 2028 (past), 60 → 1 Jul 2030, 65 → 1 Jul 2035
    pelaksana = add_employee(dbs, unit, birth=birth, tmt_golongan=date(2021, 4, 1))
    jpt = add_employee(dbs, unit, birth=birth, tmt_golongan=date(2021, 4, 1), eselon="21")
    utama = add_employee(dbs, unit, birth=birth, tmt_golongan=date(2021, 4, 1),
                         jf=jf_code(dbs, "Penyuluh Pertanian Ahli Utama"))
    rows = _rows(dbs, world, "bkpsdm", kind="pensiun")
    assert rows[("pensiun", jpt.id)].due_date == date(2030, 7, 1) and rows[("pensiun", jpt.id)].bup == 60
    assert ("pensiun", pelaksana.id) not in rows and ("pensiun", utama.id) not in rows


def test_a_new_functional_position_moves_retirement(frozen, dbs, world):
    """When a JF ahli madya position is recorded, does the derived column carry it and BUP become 60?"""
    person = employee(dbs, world, "kecamatan")  # born Jan 1972, pelaksana: retires 1 Feb 2030
    madya = jf_code(dbs, "Penyuluh Pertanian Ahli Madya")
    personnel.add_history(dbs, SYSTEM, person, RiwayatJabatan, dict(
        jenis_riwayat="pengangkatan", jenis_jabatan_id="2", jabatan_nama="Penyuluh Pertanian Ahli Madya",
        jabatan_fungsional_id=madya, unor_id=person.unor_id, tmt_jabatan=date(2029, 6, 1)), "Uji BUP")
    assert person.jabatan_fungsional_id == madya
    assert ("pensiun", person.id) not in _rows(dbs, world, "bkpsdm", kind="pensiun")
    assert due_dates.for_employee(dbs, person, TODAY).pensiun == date(2032, 2, 1)


def test_paging_keeps_order_and_total(frozen, dbs, world):
    """With 60 due, does page 2 of 50 hold the last 10, in due-date order?"""
    unit = world["units"]["dindik"]
    for n in range(60):
        add_employee(dbs, unit, birth=date(1975, 1, 1), tmt_golongan=date(2028, 2 + n % 2, 1))
    bkpsdm = _user(dbs, world, "bkpsdm")
    first = list_page(dbs, bkpsdm, DueQuery(opd_id="OPD-DINDIK", kind="kgb"))
    second = list_page(dbs, bkpsdm, DueQuery(opd_id="OPD-DINDIK", kind="kgb", page=2))
    assert (first.total, first.pages, len(first.items), len(second.items)) == (60, 2, 50, 10)
    dates = [i.due_date for i in first.items + second.items]
    assert dates == sorted(dates) and dates[0] == date(2030, 2, 1) and dates[-1] == date(2030, 3, 1)
    assert len({i.employee_id for i in first.items + second.items}) == 60


def test_page_past_the_end_still_counts(frozen, dbs, world):
    """Does a page number past the last page give no rows but the true total?"""
    page = list_page(dbs, _user(dbs, world, "bkpsdm"), DueQuery(page=5))
    assert (page.items, page.total, page.pages) == ([], 3, 1)


def _random_people(dbs, world, count: int) -> list:
    rng = random.Random(20300110)
    units = [world["units"]["dinkes"], world["puskesmas"], world["units"]["dindik"], world["units"]["kecamatan"]]
    functional = [None, None, jf_code(dbs, "Penyuluh Pertanian Ahli Utama"),
                  jf_code(dbs, "Penyuluh Pertanian Ahli Madya"), jf_code(dbs, "Guru Ahli Pertama"),
                  jf_code(dbs, "Jaksa Muda / Ahli Muda")]
    people = []
    for n in range(count):
        birth = date(1964, 1, 1) + timedelta(days=rng.randrange(10 * 365))
        if n % 10 == 0:
            birth = birth.replace(day=1)
        if n % 17 == 0:
            birth = date(rng.choice((1964, 1968, 1972)), 2, 29)
        tmt = date(2000, 1, 1) + timedelta(days=rng.randrange(32 * 365))
        people.append(add_employee(
            dbs, rng.choice(units), birth=birth, tmt_golongan=tmt if n % 23 else None,
            kind=rng.choice(("PNS", "PNS", "CPNS", "PPPK")), eselon=rng.choice((None, None, "41", "21", "12")),
            jf=rng.choice(functional), kedudukan=rng.choice(("01",) * 8 + ("02", "99"))))
    return people


def _expected(dbs, people, kind: str, low: int, high: int) -> set:
    found = set()
    for person in people:
        own = due_dates.for_employee(dbs, person, TODAY)
        due = own.kgb if kind == "kgb" else own.pensiun
        if due and low <= month_index(due) <= high:
            found.add((kind, person.id))
    return found


def test_sql_agrees_with_the_rules(frozen, dbs, world):
    """For 150 varied employees, does every SQL window give exactly what the pure rules compute?"""
    people = _random_people(dbs, world, 150)
    ours = {p.id for p in people}
    checked = 0
    for kind in ("kgb", "pensiun"):
        window = due_dates.default_window(kind, TODAY)
        got = {key for key in _rows(dbs, world, "bkpsdm", kind=kind) if key[1] in ours}
        assert got == _expected(dbs, people, kind, window.low, window.high), kind
        for index in range(window.low, month_index(TODAY) + 13):
            month = month_start(index).strftime("%Y-%m")
            got = {key for key in _rows(dbs, world, "bkpsdm", kind=kind, month=month) if key[1] in ours}
            expected = _expected(dbs, people, kind, index, index)
            assert got == expected, (kind, month)
            checked += len(expected)
    assert checked > 40  # the sample really exercises both kinds
