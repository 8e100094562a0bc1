"""Running diagrams through the wrapper: one test per BPMN element the processes use."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from app.engine import runtime
from app.engine.errors import ProcessStepError, TaskNotFoundError, TaskNotReadyError
from app.engine.loading import ProcessSpecs
from app.engine.script_engine import SafeScriptEngine
from tests.unit.engine.helpers import FRIDAY_10_WIB, approval_variant, load, read_bpmn

NOW_UTC = FRIDAY_10_WIB.astimezone(UTC)


def only_ready(workflow) -> runtime.UserTaskView:
    [task] = runtime.ready_user_tasks(workflow)
    return task


def step(workflow, bpmn_id: str, data: dict | None = None) -> None:
    task = only_ready(workflow)
    assert task.bpmn_id == bpmn_id
    runtime.complete_user_task(workflow, task.task_id, data or {})


def finished(workflow) -> list[str]:
    return [s.bpmn_id for s in runtime.completed_steps(workflow)]


def to_verification(workflow) -> None:
    step(workflow, "isi_usulan", {"kategori": "pendidikan", "perubahan": ["ijazah S2"]})
    step(workflow, "periksa", {"keputusan": "setuju"})


def test_start_and_end_events(approval, engine):
    """Does a started process run its start event, and after its last task reach an end event and complete?"""
    workflow = runtime.start_workflow(approval.specs, engine, {"opd_asal": "OPD-BAPPEDA"})
    assert finished(workflow) == ["start"]
    assert not runtime.is_completed(workflow)
    step(workflow, "isi_usulan")
    step(workflow, "periksa", {"keputusan": "tolak"})
    assert runtime.is_completed(workflow)
    assert finished(workflow)[-1] == "end_ditolak"


def test_user_task_carries_its_form_lane_and_data(approval, engine):
    """Is a READY user task handed out with its lane, its form files, its properties and a copy of its data?"""
    workflow = runtime.start_workflow(approval.specs, engine, {"opd_asal": "OPD-BAPPEDA"})
    task = only_ready(workflow)
    assert (task.bpmn_id, task.name, task.lane) == ("isi_usulan", "Isi usulan", "ASN")
    assert (task.form_schema, task.form_ui_schema) == ("usul.schema.json", "usul.uischema.json")
    assert task.data == {"opd_asal": "OPD-BAPPEDA"}
    task.data["opd_asal"] = "diubah"
    assert only_ready(workflow).data == {"opd_asal": "OPD-BAPPEDA"}
    runtime.complete_user_task(workflow, task.task_id, {"kategori": "pendidikan"})
    validator_task = only_ready(workflow)
    assert (validator_task.lane, validator_task.form_schema) == ("Validator OPD", "periksa.schema.json")
    assert validator_task.data["kategori"] == "pendidikan"


def test_submitted_lists_replace_old_ones(approval, engine):
    """Does a resubmitted repeated group replace the old list, so a removed row stays removed?"""
    workflow = runtime.start_workflow(approval.specs, engine, {"anak": [{"nama": "Ani"}, {"nama": "Budi"}]})
    step(workflow, "isi_usulan", {"anak": [{"nama": "Ani"}]})
    assert only_ready(workflow).data["anak"] == [{"nama": "Ani"}]


@pytest.mark.parametrize(("decision", "next_step"), [("setuju", "verifikasi"), ("tolak", None)])
def test_exclusive_gateway_takes_the_branch_whose_condition_holds(approval, engine, decision, next_step):
    """Does the validator's decision route to BKPSDM verification when approved and end the process when rejected?"""
    workflow = runtime.start_workflow(approval.specs, engine)
    step(workflow, "isi_usulan")
    step(workflow, "periksa", {"keputusan": decision})
    if next_step is None:
        assert runtime.is_completed(workflow) and "end_ditolak" in finished(workflow)
    else:
        assert only_ready(workflow).bpmn_id == next_step and "keputusan" in finished(workflow)


def test_gateway_condition_on_missing_data_stops_with_a_clear_error(approval, engine):
    """Does a condition over a variable nobody filled in stop the step with a message naming the variable?"""
    workflow = runtime.start_workflow(approval.specs, engine)
    step(workflow, "isi_usulan")
    with pytest.raises(ProcessStepError, match="Variabel 'keputusan' tidak dikenal"):
        step(workflow, "periksa", {})


def test_service_task_dispatches_to_the_registered_operator(approval, engine, operators):
    """Does a service task call its registry operator with evaluated parameters, and keep what it writes and returns?"""
    workflow = runtime.start_workflow(approval.specs, engine)
    to_verification(workflow)
    step(workflow, "verifikasi")
    assert operators.calls == [("apply_change_request", {"kategori": "pendidikan", "jumlah": 1})]
    data = runtime.process_data(workflow)
    assert data["perubahan_diterapkan"] is True
    assert data["hasil_terapkan"] == {"riwayat_id": 42}
    assert runtime.is_completed(workflow) and finished(workflow)[-2:] == ["terapkan", "end_selesai"]


def test_operator_missing_at_run_time_stops_the_step(approval):
    """If an operator disappeared from the registry after publishing, does the step stop with a clear message?"""
    workflow = runtime.start_workflow(approval.specs, SafeScriptEngine(operators={}))
    to_verification(workflow)
    with pytest.raises(ProcessStepError, match="Terapkan perubahan.*Operator 'apply_change_request' tidak terdaftar"):
        step(workflow, "verifikasi")


def test_an_operators_own_error_reaches_the_caller(approval):
    """Does a domain error raised by an operator reach the service layer as itself, not wrapped?"""
    class Bentrok(Exception):
        pass

    def apply_change_request(params, data):
        raise Bentrok("riwayat sudah berubah")

    workflow = runtime.start_workflow(approval.specs, SafeScriptEngine({"apply_change_request": apply_change_request}))
    to_verification(workflow)
    with pytest.raises(Bentrok, match="riwayat sudah berubah"):
        step(workflow, "verifikasi")


def test_interrupting_boundary_timer_is_listed_with_its_due_time_and_cancels_the_task(approval, engine, frozen):
    """Is the 3-working-day deadline on the validator's task listed with its due time, and does it end the process when due?"""
    workflow = runtime.start_workflow(approval.specs, engine)
    step(workflow, "isi_usulan")
    due = NOW_UTC + timedelta(days=5)  # Friday + 3 working days = Wednesday, same time
    [timer] = runtime.waiting_timers(workflow)
    assert timer == runtime.TimerView(timer.task_id, "tenggat_periksa", "Tenggat 3 hari kerja", "duration", due,
                                      attached_to="periksa", interrupting=True)
    assert only_ready(workflow).due == due
    frozen.move_to(due - timedelta(seconds=1), tick=False)
    runtime.fire_due_timers(workflow)
    assert only_ready(workflow).bpmn_id == "periksa"
    frozen.move_to(due + timedelta(seconds=1), tick=False)
    runtime.fire_due_timers(workflow)
    assert runtime.ready_user_tasks(workflow) == [] and runtime.waiting_timers(workflow) == []
    assert runtime.is_completed(workflow) and finished(workflow)[-1] == "end_kedaluwarsa"


def test_non_interrupting_boundary_timer_fires_and_leaves_the_task_open(approval, engine, operators, frozen):
    """Does the 1-day reminder on BKPSDM's task fire its own branch while the task stays READY?"""
    workflow = runtime.start_workflow(approval.specs, engine)
    to_verification(workflow)
    [timer] = runtime.waiting_timers(workflow)
    assert (timer.bpmn_id, timer.attached_to, timer.interrupting) == ("pengingat", "verifikasi", False)
    assert timer.due == NOW_UTC + timedelta(days=1)
    frozen.move_to(timer.due + timedelta(minutes=1), tick=False)
    runtime.fire_due_timers(workflow)
    assert operators.calls == [("notify", {"pesan": "Usulan menunggu verifikasi"})]
    assert only_ready(workflow).bpmn_id == "verifikasi"
    assert "end_pengingat" in finished(workflow) and not runtime.is_completed(workflow)


def test_date_timer_takes_its_due_time_from_process_data(engine, frozen):
    """Does a timeDate timer whose expression names a process variable list that date as its due time?"""
    xml = approval_variant("<bpmn:timeDuration>hari(1)</bpmn:timeDuration>", "<bpmn:timeDate>batas_verifikasi</bpmn:timeDate>")
    workflow = runtime.start_workflow(load(xml).specs, engine, {"batas_verifikasi": "2025-01-06T09:00:00+07:00"})
    to_verification(workflow)
    [timer] = runtime.waiting_timers(workflow)
    assert (timer.bpmn_id, timer.kind) == ("pengingat", "date")
    assert timer.due == datetime(2025, 1, 6, 2, 0, tzinfo=UTC)


def test_intermediate_timer_catch_waits_until_due(engine, frozen):
    """Does an intermediate timer hold the process, listed with its due time, until the clock passes it?"""
    definition = load(read_bpmn("intermediate_timer.bpmn"))
    workflow = runtime.start_workflow(definition.specs, engine)
    assert runtime.ready_user_tasks(workflow) == []
    [timer] = runtime.waiting_timers(workflow)
    assert (timer.bpmn_id, timer.kind, timer.attached_to, timer.interrupting) == ("tunggu", "duration", None, None)
    assert timer.due == NOW_UTC + timedelta(hours=2)
    frozen.move_to(timer.due + timedelta(seconds=1), tick=False)
    runtime.fire_due_timers(workflow)
    assert only_ready(workflow).bpmn_id == "tindak_lanjut"
    assert runtime.waiting_timers(workflow) == []


def test_serialize_round_trip_mid_process(approval, engine, operators, frozen):
    """Can a workflow stopped at the validator be stored as JSON (without its spec) and resumed to the same end?"""
    workflow = runtime.start_workflow(approval.specs, engine, {"opd_asal": "OPD-BAPPEDA"})
    step(workflow, "isi_usulan", {"kategori": "pendidikan", "perubahan": ["ijazah S2"], "tanggal": datetime(2025, 1, 2)})
    state = runtime.serialize(workflow)
    spec = runtime.serialize_spec(approval.specs)
    assert isinstance(state, str) and isinstance(spec, str)
    assert "spec" not in json.loads(state) and "subprocess_specs" not in json.loads(state)

    restored = runtime.deserialize(runtime.deserialize_spec(spec), state, engine)
    assert isinstance(restored.script_engine, SafeScriptEngine)
    assert runtime.ready_user_tasks(restored) == runtime.ready_user_tasks(workflow)
    assert runtime.waiting_timers(restored) == runtime.waiting_timers(workflow)
    assert only_ready(restored).data["tanggal"] == datetime(2025, 1, 2)
    step(restored, "periksa", {"keputusan": "setuju"})
    step(restored, "verifikasi")
    assert runtime.is_completed(restored)
    assert operators.calls == [("apply_change_request", {"kategori": "pendidikan", "jumlah": 1})]


def test_state_does_not_restore_without_matching_specs(approval, engine):
    """Is a stored state from another serializer version refused rather than misread?"""
    state = json.loads(runtime.serialize(runtime.start_workflow(approval.specs, engine)))
    state["serializer_version"] = "0.9"
    with pytest.raises(Exception, match="Versi status workflow '0.9' tidak didukung"):
        runtime.deserialize(approval.specs, state, engine)


def test_unknown_or_finished_task_cannot_be_completed(approval, engine):
    """Is completing a task id that does not exist, or a task already done, refused with a typed error?"""
    workflow = runtime.start_workflow(approval.specs, engine)
    task = only_ready(workflow)
    with pytest.raises(TaskNotFoundError):
        runtime.complete_user_task(workflow, "bukan-uuid", {})
    with pytest.raises(TaskNotFoundError):
        runtime.complete_user_task(workflow, "00000000-0000-0000-0000-000000000000", {})
    runtime.complete_user_task(workflow, task.task_id, {})
    with pytest.raises(TaskNotReadyError, match="status COMPLETED"):
        runtime.complete_user_task(workflow, task.task_id, {})


def test_a_script_that_slipped_past_loading_still_does_not_run(engine):
    """If a spec with a script task were built without our loader, would the engine still refuse to run it?"""
    parser = SpiffBpmnParser()
    parser.add_bpmn_str(read_bpmn("script_task.bpmn"))
    specs = ProcessSpecs(parser.get_spec("uji_skrip"))
    with pytest.raises(ProcessStepError, match="Hitung tunjangan.*Script tidak diizinkan"):
        runtime.start_workflow(specs, engine)
