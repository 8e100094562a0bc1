"""The BPMN editor of the studio: the processes a process owner edits, one draft per process, the
checks of a draft, and publishing a draft as version n+1.

A draft is parsed by the hardened parser before it is stored (no DTD, no entities, no network, a
size limit) and must hold the process it is the draft of; anything else is refused and nothing is
written. Publishing runs every studio check again and refuses while one error remains.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..engine.errors import DefinitionError
from ..engine.loading import DEFAULT_MAX_BYTES, load_definition, parse_xml_safely
from ..engine.rules import NS, describe
from ..models import ProcessDefinition, ProcessDraft, ProcessVersion, User
from ..models.base import utcnow
from . import audit, authz, definitions, operators, studio_checks
from .errors import BadRequestError, ConflictError, NotFoundError, ValidationError

EDITOR_ROLE = "process_owner"
MAX_XML_BYTES = DEFAULT_MAX_BYTES
UPLOAD_SUFFIXES = (".bpmn", ".xml")


@dataclass(frozen=True)
class ProcessRow:
    key: str
    name: str
    latest_version: int | None
    published_at: datetime | None
    draft_updated_at: datetime | None
    draft_by: str | None


@dataclass(frozen=True)
class EditorState:
    definition: ProcessDefinition
    xml: str
    latest_version: int | None
    draft: ProcessDraft | None
    draft_by: str | None


def list_processes(session: Session, user: User) -> list[ProcessRow]:
    """Every process with its latest version and its draft, by name."""
    authz.require_role(user, EDITOR_ROLE)
    latest = (select(ProcessVersion.process_key, func.max(ProcessVersion.version).label("version"))
              .group_by(ProcessVersion.process_key).subquery())
    rows = session.execute(
        select(ProcessDefinition, latest.c.version, ProcessVersion.published_at, ProcessDraft.updated_at,
               User.display_name)
        .outerjoin(latest, latest.c.process_key == ProcessDefinition.key)
        .outerjoin(ProcessVersion, (ProcessVersion.process_key == ProcessDefinition.key)
                   & (ProcessVersion.version == latest.c.version))
        .outerjoin(ProcessDraft, ProcessDraft.process_key == ProcessDefinition.key)
        .outerjoin(User, User.id == ProcessDraft.updated_by)
        .order_by(ProcessDefinition.name))
    return [ProcessRow(d.key, d.name, version, published, draft_at, draft_by if draft_at else None)
            for d, version, published, draft_at, draft_by in rows]


def editor_state(session: Session, user: User, key: str) -> EditorState:
    """What the editor opens: the draft when there is one, else the latest published version."""
    authz.require_role(user, EDITOR_ROLE)
    definition = _definition(session, key)
    latest = definitions.latest_version(session, key)
    draft = session.get(ProcessDraft, key)
    if draft is None and latest is None:
        raise NotFoundError(f"Proses '{key}' belum memiliki versi maupun draf.")
    by = session.get(User, draft.updated_by) if draft is not None and draft.updated_by else None
    return EditorState(definition, draft.bpmn_xml if draft else latest.bpmn_xml,
                       latest.version if latest else None, draft, by.display_name if by else None)


def save_draft(session: Session, actor: audit.Actor, user: User, key: str, xml: bytes,
               source: str = "editor", expected_stamp: str | None = None,
               ) -> tuple[ProcessDraft, list[studio_checks.Problem]]:
    """Store `xml` as the draft of `key` (replacing the previous one) and return what the checks find.

    Refused without writing anything: XML the hardened parser rejects, a file without process `key`, or
    (given `expected_stamp`, the draft's stamp when the editor opened it, "" for none) a draft someone
    else saved in the meantime."""
    authz.require_role(user, EDITOR_ROLE)
    _definition(session, key)
    text = _checked_xml(xml, key)
    draft = _lock_draft(session, key)
    if expected_stamp is not None and expected_stamp != draft_stamp(draft):
        raise ConflictError(_changed_message(session, draft))
    draft = draft or ProcessDraft(process_key=key)
    latest = definitions.latest_version(session, key)
    if draft.bpmn_xml is None or source == "import":
        draft.base_version = latest.version if latest else None
    draft.bpmn_xml, draft.updated_by, draft.updated_at, draft.source = text, user.id, utcnow(), source
    session.add(draft)
    problems = studio_checks.check_definition(session, text.encode("utf-8"))
    audit.record(session, actor, "studio.draft_imported" if source == "import" else "studio.draft_saved",
                 "process_definition", key, bytes=len(xml), problems=len(problems))
    session.commit()
    return draft, problems


def import_file(session: Session, actor: audit.Actor, user: User, key: str, filename: str, content: bytes,
                expected_stamp: str | None = None) -> tuple[ProcessDraft, list[studio_checks.Problem]]:
    """A `.bpmn` file uploaded as the new draft of `key`, under the same checks as a saved draft."""
    authz.require_role(user, EDITOR_ROLE)
    if not (filename or "").lower().endswith(UPLOAD_SUFFIXES):
        raise BadRequestError("Pilih berkas BPMN (berakhiran .bpmn atau .xml).", fields={"berkas": ["Bukan berkas .bpmn."]})
    return save_draft(session, actor, user, key, content, source="import", expected_stamp=expected_stamp)


def draft_stamp(draft: ProcessDraft | None) -> str:
    """What the editor sends back to prove it saw the latest draft ("" when there was none)."""
    return draft.updated_at.isoformat() if draft is not None else ""


def check(session: Session, user: User, key: str, xml: bytes) -> list[studio_checks.Problem]:
    """Every problem of `xml` as the next version of `key`; nothing is stored."""
    authz.require_role(user, EDITOR_ROLE)
    _definition(session, key)
    try:
        text = _checked_xml(xml, key)
    except BadRequestError as refused:
        return [studio_checks.Problem(None if element in ("xml", "definisi") else element, message)
                for element, messages in refused.fields.items() for message in messages]
    return studio_checks.check_definition(session, text.encode("utf-8"))


def publish(session: Session, actor: audit.Actor, user: User, key: str) -> ProcessVersion:
    """Publish the draft of `key` as version n+1 and remove the draft; refused while a check fails."""
    authz.require_role(user, EDITOR_ROLE)
    draft = _draft(session, key)
    xml = draft.bpmn_xml.encode("utf-8")
    errors = [p for p in studio_checks.check_definition(session, xml) if p.severity == "error"]
    if errors:
        raise ValidationError(f"Draf belum dapat diterbitkan: {len(errors)} masalah harus diperbaiki dahulu.",
                              fields=_by_element(errors))
    try:
        loaded = load_definition(xml, operators=operators.operator_names(), process_id=key,
                                 known_forms=definitions.known_forms(definitions.FORMS_DIR, session))
    except DefinitionError as err:
        raise ValidationError("Draf belum dapat diterbitkan.", fields={"definisi": err.problems}) from None
    forms = definitions.pinned_forms(session, loaded.forms)
    version = definitions.publish(session, actor, xml, loaded, forms, source="studio")
    if version is None:
        raise ConflictError("Draf sama dengan versi terbaru (diagram dan formulir); tidak ada yang diterbitkan.")
    session.delete(draft)
    session.commit()
    return version


def discard_draft(session: Session, actor: audit.Actor, user: User, key: str) -> None:
    authz.require_role(user, EDITOR_ROLE)
    session.delete(_draft(session, key))
    audit.record(session, actor, "studio.draft_discarded", "process_definition", key)
    session.commit()


def draft_xml(session: Session, user: User, key: str) -> str:
    authz.require_role(user, EDITOR_ROLE)
    return _draft(session, key).bpmn_xml


def _checked_xml(xml: bytes, key: str) -> str:
    """The draft as text, after the hardened parser accepted it and found process `key` in it."""
    try:
        tree = parse_xml_safely(xml, MAX_XML_BYTES)
    except DefinitionError as err:
        raise BadRequestError(" ".join(err.problems), fields={"xml": err.problems}) from None
    if not tree.xpath("/bpmn:definitions/bpmn:process[@id=$key]", namespaces=NS, key=key):
        ids = ", ".join(tree.xpath("/bpmn:definitions/bpmn:process/@id", namespaces=NS)) or "tidak ada"
        message = (f"Berkas ini bukan proses '{key}': elemen bpmn:process dengan id '{key}' tidak ada "
                   f"(proses dalam berkas: {ids}). Tidak ada yang disimpan.")
        raise BadRequestError(message, fields={"xml": [message]})
    _refuse_scripts(tree)
    return xml.decode("utf-8-sig")


def _refuse_scripts(tree) -> None:
    """A draft never holds code: script tasks and pre/post scripts are refused before anything is stored."""
    found = tree.xpath("//bpmn:scriptTask | //spiff:preScript/../.. | //spiff:postScript/../..", namespaces=NS)
    if found:
        fields = {node.get("id") or "definisi": [f"{describe(node)}: skrip tidak diizinkan; gunakan service task "
                                                 "dengan operator yang terdaftar."] for node in found}
        raise BadRequestError(f"Diagram memuat skrip ({', '.join(sorted(fields))}); skrip tidak pernah dijalankan "
                              "di SIMASN. Ganti dengan service task berisi operator terdaftar. Tidak ada yang "
                              "disimpan.", fields=fields)


def _lock_draft(session: Session, key: str) -> ProcessDraft | None:
    """The draft row, locked (PostgreSQL) so two saves of one process take turns; the definition row is
    locked too, so two first drafts of a process cannot both be inserted."""
    session.execute(select(ProcessDefinition.key).where(ProcessDefinition.key == key).with_for_update())
    return session.scalars(select(ProcessDraft).where(ProcessDraft.process_key == key).with_for_update()).first()


def _changed_message(session: Session, draft: ProcessDraft | None) -> str:
    if draft is None:
        return ("Draf yang Anda buka sudah diterbitkan atau dibuang orang lain. Muat ulang halaman; "
                "perubahan Anda belum disimpan.")
    by = session.get(User, draft.updated_by) if draft.updated_by else None
    return (f"Draf telah diubah oleh {by.display_name if by else 'pengguna lain'} sejak halaman ini dibuka. "
            "Muat ulang halaman untuk melihat draf terbaru; perubahan Anda belum disimpan.")


def _definition(session: Session, key: str) -> ProcessDefinition:
    definition = session.get(ProcessDefinition, key)
    if definition is None:
        raise NotFoundError(f"Proses '{key}' tidak ditemukan.")
    return definition


def _draft(session: Session, key: str) -> ProcessDraft:
    _definition(session, key)
    draft = session.get(ProcessDraft, key)
    if draft is None:
        raise NotFoundError(f"Proses '{key}' tidak memiliki draf. Simpan draf dahulu dari penyunting.")
    return draft


def _by_element(problems: list[studio_checks.Problem]) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for problem in problems:
        fields.setdefault(problem.element_id or "definisi", []).append(problem.message)
    return fields
