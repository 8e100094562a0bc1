"""The heat map of a process version: instances passed and median time spent per task, from completed
instances only, with time moved by time_machine; the page, its JSON and its access."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from app.models import ProcessInstance, TaskHistory
from app.services import heatmap, instance_admin, timers
from app.services.errors import ForbiddenError, NotFoundError
from tests.timing import MONDAY_9_WIB, act, actor, publish, start, user, wib


@pytest.fixture()
def monday(time_machine):
    time_machine.move_to(MONDAY_9_WIB, tick=False)
    return time_machine


def by_task(heat) -> dict[str, tuple]:
    return {t.bpmn_id: (t.instances, t.passes, t.median_seconds, t.grade, t.median_label) for t in heat.tasks}


def test_counts_and_medians_from_completed_instances(dbs, world, tmp_path, monday, login_as):
    """With validators taking 1, 3 and 5 hours and one request escalated after 2 working days (then decided in
    an hour), is 'Periksa usulan' passed by 4 instances with a median of 4 hours and the BKPSDM decision by 1
    in 1 hour — the cancelled, the still-open and the escalated-but-undecided requests left out?"""
    version = publish(dbs, tmp_path, "uji_tenggat")
    quick, middle, slow, escalated, undecided, cancelled = (start(dbs, world) for _ in range(6))
    for hour, instance in ((10, quick), (12, middle), (14, slow)):
        monday.move_to(wib(2025, 1, 6, hour), tick=False)
        act(dbs, world, "validator.dinkes", instance, {"keputusan": "setuju"})
    owner = user(dbs, world, "pemilik.proses")
    instance_admin.cancel(dbs, owner, actor(owner), cancelled.id, "Usulan ganda")
    monday.move_to(wib(2025, 1, 8, 9, 5), tick=False)  # the escalation after 2 working days
    timers.fire_due_timers(dbs)
    monday.move_to(wib(2025, 1, 8, 10, 5), tick=False)
    act(dbs, world, "bkpsdm", escalated, {"keputusan": "setuju"})
    assert dbs.get(ProcessInstance, undecided.id).status == "waiting"

    heat = heatmap.heat_map(dbs, owner, "uji_tenggat", version.version)
    assert heat.completed == 4
    assert by_task(heat) == {"periksa": (4, 4, 4 * 3600.0, 5, "4 jam"),
                             "putuskan": (1, 1, 3600.0, 2, "1 jam")}
    assert [label for _, label in heat.legend()] == ["sampai 48 menit", "sampai 1 jam 36 menit",
                                                     "sampai 2 jam 24 menit", "sampai 3 jam 12 menit",
                                                     "sampai 4 jam"]

    client = login_as("pemilik.proses")
    data = client.get(f"/admin/instans/peta-panas/uji_tenggat/{version.version}/data").get_json()
    assert {t["id"]: (t["instances"], t["median"]) for t in data["tasks"]} == {
        "periksa": (4, "4 jam"), "putuskan": (1, "1 jam")}
    assert "<bpmn:userTask" in data["xml"]
    page = client.get(f"/admin/instans/peta-panas/uji_tenggat/{version.version}").get_data(as_text=True)
    assert 'data-element="periksa"' in page and "4 jam" in page and "Dihitung dari 4 instans selesai" in page


def test_loops_are_summed_per_instance_and_an_even_count_takes_the_middle_two(dbs, world, tmp_path):
    """Is the time of an instance that passed a task twice summed, and with an even number of instances is the
    median the mean of the two middle totals?"""
    version = publish(dbs, tmp_path, "uji_tenggat")
    ready = datetime(2025, 1, 6, 2)
    spent = {1: [600, 1200], 2: [3600], 3: [7200], 4: [36000]}  # per instance: each pass, in seconds
    for passes in spent.values():
        instance = ProcessInstance(version_id=version.id, process_key="uji_tenggat", status="completed",
                                   title="Uji", state={}, opd_ids=[])
        dbs.add(instance)
        dbs.flush()
        dbs.add_all(TaskHistory(instance_id=instance.id, version_id=version.id, task_id=f"t{n}", bpmn_id="periksa",
                                task_name="Periksa usulan", role="validator_opd", ready_at=ready,
                                ended_at=ready + timedelta(seconds=seconds), seconds=seconds)
                    for n, seconds in enumerate(passes))
    dbs.commit()
    heat = heatmap.heat_map(dbs, user(dbs, world, "admin"), "uji_tenggat", version.version)
    # totals 1800, 3600, 7200, 36000 -> median (3600 + 7200) / 2
    assert by_task(heat)["periksa"][:3] == (4, 5, 5400.0)


def test_heat_map_access_and_unknown_versions(dbs, world, tmp_path, login_as):
    """Is the heat map refused to BKPSDM (403), an unknown version 404, and an empty one shown as such?"""
    version = publish(dbs, tmp_path, "uji_tenggat")
    with pytest.raises(ForbiddenError):
        heatmap.heat_map(dbs, user(dbs, world, "bkpsdm"), "uji_tenggat", version.version)
    owner = user(dbs, world, "pemilik.proses")
    with pytest.raises(NotFoundError):
        heatmap.heat_map(dbs, owner, "uji_tenggat", version.version + 5)
    client = login_as("pemilik.proses")
    assert client.get("/admin/instans/peta-panas/tidak_ada/1").status_code == 404
    page = client.get(f"/admin/instans/peta-panas/uji_tenggat/{version.version}").get_data(as_text=True)
    assert 'data-testid="heat-empty"' in page


@pytest.mark.parametrize("seconds, label", [(0.4, "kurang dari 1 detik"), (30, "30 detik"), (59 * 60, "59 menit"), (3600, "1 jam"),
                                            (3 * 86400 + 4 * 3600, "3 hari 4 jam"), (2 * 86400, "2 hari")])
def test_duration_labels(seconds, label):
    """Are medians written the way office staff read them?"""
    assert heatmap.duration_label(seconds) == label
