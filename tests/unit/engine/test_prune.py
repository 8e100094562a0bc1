"""Pruning finished history out of the task tree: loops stay small and behave exactly as before."""
from __future__ import annotations

from datetime import UTC, timedelta
from uuid import UUID

import pytest

from app.engine import runtime
from tests.unit.engine.helpers import FRIDAY_10_WIB, load, read_bpmn

NOW_UTC = FRIDAY_10_WIB.astimezone(UTC)
FIRST_PASS = {"start", "isi_usulan", "split", "periksa", "cek", "join", "keputusan"}


@pytest.fixture(scope="module")
def revision_loop():
    return load(read_bpmn("revision_loop.bpmn"))


@pytest.fixture()
def unpruned(monkeypatch):
    """SpiffWorkflow's own behaviour: every finished task kept."""
    monkeypatch.setattr(runtime, "prune_history", lambda workflow: None)


def stored(specs, workflow, engine):
    """The workflow as the next step sees it: serialized and restored."""
    return runtime.deserialize(specs, runtime.serialize(workflow), engine)


def ready(workflow) -> dict[str, runtime.UserTaskView]:
    return {view.bpmn_id: view for view in runtime.ready_user_tasks(workflow)}


def complete(workflow, bpmn_id: str, data: dict) -> None:
    runtime.complete_user_task(workflow, ready(workflow)[bpmn_id].task_id, data)


def one_loop(specs, workflow, engine, loop: int, decision: str):
    """ASN submits, BKPSDM checks, the validator decides last (its data reaches the gateway)."""
    workflow = stored(specs, workflow, engine)
    complete(workflow, "isi_usulan", {"isi": loop})
    assert set(ready(workflow)) == {"periksa", "cek"}
    complete(workflow, "cek", {"cek": loop})
    workflow = stored(specs, workflow, engine)
    assert set(ready(workflow)) == {"periksa"}, "the join fired before both branches arrived"
    complete(workflow, "periksa", {"keputusan": decision})
    return stored(specs, workflow, engine)


def run_loops(specs, engine, loops: int) -> tuple:
    workflow = runtime.start_workflow(specs, engine, {"opd_asal": "OPD-BAPPEDA"})
    sizes = []
    for loop in range(loops):
        workflow = one_loop(specs, workflow, engine, loop, "kembalikan")
        sizes.append((len(workflow.tasks), len(runtime.serialize(workflow))))
    return one_loop(specs, workflow, engine, loops, "setuju"), sizes


def test_revision_loops_keep_the_stored_state_small(revision_loop, engine):
    """After many revision loops, is the stored task tree no bigger than after the first one?"""
    _, sizes = run_loops(revision_loop.specs, engine, 12)
    assert len({tasks for tasks, _ in sizes}) == 1
    assert max(length for _, length in sizes) <= sizes[0][1] + 64


def test_growth_without_pruning_for_comparison(revision_loop, engine, unpruned):
    """Without pruning, does the task tree grow with every loop (what pruning prevents)?"""
    _, sizes = run_loops(revision_loop.specs, engine, 4)
    assert [tasks for tasks, _ in sizes] == sorted({tasks for tasks, _ in sizes})


@pytest.mark.parametrize("loops", [0, 1, 6])
def test_pruned_loops_end_like_unpruned_ones(revision_loop, engine, loops, monkeypatch):
    """Does a pruned workflow reach the same task, with the same data, as SpiffWorkflow's full tree?"""
    pruned, _ = run_loops(revision_loop.specs, engine, loops)
    monkeypatch.setattr(runtime, "prune_history", lambda workflow: None)
    full, _ = run_loops(revision_loop.specs, engine, loops)
    assert ready(pruned)["verifikasi"].data == ready(full)["verifikasi"].data
    assert ready(pruned)["verifikasi"].data["isi"] == loops
    assert runtime.waiting_timers(pruned) == [] or len(runtime.waiting_timers(pruned)) == 2
    complete(pruned, "verifikasi", {"hasil": "ok"})
    complete(full, "verifikasi", {"hasil": "ok"})
    assert runtime.is_completed(pruned) and runtime.is_completed(full)
    assert runtime.process_data(pruned) == runtime.process_data(full)


def test_finished_elements_are_still_reported_after_pruning(revision_loop, engine):
    """Are elements whose tasks were pruned still listed as completed (for the diagram), once each?"""
    workflow, _ = run_loops(revision_loop.specs, engine, 3)
    steps = runtime.completed_steps(workflow)
    assert {step.bpmn_id for step in steps} == FIRST_PASS
    assert len(workflow.tasks) < 30
    start = next(step for step in steps if step.bpmn_id == "start")
    assert start.name == "Mulai" and start.lane == "ASN"
    assert [step.finished_at for step in steps] == sorted(step.finished_at for step in steps)


def test_parallel_join_waits_for_both_branches_after_pruning(revision_loop, engine):
    """With one branch done and the tree pruned, does the join wait for the other, then merge both?"""
    workflow = runtime.start_workflow(revision_loop.specs, engine)
    for loop in range(2):
        workflow = one_loop(revision_loop.specs, workflow, engine, loop, "kembalikan")
    complete(workflow, "isi_usulan", {"isi": "terakhir"})
    complete(workflow, "cek", {"berkas_lengkap": True})
    workflow = stored(revision_loop.specs, workflow, engine)
    assert set(ready(workflow)) == {"periksa"}
    complete(workflow, "periksa", {"keputusan": "setuju"})
    data = ready(stored(revision_loop.specs, workflow, engine))["verifikasi"].data
    assert (data["berkas_lengkap"], data["keputusan"], data["isi"]) == (True, "setuju", "terakhir")


def test_non_interrupting_timer_fires_after_pruning(revision_loop, engine, operators, frozen):
    """After pruned loops, does the 1-day reminder fire its branch and leave verification open?"""
    workflow, _ = run_loops(revision_loop.specs, engine, 3)
    reminder = next(t for t in runtime.waiting_timers(workflow) if t.bpmn_id == "pengingat")
    assert (reminder.attached_to, reminder.interrupting, reminder.due) == ("verifikasi", False,
                                                                         NOW_UTC + timedelta(days=1))
    frozen.move_to(reminder.due + timedelta(minutes=1), tick=False)
    runtime.fire_due_timers(workflow)
    workflow = stored(revision_loop.specs, workflow, engine)
    assert operators.calls == [("notify", {"pesan": "Usulan menunggu verifikasi"})]
    assert set(ready(workflow)) == {"verifikasi"}
    assert [t.bpmn_id for t in runtime.waiting_timers(workflow)] == ["tenggat"]
    complete(workflow, "verifikasi", {"hasil": "ok"})
    assert runtime.is_completed(workflow)
    assert {"end_pengingat", "end_selesai", "kirim_pengingat"} <= {s.bpmn_id for s in runtime.completed_steps(workflow)}


def test_interrupting_timer_fires_after_pruning(revision_loop, engine, frozen):
    """After pruned loops, does the 3-working-day deadline cancel verification and end the process?"""
    workflow, _ = run_loops(revision_loop.specs, engine, 3)
    deadline = next(t for t in runtime.waiting_timers(workflow) if t.bpmn_id == "tenggat")
    assert (deadline.interrupting, deadline.due) == (True, NOW_UTC + timedelta(days=5))
    frozen.move_to(deadline.due + timedelta(seconds=1), tick=False)
    runtime.fire_due_timers(workflow)
    workflow = stored(revision_loop.specs, workflow, engine)
    assert runtime.ready_user_tasks(workflow) == [] and runtime.waiting_timers(workflow) == []
    assert runtime.is_completed(workflow)
    finished = {s.bpmn_id for s in runtime.completed_steps(workflow)}
    assert "end_kedaluwarsa" in finished and "end_selesai" not in finished


def test_pruning_before_a_boundary_timer_keeps_it_waiting(approval, engine, frozen):
    """When the first task's history is pruned, is the next task's deadline still listed and still firing?"""
    workflow = runtime.start_workflow(approval.specs, engine)
    complete(workflow, "isi_usulan", {"kategori": "pendidikan"})
    workflow = stored(approval.specs, workflow, engine)
    assert "isi_usulan" not in {task.task_spec.name for task in workflow.tasks.values()}
    [timer] = runtime.waiting_timers(workflow)
    assert ready(workflow)["periksa"].due == timer.due
    frozen.move_to(timer.due + timedelta(seconds=1), tick=False)
    runtime.fire_due_timers(workflow)
    assert runtime.is_completed(workflow)
    assert {"start", "isi_usulan", "end_kedaluwarsa"} <= {s.bpmn_id for s in runtime.completed_steps(workflow)}


def test_a_finished_workflow_is_left_as_it_is(approval, engine):
    """Is nothing pruned once no task is left unfinished (the final data stays readable)?"""
    workflow = runtime.start_workflow(approval.specs, engine)
    complete(workflow, "isi_usulan", {})
    complete(workflow, "periksa", {"keputusan": "tolak"})
    before = set(workflow.tasks)
    runtime.prune_history(workflow)
    assert set(workflow.tasks) == before and runtime.is_completed(workflow)
    assert runtime.process_data(workflow)["keputusan"] == "tolak"


def test_timer_outcomes_survive_pruning(approval, engine, frozen):
    """When a step cancels a deadline and prunes it, is its outcome still known; and a fired timer's too?"""
    workflow = runtime.start_workflow(approval.specs, engine)
    complete(workflow, "isi_usulan", {"kategori": "pendidikan", "perubahan": []})
    [deadline] = runtime.waiting_timers(workflow)
    complete(workflow, "periksa", {"keputusan": "setuju"})
    assert UUID(deadline.task_id) not in workflow.tasks, "the cancelled deadline should have been pruned"
    assert runtime.timer_outcomes(workflow, [deadline.task_id]) == {deadline.task_id: "cancelled"}

    [reminder] = runtime.waiting_timers(workflow)
    frozen.move_to(reminder.due + timedelta(minutes=1), tick=False)
    runtime.fire_due_timers(workflow)
    assert runtime.timer_outcomes(workflow, [reminder.task_id, "bukan-uuid"]) == {
        reminder.task_id: "fired", "bukan-uuid": "cancelled"}
