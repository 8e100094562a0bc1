"""GET /proses/<id>/diagram: the BPMN XML of the request's own version with the completed and the
waiting elements, for whoever may see the request and for nobody else (404)."""
from __future__ import annotations

from tests.conftest import csrf_token
from tests.integration.test_processes import act, publish, start


def _diagram(client, instance_id: int):
    return client.get(f"/proses/{instance_id}/diagram", headers={"Accept": "application/json"})


def test_subject_asn_and_validator_get_the_diagram_with_the_active_task(dbs, world, tmp_path, login_as, client):
    """Do the ASN and their OPD's validator get the XML with 'periksa' active and the start event completed?"""
    publish(dbs, tmp_path)
    instance = start(dbs, world)
    instance_id = instance.id
    for username in ("asn.dinkes", "validator.dinkes"):
        login_as(username)
        response = _diagram(client, instance_id)
        assert response.status_code == 200, (username, response.get_data(as_text=True)[:500])
        data = response.get_json()
        assert '<bpmn:userTask id="periksa"' in data["xml"]
        assert data["active"] == ["periksa"]
        assert data["completed"] and "periksa" not in data["completed"]
        assert response.headers["Cache-Control"] == "no-store"
        client.post("/keluar", data={"csrf_token": csrf_token(client, "/usulan/")})


def test_after_a_return_the_revision_task_is_active_and_the_check_completed(dbs, world, tmp_path, login_as, client):
    """After 'kembalikan' is 'perbaiki' the active element and 'periksa' among the completed ones?"""
    publish(dbs, tmp_path)
    instance = start(dbs, world)
    act(dbs, world, "validator.dinkes", instance, {"keputusan": "kembalikan", "catatan": "Lampirkan SK"})
    login_as("asn.dinkes")
    data = _diagram(client, instance.id).get_json()
    assert data["active"] == ["perbaiki"] and "periksa" in data["completed"]


def test_validator_of_another_opd_gets_404(dbs, world, tmp_path, login_as, client):
    """Is the diagram of a Dinas Kesehatan request hidden (404) from the Dinas Pendidikan validator?"""
    publish(dbs, tmp_path)
    instance = start(dbs, world)
    login_as("validator.dindik")
    assert _diagram(client, instance.id).status_code == 404
    assert _diagram(client, 999_999).status_code == 404


def test_request_and_task_pages_include_the_viewer(dbs, world, tmp_path, login_as, client):
    """Do Usulan Saya's detail page and the task page carry the viewer container and the text fallback?"""
    publish(dbs, tmp_path)
    instance = start(dbs, world)
    login_as("asn.dinkes")
    body = client.get(f"/usulan/{instance.id}").get_data(as_text=True)
    assert f'data-diagram-url="/proses/{instance.id}/diagram"' in body
    assert "bpmn-viewer.production.min.js" in body and "Periksa usulan" in body
