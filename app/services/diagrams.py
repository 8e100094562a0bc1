"""What the BPMN diagram of a request shows: the XML of the instance's own version, the elements
already completed and the elements waiting now (read from the stored workflow state; nothing runs)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..engine import runtime
from ..engine.script_engine import SafeScriptEngine
from ..models import HumanTask, ProcessInstance, ProcessVersion
from . import definitions


def diagram_state(session: Session, instance: ProcessInstance) -> dict:
    """{xml, completed, active}: bpmn element ids, each listed once, in first-seen order."""
    version = session.get(ProcessVersion, instance.version_id)
    completed: list[str] = []
    active: list[str] = []
    if instance.state:
        # An engine without operators: deserializing never runs a step, so none is needed.
        workflow = runtime.deserialize(definitions.specs_for(version), instance.state, SafeScriptEngine())
        open_ids = set(session.scalars(select(HumanTask.task_id).where(HumanTask.instance_id == instance.id)))
        ready = runtime.ready_user_tasks(workflow)
        active = _unique(view.bpmn_id for view in ready if not open_ids or view.task_id in open_ids)
        active += [t.bpmn_id for t in runtime.waiting_timers(workflow)
                   if t.attached_to is None and t.bpmn_id not in active]
        completed = _unique(step.bpmn_id for step in runtime.completed_steps(workflow))
    return {"xml": version.bpmn_xml, "completed": completed, "active": active}


def _unique(ids) -> list[str]:
    seen: list[str] = []
    for bpmn_id in ids:
        if bpmn_id and bpmn_id not in seen:
            seen.append(bpmn_id)
    return seen
