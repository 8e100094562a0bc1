"""A validator OPD starts usul_perubahan_data for an employee of their own OPD: the start counts as
the validator's check, BKPSDM decides, the employee is told and sees it in Usulan Saya."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.models import Employee, Notification, ProcessInstance
from app.services import proposals
from app.services.change_requests import form_for
from app.services.errors import ForbiddenError, NotFoundError
from tests.integration.test_usul_journeys import (
    act,
    actor,
    evidence,  # noqa: F401 - fixture
    logs,
    shipped,  # noqa: F401 - fixture
    subject,
    tasks_of,
    titles,
    user,
)
from tests.samples import additions

KIND = "riwayat_golongan"


def propose_as(dbs, world, username: str, employee_key: str, bukti: dict) -> ProcessInstance:
    u, employee = user(dbs, world, username), dbs.get(Employee, world["employees"][employee_key])
    data = {**additions(world)[KIND], "bukti": bukti, "alasan": "Sesuai SK kenaikan pangkat"}
    return proposals.start(dbs, u, actor(u), employee, KIND, "tambah", None, data,
                           form_for(KIND, employee, "tambah"))


def test_validator_start_goes_to_bkpsdm(dbs, world, shipped, evidence):  # noqa: F811
    """Does a validator's proposal skip "Periksa usulan", reach BKPSDM, tell the employee, and apply once
    BKPSDM approves?"""
    instance = propose_as(dbs, world, "validator.dinkes", "dinkes", evidence())
    assert tasks_of(dbs, world, "validator.dinkes", instance) == []
    assert [t.task_name for t in tasks_of(dbs, world, "bkpsdm", instance)] == ["Verifikasi BKPSDM"]
    assert titles(dbs, world) == ["Validator OPD mengajukan perubahan data Anda ke BKPSDM"]
    done = act(dbs, world, "bkpsdm", instance, {"keputusan": "setuju"})
    assert done.status == "completed" and len(logs(dbs, done)) >= 1
    assert subject(dbs, world).golongan_id == additions(world)[KIND]["golongan_id"]


def test_bkpsdm_return_reaches_the_validator(dbs, world, shipped, evidence):  # noqa: F811
    """When BKPSDM returns a validator's proposal, does it come back to that OPD's "Periksa usulan"?"""
    instance = propose_as(dbs, world, "validator.dinkes", "dinkes", evidence())
    act(dbs, world, "bkpsdm", instance, {"keputusan": "kembalikan", "catatan": "Lampirkan SK yang terbaca"})
    assert [t.task_name for t in tasks_of(dbs, world, "validator.dinkes", instance)] == ["Periksa usulan"]


def test_asn_start_still_goes_to_the_validator(dbs, world, shipped, evidence):  # noqa: F811
    """Does the ASN's own proposal still wait for the validator's check first?"""
    instance = propose_as(dbs, world, "asn.dinkes", "dinkes", evidence())
    assert [t.task_name for t in tasks_of(dbs, world, "validator.dinkes", instance)] == ["Periksa usulan"]
    assert tasks_of(dbs, world, "bkpsdm", instance) == []


@pytest.mark.parametrize("username", ["validator.dindik", "validator.tanpa-cakupan", "bkpsdm", "asn.dindik"])
def test_outside_scope_is_not_found(dbs, world, shipped, evidence, username):  # noqa: F811
    """Is a proposal for an employee outside the caller's scope answered as not found, starting nothing?"""
    before = dbs.scalar(select(ProcessInstance.id).order_by(ProcessInstance.id.desc()))
    with pytest.raises(NotFoundError):
        propose_as(dbs, world, username, "dinkes", evidence())
    assert dbs.scalar(select(ProcessInstance.id).order_by(ProcessInstance.id.desc())) == before
    assert dbs.scalar(select(Notification.id).where(Notification.user_id == world["users"]["asn.dinkes"])) is None


def test_subject_search_stays_in_scope(dbs, world):
    """Does the validator's employee search list only employees of their scope, and refuse non-validators?"""
    found = proposals.search_subjects(dbs, user(dbs, world, "validator.dinkes"))
    ids = {e.id for e in found.items}
    assert {world["employees"]["dinkes"], world["employees"]["puskesmas"]} <= ids
    assert world["employees"]["dindik"] not in ids and found.total == len(ids)
    by_name = proposals.search_subjects(dbs, user(dbs, world, "validator.dinkes"), "budi")
    assert [e.id for e in by_name.items] == [world["employees"]["puskesmas"]]
    with pytest.raises(ForbiddenError):
        proposals.search_subjects(dbs, user(dbs, world, "bkpsdm"))
