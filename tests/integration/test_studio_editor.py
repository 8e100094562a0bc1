"""The studio's BPMN editor: the process list and editor page, saving, checking, importing and publishing
a draft, hostile and bad input (nothing written), CSRF, and who may use it."""
from __future__ import annotations

import io
import json
import re

import pytest
from sqlalchemy import select

from app.models import AuditEvent, ProcessDraft, ProcessVersion
from app.services import studio
from tests.conftest import csrf_token
from tests.process_versions import DATA, GOOD, KEY, publish, start, tasks_of, variant
from tests.timing import MONDAY_9_WIB, naive_utc, wib

BASE = f"/studio/{KEY}"
FIVE_DAYS = variant(("hari_kerja(3)", "hari_kerja(5)"))


@pytest.fixture()
def owner(dbs, login_as, tmp_path):
    """studio_uji published as v1, and the process owner signed in."""
    publish(dbs, tmp_path)
    return login_as("pemilik.proses")


def token(client) -> str:
    return csrf_token(client, f"{BASE}/sunting")


def post_xml(client, path: str, xml: bytes, *, csrf: str | None = None, **headers):
    headers = {"X-CSRFToken": csrf if csrf is not None else token(client), "Accept": "application/json", **headers}
    return client.post(f"{BASE}/{path}", data=xml, headers=headers, content_type="application/xml")


def draft(dbs) -> ProcessDraft | None:
    dbs.expire_all()
    return dbs.get(ProcessDraft, KEY)


def actions(dbs) -> list[str]:
    return list(dbs.scalars(select(AuditEvent.action).where(AuditEvent.action.like("studio.%"))
                            .order_by(AuditEvent.seq)))


def editor_data(response) -> dict:
    match = re.search(r'<script type="application/json" id="studio-data">(.*?)</script>',
                      response.get_data(as_text=True), re.S)
    return json.loads(match.group(1))


def test_list_and_editor_open_the_latest_version_with_the_panel_choices(dbs, owner):
    """Does the studio list the process with its version, and does the editor open v1's XML with the mapped
    lanes, the known forms (shipped and published) and the registered operators with their parameters?"""
    listing = owner.get("/studio")
    assert listing.status_code == 200
    row = re.search(rf'data-testid="process-{KEY}">(.*?)</tr>', listing.get_data(as_text=True), re.S).group(1)
    assert "Studio uji" in row and "v1" in row and "draf" not in row
    data = editor_data(owner.get(f"{BASE}/sunting"))
    assert data["xml"] == GOOD.read_text()
    assert {"Validator OPD", "BKPSDM", "ASN"} <= {lane["name"] for lane in data["options"]["lanes"]}
    assert {"uji_periksa", "usul_periksa_validator"} <= set(data["options"]["forms"])
    notify = next(o for o in data["options"]["operators"] if o["name"] == "notify")
    assert [p["name"] for p in notify["params"]] == ["to", "title", "body"]
    assert any("hari_kerja" in h["example"] for h in data["options"]["timer_help"])


def test_saved_draft_is_reopened_downloaded_and_audited(dbs, owner):
    """Is a saved draft stored with its checks' verdict, reopened by the editor, marked in the list,
    downloadable, and audited?"""
    response = post_xml(owner, "draf", FIVE_DAYS)
    assert response.status_code == 200 and response.json["problems"] == []
    assert draft(dbs).bpmn_xml == FIVE_DAYS.decode() and draft(dbs).base_version == 1
    assert editor_data(owner.get(f"{BASE}/sunting"))["xml"] == FIVE_DAYS.decode()
    assert 'badge warn">draf' in owner.get("/studio").get_data(as_text=True)
    download = owner.get(f"{BASE}/draf.bpmn")
    assert download.data == FIVE_DAYS and "studio_uji_draf.bpmn" in download.headers["Content-Disposition"]
    assert actions(dbs) == ["studio.draft_saved"]


def test_save_lists_problems_but_keeps_the_draft(dbs, owner):
    """Is a draft with a bad timer expression still saved (work in progress), with the problem and element id?"""
    response = post_xml(owner, "draf", variant(("hari_kerja(3)", "hari_kerja(")))
    assert response.status_code == 200
    assert [p["element_id"] for p in response.json["problems"]] == ["tenggat"]
    assert "hari_kerja(" in draft(dbs).bpmn_xml


def test_check_reports_every_problem_and_stores_nothing(dbs, owner):
    """Does Periksa list each problem with its element id and Indonesian message, without writing anything?"""
    xml = variant(("hari_kerja(3)", "hari_kerja("), ('value="uji_verifikasi.schema.json"', 'value="hilang.schema.json"'))
    response = post_xml(owner, "periksa", xml)
    assert response.status_code == 200
    found = {p["element_id"]: p["message"] for p in response.json["problems"]}
    assert set(found) == {"tenggat", "verifikasi"}
    assert "ditolak" in found["tenggat"] and "tidak dikenal" in found["verifikasi"]
    assert draft(dbs) is None and actions(dbs) == []
    assert post_xml(owner, "periksa", GOOD.read_bytes()).json["problems"] == []


HOSTILE = {
    "external entity": (DATA / "bpmn" / "xxe.bpmn").read_bytes(),
    "entity expansion": (DATA / "bpmn" / "billion_laughs.bpmn").read_bytes(),
    "not XML": b"<bpmn:definitions",
    "not UTF-8": "<?xml version='1.0'?><a>é</a>".encode("latin-1"),
    "another process": (DATA / "bpmn" / "script_task.bpmn").read_bytes(),
    "script task": (DATA / "bpmn" / "studio" / "script_bad.bpmn").read_bytes(),
}
HOSTILE_MESSAGES = {"external entity": "DOCTYPE atau ENTITY", "entity expansion": "DOCTYPE atau ENTITY",
                    "not XML": "bukan XML yang sah", "not UTF-8": "UTF-8", "another process": "bukan proses 'studio_uji'",
                    "script task": "skrip tidak pernah dijalankan"}


@pytest.mark.parametrize("kind", sorted(HOSTILE))
@pytest.mark.parametrize("route", ["draf", "impor"])
def test_hostile_or_wrong_files_are_refused_and_change_nothing(dbs, owner, kind, route):
    """Is a hostile or wrong file (external entity, entity expansion, broken XML, another process, a script
    task) refused with a clear 400 message by both save and import, leaving the existing draft as it was?"""
    assert post_xml(owner, "draf", FIVE_DAYS).status_code == 200
    response = post_xml(owner, route, HOSTILE[kind], **{"X-Filename": "unggahan.bpmn"})
    assert response.status_code == 400
    assert HOSTILE_MESSAGES[kind] in response.json["message"]
    assert draft(dbs).bpmn_xml == FIVE_DAYS.decode() and actions(dbs) == ["studio.draft_saved"]


@pytest.mark.parametrize("size", [studio.MAX_XML_BYTES, 50 * 1024 * 1024])
@pytest.mark.parametrize("route", ["draf", "impor", "periksa"])
def test_oversized_bodies_are_refused_with_413(dbs, owner, route, size):
    """Is a body over the limit (just over it, and 50 MB) refused with 413 and an Indonesian message?"""
    body = b"<bpmn:definitions>" + b" " * size
    response = post_xml(owner, route, body, **{"X-Filename": "besar.bpmn"})
    assert response.status_code == 413 and "terlalu besar" in response.json["message"]
    assert draft(dbs) is None


def test_xml_just_over_the_limit_is_refused_with_413(dbs, owner):
    """Is a diagram a few kilobytes over the 2 MB limit refused with 413, nothing stored?"""
    body = GOOD.read_bytes().replace(b"<bpmn:process ", b"<!--" + b"x" * studio.MAX_XML_BYTES + b"-->\n<bpmn:process ")
    response = post_xml(owner, "draf", body)
    assert response.status_code == 413 and "terlalu besar" in response.json["message"]
    assert draft(dbs) is None


def test_a_save_over_a_newer_draft_is_refused(dbs, owner):
    """Is a save from an editor opened before someone else saved refused (409) without overwriting their draft,
    while a save carrying the stamp of the draft it opened goes through?"""
    assert editor_data(owner.get(f"{BASE}/sunting"))["stamp"] == ""
    assert post_xml(owner, "draf", FIVE_DAYS, **{"X-Draft-Stamp": ""}).status_code == 200
    stale = post_xml(owner, "draf", GOOD.read_bytes(), **{"X-Draft-Stamp": ""})
    assert stale.status_code == 409 and "Muat ulang halaman" in stale.json["message"]
    assert draft(dbs).bpmn_xml == FIVE_DAYS.decode()
    stamp = editor_data(owner.get(f"{BASE}/sunting"))["stamp"]
    fresh = post_xml(owner, "draf", GOOD.read_bytes(), **{"X-Draft-Stamp": stamp})
    assert fresh.status_code == 200 and fresh.json["stamp"] != stamp
    assert draft(dbs).bpmn_xml == GOOD.read_text()


def test_a_50_mb_multipart_upload_is_refused_before_it_is_read(dbs, owner):
    """Is a 50 MB file sent as a multipart form (not the editor's way) refused with 413 as well?"""
    response = owner.post(f"{BASE}/impor", headers={"X-CSRFToken": token(owner), "Accept": "application/json"},
                          data={"berkas": (io.BytesIO(b" " * (50 * 1024 * 1024)), "besar.bpmn")},
                          content_type="multipart/form-data")
    assert response.status_code == 413 and "terlalu besar" in response.json["message"]
    assert draft(dbs) is None


def test_import_replaces_the_draft_and_refuses_other_file_types(dbs, owner):
    """Does importing a .bpmn file make it the draft (with its problems listed), and is a .pdf name refused?"""
    post_xml(owner, "draf", FIVE_DAYS)
    bad_form = (DATA / "bpmn" / "studio" / "form_bad.bpmn").read_bytes()
    response = post_xml(owner, "impor", bad_form, **{"X-Filename": "form_bad.bpmn"})
    assert response.status_code == 200 and response.json["xml"] == bad_form.decode()
    assert response.json["problems"] and draft(dbs).source == "import"
    refused = post_xml(owner, "impor", GOOD.read_bytes(), **{"X-Filename": "diagram.pdf"})
    assert refused.status_code == 400 and ".bpmn" in refused.json["message"]
    assert draft(dbs).bpmn_xml == bad_form.decode()
    assert actions(dbs) == ["studio.draft_saved", "studio.draft_imported"]


def test_posts_without_csrf_token_are_refused(dbs, owner):
    """Is saving, importing or publishing without the CSRF header refused, with nothing written?"""
    for route in ("draf", "impor", "terbitkan", "periksa"):
        response = post_xml(owner, route, FIVE_DAYS, csrf="", **{"X-Filename": "a.bpmn"})
        assert response.status_code == 400 and "CSRF" in response.json["message"], route
    assert draft(dbs) is None


def test_publish_makes_version_two_and_keeps_running_instances_on_their_version(dbs, world, login_as, tmp_path,
                                                                                time_machine):
    """After the deadline is changed to 5 working days and published from the studio, does a new request
    get the 5-day deadline on v2 while the request started before keeps v1 and its 3-day deadline?"""
    time_machine.move_to(MONDAY_9_WIB, tick=False)  # before signing in: a session from the future is not valid
    publish(dbs, tmp_path)
    owner = login_as("pemilik.proses")
    old = start(dbs, world)
    post_xml(owner, "draf", FIVE_DAYS)
    response = owner.post(f"{BASE}/terbitkan", headers={"X-CSRFToken": token(owner), "Accept": "application/json"})
    assert response.status_code == 200 and response.json["version"] == 2
    assert response.json["versions_url"] == f"{BASE}/versi"
    assert draft(dbs) is None
    v2 = dbs.scalars(select(ProcessVersion).where(ProcessVersion.process_key == KEY, ProcessVersion.version == 2)).one()
    assert (v2.source, v2.published_by, v2.bpmn_xml) == ("studio", world["users"]["pemilik.proses"], FIVE_DAYS.decode())
    new = start(dbs, world)
    assert old.version_id != v2.id and new.version_id == v2.id
    assert tasks_of(dbs, old)[0].due_at == naive_utc(wib(2025, 1, 9))
    assert tasks_of(dbs, new)[0].due_at == naive_utc(wib(2025, 1, 13))
    assert "process.published" in list(dbs.scalars(select(AuditEvent.action)))


def test_publish_is_refused_while_a_problem_remains(dbs, owner):
    """Is a draft with a problem refused (422, the element named) without a new version or losing the draft?"""
    post_xml(owner, "draf", variant(("hari_kerja(3)", "hari_kerja(")))
    response = owner.post(f"{BASE}/terbitkan", headers={"X-CSRFToken": token(owner), "Accept": "application/json"})
    assert response.status_code == 422 and "tenggat" in response.json["fields"]
    assert draft(dbs) is not None
    assert dbs.scalars(select(ProcessVersion.version).where(ProcessVersion.process_key == KEY)).all() == [1]


def test_publish_without_draft_or_without_change_is_refused(dbs, owner):
    """Is publishing with no draft a 404, and a draft identical to the latest version a 409 that keeps it?"""
    headers = {"X-CSRFToken": token(owner), "Accept": "application/json"}
    assert owner.post(f"{BASE}/terbitkan", headers=headers).status_code == 404
    post_xml(owner, "draf", GOOD.read_bytes())
    response = owner.post(f"{BASE}/terbitkan", headers=headers)
    assert response.status_code == 409 and "sama dengan versi terbaru" in response.json["message"]
    assert draft(dbs) is not None


def test_discard_draft_returns_to_the_published_version(dbs, owner):
    """Does discarding the draft remove it (audited), so the editor opens v1 again?"""
    post_xml(owner, "draf", FIVE_DAYS)
    response = owner.post(f"{BASE}/buang-draf", data={"csrf_token": token(owner)})
    assert response.status_code == 302 and draft(dbs) is None
    assert editor_data(owner.get(f"{BASE}/sunting"))["xml"] == GOOD.read_text()
    assert actions(dbs) == ["studio.draft_saved", "studio.draft_discarded"]


def test_unknown_process_is_not_found(dbs, owner):
    """Is the editor of a process that does not exist a 404 with an Indonesian message?"""
    response = owner.get("/studio/tidak_ada/sunting")
    assert response.status_code == 404 and "tidak ditemukan" in response.get_data(as_text=True)


@pytest.mark.parametrize("username", ["asn.dinkes", "validator.dinkes", "bkpsdm", "kepala", "admin"])
def test_only_process_owners_may_use_the_editor(dbs, login_as, tmp_path, username):
    """Is every editor page and action refused (403) to users without the process_owner role, nothing saved?"""
    publish(dbs, tmp_path)
    client = login_as(username)
    for path in ("/studio", f"{BASE}/sunting", f"{BASE}/draf.bpmn"):
        assert client.get(path).status_code == 403, path
    headers = {"X-CSRFToken": csrf_token(client, "/beranda"), "Accept": "application/json"}
    for route in ("draf", "impor", "periksa", "terbitkan"):
        response = client.post(f"{BASE}/{route}", data=FIVE_DAYS, headers=headers, content_type="application/xml")
        assert response.status_code == 403, route
    assert draft(dbs) is None


@pytest.mark.parametrize(("username", "shown"), [("pemilik.proses", True), ("admin", False), ("bkpsdm", False)])
def test_studio_link_in_the_navigation_is_for_process_owners(dbs, login_as, username, shown):
    """Does only the process owner see the 'Studio Proses' link in the menu?"""
    assert ("Studio Proses" in login_as(username).get("/beranda").get_data(as_text=True)) is shown
