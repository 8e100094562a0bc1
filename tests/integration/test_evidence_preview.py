"""Evidence previewed in the page: the task and request pages frame a PDF and show an image, the preview
is sent inline under a strict policy, and a view of someone else's evidence is audited."""
from __future__ import annotations

from sqlalchemy import select

from app.models import AuditEvent, Employee, HumanTask, User
from app.services import documents, proposals
from app.services.audit import Actor
from app.services.change_requests import form_for
from tests.integration.test_authz_matrix import PROPOSAL, shipped_processes  # noqa: F401 - fixture

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
KIND = "riwayat_penghargaan"


def _request_with(app, dbs, world, content: bytes, name: str):
    asn = dbs.get(User, world["users"]["asn.dinkes"])
    employee = dbs.get(Employee, world["employees"]["dinkes"])
    document = documents.store_upload(dbs, app.config["SETTINGS"].document_store, content, name, asn.id)
    data = {**PROPOSAL, "tahun": 2020, "bukti": {"document_id": document.id}}
    instance = proposals.start(dbs, asn, Actor(asn.id, asn.username), employee, KIND, "tambah", None, data,
                               form_for(KIND, employee, "tambah"))
    task = dbs.scalar(select(HumanTask).where(HumanTask.instance_id == instance.id))
    return instance, task, document


def test_task_page_frames_a_pdf(app, dbs, world, shipped_processes, login_as):  # noqa: F811
    """Does the validator's task page frame the PDF preview, keep the download link, and the request page too?"""
    instance, task, document = _request_with(app, dbs, world, PDF, "piagam.pdf")
    client = login_as("validator.dinkes")
    for path in (f"/tugas/{task.id}", f"/usulan/{instance.id}"):
        body = client.get(path).get_data(as_text=True)
        assert f'<iframe class="evidence-preview" src="/dokumen/{document.id}/pratinjau"' in body, path
        assert f'href="/dokumen/{document.id}">piagam.pdf</a>' in body, path


def test_task_page_shows_an_image(app, dbs, world, shipped_processes, login_as):  # noqa: F811
    """Is a PNG shown as a picture with a text alternative, not framed?"""
    _instance, task, document = _request_with(app, dbs, world, PNG, "piagam.png")
    body = login_as("validator.dinkes").get(f"/tugas/{task.id}").get_data(as_text=True)
    assert f'<img class="evidence-preview" src="/dokumen/{document.id}/pratinjau" alt="Pratinjau piagam.png"' in body
    assert "<iframe" not in body


def test_preview_is_inline_and_strict(app, dbs, world, shipped_processes, login_as):  # noqa: F811
    """Is the preview sent inline, unsniffed, sandboxed and frameable by this site only, while the download
    stays an attachment?"""
    _instance, _task, document = _request_with(app, dbs, world, PDF, "piagam.pdf")
    client = login_as("validator.dinkes")
    preview = client.get(f"/dokumen/{document.id}/pratinjau")
    assert preview.status_code == 200 and preview.data == PDF
    assert preview.headers["Content-Type"] == "application/pdf"
    assert preview.headers["Content-Disposition"].startswith("inline;")
    assert preview.headers["X-Content-Type-Options"] == "nosniff"
    policy = preview.headers["Content-Security-Policy"]
    assert "sandbox" in policy and "default-src 'none'" in policy and "frame-ancestors 'self'" in policy
    assert preview.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert preview.headers["Cache-Control"] == "private, no-store"
    download = client.get(f"/dokumen/{document.id}")
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["Content-Security-Policy"] == "sandbox"


def test_viewing_someone_elses_evidence_is_audited(app, dbs, world, shipped_processes, login_as, client):  # noqa: F811
    """Is a validator's preview of the ASN's evidence audited, and the ASN's own view not?"""
    _instance, _task, document = _request_with(app, dbs, world, PDF, "piagam.pdf")

    def views() -> list[str]:
        return list(dbs.scalars(select(AuditEvent.actor_label).where(
            AuditEvent.action == "document.view", AuditEvent.object_id == str(document.id))))

    login_as("asn.dinkes").get(f"/dokumen/{document.id}/pratinjau")
    assert views() == []
    client.post("/keluar", data={"csrf_token": _token(client)})
    login_as("validator.dinkes").get(f"/dokumen/{document.id}/pratinjau")
    assert views() == ["validator.dinkes"]


def _token(client) -> str:
    from tests.conftest import csrf_token
    return csrf_token(client, "/usulan/")
