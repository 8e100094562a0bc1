"""A request that goes round the revision loop many times: its stored state stays the size of one
pass, its diagram still shows every step it went through, and it still ends as it should."""
from __future__ import annotations

import json

from app.engine import runtime
from app.engine.script_engine import SafeScriptEngine
from app.models import ProcessInstance, ProcessVersion
from app.services import definitions, diagrams
from tests.integration.test_processes import act, approve_all, inbox_of, publish, start

RETURN = {"keputusan": "kembalikan", "catatan": "Lampirkan SK"}


def revision_loop(dbs, world, instance, loop: int) -> int:
    """Validator returns, ASN fixes; the stored state's size afterwards."""
    act(dbs, world, "validator.dinkes", instance, RETURN)
    act(dbs, world, "asn.dinkes", instance, {"keterangan": f"perbaikan {loop}"})
    return len(json.dumps(dbs.get(ProcessInstance, instance.id).state))


def test_many_revision_loops_keep_the_state_small_and_the_diagram_whole(dbs, world, tmp_path):
    """After eight loops, is the stored state no bigger than after one, with every visited step highlighted?"""
    publish(dbs, tmp_path)
    instance = start(dbs, world)
    sizes = [revision_loop(dbs, world, instance, loop) for loop in range(8)]
    assert max(sizes) - min(sizes) < 200, sizes
    state = diagrams.diagram_state(dbs, dbs.get(ProcessInstance, instance.id))
    assert {"start", "periksa", "perbaiki"} <= set(state["completed"])
    assert state["active"] == ["periksa"]
    (task,) = inbox_of(dbs, world, "validator.dinkes", instance)
    assert task.task_name == "Periksa usulan"


def test_a_pruned_request_still_completes_with_its_latest_data(dbs, world, tmp_path):
    """After several loops, does approval still run to the end with the last revision's data?"""
    publish(dbs, tmp_path)
    instance = start(dbs, world)
    for loop in range(4):
        revision_loop(dbs, world, instance, loop)
    done = approve_all(dbs, world, instance)
    assert done.status == "completed"
    version = dbs.get(ProcessVersion, done.version_id)
    workflow = runtime.deserialize(definitions.specs_for(version), done.state, SafeScriptEngine())
    assert runtime.process_data(workflow)["keterangan"] == "perbaikan 3"
    completed = diagrams.diagram_state(dbs, done)["completed"]
    assert {"start", "periksa", "perbaiki", "verifikasi", "end_selesai"} <= set(completed)
