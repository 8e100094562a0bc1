"""Working days: weekends, Indonesia's national holidays (the `holidays` package) and extra days off."""
from __future__ import annotations

from datetime import date, datetime

from app.engine.functions import build_functions
from app.engine.workdays import WIB, WorkCalendar, national_holidays, national_holidays_between


def test_national_holidays_come_in_bahasa_indonesia():
    """Are New Year, Isra Mikraj and Imlek 2025 national holidays, named in Bahasa Indonesia?"""
    days = national_holidays(2025)
    assert days[date(2025, 1, 1)] == "Tahun Baru Masehi"
    assert {date(2025, 1, 27), date(2025, 1, 29)} <= national_holidays_between(2024, 2026)


def test_working_days_skip_weekends_holidays_and_days_off():
    """From Friday 24 January 2025, are 2 working days Thursday 30th, and Friday 31st with a day off on the 30th?"""
    calendar = WorkCalendar.with_holidays(national_holidays_between(2025, 2025))
    assert calendar.add_working_days(date(2025, 1, 24), 2) == date(2025, 1, 30)
    with_day_off = WorkCalendar.with_holidays(national_holidays_between(2025, 2025) | {date(2025, 1, 30)})
    assert with_day_off.add_working_days(date(2025, 1, 24), 2) == date(2025, 1, 31)
    assert calendar.working_days_between(date(2025, 1, 24), date(2025, 1, 31)) == 3


def test_hari_kerja_is_the_calendar_span_from_now():
    """On Friday 24 January 2025 at 10:00 WIB, is hari_kerja(2) six calendar days (P6D)?"""
    now = datetime(2025, 1, 24, 10, 0, tzinfo=WIB)
    calendar = WorkCalendar(holidays=national_holidays_between(2025, 2025), clock=lambda: now)
    assert build_functions(calendar)["hari_kerja"](2) == "P6D"
