"""engine.migration: which running workflows may move to another version's specs, and the move itself."""
from __future__ import annotations

from app.engine import migration, runtime
from app.engine.state import deserialize, serialize
from tests.unit.engine.helpers import load

FORM = ('<bpmn:extensionElements><spiffworkflow:properties><spiffworkflow:property '
        'name="formJsonSchemaFilename" value="periksa.schema.json" /></spiffworkflow:properties></bpmn:extensionElements>')


def parallel(b_task: str = "userTask", with_a: bool = True) -> bytes:
    """start → split → (a, b) → join → end; a is a user task (left out when with_a is False)."""
    a = (f'<bpmn:userTask id="a" name="Tugas A">{FORM}</bpmn:userTask>'
         '<bpmn:sequenceFlow id="f_a" sourceRef="split" targetRef="a" />'
         '<bpmn:sequenceFlow id="f_a_join" sourceRef="a" targetRef="join" />') if with_a else (
        '<bpmn:sequenceFlow id="f_a" sourceRef="split" targetRef="join" />')
    b = f'<bpmn:{b_task} id="b" name="Tugas B">{FORM if b_task == "userTask" else ""}</bpmn:{b_task}>'
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="D" targetNamespace="x">
  <bpmn:process id="paralel" name="Paralel" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:parallelGateway id="split" />
    {a}{b}
    <bpmn:parallelGateway id="join" />
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f_start" sourceRef="start" targetRef="split" />
    <bpmn:sequenceFlow id="f_b" sourceRef="split" targetRef="b" />
    <bpmn:sequenceFlow id="f_b_join" sourceRef="b" targetRef="join" />
    <bpmn:sequenceFlow id="f_end" sourceRef="join" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>""".encode()


def started(engine, xml: bytes):
    workflow = runtime.start_workflow(load(xml).specs, engine)
    return workflow, {task.bpmn_id: task.task_id for task in runtime.ready_user_tasks(workflow)}


def test_same_diagram_moves_without_notes(engine):
    """Can a workflow move to an identical diagram, with nothing to report?"""
    workflow, _ = started(engine, parallel())
    assert migration.plan(workflow, load(parallel()).specs) == migration.MigrationPlan((), ())


def test_a_waiting_task_that_changed_type_blocks(engine):
    """Is a user task the workflow waits in, turned into a manual task with the same id, a blocker?"""
    workflow, _ = started(engine, parallel())
    plan = migration.plan(workflow, load(parallel(b_task="manualTask")).specs)
    assert plan.blockers == ("Langkah yang sedang ditunggu 'Tugas B' (id b) berubah jenis di versi tujuan.",)


def test_a_removed_step_already_passed_blocks(engine):
    """When branch a is done and the join waits for b, does removing a (kept as the join's input) block?"""
    workflow, ready = started(engine, parallel())
    runtime.complete_user_task(workflow, ready["a"], {})
    plan = migration.plan(workflow, load(parallel(with_a=False)).specs)
    assert "Langkah 'Tugas A' (id a) yang sudah dilalui tidak ada di versi tujuan." in plan.blockers


def test_a_removed_step_not_reached_yet_does_not_block(engine):
    """Is a removed task that was only predicted (not started) no obstacle, and does the moved workflow
    finish on the new specs after a serialize round trip?"""
    xml = parallel().replace(b'<bpmn:endEvent id="end" />', b'<bpmn:manualTask id="m" /><bpmn:endEvent id="end" />')
    xml = xml.replace(b'<bpmn:sequenceFlow id="f_end" sourceRef="join" targetRef="end" />',
                      b'<bpmn:sequenceFlow id="f_end" sourceRef="join" targetRef="m" />'
                      b'<bpmn:sequenceFlow id="f_m" sourceRef="m" targetRef="end" />')
    workflow, ready = started(engine, xml)
    target = load(parallel()).specs
    assert migration.plan(workflow, target).migratable
    migration.migrate(workflow, target)
    restored = deserialize(target, serialize(workflow), engine)
    for task in runtime.ready_user_tasks(restored):
        runtime.complete_user_task(restored, task.task_id, {})
    assert runtime.is_completed(restored)
    assert {step.bpmn_id for step in runtime.completed_steps(restored)} >= {"a", "b", "join", "end"}
    assert set(ready) == {"a", "b"}
