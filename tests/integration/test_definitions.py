"""Publishing process definitions from workflows/ and forms/: idempotence, new versions,
version pinning of running instances, and refusal of hostile diagrams."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

import app as app_package
from app.models import AuditEvent, HumanTask, ProcessVersion
from app.services import definitions, operators
from app.services.audit import SYSTEM
from app.services.errors import ValidationError
from tests.integration.test_processes import (
    BPMN,
    DATA,
    FORMS,
    KEY,
    act,
    inbox_of,
    publish,
    start,
)

PROJECT = Path(app_package.__file__).resolve().parent.parent


def _versions(session) -> list[int]:
    stmt = select(ProcessVersion.version).where(ProcessVersion.process_key == KEY).order_by(ProcessVersion.version)
    return list(session.scalars(stmt))


def test_loading_twice_publishes_once(dbs, tmp_path):
    """Does loading the same files again store nothing new and write no second audit event?"""
    first = publish(dbs, tmp_path)
    assert first.version == 1 and first.checksum and set(first.forms) == {
        "uji_periksa.schema.json", "uji_periksa.uischema.json", "uji_perbaikan.schema.json",
        "uji_verifikasi.schema.json"}
    assert publish(dbs, tmp_path) is None
    assert _versions(dbs) == [1]
    published = dbs.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "process.published", AuditEvent.object_id == str(first.id)))
    assert published == 1
    assert definitions.specs_for(first).process.name == KEY


def test_changed_form_publishes_a_new_version(dbs, tmp_path):
    """Does a change in a pinned form alone (same XML) give version 2 with the new form?"""
    publish(dbs, tmp_path)
    forms = tmp_path / "forms"
    shutil.copytree(FORMS, forms)
    schema = json.loads((forms / "uji_verifikasi.schema.json").read_text())
    schema["properties"]["catatan"]["maxLength"] = 100
    (forms / "uji_verifikasi.schema.json").write_text(json.dumps(schema))
    second = publish(dbs, tmp_path, forms=forms)
    assert second.version == 2 and second.forms["uji_verifikasi.schema.json"] == schema
    assert _versions(dbs) == [1, 2]


def test_running_instance_stays_on_its_version(dbs, world, tmp_path):
    """Does a request started on v1 finish on v1 after v2 is published, while a new one starts on v2?"""
    v1 = publish(dbs, tmp_path)
    old = start(dbs, world)
    changed = BPMN.read_bytes().replace(b'name="Periksa usulan"', b'name="Periksa usulan (v2)"')
    v2 = publish(dbs, tmp_path, xml=changed)
    assert (v1.version, v2.version) == (1, 2)
    new = start(dbs, world)
    assert (old.version_id, new.version_id) == (v1.id, v2.id)
    names = {t.instance_id: t.task_name for t in inbox_of(dbs, world, "validator.dinkes")}
    assert names == {old.id: "Periksa usulan", new.id: "Periksa usulan (v2)"}
    act(dbs, world, "validator.dinkes", old, {"keputusan": "setuju"})
    done = act(dbs, world, "bkpsdm", old, {})
    assert done.status == "completed" and done.version_id == v1.id


@pytest.mark.parametrize("hostile, named", [
    ("script_task.bpmn", 'Script task "Hitung tunjangan" (id hitung_tunjangan)'),
    ("xxe.bpmn", "DOCTYPE"),
    ("billion_laughs.bpmn", "ENTITY"),
])
def test_hostile_diagram_is_refused_and_nothing_stored(dbs, tmp_path, hostile, named):
    """Is a hostile file among good ones refused with the element named, and is nothing published?"""
    folder = tmp_path / "workflows"
    folder.mkdir()
    shutil.copy(BPMN, folder)
    shutil.copy(DATA / "bpmn" / hostile, folder)
    with pytest.raises(ValidationError) as refused:
        definitions.load_shipped(dbs, folder, FORMS, operators.operator_names(), SYSTEM)
    assert hostile in refused.value.message and named in refused.value.message
    assert dbs.scalar(select(func.count()).select_from(ProcessVersion)) == 0
    assert dbs.scalar(select(func.count()).select_from(HumanTask)) == 0


def test_unknown_operator_is_refused(dbs, tmp_path):
    """Is a service task calling an operator that is not registered refused at publication?"""
    folder = tmp_path / "workflows"
    folder.mkdir()
    (folder / BPMN.name).write_bytes(BPMN.read_bytes().replace(b'id="issue_decree_number"', b'id="cetak_sk"'))
    with pytest.raises(ValidationError, match="operator 'cetak_sk' tidak terdaftar"):
        definitions.load_shipped(dbs, folder, FORMS, operators.operator_names(), SYSTEM)
    assert _versions(dbs) == []


def test_shipped_folders_load(dbs):
    """Do the project's own workflows/ and forms/ load (an empty workflows/ publishes nothing)?"""
    result = definitions.load_shipped(dbs, PROJECT / "workflows", PROJECT / "forms",
                                      operators.operator_names(), SYSTEM)
    assert all(version is None or version.version >= 1 for version in result.values())


def test_loading_specs_leaves_the_stored_spec_json(dbs, tmp_path):
    """Does turning a version's spec into SpiffWorkflow objects leave its stored JSON unchanged?"""
    import json
    from pathlib import Path

    from app.services import definitions, operators
    from app.services.audit import SYSTEM
    root = Path(__file__).resolve().parents[2]
    definitions.load_shipped(dbs, root / "workflows", root / "forms", operators.operator_names(), SYSTEM)
    version = definitions.require_latest(dbs, "usul_perubahan_data")
    before = json.dumps(version.spec, sort_keys=True)
    definitions.specs_for(version)
    assert json.dumps(version.spec, sort_keys=True) == before
