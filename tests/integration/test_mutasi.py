"""Process 2, `mutasi_unit_kerja`, end to end on the shipped `workflows/` and `forms/`: the origin OPD
releases, the destination OPD accepts, BKPSDM drafts, Kepala BKPSDM approves, a decree number is
issued and the position history, the unit-transfer history and the employee's unit change together."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.models import (
    ChangeLog,
    HumanTask,
    Notification,
    OrgUnit,
    ProcessInstance,
    RiwayatJabatan,
    RiwayatPindahUnit,
)
from app.services import definitions, operators, processes, transfers
from app.services.audit import SYSTEM
from app.services.errors import ConflictError, ForbiddenError, NotFoundError, ValidationError
from tests.samples import act, actor, subject, tasks_of, user

ROOT = Path(__file__).resolve().parents[2]
KEY = "mutasi_unit_kerja"
ORIGIN, TARGET = "OPD-DINKES", "OPD-DINDIK"
DECREE = re.compile(r"^(\d{3})/MUTASI/BKPSDM/(\d{4})$")


# --- helpers ------------------------------------------------------------------------------

@pytest.fixture()
def shipped(dbs):
    """The real workflows/ and forms/, published as they ship."""
    definitions.load_shipped(dbs, ROOT / "workflows", ROOT / "forms", operators.operator_names(), SYSTEM)
    return definitions.require_latest(dbs, KEY)


def target_unit(session) -> str:
    """A unit under OPD-DINDIK other than the OPD root itself (the root when it has no children)."""
    unit = session.scalar(select(OrgUnit.id).where(OrgUnit.opd_id == TARGET, OrgUnit.parent_id.is_not(None))
                          .order_by(OrgUnit.id))
    return unit or TARGET


def proposal(session, **changes) -> dict:
    return {"opd_tujuan": TARGET, "unor_tujuan": target_unit(session), "jabatan_nama": "Analis Kepegawaian",
            "jenis_jabatan_id": "4", "tmt": "2031-01-02", "alasan": "Pemerataan tenaga administrasi",
            **changes}


def propose(session, world, username: str = "bkpsdm", **changes) -> ProcessInstance:
    u = user(session, world, username)
    return transfers.start_transfer(session, u, actor(u), world["employees"]["dinkes"], proposal(session, **changes))


def task_row(session, instance: ProcessInstance) -> HumanTask:
    (task,) = session.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id)).all()
    return task


def logs(session, instance: ProcessInstance) -> list[ChangeLog]:
    stmt = select(ChangeLog).where(ChangeLog.request_ref == f"mutasi-{instance.id}").order_by(ChangeLog.id)
    return list(session.scalars(stmt))


def titles(session, world, username: str) -> list[str]:
    stmt = select(Notification.title).where(Notification.user_id == world["users"][username]).order_by(Notification.id)
    return list(session.scalars(stmt))


def histories(session, employee_id: int) -> tuple[int, int]:
    jabatan = session.scalar(select(func.count()).select_from(RiwayatJabatan).where(
        RiwayatJabatan.employee_id == employee_id, RiwayatJabatan.jenis_riwayat == "pemindahan"))
    pindah = session.scalar(select(func.count()).select_from(RiwayatPindahUnit).where(
        RiwayatPindahUnit.employee_id == employee_id))
    return jabatan, pindah


def run_to_decision(session, world, instance: ProcessInstance) -> ProcessInstance:
    act(session, world, "validator.dinkes", instance, {"keputusan": "setuju"})
    act(session, world, "validator.dindik", instance, {"keputusan": "setuju"})
    act(session, world, "bkpsdm", instance, {"pertimbangan": "Kebutuhan pegawai di Dinas Pendidikan"})
    return act(session, world, "kepala", instance, {"keputusan": "setuju"})


# --- the journey ----------------------------------------------------------------------------

def test_full_transfer_journey(dbs, world, shipped):
    """Does a transfer started by BKPSDM pass the origin validator, then only the destination validator,
    then BKPSDM and Kepala BKPSDM, and does approval issue 001/MUTASI/BKPSDM/<year>, move the employee to
    the Dindik unit and write both histories under `mutasi-<id>`, telling the employee and both OPDs?"""
    unit = target_unit(dbs)
    before = subject(dbs, world)
    origin_unit = before.unor_id
    assert before.opd_id == ORIGIN
    instance = propose(dbs, world)
    assert set(instance.opd_ids) == {ORIGIN, TARGET}

    (release,) = tasks_of(dbs, world, "validator.dinkes", instance)
    assert (release.task_name, release.lane, release.role, release.scope_opd_id) == (
        "Lepas pegawai", "OPD asal", "validator_opd", ORIGIN)
    assert tasks_of(dbs, world, "validator.dindik", instance) == []
    assert tasks_of(dbs, world, "bkpsdm", instance) == []
    act(dbs, world, "validator.dinkes", instance, {"keputusan": "setuju", "catatan": "Dilepas"})

    accept = task_row(dbs, instance)
    assert (accept.task_name, accept.lane, accept.scope_opd_id) == ("Terima pegawai", "OPD tujuan", TARGET)
    assert tasks_of(dbs, world, "validator.dinkes", instance) == []
    origin_validator = user(dbs, world, "validator.dinkes")
    with pytest.raises(NotFoundError):
        processes.complete_task(dbs, origin_validator, actor(origin_validator), accept.id, {"keputusan": "setuju"})
    act(dbs, world, "validator.dindik", instance, {"keputusan": "setuju"})

    (draft,) = tasks_of(dbs, world, "bkpsdm", instance)
    assert (draft.task_name, draft.form_id) == ("Susun keputusan", "mutasi_susun.schema.json")
    bkpsdm = user(dbs, world, "bkpsdm")
    with pytest.raises(ValidationError) as refused:
        processes.complete_task(dbs, bkpsdm, actor(bkpsdm), draft.id, {"nomor_sk": "123/X"})
    assert "pertimbangan" in refused.value.fields  # the decree number is not the drafter's to write
    act(dbs, world, "bkpsdm", instance, {"pertimbangan": "Kebutuhan pegawai di Dinas Pendidikan"})
    assert logs(dbs, instance) == []  # nothing written before Kepala BKPSDM decides

    done = act(dbs, world, "kepala", instance, {"keputusan": "setuju"})
    assert done.status == "completed" and done.completed_at is not None
    assert dbs.scalar(select(func.count()).select_from(HumanTask).where(HumanTask.instance_id == done.id)) == 0
    employee = subject(dbs, world)
    dbs.refresh(employee)
    assert (employee.unor_id, employee.opd_id) == (unit, TARGET)
    assert (employee.jabatan_nama, employee.jenis_jabatan_id) == ("Analis Kepegawaian", "4")

    position = dbs.scalars(select(RiwayatJabatan).where(RiwayatJabatan.employee_id == employee.id,
                                                        RiwayatJabatan.jenis_riwayat == "pemindahan")).one()
    transfer = dbs.scalars(select(RiwayatPindahUnit).where(RiwayatPindahUnit.employee_id == employee.id)).one()
    match = DECREE.match(position.sk_nomor)
    assert match and match.group(1) == "001" and position.sk_nomor == transfer.sk_nomor
    assert (position.unor_id, position.tmt_jabatan.isoformat()) == (unit, "2031-01-02")
    assert (transfer.unor_asal_id, transfer.unor_baru_id, transfer.tmt_pindah.isoformat()) == (
        origin_unit, unit, "2031-01-02")
    written = logs(dbs, done)
    assert {(log.entity, log.operation) for log in written} >= {
        ("riwayat_jabatan", "create"), ("riwayat_pindah_unit", "create"), ("employees", "derive")}
    assert all(log.reason == "Pemerataan tenaga administrasi" for log in written)

    assert titles(dbs, world, "asn.dinkes") == ["Mutasi Anda telah ditetapkan"]
    assert "Mutasi pegawai telah ditetapkan" in titles(dbs, world, "validator.dinkes")
    assert "Mutasi pegawai telah ditetapkan" in titles(dbs, world, "validator.dindik")


# --- refusals -------------------------------------------------------------------------------

@pytest.mark.parametrize("refuser, step, note", [
    ("validator.dinkes", "Mutasi ditolak oleh OPD asal", "Pegawai masih dibutuhkan"),
    ("validator.dindik", "Mutasi ditolak oleh OPD tujuan", "Formasi sudah penuh"),
])
def test_refusal_by_either_opd_ends_with_nothing_written(dbs, world, shipped, refuser, step, note):
    """Does a refusal by the origin or the destination OPD need a reason, end the instance, tell the
    proposer the reason, and leave the employee, the histories and the decree counter untouched?"""
    before = subject(dbs, world)
    unit, opd = before.unor_id, before.opd_id
    instance = propose(dbs, world)
    if refuser == "validator.dindik":
        act(dbs, world, "validator.dinkes", instance, {"keputusan": "setuju"})
    (task,) = tasks_of(dbs, world, refuser, instance)
    u = user(dbs, world, refuser)
    with pytest.raises(ValidationError) as refused:
        processes.complete_task(dbs, u, actor(u), task.id, {"keputusan": "tolak"})
    assert "catatan" in refused.value.fields
    done = act(dbs, world, refuser, instance, {"keputusan": "tolak", "catatan": note})
    assert done.status == "completed"
    assert tasks_of(dbs, world, "bkpsdm", done) == [] and tasks_of(dbs, world, "kepala", done) == []
    employee = subject(dbs, world)
    assert (employee.unor_id, employee.opd_id) == (unit, opd)
    assert histories(dbs, employee.id) == (0, 0) and logs(dbs, done) == []
    bkpsdm_id = world["users"]["bkpsdm"]
    (notice,) = dbs.scalars(select(Notification).where(Notification.user_id == bkpsdm_id)).all()
    assert (notice.title, notice.body) == (step, note)
    # the counter was never touched: the next approved transfer is still number 001
    again = run_to_decision(dbs, world, propose(dbs, world))
    assert again.status == "completed"
    (position,) = dbs.scalars(select(RiwayatJabatan).where(RiwayatJabatan.employee_id == employee.id,
                                                           RiwayatJabatan.jenis_riwayat == "pemindahan")).all()
    assert position.sk_nomor.startswith("001/MUTASI/")


def test_kepala_returns_the_draft_then_refuses(dbs, world, shipped):
    """Does 'kembalikan' bring the draft back to BKPSDM with the note, and does a later refusal by
    Kepala BKPSDM end the transfer without a decree or any data change?"""
    instance = propose(dbs, world)
    act(dbs, world, "validator.dinkes", instance, {"keputusan": "setuju"})
    act(dbs, world, "validator.dindik", instance, {"keputusan": "setuju"})
    act(dbs, world, "bkpsdm", instance, {"pertimbangan": "Konsep pertama"})
    act(dbs, world, "kepala", instance, {"keputusan": "kembalikan", "catatan": "Lengkapi dasar hukum"})
    assert [t.task_name for t in tasks_of(dbs, world, "bkpsdm", instance)] == ["Susun keputusan"]
    assert "Konsep keputusan mutasi dikembalikan Kepala BKPSDM" in titles(dbs, world, "bkpsdm")
    act(dbs, world, "bkpsdm", instance, {"pertimbangan": "Konsep kedua, dengan dasar hukum"})
    done = act(dbs, world, "kepala", instance, {"keputusan": "tolak", "catatan": "Tidak ada formasi"})
    assert done.status == "completed" and histories(dbs, world["employees"]["dinkes"]) == (0, 0)
    assert subject(dbs, world).opd_id == ORIGIN


# --- who may start ----------------------------------------------------------------------------

def test_origin_validator_may_start_and_others_may_not(dbs, world, shipped):
    """May the validator of the employee's OPD propose the transfer, while the destination OPD's
    validator (who cannot see the employee) gets not-found and an ASN gets forbidden, with nothing started?"""
    instance = propose(dbs, world, "validator.dinkes")
    assert instance.initiator_user_id == world["users"]["validator.dinkes"]
    assert [t.task_name for t in tasks_of(dbs, world, "validator.dinkes", instance)] == ["Lepas pegawai"]
    act(dbs, world, "validator.dinkes", instance, {"keputusan": "tolak", "catatan": "Batal"})
    count = dbs.scalar(select(func.count()).select_from(ProcessInstance))
    with pytest.raises(NotFoundError):
        propose(dbs, world, "validator.dindik")
    with pytest.raises(ForbiddenError):
        propose(dbs, world, "asn.dinkes")  # the employee sees themself but may not propose
    assert dbs.scalar(select(func.count()).select_from(ProcessInstance)) == count


@pytest.mark.parametrize("changes, field", [
    ({"opd_tujuan": ORIGIN, "unor_tujuan": "DINKES-SEKRETARIAT"}, "opd_tujuan"),
    ({"unor_tujuan": "DINKES-SEKRETARIAT"}, "unor_tujuan"),
    ({"jenis_jabatan_id": "999"}, "jenis_jabatan_id"),
    ({"tmt": "2001-01-01"}, "tmt"),
    ({"tmt": "besok"}, "tmt"),
    ({"alasan": " "}, "alasan"),
    ({"opd_tujuan": "TIDAK-ADA"}, "opd_tujuan"),
])
def test_bad_proposal_is_refused_per_field(dbs, world, shipped, changes, field):
    """Is a proposal with a wrong field refused with that field named in Indonesian, and nothing started?"""
    with pytest.raises(ValidationError) as refused:
        propose(dbs, world, **changes)
    assert field in refused.value.fields
    assert dbs.scalar(select(func.count()).select_from(ProcessInstance)) == 0


def test_second_open_transfer_for_the_same_employee_is_refused(dbs, world, shipped):
    """Is a second transfer refused while the first is still running?"""
    propose(dbs, world)
    with pytest.raises(ConflictError):
        propose(dbs, world)


def test_second_transfer_gets_the_next_decree_number(dbs, world, shipped):
    """Does a second approved transfer in the same year (back from Dindik to Dinkes, started by the new
    origin's validator) get decree number 002 of the MUTASI series?"""
    first = run_to_decision(dbs, world, propose(dbs, world))
    assert first.status == "completed" and subject(dbs, world).opd_id == TARGET
    u = user(dbs, world, "validator.dindik")
    back = {"opd_tujuan": ORIGIN, "unor_tujuan": "DINKES-SEKRETARIAT", "jabatan_nama": "Pengelola Kepegawaian",
            "jenis_jabatan_id": "4", "tmt": "2032-01-02", "alasan": "Kembali ke Dinas Kesehatan"}
    second = transfers.start_transfer(dbs, u, actor(u), world["employees"]["dinkes"], back)
    act(dbs, world, "validator.dindik", second, {"keputusan": "setuju"})
    act(dbs, world, "validator.dinkes", second, {"keputusan": "setuju"})
    act(dbs, world, "bkpsdm", second, {"pertimbangan": "Pengembalian"})
    done = act(dbs, world, "kepala", second, {"keputusan": "setuju"})
    assert done.status == "completed"
    numbers = dbs.scalars(select(RiwayatPindahUnit.sk_nomor).where(
        RiwayatPindahUnit.employee_id == world["employees"]["dinkes"]).order_by(RiwayatPindahUnit.id)).all()
    assert [DECREE.match(n).group(1) for n in numbers] == ["001", "002"]
    assert len({DECREE.match(n).group(2) for n in numbers}) == 1
    employee = subject(dbs, world)
    assert (employee.unor_id, employee.opd_id) == ("DINKES-SEKRETARIAT", ORIGIN)
    assert {log.request_ref for log in logs(dbs, done)} == {f"mutasi-{done.id}"}


def test_apply_refuses_when_employee_already_left_origin(dbs, world, shipped):
    """If the employee is no longer in the origin OPD when Kepala approves, is the approval refused in
    Indonesian and rolled back whole (task still open, no decree number used, no history)?"""
    instance = propose(dbs, world)
    act(dbs, world, "validator.dinkes", instance, {"keputusan": "setuju"})
    act(dbs, world, "validator.dindik", instance, {"keputusan": "setuju"})
    act(dbs, world, "bkpsdm", instance, {"pertimbangan": "Kebutuhan"})
    employee = subject(dbs, world)
    employee.opd_id = TARGET  # as if moved by another route meanwhile (derived column set directly, test only)
    dbs.commit()
    (task,) = tasks_of(dbs, world, "kepala", instance)
    kepala = user(dbs, world, "kepala")
    with pytest.raises(ValidationError, match="tidak berada di OPD asal"):
        processes.complete_task(dbs, kepala, actor(kepala), task.id, {"keputusan": "setuju"})
    assert [t.task_name for t in tasks_of(dbs, world, "kepala", instance)] == ["Setujui keputusan"]
    assert histories(dbs, world["employees"]["dinkes"]) == (0, 0) and logs(dbs, instance) == []


# --- the start page ---------------------------------------------------------------------------

def test_start_page_proposes_and_redirects_to_the_request(shipped, login_as, dbs, world):
    """Does /mutasi/baru show an accessible form to BKPSDM (destination OPDs without the origin, units
    filtered by the chosen OPD), refuse wrong fields per field with 422, and on success start the
    process and redirect to /usulan/<id>?"""
    from tests.conftest import csrf_token
    employee_id = world["employees"]["dinkes"]
    client = login_as("bkpsdm")
    url = f"/mutasi/baru?pegawai={employee_id}"
    body = client.get(url).get_data(as_text=True)
    assert 'for="opd_tujuan"' in body and 'for="unor_tujuan"' in body and 'for="alasan"' in body
    assert f'value="{ORIGIN}"' not in body and f'value="{TARGET}"' in body
    filtered = client.get(f"{url}&opd_tujuan={TARGET}").get_data(as_text=True)
    assert "DINKES-SEKRETARIAT" not in filtered and target_unit(dbs) in filtered

    token = csrf_token(client, url)
    bad = client.post(url, data={**proposal(dbs, unor_tujuan="DINKES-SEKRETARIAT"), "csrf_token": token})
    assert bad.status_code == 422 and "Unit kerja tujuan harus berada di bawah OPD tujuan." in bad.get_data(as_text=True)
    response = client.post(url, data={**proposal(dbs), "csrf_token": token})
    assert response.status_code == 302
    instance = dbs.scalars(select(ProcessInstance).where(ProcessInstance.process_key == KEY)).one()
    assert response.headers["Location"].endswith(f"/usulan/{instance.id}")


@pytest.mark.parametrize("username, status", [("validator.dindik", 404), ("asn.dinkes", 403),
                                              ("validator.dinkes", 200)])
def test_start_page_is_for_bkpsdm_and_the_origin_validator(shipped, login_as, world, username, status):
    """Does the destination validator see no such employee, an ASN get forbidden, and the origin
    validator get the form?"""
    response = login_as(username).get(f"/mutasi/baru?pegawai={world['employees']['dinkes']}")
    assert response.status_code == status


def test_profile_offers_the_transfer_only_to_who_may_start_it(login_as, world):
    """Is "Usulkan mutasi" on the profile for BKPSDM and the origin validator, and not for others?"""
    url = f"/pegawai/{world['employees']['dinkes']}"
    assert 'data-testid="usulkan-mutasi"' in login_as("bkpsdm").get(url).get_data(as_text=True)


def test_profile_hides_the_transfer_from_the_admin(login_as, world):
    """Does an admin, who may view but not propose, see no transfer button?"""
    url = f"/pegawai/{world['employees']['dinkes']}"
    assert 'data-testid="usulkan-mutasi"' not in login_as("admin").get(url).get_data(as_text=True)
