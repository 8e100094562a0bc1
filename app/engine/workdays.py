"""Working-day arithmetic for timers: weekends and holidays are skipped.

Indonesian public holidays come from the `holidays` package; extra days off (cuti bersama,
local holidays) are owned by the caller (a table in the database). The engine only receives
the set of dates and a clock, so tests and the worker decide what "now" is.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from functools import lru_cache

import holidays as holiday_data

WIB = timezone(timedelta(hours=7), "WIB")
MAX_WORKING_DAYS = 366


@lru_cache(maxsize=64)
def national_holidays(year: int) -> dict[date, str]:
    """Indonesia's public holidays of `year` (Bahasa Indonesia names), from the `holidays` package."""
    return dict(holiday_data.Indonesia(years=year, language="id"))


def national_holidays_between(first_year: int, last_year: int) -> frozenset[date]:
    days: set[date] = set()
    for year in range(first_year, last_year + 1):
        days |= national_holidays(year).keys()
    return frozenset(days)


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class WorkCalendar:
    """Which days count as working days, in which time zone, and what time it is."""

    holidays: frozenset[date] = field(default_factory=frozenset)
    tz: tzinfo = WIB
    clock: Callable[[], datetime] = _utc_now

    @classmethod
    def with_holidays(cls, holidays: Iterable[date], **kwargs) -> WorkCalendar:
        return cls(holidays=frozenset(holidays), **kwargs)

    def now(self) -> datetime:
        return self.clock().astimezone(self.tz)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self.holidays

    def add_working_days(self, start: date, count: int) -> date:
        """The date `count` working days after `start` (start itself is not counted)."""
        day = start
        remaining = count
        while remaining > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """How many working days lie after `start` up to and including `end`."""
        days = (start + timedelta(days=offset) for offset in range(1, (end - start).days + 1))
        return sum(1 for day in days if self.is_working_day(day))

    def working_days_as_calendar_days(self, count: int) -> int:
        """How many calendar days from today until `count` working days have passed."""
        today = self.now().date()
        return (self.add_working_days(today, count) - today).days
