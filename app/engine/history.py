"""Pruning finished history out of a workflow's task tree (part of the runtime wrapper; see runtime.py).

SpiffWorkflow keeps every finished task of every loop, so a stored workflow, and the cost of each step,
grows with the request's history. `prune_history` keeps what a later step can reach and remembers, on
the root task, the latest completion of each element it drops (bounded by the diagram's size).
"""
from __future__ import annotations

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from app.engine.errors import TaskNotReadyError

# Finished steps dropped from the task tree: {bpmn_id: [task_id, finished_at, name, lane]}.
PRUNED_STEPS = "simasn_pruned_steps"


def prune_history(workflow: BpmnWorkflow) -> None:
    """Drop the finished tasks between the root and the nearest common ancestor of all unfinished tasks.

    Nothing a later step can reach is dropped: every unfinished task, and every finished input of a
    join still waiting, lies below that ancestor, which becomes the root's only child. Completed
    elements that are dropped are remembered on the root (`pruned_steps`).
    """
    common = _common_ancestor(workflow)
    root = workflow.task_tree
    if common is None or common is root or common.parent is root:
        return
    keep = {task.id for task in common} | {root.id}
    dropped = [task for task_id, task in workflow.tasks.items() if task_id not in keep]
    _remember(root, dropped)
    _drop_subprocesses(workflow, {task.id for task in dropped})
    for task in dropped:
        workflow.event_manager.remove_task(task)
        del workflow.tasks[task.id]
    root._children, common._parent = [common.id], root.id
    if workflow.last_task is not None and workflow.last_task.id not in keep:
        workflow.last_task = common


def pruned_steps(workflow: BpmnWorkflow) -> dict[str, list]:
    return workflow.task_tree.internal_data.get(PRUNED_STEPS, {})


def refuse_pruned(workflow: BpmnWorkflow, task_id: str) -> None:
    """A task already completed and pruned (its element's latest completion) is refused as finished."""
    if any(record[0] == str(task_id) for record in pruned_steps(workflow).values()):
        raise TaskNotReadyError(f"Tugas {task_id} tidak dapat diselesaikan (status COMPLETED).")


def _common_ancestor(workflow: BpmnWorkflow):
    """The deepest task that is an ancestor (or itself) of every unfinished task; None if none is left."""
    # the task dict, not get_tasks(): the same tasks, without the tree iterator's cost on every step
    chains = [_path_from_root(task) for task in workflow.tasks.values() if task.state & TaskState.NOT_FINISHED_MASK]
    common = None
    for level in zip(*chains):
        if any(task is not level[0] for task in level):
            break
        common = level[0]
    return common


def _path_from_root(task) -> list:
    path = []
    while task is not None:
        path.append(task)
        task = task.parent
    return path[::-1]


def _remember(root, dropped: list) -> None:
    steps = dict(root.internal_data.get(PRUNED_STEPS, {}))
    for task in sorted(dropped, key=lambda t: t.last_state_change):
        spec = task.task_spec
        if getattr(spec, "bpmn_id", None) and task.has_state(TaskState.COMPLETED):
            steps[spec.bpmn_id] = [str(task.id), task.last_state_change, spec.bpmn_name, spec.lane]
    root.internal_data[PRUNED_STEPS] = steps


def _drop_subprocesses(workflow: BpmnWorkflow, dropped_ids: set) -> None:
    """Sub-process workflows started by dropped tasks (and those nested in them) go too."""
    while True:
        gone = [task_id for task_id, sub in workflow.subprocesses.items() if sub.parent_task_id in dropped_ids]
        if not gone:
            return
        for task_id in gone:
            dropped_ids.update(workflow.subprocesses.pop(task_id).tasks)
