"""The element comparison between two versions, and the studio pages for versions and migration:
who may open them, what they show, CSRF, and bad input."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.models import ProcessInstance
from app.services import process_versions
from app.services.errors import ForbiddenError, ValidationError
from tests.conftest import csrf_token
from tests.process_versions import V2, act, publish, start, user, variant

# v3 of the comparison test: every compared aspect of some element changes
V3 = (('keputusan == "setuju"', 'keputusan == "setuju" and catatan'),
      ("&quot;Usulan disetujui&quot;", "&quot;Usulan diterima&quot;"),
      ('value="uji_verifikasi.schema.json"', 'value="uji_periksa.schema.json"'),
      ("<bpmn:documentation>Validator memeriksa kelengkapan usulan.</bpmn:documentation>", ""),
      ("<bpmn:flowNodeRef>periksa</bpmn:flowNodeRef>\n", ""),
      ("<bpmn:flowNodeRef>verifikasi</bpmn:flowNodeRef>", "<bpmn:flowNodeRef>verifikasi</bpmn:flowNodeRef>\n"
       "        <bpmn:flowNodeRef>periksa</bpmn:flowNodeRef>"))


def compare(dbs, world, v_from: int, v_to: int) -> dict:
    changes = process_versions.compare_versions(dbs, "studio_uji", v_from, v_to,
                                                user=user(dbs, world, "pemilik.proses"))
    return {c.element_id: c for c in changes}


def test_compare_lists_added_removed_and_changed_elements(dbs, world, tmp_path):
    """Does the comparison of v1 and v2 list the renamed task, the new timer expression, the replaced task
    (removed and added) and the flows whose ends moved, and nothing else?"""
    publish(dbs, tmp_path)
    publish(dbs, tmp_path, variant(*V2))
    found = compare(dbs, world, 1, 2)
    assert set(found) == {"periksa", "tenggat", "verifikasi", "verifikasi_baru", "f_setuju", "f_verifikasi"}
    assert found["periksa"].details == ("nama: 'Periksa usulan' → 'Periksa usulan (v2)'",)
    assert found["tenggat"].details == ("ekspresi timer: 'hari_kerja(3)' → 'hari_kerja(5)'",)
    assert (found["verifikasi"].change, found["verifikasi"].kind) == ("removed", "User task")
    assert (found["verifikasi_baru"].change, found["verifikasi_baru"].name) == ("added", "Verifikasi akhir BKPSDM")
    assert found["f_setuju"].details == ("tujuan: 'verifikasi' → 'verifikasi_baru'",)


def test_compare_names_each_kind_of_change(dbs, world, tmp_path):
    """Are changes of condition, operator parameters, form, documentation and lane each described?"""
    publish(dbs, tmp_path)
    publish(dbs, tmp_path, variant(*V3))
    found = compare(dbs, world, 1, 2)
    assert found["f_setuju"].details == (
        "kondisi: 'keputusan == \"setuju\"' → 'keputusan == \"setuju\" and catatan'",)
    assert found["kabar"].details[0].startswith("operator: 'notify(to=\"subject\", title=\"Usulan disetujui\")'")
    assert found["verifikasi"].details == ("formulir: 'uji_verifikasi.schema.json' → 'uji_periksa.schema.json'",)
    assert set(found["periksa"].details) == {"lajur: 'Validator OPD' → 'BKPSDM'",
                                             "dokumentasi: 'Validator memeriksa kelengkapan usulan.' → (kosong)"}
    assert set(found) == {"f_setuju", "kabar", "verifikasi", "periksa"}


def test_compare_refuses_the_same_version_and_non_owners(dbs, world, tmp_path):
    """Is comparing a version with itself refused with a message, and a validator refused the comparison?"""
    publish(dbs, tmp_path)
    with pytest.raises(ValidationError, match="dua versi yang berbeda"):
        compare(dbs, world, 1, 1)
    with pytest.raises(ForbiddenError):
        process_versions.compare_versions(dbs, "studio_uji", 1, 1, user=user(dbs, world, "validator.dinkes"))


# --- pages --------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/studio/studio_uji/versi", "/studio/studio_uji/versi/1.bpmn",
                                  "/studio/studio_uji/migrasi"])
@pytest.mark.parametrize("username", ["asn.dinkes", "validator.dinkes", "bkpsdm", "kepala"])
def test_pages_are_for_process_owners_only(dbs, login_as, tmp_path, path, username):
    """Is every versions and migration page refused (403) to users without the process_owner or admin role?"""
    publish(dbs, tmp_path)
    response = login_as(username).get(path)
    assert response.status_code == 403 and "hak akses" in response.get_data(as_text=True)


def test_anonymous_visitors_are_sent_to_sign_in(client, dbs, tmp_path):
    """Is a visitor who has not signed in redirected to the sign-in page?"""
    publish(dbs, tmp_path)
    response = client.get("/studio/studio_uji/versi")
    assert response.status_code == 302 and "/masuk" in response.headers["Location"]


@pytest.mark.parametrize("username", ["pemilik.proses", "admin"])
def test_versions_page_shows_publisher_and_comparison(dbs, login_as, tmp_path, username):
    """Does the versions page list each version with its publisher and source, link the downloads, and show
    the element comparison of the two chosen versions?"""
    publish(dbs, tmp_path)
    publish(dbs, tmp_path, variant(*V2))
    client = login_as(username)
    page = client.get("/studio/studio_uji/versi").get_data(as_text=True)
    assert 'data-testid="version-2"' in page and "sistem (berkas bawaan)" in page and "Berkas bawaan" in page
    assert "/studio/studio_uji/versi/1.bpmn" in page and 'data-testid="comparison"' not in page
    compared = client.get("/studio/studio_uji/versi?dari=1&ke=2").get_data(as_text=True)
    assert 'data-testid="change-verifikasi_baru"' in compared and "Ditambahkan" in compared
    assert "hari_kerja(3)" in compared and "hari_kerja(5)" in compared


def test_download_returns_the_stored_xml(dbs, login_as, tmp_path):
    """Does downloading a version return exactly its stored XML as an attachment named after key and version?"""
    version = publish(dbs, tmp_path)
    response = login_as("pemilik.proses").get("/studio/studio_uji/versi/1.bpmn")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    assert response.headers["Content-Disposition"] == 'attachment; filename="studio_uji_v1.bpmn"'
    assert response.get_data(as_text=True) == version.bpmn_xml


@pytest.mark.parametrize("path, status, message", [
    ("/studio/studio_uji/versi?dari=1&ke=1", 422, "dua versi yang berbeda"),
    ("/studio/studio_uji/versi?dari=satu&ke=2", 400, "Parameter &#39;dari&#39; harus bilangan bulat"),
    ("/studio/studio_uji/versi?dari=1&ke=7", 404, "Versi 7 proses"),
    ("/studio/tidak_ada/versi", 404, "Proses &#39;tidak_ada&#39; tidak ditemukan"),
    ("/studio/studio_uji/versi/9.bpmn", 404, "Versi 9 proses"),
    ("/studio/studio_uji/migrasi?ke=9", 404, "Versi 9 proses"),
])
def test_bad_page_input_gets_a_clear_message(dbs, login_as, tmp_path, path, status, message):
    """Are a comparison with itself, a non-number, and unknown versions or processes answered with a fitting
    status and an Indonesian message?"""
    publish(dbs, tmp_path)
    publish(dbs, tmp_path, variant(*V2))
    response = login_as("pemilik.proses").get(path)
    assert response.status_code == status and message in response.get_data(as_text=True)


def migration_world(dbs, world, tmp_path):
    publish(dbs, tmp_path)
    at_check, at_verification = start(dbs, world), start(dbs, world)
    act(dbs, world, "validator.dinkes", at_verification, {"keputusan": "setuju"})
    publish(dbs, tmp_path, variant(*V2))
    return at_check, at_verification


def test_migration_page_lists_the_dry_run(dbs, world, login_as, tmp_path):
    """Does the migration page list each open instance with its version, status, yes/no and the reason?"""
    at_check, at_verification = migration_world(dbs, world, tmp_path)
    page = login_as("pemilik.proses").get("/studio/studio_uji/migrasi").get_data(as_text=True)
    good = page.split(f'data-testid="verdict-{at_check.id}"')[1].split("</tr>")[0]
    bad = page.split(f'data-testid="verdict-{at_verification.id}"')[1].split("</tr>")[0]
    assert "v1" in good and "waiting" in good and ">Ya<" in good and "memakai nama versi baru" in good
    assert ">Tidak<" in bad and "Verifikasi BKPSDM" in bad and "tidak ada di versi tujuan" in bad
    assert "1 dari 2 instans dapat dipindahkan" in page


def test_migrate_button_moves_the_compatible_and_reports_the_refused(dbs, world, login_as, tmp_path):
    """Does 'Migrasikan yang bisa' (with its CSRF token) move the compatible instance, refuse the other with
    its reason on the result page, and leave the refused one on v1?"""
    at_check, at_verification = migration_world(dbs, world, tmp_path)
    client = login_as("pemilik.proses")
    token = csrf_token(client, "/studio/studio_uji/migrasi")
    response = client.post("/studio/studio_uji/migrasi", data={"ke": "2", "csrf_token": token})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "1 instans dipindahkan ke v2; 1 ditolak." in page
    assert "Dipindahkan" in page.split(f'data-testid="result-{at_check.id}"')[1].split("</tr>")[0]
    refused = page.split(f'data-testid="result-{at_verification.id}"')[1].split("</tr>")[0]
    assert "Ditolak" in refused and "tidak ada di versi tujuan" in refused
    dbs.expire_all()
    versions = dict(dbs.execute(select(ProcessInstance.id, ProcessInstance.version_id)
                                .where(ProcessInstance.id.in_([at_check.id, at_verification.id]))).all())
    assert versions[at_check.id] != versions[at_verification.id]


def test_migrate_without_csrf_changes_nothing(dbs, world, login_as, tmp_path):
    """Is a migration POST without a CSRF token refused (400) with nothing moved?"""
    at_check, _ = migration_world(dbs, world, tmp_path)
    before = at_check.version_id
    response = login_as("pemilik.proses").post("/studio/studio_uji/migrasi", data={"ke": "2"})
    assert response.status_code == 400 and "CSRF" in response.get_data(as_text=True)
    dbs.expire_all()
    assert dbs.get(ProcessInstance, at_check.id).version_id == before


def test_migrate_with_a_bad_version_is_refused(dbs, world, login_as, tmp_path):
    """Is a target version that is not a number answered 400 with a message, nothing moved?"""
    at_check, _ = migration_world(dbs, world, tmp_path)
    client = login_as("pemilik.proses")
    token = csrf_token(client, "/studio/studio_uji/migrasi")
    response = client.post("/studio/studio_uji/migrasi", data={"ke": "dua", "csrf_token": token})
    assert response.status_code == 400 and "nomor versi" in response.get_data(as_text=True)
    dbs.expire_all()
    assert dbs.get(ProcessInstance, at_check.id).version_id == at_check.version_id


def test_a_validator_cannot_post_a_migration(dbs, world, login_as, tmp_path):
    """Is a validator's migration POST (with a valid CSRF token) refused with 403?"""
    migration_world(dbs, world, tmp_path)
    client = login_as("validator.dinkes")
    token = csrf_token(client, "/beranda")
    response = client.post("/studio/studio_uji/migrasi", data={"ke": "2", "csrf_token": token})
    assert response.status_code == 403
