"""Moving a running workflow to the specs of another version (SpiffWorkflow's diff and migrate).

`plan` says whether a workflow can move and why not: every step it waits in (READY user tasks,
WAITING timers and joins) must exist in the target with the same BPMN id and type, and no step
that stays in its task tree may have been removed. `migrate` then re-points every task at the
target's specs; the waiting steps are re-predicted by SpiffWorkflow, and a waiting timer whose
definition did not change keeps the due time it already had.
"""
from __future__ import annotations

from copy import deepcopy
from dataclasses import dataclass

from SpiffWorkflow.bpmn.util.diff import SpecDiff, WorkflowDiff, migrate_workflow
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from app.engine.errors import EngineError
from app.engine.loading import ProcessSpecs
from app.engine.state import _serializer

WAITING = TaskState.READY | TaskState.WAITING
_USER_VISIBLE_CHANGES = {"bpmn_name": "nama", "lane": "lajur", "extensions": "formulir/properti",
                         "documentation": "dokumentasi"}


@dataclass(frozen=True)
class MigrationPlan:
    blockers: tuple[str, ...]  # why the workflow cannot move (empty: it can)
    notes: tuple[str, ...]  # what changes for it when it moves

    @property
    def migratable(self) -> bool:
        return not self.blockers


@dataclass(frozen=True)
class _Diff:
    """One workflow (the top level or a running sub-process) against its target spec."""
    workflow: object
    target: object
    specs: SpecDiff
    tasks: WorkflowDiff

    def changes(self, task) -> list[str]:
        return self.specs.changed.get(task.task_spec, [])

    def waiting(self) -> list:
        return [task for task in self.workflow.get_tasks(state=WAITING, skip_subprocesses=True)
                if getattr(task.task_spec, "bpmn_id", None)]


def plan(workflow: BpmnWorkflow, target: ProcessSpecs) -> MigrationPlan:
    """Whether `workflow` can move to `target`, with the reasons."""
    diffs, blockers, notes = [], [], []
    for candidate, spec in _pairs(workflow, target):
        if spec is None:
            blockers.append(f"Subproses '{candidate.spec.name}' yang sedang berjalan tidak ada di versi tujuan.")
        else:
            diffs.append(_diff(candidate, spec))
    for diff in diffs:
        blockers += _waiting_blockers(diff) + _history_blockers(diff)
        notes += _notes(diff)
    return MigrationPlan(tuple(dict.fromkeys(blockers)), tuple(dict.fromkeys(notes)))


def migrate(workflow: BpmnWorkflow, target: ProcessSpecs) -> None:
    """Re-point `workflow` at `target` in place; raises EngineError when `plan` finds a blocker."""
    verdict = plan(workflow, target)
    if not verdict.migratable:
        raise EngineError(" ".join(verdict.blockers))
    diffs = [_diff(candidate, spec) for candidate, spec in _pairs(workflow, target)]
    kept = {task.id: deepcopy(task.internal_data) for diff in diffs for task in _unchanged_timers(diff)}
    for diff in diffs:
        migrate_workflow(diff.tasks, diff.workflow, diff.target)
    workflow.subprocess_specs = dict(target.subprocesses)
    for task in workflow.get_tasks(state=TaskState.WAITING):
        if task.id in kept:
            task.internal_data = kept[task.id]


def _pairs(workflow: BpmnWorkflow, target: ProcessSpecs) -> list[tuple]:
    pairs = [(workflow, target.process)]
    pairs += [(sub, target.subprocesses.get(sub.spec.name)) for sub in workflow.subprocesses.values()]
    return pairs


def _diff(workflow, target) -> _Diff:
    specs = SpecDiff(_serializer()[0].registry, workflow.spec, target)
    return _Diff(workflow, target, specs, WorkflowDiff(workflow, specs))


def _waiting_blockers(diff: _Diff) -> list[str]:
    blockers = []
    for task in diff.waiting():
        new, spec = diff.tasks.alignment.get(task), task.task_spec
        if new is None or new.name != spec.name:
            blockers.append(f"Langkah yang sedang ditunggu {_label(spec)} tidak ada di versi tujuan.")
        elif "typename" in diff.changes(task):
            blockers.append(f"Langkah yang sedang ditunggu {_label(spec)} berubah jenis di versi tujuan.")
    return blockers


def _history_blockers(diff: _Diff) -> list[str]:
    """Steps that stay in the task tree (the waiting ones' descendants are re-predicted) must still exist."""
    waiting = diff.waiting()
    dropped = {task.id for step in waiting for task in step} | {step.id for step in waiting}
    return [f"Langkah {_label(task.task_spec)} yang sudah dilalui tidak ada di versi tujuan."
            for task in diff.tasks.removed if task.id not in dropped and getattr(task.task_spec, "bpmn_id", None)]


def _notes(diff: _Diff) -> list[str]:
    notes = []
    for task in diff.waiting():
        changes = diff.changes(task)
        if "event_definition" in changes:
            notes.append(f"Tenggat {_label(task.task_spec)} dihitung ulang dengan ketentuan baru mulai saat migrasi.")
        visible = [_USER_VISIBLE_CHANGES[change] for change in changes if change in _USER_VISIBLE_CHANGES]
        if visible:
            notes.append(f"Langkah {_label(task.task_spec)} memakai {', '.join(visible)} versi baru.")
    return notes


def _unchanged_timers(diff: _Diff) -> list:
    """Waiting timers whose definition is the same in the target: they keep their computed due time."""
    return [task for task in diff.waiting() if hasattr(task.task_spec, "event_definition")
            and task.has_state(TaskState.WAITING) and "event_definition" not in diff.changes(task)]


def _label(spec) -> str:
    name = getattr(spec, "bpmn_name", None)
    return f"'{name}' (id {spec.bpmn_id})" if name else f"(id {spec.bpmn_id})"
