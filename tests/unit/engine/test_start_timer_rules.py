"""Publication refuses a timer start event whose due times cannot be known without process data."""
from __future__ import annotations

import pytest

from app.engine.errors import DefinitionError
from app.engine.loading import load_definition
from tests.unit.engine.helpers import BPMN_DIR

QUARTERLY = '"R/2025-01-01T08:00:00+07:00/P3M"'


def load(timer: str = QUARTERLY):
    xml = (BPMN_DIR / "uji_triwulan.bpmn").read_text().replace(QUARTERLY, timer)
    return load_definition(xml.encode(), operators={"notify"}, known_forms={"uji_verifikasi"})


def test_a_quarterly_cycle_is_accepted():
    """Does the quarterly start event publish?"""
    assert load().key == "uji_triwulan"


@pytest.mark.parametrize("timer, message", [
    ('"R/2025-13-01T00:00:00/P3M"', "bukan tanggal ISO 8601"),
    ("tanggal_mulai", "tidak dikenal"),
    ('"R/2025-01-01T00:00:00/P0M"', "bernilai nol"),
    ("hari_kerja(3)", "Siklus 'P3D' tidak sah"),
])
def test_a_start_timer_without_computable_due_times_is_refused(timer, message):
    """Is a malformed cycle, a process variable or a bare duration in a cycle refused, naming the start event?"""
    with pytest.raises(DefinitionError) as refused:
        load(timer)
    assert 'Event mulai "Awal triwulan"' in str(refused.value) and message in str(refused.value)
