"""Process 1, `usul_perubahan_data`, end to end on the shipped `workflows/` and `forms/`: an ASN
proposes with evidence, the OPD validator checks, BKPSDM decides, and the data changes once."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.engine.errors import DefinitionError
from app.engine.loading import load_definition
from app.forms import validate_submission
from app.models import ChangeLog, HumanTask, Notification, ProcessInstance
from app.services import definitions, operators, processes
from app.services.audit import SYSTEM
from app.services.change_requests import KINDS, current_values, form_for
from app.services.documents import store_upload
from app.services.errors import ValidationError
from app.services.reference import reference_choices
from tests.samples import act, actor, additions, subject, tasks_of, user

ROOT = Path(__file__).resolve().parents[2]
KEY = "usul_perubahan_data"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"
APPROVED = "Usulan disetujui, data telah diperbarui"




# --- helpers ------------------------------------------------------------------------------

@pytest.fixture()
def shipped(dbs):
    """The real workflows/ and forms/, published as they ship."""
    definitions.load_shipped(dbs, ROOT / "workflows", ROOT / "forms", operators.operator_names(), SYSTEM)
    return definitions.require_latest(dbs, KEY)


@pytest.fixture()
def evidence(dbs, world, tmp_path):
    def _upload() -> dict:
        document = store_upload(dbs, tmp_path, PDF, "bukti.pdf", world["users"]["asn.dinkes"])
        return {"document_id": document.id}
    return _upload


def flat(data: dict) -> dict:
    """What the ASN's form posts: the proposed fields plus bukti and alasan."""
    return {**data["usulan"], "bukti": data["bukti"], "alasan": data["alasan"]}


def check_form(session, version, form_id: str, posted: dict) -> dict:
    schema = version.forms[f"{form_id}.schema.json"]
    ui = version.forms.get(f"{form_id}.uischema.json")
    return validate_submission(schema, posted, ui, lambda table: reference_choices(session, table))


def propose(session, world, version, kind: str, usulan: dict, bukti: dict, *, operasi: str = "tambah",
            record_id: int | None = None, alasan: str = "Sesuai SK terlampir", form_id: str | None = None):
    """Start the process as asn.dinkes, the way the web layer does after validating the kind's form."""
    asn = user(session, world, "asn.dinkes")
    form_id = form_id or form_for(kind, subject(session, world), operasi)
    data = {"jenis": kind, "operasi": operasi, "record_id": record_id, "usulan": usulan, "bukti": bukti,
            "alasan": alasan, "form_id": form_id, "dimulai_oleh": "asn"}
    assert check_form(session, version, form_id, flat(data)) == {}, "test proposal must satisfy its form"
    return processes.start(session, asn, actor(asn), KEY, subject_employee_id=world["employees"]["dinkes"],
                           data=data)


def approve(session, world, instance) -> ProcessInstance:
    act(session, world, "validator.dinkes", instance, {"keputusan": "setuju"})
    return act(session, world, "bkpsdm", instance, {"keputusan": "setuju", "catatan": "Sesuai"})


def titles(session, world, username: str = "asn.dinkes") -> list[str]:
    stmt = select(Notification.title).where(Notification.user_id == world["users"][username]).order_by(Notification.id)
    return list(session.scalars(stmt))


def logs(session, instance: ProcessInstance) -> list[ChangeLog]:
    stmt = select(ChangeLog).where(ChangeLog.request_ref == f"usul-{instance.id}").order_by(ChangeLog.id)
    return list(session.scalars(stmt))


def open_tasks(session, instance) -> int:
    return session.scalar(select(func.count()).select_from(HumanTask).where(HumanTask.instance_id == instance.id))


# --- the ten kinds and the data utama -----------------------------------------------------

@pytest.mark.parametrize("kind", sorted(KINDS))
def test_each_kind_approved_end_to_end(dbs, world, shipped, evidence, kind):
    """Does an approved proposal of this kind pass validator and BKPSDM, write the data once with its
    evidence and the change log `usul-<id>`, complete the instance and tell the ASN?"""
    usulan = additions(world)[kind]
    operasi = "koreksi" if kind == "data_utama" else "tambah"
    if kind == "data_utama":  # the correction form starts from the current values
        usulan = {**current_values(dbs, subject(dbs, world), kind), **usulan}
    bukti = evidence()
    instance = propose(dbs, world, shipped, kind, usulan, bukti, operasi=operasi)
    assert [t.task_name for t in tasks_of(dbs, world, "validator.dinkes", instance)] == ["Periksa usulan"]
    assert tasks_of(dbs, world, "bkpsdm", instance) == []
    act(dbs, world, "validator.dinkes", instance, {"keputusan": "setuju"})
    assert [t.task_name for t in tasks_of(dbs, world, "bkpsdm", instance)] == ["Verifikasi BKPSDM"]
    assert logs(dbs, instance) == []  # nothing written before BKPSDM decides
    done = act(dbs, world, "bkpsdm", instance, {"keputusan": "setuju"})
    assert done.status == "completed" and done.completed_at is not None and open_tasks(dbs, done) == 0
    written = logs(dbs, done)
    if kind == "data_utama":
        employee = subject(dbs, world)
        assert (employee.nomor_hp, employee.alamat) == (usulan["nomor_hp"], usulan["alamat"])
        assert any(log.entity == "employees" and log.operation == "update" for log in written)
    else:
        (created,) = [log for log in written if log.entity == kind and log.operation == "create"]
        record = dbs.get(KINDS[kind].model, created.entity_id)
        assert record.employee_id == world["employees"]["dinkes"] and record.deleted_at is None
        assert record.dokumen_id == str(bukti["document_id"])
        assert created.reason == "Sesuai SK terlampir"
    assert titles(dbs, world) == ["Usulan diteruskan ke BKPSDM", APPROVED]


# --- the revision loop ----------------------------------------------------------------------

def test_return_loop_stores_the_corrected_value(dbs, world, shipped, evidence):
    """Does 'kembalikan' reach the ASN with the same kind's form (validated against it), may the loop
    repeat, and is the corrected value the one that is finally stored?"""
    proposal = additions(world)["riwayat_golongan"]
    instance = propose(dbs, world, shipped, "riwayat_golongan", proposal, evidence())
    act(dbs, world, "validator.dinkes", instance, {"keputusan": "kembalikan", "catatan": "Nomor SK salah"})
    (fix,) = tasks_of(dbs, world, "asn.dinkes", instance)
    assert (fix.task_name, fix.role, fix.form_id) == ("Perbaiki usulan", "asn", "usul_riwayat_golongan.schema.json")
    assert tasks_of(dbs, world, "asn.dindik", instance) == [] and tasks_of(dbs, world, "validator.dinkes", instance) == []
    assert titles(dbs, world)[-1] == "Usulan dikembalikan untuk perbaikan"

    asn = user(dbs, world, "asn.dinkes")
    bad = {**proposal, "sk_nomor": "", "bukti": evidence()}  # no alasan, empty SK number
    with pytest.raises(ValidationError) as refused:
        processes.complete_task(dbs, asn, actor(asn), fix.id, bad)
    assert {"alasan", "sk_nomor"} <= set(refused.value.fields)

    first_fix = {**proposal, "sk_nomor": "800/Kep.99-BKPSDM/2030", "bukti": evidence(), "alasan": "SK diperbaiki"}
    act(dbs, world, "asn.dinkes", instance, first_fix)
    act(dbs, world, "validator.dinkes", instance, {"keputusan": "kembalikan", "catatan": "Masa kerja 5 tahun"})
    second_bukti = evidence()
    act(dbs, world, "asn.dinkes", instance, {**first_fix, "masa_kerja_tahun": 5, "bukti": second_bukti,
                                             "alasan": "Masa kerja diperbaiki"})
    done = approve(dbs, world, instance)
    assert done.status == "completed"
    (created,) = [log for log in logs(dbs, done) if log.entity == "riwayat_golongan" and log.operation == "create"]
    record = dbs.get(KINDS["riwayat_golongan"].model, created.entity_id)
    assert (record.sk_nomor, record.masa_kerja_tahun) == ("800/Kep.99-BKPSDM/2030", 5)
    assert record.dokumen_id == str(second_bukti["document_id"]) and created.reason == "Masa kerja diperbaiki"
    steps = [(e.step, e.action) for e in processes.timeline(dbs, instance.id)]
    assert steps == [("Usulan dibuat", "mulai"), ("Periksa usulan", "kembalikan"), ("Perbaiki usulan", "selesai"),
                     ("Periksa usulan", "kembalikan"), ("Perbaiki usulan", "selesai"),
                     ("Periksa usulan", "setuju"), ("Verifikasi BKPSDM", "setuju")]


def test_bkpsdm_return_goes_back_to_the_validator(dbs, world, shipped, evidence):
    """Does BKPSDM's 'kembalikan' put the request back in the validator's inbox with BKPSDM's note?"""
    instance = propose(dbs, world, shipped, "riwayat_anak", additions(world)["riwayat_anak"], evidence())
    act(dbs, world, "validator.dinkes", instance, {"keputusan": "setuju"})
    act(dbs, world, "bkpsdm", instance, {"keputusan": "kembalikan", "catatan": "Akta kelahiran buram"})
    assert tasks_of(dbs, world, "bkpsdm", instance) == [] and tasks_of(dbs, world, "asn.dinkes", instance) == []
    (again,) = tasks_of(dbs, world, "validator.dinkes", instance)
    assert again.task_name == "Periksa usulan" and logs(dbs, instance) == []
    assert processes.timeline(dbs, instance.id)[-1].note == "Akta kelahiran buram"
    note = dbs.scalars(select(Notification).where(Notification.user_id == world["users"]["asn.dinkes"])
                       .order_by(Notification.id.desc())).first()
    assert (note.title, note.body) == ("Usulan dikembalikan BKPSDM ke validator OPD", "Akta kelahiran buram")
    done = approve(dbs, world, instance)
    assert done.status == "completed" and any(log.entity == "riwayat_anak" for log in logs(dbs, done))


@pytest.mark.parametrize("level", ["validator", "bkpsdm"])
def test_rejection_writes_nothing(dbs, world, shipped, evidence, level):
    """Does 'tolak' at either level need a note, end the request, tell the ASN why, and change no data?"""
    model = KINDS["riwayat_golongan"].model
    before = dbs.scalar(select(func.count()).select_from(model))
    instance = propose(dbs, world, shipped, "riwayat_golongan", additions(world)["riwayat_golongan"], evidence())
    if level == "bkpsdm":
        act(dbs, world, "validator.dinkes", instance, {"keputusan": "setuju"})
    username = "validator.dinkes" if level == "validator" else "bkpsdm"
    with pytest.raises(ValidationError) as refused:
        act(dbs, world, username, instance, {"keputusan": "tolak"})
    assert "catatan" in refused.value.fields
    done = act(dbs, world, username, instance, {"keputusan": "tolak", "catatan": "SK tidak sah"})
    assert done.status == "completed" and open_tasks(dbs, done) == 0
    assert logs(dbs, done) == [] and dbs.scalar(select(func.count()).select_from(model)) == before
    expected = "Usulan ditolak oleh validator OPD" if level == "validator" else "Usulan ditolak oleh BKPSDM"
    note = dbs.scalars(select(Notification).where(Notification.user_id == world["users"]["asn.dinkes"])
                       .order_by(Notification.id.desc())).first()
    assert (note.title, note.body) == (expected, "SK tidak sah") and APPROVED not in titles(dbs, world)


# --- correcting and deleting an existing record --------------------------------------------

def test_correction_and_deletion_of_a_golongan_record(dbs, world, shipped, evidence):
    """Can an existing golongan record be corrected (form prefilled from current values) and then
    deleted with a reason, each through the whole process and traced to its request?"""
    model = KINDS["riwayat_golongan"].model
    added = approve(dbs, world, propose(dbs, world, shipped, "riwayat_golongan",
                                        additions(world)["riwayat_golongan"], evidence()))
    (created,) = [log for log in logs(dbs, added) if log.entity == "riwayat_golongan" and log.operation == "create"]
    record_id = created.entity_id

    current = current_values(dbs, subject(dbs, world), "riwayat_golongan", record_id)
    corrected = {**current, "masa_kerja_tahun": 6, "sk_nomor": "800/Kep.13-BKPSDM/2030"}
    fixed = approve(dbs, world, propose(dbs, world, shipped, "riwayat_golongan", corrected, evidence(),
                                        operasi="koreksi", record_id=record_id, alasan="Salah ketik"))
    record = dbs.get(model, record_id)
    assert (record.masa_kerja_tahun, record.sk_nomor) == (6, "800/Kep.13-BKPSDM/2030")
    assert any(log.entity == "riwayat_golongan" and log.operation == "update" and log.entity_id == record_id
               for log in logs(dbs, fixed))

    removed = approve(dbs, world, propose(dbs, world, shipped, "riwayat_golongan", {}, evidence(),
                                          operasi="hapus", record_id=record_id, alasan="Data ganda"))
    dbs.refresh(record)
    assert record.deleted_at is not None and record.delete_reason == "Data ganda"
    assert any(log.operation == "delete" and log.entity_id == record_id for log in logs(dbs, removed))


def test_deletion_revision_uses_the_deletion_form(dbs, world, shipped, evidence):
    """Is a returned deletion revised with usul_hapus (bukti and alasan only), keeping the record id?"""
    added = approve(dbs, world, propose(dbs, world, shipped, "riwayat_golongan",
                                        additions(world)["riwayat_golongan"], evidence()))
    (created,) = [log for log in logs(dbs, added) if log.operation == "create" and log.entity == "riwayat_golongan"]
    instance = propose(dbs, world, shipped, "riwayat_golongan", {}, evidence(), operasi="hapus",
                       record_id=created.entity_id, alasan="Ganda")
    act(dbs, world, "validator.dinkes", instance, {"keputusan": "kembalikan", "catatan": "Alasan kurang jelas"})
    (fix,) = tasks_of(dbs, world, "asn.dinkes", instance)
    assert fix.form_id == "usul_hapus.schema.json"
    act(dbs, world, "asn.dinkes", instance, {"bukti": evidence(), "alasan": "Tercatat dua kali dengan SK sama"})
    approve(dbs, world, instance)
    record = dbs.get(KINDS["riwayat_golongan"].model, created.entity_id)
    assert record.delete_reason == "Tercatat dua kali dengan SK sama"


# --- the run-time form choice -----------------------------------------------------------------

def test_a_form_outside_the_allow_list_is_refused(dbs, world, shipped, evidence):
    """When the form variable names a form outside `formChoices` (a tampered start), is the return to
    the ASN refused with a message, leaving the request at the validator unchanged?"""
    assert "demo_contoh.schema.json" not in shipped.forms
    assert "usul_riwayat_golongan_pppk.schema.json" in shipped.forms and "usul_hapus.schema.json" in shipped.forms
    asn = user(dbs, world, "asn.dinkes")
    instance = processes.start(dbs, asn, actor(asn), KEY, subject_employee_id=world["employees"]["dinkes"],
                               data={"jenis": "riwayat_golongan", "operasi": "tambah", "form_id": "demo_contoh",
                                     "usulan": additions(world)["riwayat_golongan"], "bukti": evidence(),
                                     "alasan": "Sesuai SK", "dimulai_oleh": "asn"})
    before = (dict(instance.state), instance.lock_version)
    with pytest.raises(ValidationError, match="tidak diizinkan"):
        act(dbs, world, "validator.dinkes", instance, {"keputusan": "kembalikan", "catatan": "Perbaiki"})
    dbs.refresh(instance)
    assert (instance.state, instance.lock_version) == before
    assert [t.task_name for t in tasks_of(dbs, world, "validator.dinkes", instance)] == ["Periksa usulan"]


WORKFLOW = (ROOT / "workflows" / "usul_perubahan_data.bpmn").read_text(encoding="utf-8")


def _load(xml: str):
    return load_definition(xml.encode(), operators=operators.operator_names(),
                           known_forms=definitions.known_forms(ROOT / "forms"))


def test_form_from_variable_needs_an_allow_list():
    """Is a user task with formFromVariable but no matching formChoices refused, naming the element,
    and one with neither a form file nor a form variable still refused?"""
    loaded = _load(WORKFLOW)
    assert "usul_hapus.uischema.json" in loaded.forms and "demo_contoh.schema.json" not in loaded.forms
    no_choices = WORKFLOW.replace('value="usul_riwayat_*, usul_data_utama, usul_hapus"', 'value="tidak_ada_*"')
    with pytest.raises(DefinitionError) as refused:
        _load(no_choices)
    assert any('"Perbaiki usulan" (id perbaiki)' in p and "formChoices" in p for p in refused.value.problems)
    neither = WORKFLOW.replace('name="formFromVariable"', 'name="bukanProperti"')
    with pytest.raises(DefinitionError) as refused:
        _load(neither)
    assert any('(id perbaiki): user task harus menyebut formulir' in p for p in refused.value.problems)
