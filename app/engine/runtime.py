"""The one place that drives SpiffWorkflow workflows; everything it hands out is plain data.

Callers (the service layer) load a definition once per version, then per step:
`deserialize` -> `complete_user_task` / `fire_due_timers` -> `ready_user_tasks`,
`waiting_timers` -> `serialize`. Service tasks run inside those calls, synchronously, with
the operators registered on the script engine. On any exception the workflow object is
in an unknown state: discard it and reload the last stored state.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from copy import deepcopy
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException, TaskNotFoundException
from SpiffWorkflow.util.task import TaskState

from app.engine.errors import (
    EngineError,
    ProcessStepError,
    TaskNotFoundError,
    TaskNotReadyError,
)
from app.engine.history import prune_history, pruned_steps, refuse_pruned
from app.engine.loading import ProcessSpecs
from app.engine.rules import SCHEMA_PROPERTY, UI_SCHEMA_PROPERTY
from app.engine.script_engine import SafeScriptEngine
from app.engine.state import deserialize, deserialize_spec, serialize, serialize_spec

__all__ = [
    "StartTimerView",
    "StepView",
    "TimerView",
    "UserTaskView",
    "advance",
    "cancel",
    "complete_user_task",
    "completed_steps",
    "deserialize",
    "deserialize_spec",
    "fire_due_timers",
    "get_user_task",
    "is_completed",
    "process_data",
    "prune_history",
    "ready_user_tasks",
    "serialize",
    "serialize_spec",
    "start_timers",
    "start_workflow",
    "start_workflow_by_timer",
    "timer_outcomes",
    "waiting_timers",
]

_EPOCH = "1970-01-01T00:00:00+00:00"
_TIMER_KINDS = {
    TimeDateEventDefinition: "date",
    DurationTimerEventDefinition: "duration",
    CycleTimerEventDefinition: "cycle",
}


@dataclass(frozen=True)
class TimerView:
    task_id: str
    bpmn_id: str
    name: str | None
    kind: str  # "date", "duration" or "cycle"
    due: datetime | None  # UTC; None until SpiffWorkflow has computed it
    attached_to: str | None  # bpmn id of the activity, for boundary timers
    interrupting: bool | None  # for boundary timers


@dataclass(frozen=True)
class StartTimerView:
    """A timer start event of the top-level process, with its expression as written."""

    bpmn_id: str
    kind: str  # "date", "duration" or "cycle"
    expression: str


@dataclass(frozen=True)
class UserTaskView:
    task_id: str
    bpmn_id: str
    name: str | None
    lane: str | None
    form_schema: str | None
    form_ui_schema: str | None
    properties: dict[str, str]
    data: dict
    timers: tuple[TimerView, ...] = ()

    @property
    def due(self) -> datetime | None:
        """The task's deadline: its earliest interrupting timer (escalation, cancellation), else its
        earliest reminder; a reminder before an escalation is a warning, not the deadline."""
        timed = [timer for timer in self.timers if timer.due is not None]
        deadlines = [timer.due for timer in timed if timer.interrupting] or [timer.due for timer in timed]
        return min(deadlines) if deadlines else None


@dataclass(frozen=True)
class StepView:
    """A finished BPMN element, for timelines and for highlighting the diagram."""

    task_id: str
    bpmn_id: str
    name: str | None
    lane: str | None
    finished_at: datetime


def start_workflow(specs: ProcessSpecs, engine: SafeScriptEngine, data: dict | None = None) -> BpmnWorkflow:
    """A new workflow with `data` as its initial task data, run up to its first waits."""
    workflow = BpmnWorkflow(specs.process, dict(specs.subprocesses), script_engine=engine)
    workflow.task_tree.data.update(deepcopy(data or {}))
    advance(workflow)
    return workflow


def start_timers(specs: ProcessSpecs) -> list[StartTimerView]:
    """The timer start events of the process (empty for a process started by people)."""
    events = [spec for spec in specs.process.task_specs.values()
              if isinstance(spec, StartEvent) and isinstance(spec.event_definition, TimerEventDefinition)]
    return [StartTimerView(spec.bpmn_id, _TIMER_KINDS.get(type(spec.event_definition), "date"),
                           spec.event_definition.expression) for spec in events]


def start_workflow_by_timer(specs: ProcessSpecs, engine: SafeScriptEngine, data: dict | None = None) -> BpmnWorkflow:
    """A new workflow of a timer-started process, run as if its start timer had just fired (the caller
    decides when a start is due, once per due time)."""
    workflow = BpmnWorkflow(specs.process, dict(specs.subprocesses), script_engine=engine)
    workflow.task_tree.data.update(deepcopy(data or {}))
    starts = [task for task in workflow.get_tasks() if isinstance(task.task_spec, StartEvent)
              and isinstance(task.task_spec.event_definition, TimerEventDefinition)]
    for task in starts:  # before their first update, so a cycle makes exactly one branch
        if isinstance(task.task_spec.event_definition, CycleTimerEventDefinition):
            task._set_internal_data(event_value={"cycles": 1, "next": _EPOCH, "duration": 0.0})
        else:
            task._set_internal_data(event_fired=True)
    advance(workflow)
    for task in starts:  # a cycle start event waits for its next cycle: end it
        if task.has_state(TaskState.WAITING):
            task._set_internal_data(event_fired=True)
            task.task_spec._update(task)
    advance(workflow)
    return workflow


def advance(workflow: BpmnWorkflow) -> None:
    """Run every automatic step (gateways, service tasks, due timers) until only waits remain."""
    with _stepping():
        workflow.do_engine_steps()
    prune_history(workflow)


def ready_user_tasks(workflow: BpmnWorkflow) -> list[UserTaskView]:
    tasks = workflow.get_tasks(state=TaskState.READY, manual=True)
    return [_user_task_view(task) for task in tasks]


def get_user_task(workflow: BpmnWorkflow, task_id: str) -> UserTaskView:
    task = _find_task(workflow, task_id)
    if not task.task_spec.manual:
        raise TaskNotFoundError(f"Tugas {task_id} tidak ditemukan.")
    return _user_task_view(task)


def complete_user_task(workflow: BpmnWorkflow, task_id: str, data: dict) -> None:
    """Store the submitted form data on the READY user task, complete it and run on.

    Submitted top-level keys replace the old values (lists are not merged item by item,
    so a row removed from a repeated group stays removed).
    """
    refuse_pruned(workflow, task_id)
    task = _find_task(workflow, task_id)
    if not (task.task_spec.manual and task.has_state(TaskState.READY)):
        state = TaskState.get_name(task.state)
        raise TaskNotReadyError(f"Tugas {task_id} tidak dapat diselesaikan (status {state}).")
    variable = getattr(task.task_spec, "variable", None)
    if variable:
        task.data[variable] = deepcopy(data)
    else:
        task.data.update(deepcopy(data))
    with _stepping():
        task.run()
        workflow.do_engine_steps()
    prune_history(workflow)


def waiting_timers(workflow: BpmnWorkflow) -> list[TimerView]:
    """Every timer event the workflow is waiting for, with its due time."""
    tasks = workflow.event_manager.tasks.values()
    return [_timer_view(task) for task in tasks if _is_waiting_timer(task)]


def timer_outcomes(workflow: BpmnWorkflow, task_ids: list[str]) -> dict[str, str]:
    """For timers no longer waiting: "fired" if their event ran, else "cancelled".

    A timer task pruned from the tree after it fired is found among the pruned completions
    kept on the root ("simasn_pruned_steps", see prune_history)."""
    pruned = {str(entry[0]) for entry in workflow.task_tree.internal_data.get("simasn_pruned_steps", {}).values()}
    outcomes = {}
    for task_id in task_ids:
        try:
            task = workflow.get_task_from_id(UUID(str(task_id)))
        except (ValueError, TaskNotFoundException):
            task = None
        fired = task.has_state(TaskState.COMPLETED) if task is not None else str(task_id) in pruned
        outcomes[task_id] = "fired" if fired else "cancelled"
    return outcomes


def fire_due_timers(workflow: BpmnWorkflow) -> None:
    """Let timers whose due time has passed (by the current clock) fire, and run on."""
    with _stepping():
        workflow.refresh_timers()
        workflow.do_engine_steps()
    prune_history(workflow)


def is_completed(workflow: BpmnWorkflow) -> bool:
    return workflow.is_completed()


def completed_steps(workflow: BpmnWorkflow) -> list[StepView]:
    """BPMN elements that have completed, oldest first (internal helper tasks left out).

    Elements pruned from the tree (see `prune_history`) appear once, with their latest completion."""
    tasks = workflow.get_tasks(state=TaskState.COMPLETED)
    steps = [_step_view(task) for task in tasks if getattr(task.task_spec, "bpmn_id", None)]
    present = {step.bpmn_id for step in steps}
    pruned = pruned_steps(workflow)
    steps += [StepView(task_id, bpmn_id, name, lane, datetime.fromtimestamp(finished, UTC))
              for bpmn_id, (task_id, finished, name, lane) in pruned.items() if bpmn_id not in present]
    return sorted(steps, key=lambda step: step.finished_at)


def process_data(workflow: BpmnWorkflow) -> dict:
    """The data of the most recently completed task (for a finished process: its result)."""
    last = workflow.last_task
    return deepcopy(last.data) if last is not None else {}


def cancel(workflow: BpmnWorkflow) -> None:
    workflow.cancel()


@contextmanager
def _stepping() -> Iterator[None]:
    """Errors while running: our own become ProcessStepError; an operator's own error passes through."""
    try:
        yield
    except SpiffWorkflowException as err:
        cause = getattr(err, "exception", None) or err.__cause__
        message = err.args[0] if err.args else str(err)
        if cause is None or isinstance(cause, (EngineError, SpiffWorkflowException)):
            raise ProcessStepError(message) from err
        cause.add_note(message)
        raise cause from None


def _find_task(workflow: BpmnWorkflow, task_id: str):
    try:
        return workflow.get_task_from_id(UUID(str(task_id)))
    except (ValueError, TaskNotFoundException):
        raise TaskNotFoundError(f"Tugas {task_id} tidak ditemukan.") from None


def _user_task_view(task) -> UserTaskView:
    spec = task.task_spec
    properties = dict((getattr(spec, "extensions", None) or {}).get("properties", {}))
    return UserTaskView(
        task_id=str(task.id),
        bpmn_id=spec.bpmn_id,
        name=spec.bpmn_name,
        lane=spec.lane,
        form_schema=properties.get(SCHEMA_PROPERTY),
        form_ui_schema=properties.get(UI_SCHEMA_PROPERTY),
        properties=properties,
        data=deepcopy(task.data),
        timers=tuple(_timer_view(t) for t in _attached_timers(task)),
    )


def _step_view(task) -> StepView:
    spec = task.task_spec
    finished_at = datetime.fromtimestamp(task.last_state_change, UTC)
    return StepView(str(task.id), spec.bpmn_id, spec.bpmn_name, spec.lane, finished_at)


def _attached_timers(task) -> list:
    parent = task.parent
    if parent is None or not parent.task_spec.name.endswith(".BoundaryEventSplit"):
        return []
    return [sibling for sibling in parent.children if _is_waiting_timer(sibling)]


def _is_waiting_timer(task) -> bool:
    definition = getattr(task.task_spec, "event_definition", None)
    return isinstance(definition, TimerEventDefinition) and task.has_state(TaskState.WAITING)


def _timer_view(task) -> TimerView:
    spec = task.task_spec
    boundary = isinstance(spec, BoundaryEvent)
    return TimerView(
        task_id=str(task.id),
        bpmn_id=spec.bpmn_id,
        name=spec.bpmn_name,
        kind=_TIMER_KINDS.get(type(spec.event_definition), "date"),
        due=_due(task),
        attached_to=_attached_activity(task) if boundary else None,
        interrupting=bool(spec.cancel_activity) if boundary else None,
    )


def _due(task) -> datetime | None:
    value = task.task_spec.event_definition.details(task).value
    if not isinstance(value, str) or value.upper().startswith(("P", "R")):
        return None
    try:
        return TimerEventDefinition.get_datetime(value)
    except ValueError:
        return None


def _attached_activity(task) -> str | None:
    for sibling in task.parent.children:
        if not isinstance(sibling.task_spec, BoundaryEvent):
            return sibling.task_spec.bpmn_id
    return None
