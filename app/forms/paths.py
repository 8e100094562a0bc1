"""Field paths: where a value sits in the submitted JSON, written as one flat HTML field name.

A path is a tuple of property names and row indices; its name joins them as
``nama``, ``pejabat.nama``, ``anak[0].nama``. Errors use the same names as keys.
"""
from __future__ import annotations

import re

Path = tuple[str | int, ...]

_PART = re.compile(r"\[(\d{1,6})\]|\.?([^.\[\]]+)")
_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def field_name(path: Path) -> str:
    name = ""
    for part in path:
        if isinstance(part, int):
            name += f"[{part}]"
        else:
            name += f".{part}" if name else part
    return name


def parse_name(name: str) -> Path | None:
    """The path of a posted field name, or None when the name does not follow the scheme."""
    parts, position = [], 0
    while position < len(name):
        match = _PART.match(name, position)
        if match is None or (position == 0 and match.group(0).startswith(".")):
            return None
        parts.append(int(match.group(1)) if match.group(1) is not None else match.group(2))
        position = match.end()
    return tuple(parts) or None


def field_id(name: str) -> str:
    """An HTML id for a field name: ``anak[0].nama`` → ``f-anak-0-nama``."""
    return "f-" + _ID_UNSAFE.sub("-", name.replace("]", "")).strip("-")
