"""The lane → role mapping page (Lajur proses): only the User Administrator edits it, every edit is
checked and audited, open tasks follow a lane's new role, and a lane in use cannot be deleted."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.models import AuditEvent, HumanTask, LaneRole
from app.services import lanes
from app.services.errors import ConflictError, ForbiddenError, ValidationError
from tests.conftest import csrf_token
from tests.integration.test_usul_journeys import (
    act,
    actor,
    evidence,  # noqa: F401 - fixture
    propose,
    shipped,  # noqa: F401 - fixture
    tasks_of,
    user,
)
from tests.samples import additions

URL = "/admin/lajur"


def _audit(dbs, action: str, lane: str) -> list[AuditEvent]:
    return list(dbs.scalars(select(AuditEvent).where(AuditEvent.action == action, AuditEvent.object_id == lane)))


def _post(client, url: str, data: dict):
    return client.post(url, data=dict(data, csrf_token=csrf_token(client, URL)))


def test_admin_sees_the_seeded_lanes_and_their_processes(shipped, login_as):  # noqa: F811
    """Does the admin page list the seeded lanes with their role, scope variable and the processes using them?"""
    body = login_as("admin").get(URL).get_data(as_text=True)
    for lane in ("ASN", "Validator OPD", "BKPSDM", "Kepala BKPSDM", "OPD asal", "OPD tujuan"):
        assert f'data-testid="lane-{lane}"' in body
    assert "opd_tujuan" in body and "(usul_perubahan_data)" in body and "(mutasi_unit_kerja)" in body


@pytest.mark.parametrize("username", ["bkpsdm", "pemilik.proses", "validator.dinkes", "asn.dinkes"])
def test_only_admins(dbs, login_as, username):
    """Is every lane page and edit refused (403) to anyone but the admin, changing nothing?"""
    client = login_as(username)
    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}/BKPSDM").status_code == 403
    token = csrf_token(client, "/usulan/")
    assert client.post(URL, data={"lane": "Sekretariat", "role": "bkpsdm", "csrf_token": token}).status_code == 403
    assert client.post(f"{URL}/BKPSDM", data={"role": "admin", "csrf_token": token}).status_code == 403
    assert client.post(f"{URL}/ASN/hapus", data={"csrf_token": token}).status_code == 403
    assert dbs.get(LaneRole, "Sekretariat") is None and dbs.get(LaneRole, "BKPSDM").role == "bkpsdm"


def test_add_edit_delete_are_audited(dbs, login_as):
    """Can the admin add, edit and delete an unused lane, each step written to the audit trail?"""
    client = login_as("admin")
    created = _post(client, URL, {"lane": "Inspektorat", "role": "validator_opd", "scope_variable": "opd_inspektorat",
                                  "description": "Pemeriksa"})
    assert created.status_code == 302
    assert (dbs.get(LaneRole, "Inspektorat").role, dbs.get(LaneRole, "Inspektorat").scope_variable) == (
        "validator_opd", "opd_inspektorat")
    assert _post(client, f"{URL}/Inspektorat", {"role": "bkpsdm", "scope_variable": ""}).status_code == 302
    dbs.expire_all()
    assert (dbs.get(LaneRole, "Inspektorat").role, dbs.get(LaneRole, "Inspektorat").scope_variable) == ("bkpsdm", None)
    assert _post(client, f"{URL}/Inspektorat/hapus", {}).status_code == 302
    dbs.expire_all()
    assert dbs.get(LaneRole, "Inspektorat") is None
    assert len(_audit(dbs, "lane_role.created", "Inspektorat")) == 1
    (updated,) = _audit(dbs, "lane_role.updated", "Inspektorat")
    assert updated.details["role"] == "validator_opd → bkpsdm"
    assert len(_audit(dbs, "lane_role.deleted", "Inspektorat")) == 1


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"lane": "Sekretariat", "role": "lurah"}, "role", "peran yang dikenal"),
    ({"lane": "Sekretariat", "role": "validator_opd", "scope_variable": "opd-asal"}, "scope_variable",
     "Harus nama variabel"),
    ({"lane": "Sekretariat", "role": "validator_opd", "scope_variable": "import"}, "scope_variable",
     "Harus nama variabel"),
    ({"lane": "Sekretariat", "role": "validator_opd", "scope_variable": ""}, "scope_variable", "membutuhkan variabel"),
    ({"lane": "", "role": "bkpsdm"}, "lane", "Wajib diisi"),
    ({"lane": "../etc", "role": "bkpsdm"}, "lane", "Paling panjang 100"),
])
def test_bad_input_is_refused_per_field(dbs, login_as, data, field, message):
    """Is an unknown role, a scope variable that is no identifier (or missing for a validator lane) or a bad
    lane name answered 422 beside its field, with nothing stored or audited?"""
    client = login_as("admin")
    before = dbs.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()))
    response = _post(client, URL, data)
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and message in body and f'id="{field}-error"' in body
    assert dbs.scalars(select(LaneRole.lane)).all().count("Sekretariat") == 0
    assert dbs.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc())) == before


def test_duplicate_lane_is_a_conflict(dbs, world):
    """Is adding a lane that already exists refused as a conflict, leaving the existing mapping alone?"""
    admin = user(dbs, world, "admin")
    with pytest.raises(ConflictError, match="sudah ada"):
        lanes.create_lane(dbs, admin, actor(admin), lane="BKPSDM", role="admin")
    assert dbs.get(LaneRole, "BKPSDM").role == "bkpsdm"


def test_lane_in_use_cannot_be_deleted(shipped, dbs, login_as):  # noqa: F811
    """Is deleting a lane used by a published process refused (409) with a message naming that process?"""
    response = _post(login_as("admin"), f"{URL}/OPD asal/hapus", {})
    body = response.get_data(as_text=True)
    assert response.status_code == 409 and "mutasi_unit_kerja" in body and "tidak dapat dihapus" in body
    assert dbs.get(LaneRole, "OPD asal") is not None


def test_new_role_moves_open_tasks(shipped, dbs, world, evidence):  # noqa: F811
    """When BKPSDM's lane is mapped to Kepala BKPSDM, does the open verification move to Kepala's inbox,
    and does Kepala's decision go through?"""
    instance = propose(dbs, world, shipped, "riwayat_golongan", additions(world)["riwayat_golongan"], evidence())
    act(dbs, world, "validator.dinkes", instance, {"keputusan": "setuju"})
    admin = user(dbs, world, "admin")
    moved = lanes.update_lane(dbs, admin, actor(admin), "BKPSDM", role="kepala_bkpsdm", description="Uji")
    assert moved == 1
    assert tasks_of(dbs, world, "bkpsdm", instance) == []
    assert [t.task_name for t in tasks_of(dbs, world, "kepala", instance)] == ["Verifikasi BKPSDM"]
    assert act(dbs, world, "kepala", instance, {"keputusan": "setuju"}).status == "completed"
    assert dbs.scalar(select(HumanTask.id).where(HumanTask.instance_id == instance.id)) is None


def test_service_refuses_non_admins(dbs, world):
    """Does the service itself (not only the page) refuse a non-admin?"""
    owner = user(dbs, world, "pemilik.proses")
    with pytest.raises(ForbiddenError):
        lanes.update_lane(dbs, owner, actor(owner), "BKPSDM", role="admin")
    with pytest.raises(ForbiddenError):
        lanes.list_lanes(dbs, owner)


def test_edit_with_bad_scope_keeps_the_old_mapping(dbs, world):
    """Does a refused edit leave the lane exactly as it was?"""
    admin = user(dbs, world, "admin")
    with pytest.raises(ValidationError):
        lanes.update_lane(dbs, admin, actor(admin), "Validator OPD", role="validator_opd", scope_variable="1opd")
    dbs.expire_all()
    assert dbs.get(LaneRole, "Validator OPD").scope_variable == "opd"
