"""Due times of timer start events: dates, durations after publication, cycles with calendar months."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.engine.schedules import ScheduleError, schedule_of
from app.engine.workdays import WIB

PUBLISHED = datetime(2024, 12, 20, tzinfo=UTC)


def dues(kind: str, value: str, until: datetime, published: datetime = PUBLISHED) -> list[datetime]:
    return list(schedule_of(kind, value).occurrences(published, until))


def test_quarterly_cycle_stays_on_the_first_day_of_each_quarter_in_wib():
    """Does R/2025-01-01T00:00/P3M fall on 1 January, 1 April, 1 July and 1 October at 00:00 WIB?"""
    found = dues("cycle", "R/2025-01-01T00:00:00/P3M", datetime(2025, 12, 1, tzinfo=UTC))
    assert [d.astimezone(WIB).strftime("%Y-%m-%d %H:%M") for d in found] == [
        "2025-01-01 00:00", "2025-04-01 00:00", "2025-07-01 00:00", "2025-10-01 00:00"]


def test_month_end_cycle_does_not_drift():
    """Does a monthly cycle from 31 January give 28 February and then 31 March again?"""
    found = dues("cycle", "R/2025-01-31T08:00:00+07:00/P1M", datetime(2025, 4, 1, tzinfo=UTC))
    assert [d.astimezone(WIB).day for d in found] == [31, 28, 31]


def test_only_due_times_after_publication_and_up_to_now_count():
    """Are occurrences before publication and after `until` left out, and a count limit respected?"""
    assert dues("cycle", "R/2024-01-01T00:00:00/P3M", datetime(2025, 2, 1, tzinfo=UTC)) == [
        datetime(2024, 12, 31, 17, 0, tzinfo=UTC)]
    assert len(dues("cycle", "R2/2025-01-01T00:00:00/P1D", datetime(2025, 3, 1, tzinfo=UTC))) == 2


def test_date_and_duration_are_single_occurrences():
    """Is a date due once at that moment, and a duration once that long after publication?"""
    assert dues("date", "2025-03-01T08:00:00", datetime(2026, 1, 1, tzinfo=UTC)) == [
        datetime(2025, 3, 1, 1, 0, tzinfo=UTC)]
    assert dues("duration", "P1D", datetime(2026, 1, 1, tzinfo=UTC)) == [datetime(2024, 12, 21, tzinfo=UTC)]
    assert dues("cycle", "R/P1M", datetime(2025, 2, 21, tzinfo=UTC))[0] == datetime(2025, 1, 20, tzinfo=UTC)


@pytest.mark.parametrize("kind, value, message", [
    ("cycle", "R/2025-13-01T00:00:00/P3M", "bukan tanggal ISO 8601"),
    ("cycle", "2025-01-01/P3M", "Siklus"),
    ("cycle", "R/2025-01-01T00:00:00/P0M", "bernilai nol"),
    ("duration", "PT", "bukan durasi ISO 8601"),
    ("date", "besok", "bukan tanggal ISO 8601"),
    ("date", 5, "teks waktu"),
])
def test_malformed_schedules_are_refused_with_a_message(kind, value, message):
    """Is each malformed timer refused with a Bahasa Indonesia message?"""
    with pytest.raises(ScheduleError, match=message):
        schedule_of(kind, value)
