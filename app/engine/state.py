"""Turning workflows and specs into JSON text and back.

SpiffWorkflow's own serializer embeds the whole process spec (and every sub-process spec)
in each serialized workflow. The spec is identical for every instance of a definition
version, so here the workflow state is written WITHOUT it and the spec is serialized once
per version (`serialize_spec`); `deserialize` takes the specs back as an argument.
"""
from __future__ import annotations

import json
import threading
from copy import copy
from uuid import UUID

from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import (
    BpmnWorkflowConverter,
    WorkflowConverter,
)
from SpiffWorkflow.bpmn.serializer.workflow import VERSION
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from app.engine.errors import EngineError
from app.engine.loading import ProcessSpecs
from app.engine.script_engine import SafeScriptEngine

VERSION_KEY = BpmnWorkflowSerializer.VERSION_KEY
_local = threading.local()


class _StateConverter(BpmnWorkflowConverter):
    """The top-level workflow without its specs; restored against specs supplied by the caller."""

    def to_dict(self, workflow):
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct):
        raise EngineError("Status workflow hanya dapat dipulihkan bersama spesifikasinya.")

    def restore(self, dct: dict, specs: ProcessSpecs, script_engine: SafeScriptEngine) -> BpmnWorkflow:
        dct = copy(dct)
        workflow = self.target_class(
            specs.process, dict(specs.subprocesses), script_engine=script_engine, deserializing=True
        )
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(copy(dct["subprocesses"]), workflow)
        workflow.bpmn_events = self.registry.restore(dct.get("bpmn_events", []))
        return workflow


def _serializer() -> tuple[BpmnWorkflowSerializer, _StateConverter]:
    # one per thread: SpiffWorkflow's serializer flips a mode flag on its registry while writing
    if not hasattr(_local, "serializer"):
        registry = BpmnWorkflowSerializer.configure(SPIFF_CONFIG)
        converter = _StateConverter(BpmnWorkflow, registry)
        _local.serializer = (BpmnWorkflowSerializer(registry), converter)
    return _local.serializer


def serialize(workflow: BpmnWorkflow) -> str:
    """The workflow's state (task tree and data) as JSON text, without the process spec."""
    serializer, _ = _serializer()
    return serializer.serialize_json(workflow)


def deserialize(specs: ProcessSpecs, state: str | dict, script_engine: SafeScriptEngine) -> BpmnWorkflow:
    """A live workflow from `serialize` output and the specs of the definition version it runs."""
    state = json.loads(state) if isinstance(state, (str, bytes)) else state
    version = state.get(VERSION_KEY)
    if version != VERSION:
        raise EngineError(f"Versi status workflow '{version}' tidak didukung (diharapkan '{VERSION}').")
    _, converter = _serializer()
    return converter.restore(state, specs, script_engine)


def serialize_spec(specs: ProcessSpecs) -> str:
    """The process spec and its sub-process specs as JSON text; store once per definition version."""
    serializer, _ = _serializer()
    dct = {
        "process": serializer.to_dict(specs.process),
        "subprocesses": {name: serializer.to_dict(spec) for name, spec in specs.subprocesses.items()},
        VERSION_KEY: VERSION,
    }
    return json.dumps(dct)


def deserialize_spec(stored: str | dict) -> ProcessSpecs:
    serializer, _ = _serializer()
    dct = json.loads(stored) if isinstance(stored, (str, bytes)) else stored
    if dct.get(VERSION_KEY) != VERSION:
        raise EngineError(f"Versi spesifikasi proses '{dct.get(VERSION_KEY)}' tidak didukung.")
    subprocesses = {name: serializer.from_dict(spec) for name, spec in dct["subprocesses"].items()}
    return ProcessSpecs(serializer.from_dict(dct["process"]), subprocesses)
