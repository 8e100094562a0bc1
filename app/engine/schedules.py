"""When a process whose start event is a timer is due: a date, a duration after publication, or a cycle.

Cycles are ISO 8601 repeating intervals, `R[n]/<start>/<period>` or `R[n]/<period>` (counted from
publication). Occurrence k is `start + k * period` computed from the start each time with calendar
months, so a quarterly cycle from 1 January stays on the first day of each quarter. A date or a
start without a zone is read in WIB (the city's time zone).
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from dateutil.relativedelta import relativedelta

from app.engine.workdays import WIB

_PERIOD = re.compile(
    r"^P(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?$")
_CYCLE = re.compile(r"^R(?P<count>\d*)/(?:(?P<start>[^/]+)/)?(?P<period>P[^/]+)$")
MAX_OCCURRENCES = 10_000


class ScheduleError(ValueError):
    """The timer of a start event cannot be turned into due times; the message is for the process owner."""


@dataclass(frozen=True)
class Schedule:
    start: datetime | None  # aware, in the zone it was written in (WIB if none); None: from publication
    period: relativedelta | None  # None: one occurrence only
    count: int | None  # None: repeats without end

    def occurrences(self, published_at: datetime, until: datetime) -> Iterator[datetime]:
        """Due times after `published_at` up to and including `until` (all UTC-aware), oldest first."""
        first = self.start or published_at.astimezone(WIB) + (self.period or relativedelta())
        for k in range(MAX_OCCURRENCES if self.count is None else min(self.count, MAX_OCCURRENCES)):
            due = (first + self.period * k if self.period else first).astimezone(UTC)
            if due > until:
                return
            if due > published_at:
                yield due
            if self.period is None:
                return


def parse_period(text: str) -> relativedelta:
    match = _PERIOD.match(text.strip().upper())
    if not match or not any(match.groupdict().values()) or text.strip().upper().endswith("T"):
        raise ScheduleError(f"Durasi '{text}' bukan durasi ISO 8601 yang sah (misalnya P3M atau P1D).")
    parts = {name: int(value) for name, value in match.groupdict().items() if value}
    if not any(parts.values()):
        raise ScheduleError(f"Durasi '{text}' bernilai nol.")
    return relativedelta(**parts)


def parse_moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ScheduleError(f"Waktu '{text}' bukan tanggal ISO 8601 yang sah (misalnya 2026-01-01T08:00:00).") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=WIB)


def schedule_of(kind: str, value: str) -> Schedule:
    """The schedule of a start timer whose expression evaluated to `value` ("date", "duration" or "cycle")."""
    if not isinstance(value, str) or not value.strip():
        raise ScheduleError("Timer event mulai harus menghasilkan teks waktu ISO 8601.")
    value = value.strip()
    if kind == "date":
        return Schedule(parse_moment(value), None, 1)
    if kind == "duration":
        return Schedule(None, parse_period(value), 1)
    match = _CYCLE.match(value.upper())
    if not match:
        raise ScheduleError(f"Siklus '{value}' tidak sah; tulis R/2026-01-01T08:00:00/P3M (setiap 3 bulan).")
    count = int(match["count"]) if match["count"] else None
    start = parse_moment(match["start"]) if match["start"] else None
    return Schedule(start, parse_period(match["period"]), count)
