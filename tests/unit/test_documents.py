"""Are evidence documents accepted only for what they really are, kept unchanged, and sent safely?"""
from __future__ import annotations

import io
import os
import stat

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from app.models import Base, Document, ReferenceEntry, ReferenceTable
from app.services import documents
from app.services.documents import get_documents, open_document, send_headers, sniff, store_upload
from app.services.errors import NotFoundError, ValidationError

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 64
USER = 17


@pytest.fixture()
def session():
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        session.add(ReferenceTable(key="dokumen", title="Jenis Dokumen", source="uji", checksum="0" * 64))
        session.add(ReferenceEntry(table_key="dokumen", code="872", name="Dok SK Jabatan"))
        session.flush()
        yield session
    engine.dispose()


@pytest.fixture()
def store(tmp_path):
    return tmp_path / "dokumen"


def stored_files(store) -> list:
    return sorted(path for path in store.rglob("*") if path.is_file()) if store.exists() else []


def row_count(session) -> int:
    return session.scalar(select(func.count()).select_from(Document))


@pytest.mark.parametrize("content, media_type", [(PDF, "application/pdf"), (JPEG, "image/jpeg"), (PNG, "image/png")])
def test_pdf_jpeg_and_png_are_accepted(session, store, content, media_type):
    """Is each accepted kind stored under its sha256, with the type its content shows?"""
    document = store_upload(session, store, content, "bukti.bin", USER, kind="872")
    path = open_document(store, document)
    assert document.id and document.media_type == media_type and document.size == len(content)
    assert document.document_kind_id == "872" and document.uploaded_by == USER and document.uploaded_at
    assert path == store / document.sha256[:2] / document.sha256[2:4] / document.sha256
    assert path.read_bytes() == content


def test_a_stream_is_accepted_like_bytes(session, store):
    """Can the web layer pass the upload's stream (e.g. a FileStorage) directly?"""
    document = store_upload(session, store, io.BytesIO(PDF), "sk.pdf", USER)
    assert open_document(store, document).read_bytes() == PDF


def test_executable_named_pdf_is_refused(session, store):
    """Is an executable renamed .pdf refused by its content, with nothing written?"""
    with pytest.raises(ValidationError) as refused:
        store_upload(session, store, EXE, "SK Kenaikan Pangkat.pdf", USER, field="dokumen_sk")
    assert "bukan PDF, JPEG, atau PNG" in refused.value.message
    assert refused.value.fields == {"dokumen_sk": [refused.value.message]}
    assert stored_files(store) == [] and row_count(session) == 0


def test_oversized_upload_is_refused_with_nothing_written(session, store):
    """Is a file over the limit refused, with no file and no row left behind?"""
    with pytest.raises(ValidationError, match=r"^Berkas terlalu besar \(maks\. 10 MB\)\.$"):
        store_upload(session, store, PDF + b"\0" * (10 * 1024 * 1024), "besar.pdf", USER)
    with pytest.raises(ValidationError, match=r"maks\. 1 KB"):
        store_upload(session, store, PDF + b"\0" * 1024, "besar.pdf", USER, max_bytes=1024)
    assert stored_files(store) == [] and row_count(session) == 0


def test_endless_upload_is_read_only_just_past_the_limit(session, store):
    """Does an endless upload stop being read right after the limit, instead of filling memory?"""
    class Endless(io.RawIOBase):
        consumed = 0

        def read(self, size=-1):
            self.consumed += size
            return PDF[:5] + b"\0" * (size - 5) if self.consumed == size else b"\0" * size

    stream = Endless()
    with pytest.raises(ValidationError, match="terlalu besar"):
        store_upload(session, store, stream, "x.pdf", USER, max_bytes=4096)
    assert stream.consumed == 4097


def test_upload_exactly_at_the_limit_is_accepted(session, store):
    """Is a file of exactly the limit's size still accepted?"""
    content = PDF + b"\0" * (2048 - len(PDF))
    assert store_upload(session, store, content, "pas.pdf", USER, max_bytes=2048).size == 2048


def test_empty_file_is_refused(session, store):
    """Is an empty upload refused with a clear message?"""
    with pytest.raises(ValidationError, match="Berkas kosong"):
        store_upload(session, store, b"", "kosong.pdf", USER)
    assert stored_files(store) == [] and row_count(session) == 0


def test_unknown_document_kind_is_refused(session, store):
    """Is a document kind missing from the dokumen reference table refused before anything is written?"""
    with pytest.raises(ValidationError, match="Jenis dokumen '999' tidak dikenal"):
        store_upload(session, store, PDF, "sk.pdf", USER, kind="999")
    assert stored_files(store) == [] and row_count(session) == 0


def test_same_content_is_stored_once_with_a_row_per_upload(session, store):
    """Does a second upload of the same bytes reuse the file, untouched, and get its own row?"""
    first = store_upload(session, store, PDF, "sk.pdf", USER)
    before = os.stat(open_document(store, first))
    second = store_upload(session, store, PDF, "salinan sk.pdf", USER + 1, kind="872")
    after = os.stat(open_document(store, second))
    assert first.id != second.id and first.sha256 == second.sha256
    assert (second.original_name, second.uploaded_by) == ("salinan sk.pdf", USER + 1)
    assert stored_files(store) == [open_document(store, first)]
    assert (before.st_ino, before.st_mtime_ns) == (after.st_ino, after.st_mtime_ns)


def test_write_leaves_no_temporary_files(session, store):
    """After an upload, is the content file the only file in the store?"""
    document = store_upload(session, store, PNG, "foto.png", USER)
    assert stored_files(store) == [open_document(store, document)]


def test_failed_write_leaves_nothing(session, store, monkeypatch):
    """When the final rename fails (disk, permissions), are the temporary file and the row both absent?"""
    def broken_replace(source, target):
        raise OSError("disk penuh")
    monkeypatch.setattr(documents.os, "replace", broken_replace)
    with pytest.raises(OSError):
        store_upload(session, store, PDF, "sk.pdf", USER)
    assert stored_files(store) == [] and row_count(session) == 0


def test_stored_file_equals_the_upload_and_is_read_only(session, store):
    """Is the stored file byte-for-byte the upload, with no write permission for anyone?"""
    document = store_upload(session, store, JPEG, "foto.jpg", USER)
    path = open_document(store, document)
    assert path.read_bytes() == JPEG
    assert stat.S_IMODE(path.stat().st_mode) & 0o222 == 0


def test_document_row_cannot_be_changed(session, store):
    """Is a document row refused any change after the upload?"""
    document = store_upload(session, store, PDF, "sk.pdf", USER)
    document.original_name = "lain.pdf"
    with pytest.raises(ValueError, match="tidak boleh diubah"):
        session.flush()


def test_original_name_is_kept_for_display_only(session, store):
    """Are folders and control characters stripped from the uploader's file name?"""
    document = store_upload(session, store, PDF, "C:\\Users\\budi\\SK\x00 pangkat\n.pdf", USER)
    assert document.original_name == "SK pangkat.pdf"
    assert store_upload(session, store, PDF, None, USER).original_name == "dokumen"


def test_download_headers(session, store):
    """Is a download sent as an attachment with its sniffed type, nosniff and a sandbox?"""
    document = store_upload(session, store, PDF, "SK Kenaikan Pangkat – Siti.pdf", USER)
    headers = send_headers(document)
    assert headers["Content-Type"] == "application/pdf"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Content-Security-Policy"] == "sandbox"
    assert headers["Content-Disposition"] == (
        "attachment; filename=\"SK Kenaikan Pangkat _ Siti.pdf\"; "
        "filename*=UTF-8''SK%20Kenaikan%20Pangkat%20%E2%80%93%20Siti.pdf")


def test_download_name_follows_the_real_content(session, store):
    """Does a PNG uploaded as "sk.pdf" download as "sk.png", and can a quote break the header?"""
    png = store_upload(session, store, PNG, 'sk".pdf', USER)
    disposition = send_headers(png)["Content-Disposition"]
    assert disposition == "attachment; filename=\"sk_.png\"; filename*=UTF-8''sk%22.png"
    assert send_headers(store_upload(session, store, JPEG, "foto", USER))["Content-Disposition"].endswith("foto.jpg")


def test_missing_or_tampered_file_is_not_found(session, store):
    """Is a document whose file is gone, or whose hash was tampered with, answered as not found?"""
    document = store_upload(session, store, PDF, "sk.pdf", USER)
    ghost = Document(sha256="0" * 64, size=1, media_type="application/pdf", original_name="x", uploaded_by=USER)
    escape = Document(sha256="../../../etc/passwd", size=1, media_type="application/pdf", original_name="x",
                      uploaded_by=USER)
    assert open_document(store, document).is_file()
    for broken in (ghost, escape):
        with pytest.raises(NotFoundError):
            open_document(store, broken)


def test_posted_document_ids_must_be_the_users_own(session, store):
    """Can a user attach only documents they uploaded themselves (ids come from a hidden field)?"""
    mine = store_upload(session, store, PDF, "sk.pdf", USER)
    theirs = store_upload(session, store, PNG, "foto.png", USER + 1)
    assert get_documents(session, [mine.id], uploaded_by=USER) == [mine]
    with pytest.raises(NotFoundError):
        get_documents(session, [mine.id, theirs.id], uploaded_by=USER)
    with pytest.raises(NotFoundError):
        get_documents(session, [9999])


def test_sniffing_ignores_everything_but_the_first_bytes():
    """Is the type decided by the magic bytes alone (a PDF marker later in the file does not count)?"""
    assert sniff(PDF) == "application/pdf" and sniff(JPEG) == "image/jpeg" and sniff(PNG) == "image/png"
    assert sniff(b"junk %PDF-1.4") is None and sniff(b"\x89PNG") is None and sniff(EXE) is None
