"""Small helpers shared by the demo builders: weighted picks, month arithmetic, SK numbers."""
from __future__ import annotations

import bisect
import itertools
import random
from datetime import date, timedelta

SMALL_WORDS = {"dan", "pada", "di", "untuk", "dengan", "atau", "dari", "ke"}
ROMAN_MONTHS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")


class FastRandom(random.Random):
    """random.Random with cheaper randint/randrange/choice (one random() call each); still reproducible."""

    def randint(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))

    def randrange(self, start: int, stop: int | None = None, step: int = 1) -> int:
        if stop is None:
            start, stop = 0, start
        return start + int(self.random() * (stop - start))

    def choice(self, seq):
        return seq[int(self.random() * len(seq))]


class Weighted:
    """Items with weights; pick() is a bisect on cumulative weights (cheaper than random.choices)."""

    def __init__(self, pairs):
        pairs = [(item, weight) for item, weight in pairs if weight > 0]
        self.items = [item for item, _ in pairs]
        self.cumulative = list(itertools.accumulate(weight for _, weight in pairs))

    def pick(self, rng: random.Random):
        return self.items[bisect.bisect_right(self.cumulative, rng.random() * self.cumulative[-1])]


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, 28))


def months_between(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month - (1 if end.day < start.day else 0)


def years_between(start: date, end: date) -> int:
    return months_between(start, end) // 12


def shift_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def random_day(rng: random.Random, start: date, end: date) -> date:
    if end <= start:
        return start
    return start + timedelta(days=rng.randrange((end - start).days + 1))


def kp_period(day: date) -> date:
    """The first kenaikan pangkat period on or after `day` (Apr/Oct; six periods a year from 2024)."""
    months = (2, 4, 6, 8, 10, 12) if day.year >= 2024 else (4, 10)
    for month in months:
        if (day.month, day.day) <= (month, 1):
            return date(day.year, month, 1)
    return kp_period(date(day.year + 1, 1, 1))


def sk_number(rng: random.Random, code: str, day: date, office: str = "BKPSDM") -> str:
    """A decree number in the city's style, e.g. 823.3/Kep.1234-BKPSDM/2019."""
    if day.year >= 2023:
        code = "800.1." + code.split(".", 1)[-1]
    return f"{code}/Kep.{rng.randint(10, 4999)}-{office}/{day.year}"


def document_number(rng: random.Random, prefix: str, day: date) -> str:
    return f"{rng.randint(1, 999)}/{prefix}/{ROMAN_MONTHS[day.month - 1]}/{day.year}"


def title_case(name: str) -> str:
    words = name.lower().split()
    return " ".join(w if w in SMALL_WORDS and i else w[:1].upper() + w[1:] for i, w in enumerate(words))
