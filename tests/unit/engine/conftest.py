"""Fixtures for the engine: the approval definition, a recording operator registry, a frozen clock."""
from __future__ import annotations

import pytest

from app.engine.script_engine import SafeScriptEngine
from tests.unit.engine.helpers import FRIDAY_10_WIB, OperatorLog, load, read_bpmn


@pytest.fixture()
def frozen(time_machine):
    time_machine.move_to(FRIDAY_10_WIB, tick=False)
    return time_machine


@pytest.fixture(scope="session")
def approval():
    return load(read_bpmn("approval.bpmn"))


@pytest.fixture()
def operators():
    return OperatorLog()


@pytest.fixture()
def engine(operators):
    return SafeScriptEngine(operators=operators.registry())
