"""The KGB and BUP rules as pure functions: retirement month, retirement age by position, next KGB."""
from __future__ import annotations

from datetime import date

import pytest

from app.services.due_dates import (BUP_BY_POSITION, JENJANG_POSITION, bup_age, first_month_from, functional_bup,
                                    month_index, month_start, next_kgb_date, next_kgb_month, retirement_date)


def test_bup_table_follows_pp_11_2017():
    """Does the rule table say 58 for administrasi, 60 for JPT and JF madya, 65 for JF ahli utama?"""
    assert BUP_BY_POSITION == {
        "administrasi": 58, "pimpinan_tinggi": 60, "fungsional_ahli_utama": 65, "fungsional_ahli_madya": 60,
        "fungsional_ahli_muda": 58, "fungsional_ahli_pertama": 58, "fungsional_keterampilan": 58}
    assert set(JENJANG_POSITION.values()) <= set(BUP_BY_POSITION)


@pytest.mark.parametrize("eselon, usia, jenjang, expected", [
    (None, None, None, 58),  # pelaksana
    ("99", None, None, 58),  # non-eselon
    ("41", None, None, 58),  # pengawas (IV.a)
    ("31", None, None, 58),  # administrator (III.a)
    ("22", None, None, 60),  # JPT pratama (II.b)
    ("21", None, None, 60),  # JPT pratama (II.a)
    ("11", None, None, 60),  # JPT madya
    (None, "58", "PT", 58),  # JF ahli pertama
    (None, "58", "MU", 58),  # JF ahli muda
    (None, "60", "MA", 60),  # JF ahli madya
    (None, "65", "UT", 65),  # JF ahli utama
    (None, "58", "PY", 58),  # JF keterampilan (penyelia)
    (None, "60", "PT", 60),  # guru ahli pertama: its own law says 60
    (None, "62", "MU", 62),  # jaksa: 62
    (None, "0", "UT", 65),  # SIASN has no age: the jenjang decides
    (None, "", "MA", 60),
    (None, "abc", None, 58),  # nothing usable: administrasi
    ("21", "58", "MU", 60),  # rangkap: the higher of the two
    ("41", "65", "UT", 65),
])
def test_bup_age_by_position(eselon, usia, jenjang, expected):
    """Is the retirement age 58, 60 or 65 (or the JF's own) depending on the position?"""
    assert bup_age(eselon, usia, jenjang) == expected


def test_functional_bup_unknown_is_none():
    """Does an unknown jabatan fungsional leave the decision to the structural rule?"""
    assert functional_bup(None, None) is None
    assert functional_bup("99", "XX") is None


@pytest.mark.parametrize("birth, age, expected", [
    (date(1968, 3, 12), 58, date(2026, 4, 1)),
    (date(1968, 3, 1), 58, date(2026, 4, 1)),  # born on the 1st: still the month after
    (date(1968, 3, 31), 58, date(2026, 4, 1)),
    (date(1968, 12, 5), 58, date(2027, 1, 1)),  # December: January of the next year
    (date(1968, 2, 29), 58, date(2026, 3, 1)),  # leap day, BUP in a common year
    (date(1968, 2, 29), 60, date(2028, 3, 1)),  # leap day, BUP in a leap year
    (date(1966, 7, 20), 60, date(2026, 8, 1)),
    (date(1961, 7, 20), 65, date(2026, 8, 1)),
])
def test_retirement_date_is_first_of_next_month(birth, age, expected):
    """Does retirement take effect on the 1st of the month after BUP is reached?"""
    assert retirement_date(birth, age) == expected


def test_same_birthday_different_position_different_date():
    """Do 58, 60 and 65 give three different retirement dates for one birth date?"""
    birth = date(1970, 5, 17)
    assert [retirement_date(birth, bup_age(*p)) for p in ((None, None, None), ("21",), (None, "65", "UT"))] == \
        [date(2028, 6, 1), date(2030, 6, 1), date(2035, 6, 1)]


def test_month_index_round_trip():
    """Do month numbers and dates convert both ways, including December and January?"""
    for day in (date(2030, 1, 1), date(2030, 12, 1), date(1999, 6, 1)):
        assert month_start(month_index(day)) == day
    assert first_month_from(date(2030, 1, 1)) == month_index(date(2030, 1, 1))
    assert first_month_from(date(2030, 12, 2)) == month_index(date(2031, 1, 1))


@pytest.mark.parametrize("reference, today, expected", [
    (date(2028, 3, 1), date(2030, 1, 10), date(2030, 3, 1)),  # two years after the golongan TMT
    (date(2028, 3, 1), date(2030, 3, 1), date(2030, 3, 1)),  # due today
    (date(2028, 3, 1), date(2030, 3, 2), date(2032, 3, 1)),  # a day late: the next cycle
    (date(2010, 3, 1), date(2030, 1, 10), date(2030, 3, 1)),  # many cycles ago
    (date(2011, 3, 1), date(2030, 1, 10), date(2031, 3, 1)),  # odd years
    (date(2028, 3, 15), date(2030, 1, 10), date(2030, 4, 1)),  # TMT mid-month: counts from the next 1st
    (date(2029, 12, 1), date(2030, 1, 10), date(2031, 12, 1)),  # less than two years in rank
    (date(2030, 6, 1), date(2030, 1, 10), date(2032, 6, 1)),  # TMT still ahead: two years after it
    (date(2030, 1, 1), date(2030, 1, 1), date(2032, 1, 1)),  # the golongan itself is not a KGB
    (date(2028, 2, 29), date(2030, 1, 10), date(2030, 3, 1)),  # leap-day TMT: from 1 March
])
def test_next_kgb_date(reference, today, expected):
    """Is the next KGB every 24 months after the reference TMT, on a 1st, never before today?"""
    assert next_kgb_date(reference, today) == expected


def test_next_kgb_month_is_a_multiple_of_24_and_not_before_low():
    """Over many pairs, is the result ≥ low, < low + 24 and 24·k months after the start?"""
    for start in range(24_000, 24_100, 7):
        for low in range(23_950, 24_200, 11):
            result = next_kgb_month(start, low)
            assert result >= low and result > start and (result - start) % 24 == 0
            assert result < max(low, start + 1) + 24
