"""The pages around running processes: Kotak Tugas, the task page, Usulan Saya, evidence downloads
and notifications, driven over HTTP with the usul_uji fixture process."""
from __future__ import annotations

import re

from sqlalchemy import select

from app.forms.validate import CHOICE
from app.models import HumanTask, Notification, ProcessInstance, User
from app.services import documents
from tests.conftest import csrf_token
from tests.integration.test_processes import act, inbox_of, publish, start, user

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _task(dbs, world, username: str, instance: ProcessInstance) -> HumanTask:
    (task,) = inbox_of(dbs, world, username, instance)
    return task


def _form_fields(body: str) -> dict:
    fields = dict(re.findall(r'name="(expected_version|usulan|csrf_token)" value="([^"]*)"', body))
    assert {"expected_version", "usulan", "csrf_token"} <= set(fields), body[:2000]
    return fields


def _open_task_page(client, task_id: int) -> dict:
    page = client.get(f"/tugas/{task_id}")
    assert page.status_code == 200, page.get_data(as_text=True)[:1000]
    return _form_fields(page.get_data(as_text=True))


def test_inbox_shows_the_task_to_its_opds_validator_only(dbs, world, tmp_path, login_as, client):
    """Does validator.dinkes see the task in /tugas while validator.dindik neither sees it nor can open it?"""
    publish(dbs, tmp_path)
    instance = start(dbs, world)
    task = _task(dbs, world, "validator.dinkes", instance)
    body = login_as("validator.dinkes").get("/tugas/").get_data(as_text=True)
    assert f"/tugas/{task.id}" in body and "Periksa usulan" in body and "Belum diklaim" in body
    page = client.get(f"/tugas/{task.id}")
    assert page.status_code == 200 and instance.title in page.get_data(as_text=True)
    client.post("/keluar", data={"csrf_token": csrf_token(client, "/tugas/")})
    login_as("validator.dindik")
    assert f"/tugas/{task.id}" not in client.get("/tugas/").get_data(as_text=True)
    assert client.get(f"/tugas/{task.id}").status_code == 404
    refused = client.post(f"/tugas/{task.id}", data={"csrf_token": csrf_token(client, "/tugas/"), "keputusan": "setuju"})
    assert refused.status_code == 404


def test_invalid_decision_is_refused_per_field_and_changes_nothing(dbs, world, tmp_path, login_as):
    """Is a decision outside the choices answered with 422, an Indonesian field message, and the task left open?"""
    publish(dbs, tmp_path)
    instance = start(dbs, world)
    task = _task(dbs, world, "validator.dinkes", instance)
    client = login_as("validator.dinkes")
    fields = _open_task_page(client, task.id)
    instance_id, version = instance.id, instance.lock_version
    response = client.post(f"/tugas/{task.id}", data={**fields, "keputusan": "mungkin"})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Isian formulir belum benar" in body and 'aria-invalid="true"' in body
    assert CHOICE in body  # the field's own message, in Bahasa Indonesia
    instance = dbs.get(ProcessInstance, instance_id)
    assert instance.lock_version == version and _task(dbs, world, "validator.dinkes", instance).id == task.id


def test_valid_decision_moves_on_and_a_stale_page_gets_409(dbs, world, tmp_path, login_as):
    """Does a valid decision redirect to /tugas and move the request on, and does re-sending the page say who acted?"""
    publish(dbs, tmp_path)
    instance = start(dbs, world)
    task = _task(dbs, world, "validator.dinkes", instance)
    client = login_as("validator.dinkes")
    fields = _open_task_page(client, task.id)
    done = client.post(f"/tugas/{task.id}", data={**fields, "keputusan": "setuju", "catatan": "Lengkap"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/tugas/")
    assert inbox_of(dbs, world, "validator.dinkes", instance) == []
    assert [t.task_name for t in inbox_of(dbs, world, "bkpsdm", instance)] == ["Verifikasi BKPSDM"]
    again = client.post(f"/tugas/{task.id}", data={**fields, "keputusan": "tolak"})
    assert again.status_code == 409
    assert user(dbs, world, "validator.dinkes").display_name in again.get_data(as_text=True)


def test_claim_and_release(dbs, world, tmp_path, login_as):
    """Can a validator claim a task (seen under 'diklaim saya') and release it again?"""
    publish(dbs, tmp_path)
    instance = start(dbs, world)
    task = _task(dbs, world, "validator.dinkes", instance)
    client = login_as("validator.dinkes")
    task_id = task.id
    token = csrf_token(client, "/tugas/")
    assert client.post(f"/tugas/{task_id}/ambil", data={"csrf_token": token}).status_code == 302
    task = dbs.get(HumanTask, task_id)
    assert task.assignee_user_id == world["users"]["validator.dinkes"]
    assert f"/tugas/{task.id}" in client.get("/tugas/?tab=diklaim").get_data(as_text=True)
    assert client.post(f"/tugas/{task_id}/lepas", data={"csrf_token": token}).status_code == 302
    dbs.expire_all()
    assert dbs.get(HumanTask, task_id).assignee_user_id is None
    assert f"/tugas/{task_id}" not in client.get("/tugas/?tab=diklaim").get_data(as_text=True)
    assert client.post(f"/tugas/{task_id}/lepas", data={"csrf_token": token}).status_code == 409


def test_asn_sees_own_request_and_withdraws_it(dbs, world, tmp_path, login_as):
    """Does the ASN see the request in Usulan Saya with its timeline, and can they withdraw it with a reason?"""
    publish(dbs, tmp_path)
    instance = start(dbs, world)
    act(dbs, world, "validator.dinkes", instance, {"keputusan": "kembalikan", "catatan": "Lampirkan SK"})
    instance_id = instance.id
    client = login_as("asn.dinkes")
    assert f"/usulan/{instance.id}" in client.get("/usulan/").get_data(as_text=True)
    body = client.get(f"/usulan/{instance.id}").get_data(as_text=True)
    assert "Usulan dibuat" in body and "Lampirkan SK" in body and "Diagram proses" in body and "Tarik usulan" in body
    token = csrf_token(client, f"/usulan/{instance.id}")
    assert client.post(f"/usulan/{instance.id}/tarik", data={"csrf_token": token, "alasan": ""}).status_code == 422
    done = client.post(f"/usulan/{instance.id}/tarik", data={"csrf_token": token, "alasan": "Salah isi"})
    assert done.status_code == 302
    assert dbs.get(ProcessInstance, instance_id).status == "cancelled"
    assert "Ditarik" in client.get(f"/usulan/{instance.id}").get_data(as_text=True)


def test_other_asn_cannot_see_the_request(dbs, world, tmp_path, login_as):
    """Is another OPD's ASN answered 'not found' for someone else's request?"""
    publish(dbs, tmp_path)
    instance = start(dbs, world)
    client = login_as("asn.dindik")
    assert f"/usulan/{instance.id}" not in client.get("/usulan/").get_data(as_text=True)
    assert client.get(f"/usulan/{instance.id}").status_code == 404


def test_notifications_and_unread_count(dbs, world, tmp_path, login_as):
    """Does a returned request show as a notification with an unread count, cleared by marking it read?"""
    publish(dbs, tmp_path)
    instance = start(dbs, world)
    act(dbs, world, "validator.dinkes", instance, {"keputusan": "kembalikan", "catatan": "Lampirkan SK"})
    client = login_as("asn.dinkes")
    page = client.get("/notifikasi/").get_data(as_text=True)
    assert "Usulan dikembalikan untuk perbaikan" in page and 'data-testid="unread-count">1<' in page
    note_id = dbs.scalars(select(Notification.id).where(Notification.user_id == world["users"]["asn.dinkes"])).one()
    token = csrf_token(client, "/notifikasi/")
    assert client.post(f"/notifikasi/{note_id}/baca", data={"csrf_token": token}).status_code == 302
    assert dbs.get(Notification, note_id).read_at is not None
    assert 'data-testid="unread-count"' not in client.get("/notifikasi/").get_data(as_text=True)


def test_document_download_is_limited_to_those_who_may_see_the_request(app, dbs, world, tmp_path, login_as, client):
    """Is evidence sent (as a nosniff attachment) to the subject and the validator, and 404 to another OPD?"""
    publish(dbs, tmp_path)
    asn = user(dbs, world, "asn.dinkes")
    document = documents.store_upload(dbs, app.config["SETTINGS"].document_store, PDF, "sk.pdf", asn.id)
    dbs.commit()
    instance = start(dbs, world)
    instance.state = {**instance.state, "data": {**instance.state.get("data", {}),
                                                 "bukti": [{"document_id": document.id}]}}
    dbs.commit()
    for username, status in (("asn.dinkes", 200), ("validator.dinkes", 200), ("validator.dindik", 404)):
        login_as(username)
        response = client.get(f"/dokumen/{document.id}")
        assert response.status_code == status, username
        if status == 200:
            assert response.data == PDF
            assert response.headers["X-Content-Type-Options"] == "nosniff"
            assert response.headers["Content-Disposition"].startswith("attachment")
        client.post("/keluar", data={"csrf_token": csrf_token(client, "/notifikasi/")})



def test_inbox_pages_long_lists(dbs, world, tmp_path, login_as, monkeypatch):
    """Does the inbox show one page at a time, count every task, and link to the next page?"""
    from app.services import inbox
    publish(dbs, tmp_path)
    instances = [start(dbs, world) for _ in range(3)]
    validator = dbs.get(User, world["users"]["validator.dinkes"])
    mine = {i.id for i in instances}
    first = inbox.tasks_for(dbs, validator, limit=2)
    rest = inbox.tasks_for(dbs, validator, limit=2, offset=2)
    assert len(first) == 2 and inbox.count_for(dbs, validator) == len(first) + len(rest) >= 3
    assert mine <= {t.instance_id for t in first + rest}
    monkeypatch.setattr(inbox, "PAGE_SIZE", 2)
    body = login_as("validator.dinkes").get("/tugas/?halaman=2").get_data(as_text=True)
    assert "halaman 2 dari" in body and "Sebelumnya" in body
