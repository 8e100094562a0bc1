"""The functions an expression may call: the whitelist, with their argument counts."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.engine.errors import ExpressionError
from app.engine.workdays import MAX_WORKING_DAYS, WorkCalendar

MAX_DURATION_DAYS = 3650

# name -> (minimum, maximum) number of arguments; None means no maximum
FUNCTION_ARITY: dict[str, tuple[int, int | None]] = {
    "hari_kerja": (1, 1),
    "hari": (1, 1),
    "jam": (1, 1),
    "len": (1, 1),
    "str": (1, 1),
    "int": (1, 1),
    "lower": (1, 1),
    "upper": (1, 1),
    "any_of": (2, None),
}
FUNCTION_NAMES = frozenset(FUNCTION_ARITY)


def _whole_number(value: Any, name: str, maximum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ExpressionError(f"Argumen {name}(...) harus bilangan bulat.")
    if not 0 <= value <= maximum:
        raise ExpressionError(f"Argumen {name}(...) harus antara 0 dan {maximum}.")
    return value


def _text(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise ExpressionError(f"Argumen {name}(...) harus teks.")
    return value


def _length(value: Any) -> int:
    if not isinstance(value, (str, list, tuple, dict)):
        raise ExpressionError("Argumen len(...) harus teks, daftar atau kamus.")
    return len(value)


def _to_int(value: Any) -> int:
    if not isinstance(value, (str, int, float)):
        raise ExpressionError("Argumen int(...) harus teks atau bilangan.")
    try:
        return int(value)
    except (ValueError, OverflowError):
        raise ExpressionError(f"Nilai {value!r} bukan bilangan bulat.") from None


def build_functions(calendar: WorkCalendar | None = None) -> dict[str, Callable]:
    """The registry of functions an expression may call; working days come from `calendar`.

    Durations are ISO 8601 texts ("P5D", "PT4H"), which SpiffWorkflow timers understand.
    `hari_kerja(n)` is the calendar-day span from today to n working days later, keeping
    the time of day, so it can be used directly as a timer duration.
    """
    calendar = calendar or WorkCalendar()

    def hari_kerja(count: Any) -> str:
        days = calendar.working_days_as_calendar_days(_whole_number(count, "hari_kerja", MAX_WORKING_DAYS))
        return f"P{days}D"

    return {
        "hari_kerja": hari_kerja,
        "hari": lambda count: f"P{_whole_number(count, 'hari', MAX_DURATION_DAYS)}D",
        "jam": lambda count: f"PT{_whole_number(count, 'jam', MAX_DURATION_DAYS * 24)}H",
        "len": _length,
        "str": lambda value: str(value),
        "int": _to_int,
        "lower": lambda value: _text(value, "lower").lower(),
        "upper": lambda value: _text(value, "upper").upper(),
        "any_of": lambda value, *choices: value in choices,
    }
