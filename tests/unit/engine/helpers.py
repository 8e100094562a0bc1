"""Helpers for the engine tests: the hand-written BPMN files and a recording operator registry."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from app.engine.loading import load_definition

BPMN_DIR = Path(__file__).resolve().parents[2] / "data" / "bpmn"
OPERATORS = frozenset({"apply_change_request", "notify"})
KNOWN_FORMS = frozenset({"usul", "periksa", "verifikasi", "tindak_lanjut"})
# Friday 3 January 2025, 10:00 WIB
FRIDAY_10_WIB = datetime(2025, 1, 3, 10, 0, tzinfo=timezone(timedelta(hours=7)))


def read_bpmn(name: str) -> bytes:
    return (BPMN_DIR / name).read_bytes()


def approval_variant(old: str, new: str) -> bytes:
    """The approval diagram with one piece of text replaced (the piece must exist)."""
    xml = read_bpmn("approval.bpmn").decode()
    assert old in xml, old
    return xml.replace(old, new).encode()


def load(xml: bytes, **kwargs):
    return load_definition(xml, operators=OPERATORS, known_forms=KNOWN_FORMS, **kwargs)


class OperatorLog:
    """A registry whose operators record their calls; `apply_change_request` writes to task data."""

    def __init__(self):
        self.calls: list[tuple[str, dict]] = []

    def registry(self) -> dict:
        return {"apply_change_request": self.apply_change_request, "notify": self.notify}

    def apply_change_request(self, params: dict, data: dict) -> dict:
        self.calls.append(("apply_change_request", params))
        data["perubahan_diterapkan"] = True
        return {"riwayat_id": 42}

    def notify(self, params: dict, data: dict) -> None:
        self.calls.append(("notify", params))
