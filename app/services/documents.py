"""Evidence documents (dokumen bukti): accept an upload, keep it unchanged, hand it out for download.

Accepted are PDF, JPEG and PNG, judged by the first bytes of the content only (never by the
name or the browser's content type), up to a size limit (10 MB unless the caller says otherwise).

Storage is content-addressed: ``<store>/ab/cd/<sha256>``, written once through a temporary file
and ``os.replace``, then read-only. Dedupe rule: one file per content, one ``Document`` row per
upload — uploading the same bytes again leaves the file alone and adds a row with its own
uploader, name, kind and time, so that each upload keeps its provenance.

The caller owns the transaction: ``store_upload`` only flushes. The file is written before the
row, so a row never points at a missing file; a rolled-back upload leaves an unreferenced file.
Who may see a document is decided by ``request_access``, not here.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
import unicodedata
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models.document import Document
from .errors import NotFoundError, ValidationError
from .reference import code_exists

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
DOCUMENT_KIND_TABLE = "dokumen"

# media type → (magic bytes at offset 0, extensions a download name may keep)
SIGNATURES: dict[str, tuple[bytes, tuple[str, ...]]] = {
    "application/pdf": (b"%PDF-", (".pdf",)),
    "image/jpeg": (b"\xff\xd8\xff", (".jpg", ".jpeg")),
    "image/png": (b"\x89PNG\r\n\x1a\n", (".png",)),
}
ACCEPTED = "PDF, JPEG, atau PNG"

_SHA256 = re.compile(r"[0-9a-f]{64}")
_CHUNK = 1 << 20


def store_upload(session: Session, store_dir: Path, upload, original_name: str | None, uploaded_by: int,
                 kind: str | None = None, max_bytes: int = MAX_UPLOAD_BYTES, *, field: str | None = None) -> Document:
    """Check and keep one uploaded file; ``upload`` is bytes or a binary stream (e.g. a FileStorage).

    Refusals raise ``ValidationError`` (with ``fields={field: [message]}`` when ``field`` is
    given) and write nothing: too big, empty, not PDF/JPEG/PNG, or an unknown document kind.
    """
    content = _read_limited(upload, max_bytes)
    media_type = _check_content(content, max_bytes, field)
    if kind is not None and not code_exists(session, DOCUMENT_KIND_TABLE, kind):
        raise _refusal(f"Jenis dokumen '{kind}' tidak dikenal.", field)
    digest = hashlib.sha256(content).hexdigest()
    _write_once(blob_path(store_dir, digest), content)
    document = Document(sha256=digest, size=len(content), media_type=media_type,
                        original_name=display_name(original_name), document_kind_id=kind,
                        uploaded_by=uploaded_by)
    session.add(document)
    session.flush()
    return document


def sniff(content: bytes) -> str | None:
    """The media type the content's magic bytes show, or None when it is none we accept."""
    return next((media_type for media_type, (magic, _) in SIGNATURES.items() if content.startswith(magic)), None)


def _read_limited(upload, max_bytes: int) -> bytes:
    """At most ``max_bytes + 1`` bytes: enough to know the upload is too big without reading it all."""
    if isinstance(upload, (bytes, bytearray, memoryview)):
        return bytes(upload[: max_bytes + 1])
    chunks, remaining = [], max_bytes + 1
    while remaining > 0:
        chunk = upload.read(min(remaining, _CHUNK))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _check_content(content: bytes, max_bytes: int, field: str | None) -> str:
    if len(content) > max_bytes:
        raise _refusal(f"Berkas terlalu besar (maks. {_size_label(max_bytes)}).", field)
    if not content:
        raise _refusal(f"Berkas kosong. Pilih berkas {ACCEPTED}.", field)
    media_type = sniff(content)
    if media_type is None:
        raise _refusal(f"Berkas ditolak: isinya bukan {ACCEPTED}. Yang diperiksa isi berkas, bukan nama atau "
                f"ekstensinya; simpan atau pindai ulang dokumen sebagai {ACCEPTED}.", field)
    return media_type


def _refusal(message: str, field: str | None) -> ValidationError:
    return ValidationError(message, fields={field: [message]} if field else None)


def _size_label(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):g} MB".replace(".", ",")
    return f"{size / 1024:g} KB".replace(".", ",") if size >= 1024 else f"{size} byte"


def blob_path(store_dir: Path, digest: str) -> Path:
    return Path(store_dir) / digest[:2] / digest[2:4] / digest


def _write_once(path: Path, content: bytes) -> None:
    """Write through a temporary file in the same folder, so that readers never see half a file.

    An existing file is never opened for writing: the same name means the same bytes.
    """
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".unggah-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o444)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def display_name(original_name: str | None) -> str:
    """The uploader's file name without folders or control characters, at most 255 characters."""
    name = re.split(r"[\\/]", original_name or "")[-1]
    name = "".join(char for char in name if not unicodedata.category(char).startswith("C")).strip()
    if len(name) > 255:
        stem, dot, suffix = name.rpartition(".")
        name = (stem[: 254 - len(suffix)] + dot + suffix) if dot and len(suffix) <= 10 else name[:255]
    return name or "dokumen"


def open_document(store_dir: Path, document: Document) -> Path:
    """The stored file of a document, for the web layer to send; NotFoundError if it is gone."""
    path = blob_path(store_dir, document.sha256)
    if not _SHA256.fullmatch(document.sha256 or "") or not path.is_file():
        raise NotFoundError("Berkas dokumen tidak ditemukan.")
    return path


def download_name(document: Document) -> str:
    """The original name, with the extension of the real content when the name claims another."""
    extensions = SIGNATURES[document.media_type][1]
    stem, dot, suffix = document.original_name.rpartition(".")
    if dot and f".{suffix.lower()}" in extensions:
        return document.original_name
    return f"{stem if dot and stem else document.original_name}{extensions[0]}"


# A preview is framed by this application's own pages only, sandboxed (a unique origin, no scripts of
# its own) and allowed to load nothing; Chromium's PDF viewer still renders it (checked in the browser
# tests), and the download link stays beside it for any browser that will not.
PREVIEW_POLICY = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'"


def send_headers(document: Document, *, inline: bool = False) -> dict[str, str]:
    """Headers for sending a document that the browser will not sniff: as a download, or (``inline``)
    as a preview that only this application's pages may frame."""
    name = download_name(document)
    plain = "".join(char for char in unicodedata.normalize("NFKD", name) if not unicodedata.combining(char))
    fallback = re.sub(r"[^A-Za-z0-9._ ()-]", "_", plain).strip() or "dokumen"
    disposition = "inline" if inline else "attachment"
    headers = {
        "Content-Type": document.media_type,
        "Content-Disposition": f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": PREVIEW_POLICY if inline else "sandbox",
        "Cache-Control": "private, no-store",
        "Cross-Origin-Resource-Policy": "same-origin",
    }
    if inline:
        headers["X-Frame-Options"] = "SAMEORIGIN"
    return headers


def get_documents(session: Session, ids: list[int], uploaded_by: int | None = None) -> list[Document]:
    """The documents with these ids (for checking ids posted in a form); NotFoundError if any id is
    unknown or, with ``uploaded_by``, was uploaded by someone else."""
    wanted = set(ids)
    stmt = select(Document).where(Document.id.in_(wanted))
    if uploaded_by is not None:
        stmt = stmt.where(Document.uploaded_by == uploaded_by)
    found = list(session.scalars(stmt))
    if len(found) != len(wanted):
        raise NotFoundError("Dokumen tidak ditemukan.")
    return found
