"""The studio form editor over HTTP: the list, the editor with its live preview, saving and publishing,
downloads, bad input (invalid schema, oversized texts, stale pages), access control and CSRF."""
from __future__ import annotations

import json
from html import unescape

import pytest
from sqlalchemy import func, select

from app.models import FormDefinition
from tests.conftest import csrf_token
from tests.integration.test_usul_journeys import shipped  # noqa: F401 - fixture

URL = "/studio/formulir"
NAME = "usul_hapus"
GOOD = {"type": "object", "title": "Usulan penghapusan (uji)",
        "properties": {"alasan": {"type": "string", "maxLength": 500}}, "required": ["alasan"]}
UI = {"alasan": {"ui:title": "Alasan penghapusan", "ui:widget": "textarea"}}


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def post(client, path: str, data: dict):
    return client.post(path, data=dict(data, csrf_token=csrf_token(client, URL)))


def texts(schema=GOOD, ui=UI, **extra) -> dict:
    return {"schema_text": json.dumps(schema, indent=2), "ui_schema_text": json.dumps(ui, indent=2), **extra}


def versions(dbs, name: str = NAME) -> list[tuple[int, str]]:
    stmt = select(FormDefinition.version, FormDefinition.status).where(FormDefinition.name == name)
    return sorted(dbs.execute(stmt).all())


def test_list_shows_versions_status_and_processes(shipped, login_as):  # noqa: F811
    """Does the list show each shipped form with its version, status and the processes that use it?"""
    body = text(login_as("pemilik.proses").get(URL))
    assert 'data-testid="form-usul_hapus"' in body and 'data-testid="form-mutasi_lepas"' in body
    row = body.split('data-testid="form-usul_hapus"')[1].split("</tr>")[0]
    assert "v1" in row and "terbit" in row and "usul_perubahan_data" in row and "Usulan penghapusan riwayat" in row


def test_editor_draws_the_form_with_the_task_renderer(shipped, login_as):  # noqa: F811
    """Does the editor show both texts side by side and the form drawn as a task page draws it?"""
    body = text(login_as("pemilik.proses").get(f"{URL}/{NAME}"))
    assert '<textarea id="schema_text"' in body and '<textarea id="ui_schema_text"' in body
    assert '"title": "Usulan penghapusan riwayat"' in body and '"ui:title": "Dokumen dasar penghapusan"' in body
    preview = body.split('data-testid="preview-form"')[1]
    assert 'class="schema-form"' in preview and "Alasan usulan" in preview and 'name="bukti.file"' in preview
    assert 'data-testid="publish" id="publish-button"' in body and "disabled" not in body.split('id="publish-button"')[1][:40]


def test_preview_returns_the_drawn_form_or_the_problems(dbs, shipped, login_as):  # noqa: F811
    """Does the preview endpoint draw a valid form, list problems of a broken one, and store nothing?"""
    client = login_as("pemilik.proses")
    good = post(client, f"{URL}/{NAME}/pratinjau", texts())
    assert good.status_code == 200 and 'data-ok="true"' in text(good) and "Alasan penghapusan" in text(good)
    broken = post(client, f"{URL}/{NAME}/pratinjau", {"schema_text": '{"type": "object",', "ui_schema_text": "{}"})
    body = text(broken)
    assert broken.status_code == 200 and 'data-ok="false"' in body and 'data-testid="preview-form"' not in body
    assert "Skema JSON (baris 1, kolom 19): bukan JSON yang sah" in body and 'data-line="1"' in body
    widget = post(client, f"{URL}/{NAME}/pratinjau", texts(ui={"alasan": {"ui:widget": "peta"}}))
    assert "ui:widget &#39;peta&#39; tidak dikenal" in widget.get_data(as_text=True)
    assert versions(dbs) == [(1, "published")]


def test_save_draft_then_publish(dbs, shipped, login_as):  # noqa: F811
    """Can the owner save a draft and then publish it as v2, with the list showing the new version?"""
    client = login_as("pemilik.proses")
    saved = post(client, f"{URL}/{NAME}", texts(aksi="simpan", base_version="1"))
    assert saved.status_code == 302 and versions(dbs) == [(1, "draft"), (1, "published")]
    assert "Ada draf" in text(client.get(f"{URL}/{NAME}"))
    published = post(client, f"{URL}/{NAME}", texts(aksi="terbitkan", base_version="1"))
    assert published.status_code == 302 and versions(dbs) == [(1, "published"), (2, "published")]
    assert "versi 2 diterbitkan" in text(client.get(f"{URL}/{NAME}"))
    assert "v2" in text(client.get(URL)).split('data-testid="form-usul_hapus"')[1].split("</tr>")[0]


def test_invalid_publication_keeps_the_text_and_stores_nothing(dbs, shipped, login_as):  # noqa: F811
    """Is publishing an invalid schema refused (422) with the owner's text and the problem, nothing stored?"""
    client = login_as("pemilik.proses")
    bad = dict(GOOD, properties={"alasan": {"type": "teks"}})
    refused = post(client, f"{URL}/{NAME}", texts(bad, aksi="terbitkan", base_version="1"))
    body = text(refused)
    assert refused.status_code == 422 and '"type": "teks"' in body and 'data-testid="refusal"' in body
    assert 'tipe "teks" tidak dikenal' in body and "disabled" in body.split('id="publish-button"')[1][:40]
    assert versions(dbs) == [(1, "published")]


def test_stale_page_is_refused(dbs, shipped, login_as):  # noqa: F811
    """Is publishing from a page opened before another publication refused (409) and nothing stored?"""
    client = login_as("pemilik.proses")
    assert post(client, f"{URL}/{NAME}", texts(aksi="terbitkan", base_version="1")).status_code == 302
    stale = post(client, f"{URL}/{NAME}", texts(dict(GOOD, title="Lain"), aksi="terbitkan", base_version="1"))
    assert stale.status_code == 409 and "sejak halaman ini dibuka" in text(stale)
    assert versions(dbs) == [(1, "published"), (2, "published")]


@pytest.mark.parametrize("size", [300 * 1024, 600 * 1024])
def test_oversized_text_is_refused_with_413(dbs, shipped, login_as, size):  # noqa: F811
    """Is a schema text over 256 KB (or over the request parser's own limit) refused with 413, nothing stored?"""
    client = login_as("pemilik.proses")
    for path, extra in ((f"{URL}/{NAME}/pratinjau", {}), (f"{URL}/{NAME}", {"aksi": "simpan"})):
        response = post(client, path, {"schema_text": " " * size, "ui_schema_text": "{}", **extra})
        assert response.status_code == 413 and "256 KB" in text(response)
    assert versions(dbs) == [(1, "published")]


def test_bad_action_and_version_are_refused(dbs, shipped, login_as):  # noqa: F811
    """Are an unknown action, a non-numeric base version and a bad download version refused with 400?"""
    client = login_as("pemilik.proses")
    assert post(client, f"{URL}/{NAME}", texts(aksi="hapus")).status_code == 400
    assert post(client, f"{URL}/{NAME}", texts(aksi="simpan", base_version="x")).status_code == 400
    assert client.get(f"{URL}/{NAME}/unduh/schema?versi=abc").status_code == 400
    assert client.get(f"{URL}/{NAME}/unduh/schema?versi=draf").status_code == 404
    assert client.get(f"{URL}/tidak_ada").status_code == 404
    assert versions(dbs) == [(1, "published")]


def test_new_form_from_template_and_downloads(dbs, shipped, login_as):  # noqa: F811
    """Does a new form start as a valid draft from the template, and do downloads give each version's file?"""
    client = login_as("pemilik.proses")
    created = post(client, f"{URL}/baru", {"nama": "cuti_uji"})
    assert created.status_code == 302 and created.headers["Location"].endswith(f"{URL}/cuti_uji")
    editor = text(client.get(f"{URL}/cuti_uji"))
    assert "Belum pernah diterbitkan" in editor and 'data-ok="true"' in editor and "Catatan" in editor
    draft = client.get(f"{URL}/cuti_uji/unduh/schema?versi=draf")
    assert draft.headers["Content-Disposition"] == 'attachment; filename="cuti_uji.schema_draf.json"'
    assert json.loads(draft.get_data())["properties"]["catatan"]["type"] == "string"
    shipped_ui = client.get(f"{URL}/{NAME}/unduh/uischema?versi=1")
    assert shipped_ui.headers["Content-Disposition"] == f'attachment; filename="{NAME}.uischema.json"'
    assert json.loads(shipped_ui.get_data())["alasan"]["ui:title"] == "Alasan usulan"
    assert post(client, f"{URL}/baru", {"nama": "cuti_uji"}).status_code == 409
    assert post(client, f"{URL}/baru", {"nama": "Cuti!"}).status_code == 422


def test_discard_draft(dbs, shipped, login_as):  # noqa: F811
    """Can the owner throw a draft away, going back to the last published version?"""
    client = login_as("pemilik.proses")
    post(client, f"{URL}/{NAME}", texts(aksi="simpan"))
    assert post(client, f"{URL}/{NAME}/buang-draf", {}).status_code == 302
    assert versions(dbs) == [(1, "published")]


def test_admin_reads_but_cannot_change(dbs, shipped, login_as):  # noqa: F811
    """Does the admin see the forms read-only, with every change refused (403)?"""
    client = login_as("admin")
    listing = text(client.get(URL))
    assert 'data-testid="form-usul_hapus"' in listing and 'data-testid="new-form"' not in listing
    editor = text(client.get(f"{URL}/{NAME}"))
    assert "readonly" in editor and 'data-testid="publish"' not in editor
    assert "hx-post" not in editor and "Alasan usulan" in editor.split('data-testid="preview-form"')[1]
    for path, data in ((f"{URL}/{NAME}", texts(aksi="terbitkan")), (f"{URL}/{NAME}/pratinjau", texts()),
                       (f"{URL}/baru", {"nama": "cuti_uji"}), (f"{URL}/{NAME}/buang-draf", {})):
        assert post(client, path, data).status_code == 403
    assert versions(dbs) == [(1, "published")] and not versions(dbs, "cuti_uji")


@pytest.mark.parametrize("username", ["bkpsdm", "kepala", "validator.dinkes", "asn.dinkes"])
def test_other_roles_are_refused(dbs, shipped, login_as, username):  # noqa: F811
    """Is every form editor page and action refused (403) to roles other than process owner and admin?"""
    client = login_as(username)
    assert client.get(URL).status_code == 403 and client.get(f"{URL}/{NAME}").status_code == 403
    assert client.get(f"{URL}/{NAME}/unduh/schema?versi=1").status_code == 403
    token = csrf_token(client, "/beranda")
    response = client.post(f"{URL}/{NAME}", data=texts(aksi="terbitkan", csrf_token=token))
    assert response.status_code == 403 and versions(dbs) == [(1, "published")]


def test_anonymous_is_sent_to_login(client, shipped):  # noqa: F811
    """Is a visitor who is not signed in sent to the sign-in page?"""
    response = client.get(URL)
    assert response.status_code == 302 and "/masuk" in response.headers["Location"]


def test_posts_need_a_csrf_token(dbs, shipped, login_as):  # noqa: F811
    """Is every POST without a CSRF token refused (400) with the Indonesian message, nothing stored?"""
    client = login_as("pemilik.proses")
    for path, data in ((f"{URL}/{NAME}", texts(aksi="terbitkan")), (f"{URL}/{NAME}/pratinjau", texts()),
                       (f"{URL}/baru", {"nama": "cuti_uji"})):
        response = client.post(path, data=data)
        assert response.status_code == 400 and "token keamanan (CSRF)" in text(response)
    assert versions(dbs) == [(1, "published")] and dbs.scalar(
        select(func.count()).select_from(FormDefinition).where(FormDefinition.name == "cuti_uji")) == 0
