"""Forms stored in the database: the studio's drafts and every published version.

A form is a JSON Schema and a UI schema (`<name>.schema.json` / `<name>.uischema.json` in a process
version's pinned forms). Published versions never change; a process published afterwards pins the
latest published content (`published_content`). The shipped files in `forms/` seed the table
(`sync_from_files`, run by `simasn load-processes`); a form changed in the studio is not overwritten
by its file. Only process owners edit and publish; admins may look.
"""
from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..engine.rules import SCHEMA_SUFFIX
from ..models import FormDefinition, ProcessVersion, User
from ..models.base import utcnow
from . import audit, authz
from .errors import ConflictError, DomainError, NotFoundError, ValidationError
from .form_checks import CheckedForm, check_texts, parse_json
from .reference import reference_choices

EDITOR_ROLE = "process_owner"
READER_ROLES = (EDITOR_ROLE, "admin")
UI_SUFFIX = ".uischema.json"
MAX_TEXT_BYTES = 256 * 1024
NAME = re.compile(r"[a-z][a-z0-9_]{1,63}")
TEMPLATE_SCHEMA = {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "Formulir baru",
                   "type": "object", "properties": {"catatan": {"type": "string", "maxLength": 1000}},
                   "required": ["catatan"]}
TEMPLATE_UI = {"catatan": {"ui:title": "Catatan", "ui:widget": "textarea", "ui:options": {"rows": 3},
                           "ui:errorMessages": {"required": "Catatan wajib diisi."}}}


class TooLargeError(DomainError):
    status = 413


@dataclass(frozen=True)
class FormSummary:
    name: str
    title: str
    version: int | None  # latest published version, None while only a draft exists
    published_at: object
    has_draft: bool
    draft_ok: bool
    used_by: tuple[str, ...]


@dataclass(frozen=True)
class FormView:
    name: str
    published: FormDefinition | None
    draft: FormDefinition | None
    history: list[FormDefinition]  # published versions, newest first
    used_by: tuple[str, ...]

    @property
    def current(self) -> FormDefinition:
        return self.draft or self.published

    @property
    def base_version(self) -> int:
        return self.published.version if self.published else 0


def list_forms(session: Session, user: User) -> list[FormSummary]:
    authz.require_role(user, *READER_ROLES)
    rows = session.scalars(select(FormDefinition).order_by(FormDefinition.name, FormDefinition.version))
    latest: dict[str, FormDefinition] = {}
    drafts: dict[str, FormDefinition] = {}
    for row in rows:
        (drafts if row.status == "draft" else latest)[row.name] = row
    users = usage(session)
    return [_summary(name, latest.get(name), drafts.get(name), users.get(name, ()))
            for name in sorted(latest.keys() | drafts.keys())]


def _summary(name: str, published: FormDefinition | None, draft: FormDefinition | None,
             used_by: tuple[str, ...]) -> FormSummary:
    shown = draft or published
    schema, _ = parse_json("schema", shown.schema_text)
    title = str((schema or {}).get("title") or "")
    return FormSummary(name, title, published.version if published else None,
                       published.published_at if published else None, draft is not None,
                       draft is not None and not draft.problems, used_by)


def usage(session: Session) -> dict[str, tuple[str, ...]]:
    """Form name -> the processes whose latest version pins it."""
    newest = (select(ProcessVersion.process_key, func.max(ProcessVersion.version).label("version"))
              .group_by(ProcessVersion.process_key).subquery())
    stmt = select(ProcessVersion.process_key, ProcessVersion.forms).join(
        newest, (newest.c.process_key == ProcessVersion.process_key) & (newest.c.version == ProcessVersion.version))
    users: dict[str, list[str]] = {}
    for key, forms in session.execute(stmt):
        for filename in forms or {}:
            if filename.endswith(SCHEMA_SUFFIX):
                users.setdefault(filename[: -len(SCHEMA_SUFFIX)], []).append(key)
    return {name: tuple(sorted(keys)) for name, keys in users.items()}


def get_form(session: Session, user: User, name: str) -> FormView:
    authz.require_role(user, *READER_ROLES)
    rows = list(session.scalars(select(FormDefinition).where(FormDefinition.name == name)
                                .order_by(FormDefinition.version.desc())))
    if not rows:
        raise NotFoundError(f"Formulir '{name}' tidak ada.")
    history = [row for row in rows if row.status == "published"]
    draft = next((row for row in rows if row.status == "draft"), None)
    return FormView(name, history[0] if history else None, draft, history, usage(session).get(name, ()))


def check(session: Session, user: User, schema_text: str, ui_text: str) -> CheckedForm:
    """The live check and preview of the editor: nothing is stored."""
    authz.require_role(user, EDITOR_ROLE)
    return _checked(session, schema_text, ui_text)


def review(session: Session, user: User, schema_text: str, ui_text: str) -> CheckedForm:
    """The same check for anyone who may read forms (the admin sees the preview, read-only)."""
    authz.require_role(user, *READER_ROLES)
    return _checked(session, schema_text, ui_text)


def _checked(session: Session, schema_text: str, ui_text: str) -> CheckedForm:
    _require_size(schema_text, ui_text)
    return check_texts(schema_text, ui_text, functools.partial(reference_choices, session))


def save_draft(session: Session, actor: audit.Actor, user: User, name: str, schema_text: str, ui_text: str,
               base_version: int | None = None) -> tuple[FormDefinition, CheckedForm]:
    """Keep the texts as the form's draft, even when they have problems (listed on the draft)."""
    checked = check(session, user, schema_text, ui_text)
    view = get_form(session, user, name)
    _require_base(view, base_version)
    draft = _write_draft(session, user, view, schema_text, ui_text, checked)
    audit.record(session, actor, "form.draft_saved", "form_definition", name, draft_id=draft.id,
                 base_version=draft.version, problems=len(checked.problems))
    session.commit()
    return draft, checked


def publish(session: Session, actor: audit.Actor, user: User, name: str, schema_text: str, ui_text: str,
            base_version: int | None = None) -> FormDefinition:
    """Publish the texts as version n+1; refused, changing nothing, while they have any problem."""
    checked = check(session, user, schema_text, ui_text)
    if not checked.ok:
        raise ValidationError("Formulir belum dapat diterbitkan: perbaiki masalah berikut dahulu.",
                              fields={"formulir": checked.messages})
    view = get_form(session, user, name)
    _require_base(view, base_version)
    _require_change(view, checked)
    row = _write_draft(session, user, view, schema_text, ui_text, checked)
    row.status, row.version, row.source = "published", view.base_version + 1, "studio"
    row.published_by, row.published_at = user.id, utcnow()
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise ConflictError(f"Formulir '{name}' baru saja diterbitkan oleh orang lain. Muat ulang halaman.") from None
    audit.record(session, actor, "form.published", "form_definition", name, version=row.version, source="studio")
    session.commit()
    return row


def discard_draft(session: Session, actor: audit.Actor, user: User, name: str) -> None:
    authz.require_role(user, EDITOR_ROLE)
    view = get_form(session, user, name)
    if view.draft is None:
        raise NotFoundError(f"Formulir '{name}' tidak mempunyai draf.")
    if view.published is None:
        raise ConflictError("Formulir ini belum pernah diterbitkan; drafnya adalah satu-satunya isi formulir.")
    session.delete(view.draft)
    audit.record(session, actor, "form.draft_discarded", "form_definition", name, base_version=view.draft.version)
    session.commit()


def create(session: Session, actor: audit.Actor, user: User, name: str) -> FormDefinition:
    """A new form, as a draft filled from the template."""
    authz.require_role(user, EDITOR_ROLE)
    name = (name or "").strip()
    if not NAME.fullmatch(name):
        raise ValidationError("Nama formulir tidak sah.", fields={"nama": [
            "Gunakan 2–64 huruf kecil, angka atau '_', diawali huruf (mis. cuti_tahunan)."]})
    if session.scalar(select(FormDefinition.id).where(FormDefinition.name == name).limit(1)) is not None:
        raise ConflictError(f"Formulir '{name}' sudah ada.", fields={"nama": ["Nama ini sudah dipakai."]})
    schema_text, ui_text = _pretty(TEMPLATE_SCHEMA), _pretty(TEMPLATE_UI)
    draft = FormDefinition(name=name, status="draft", version=0, schema_text=schema_text, ui_schema_text=ui_text,
                           problems=[], source="studio", updated_by=user.id)
    session.add(draft)
    session.flush()
    audit.record(session, actor, "form.created", "form_definition", name, draft_id=draft.id)
    session.commit()
    return draft


def download(session: Session, user: User, name: str, part: str, version: int | None) -> tuple[str, str]:
    """(file name, text) of the schema or UI schema of a published version, or of the draft (version None)."""
    view = get_form(session, user, name)
    row = view.draft if version is None else next((r for r in view.history if r.version == version), None)
    if row is None:
        raise NotFoundError("Versi formulir tidak ada.")
    if part == "schema":
        return f"{name}{SCHEMA_SUFFIX}", row.schema_text
    if part == "uischema":
        return f"{name}{UI_SUFFIX}", row.ui_schema_text
    raise NotFoundError("Bagian formulir tidak dikenal.")


def _require_size(*texts: str) -> None:
    if any(len(text.encode("utf-8")) > MAX_TEXT_BYTES for text in texts):
        raise TooLargeError(f"Teks skema terlalu besar: paling banyak {MAX_TEXT_BYTES // 1024} KB per skema.")


def _require_base(view: FormView, base_version: int | None) -> None:
    if base_version is not None and base_version != view.base_version:
        raise ConflictError(f"Formulir '{view.name}' telah diterbitkan sebagai versi {view.base_version} sejak "
                            "halaman ini dibuka. Salin perubahan Anda, muat ulang halaman, lalu terapkan lagi.")


def _require_change(view: FormView, checked: CheckedForm) -> None:
    published = view.published
    if published and _content(published) == (checked.schema, checked.ui_schema):
        raise ValidationError(f"Tidak ada perubahan dibanding versi {published.version}; tidak ada yang diterbitkan.")


def _write_draft(session: Session, user: User, view: FormView, schema_text: str, ui_text: str,
                 checked: CheckedForm) -> FormDefinition:
    draft = view.draft
    if draft is None:
        draft = FormDefinition(name=view.name, status="draft", source="studio")
        session.add(draft)
    draft.version, draft.schema_text, draft.ui_schema_text = view.base_version, schema_text, ui_text
    draft.problems, draft.updated_by, draft.updated_at = checked.messages, user.id, utcnow()
    session.flush()
    return draft


def _content(row: FormDefinition) -> tuple[dict, dict]:
    return json.loads(row.schema_text), json.loads(row.ui_schema_text or "{}")


def _pretty(value: dict) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2) + "\n"


# --- what process publication reads ------------------------------------------------------------

def latest_published(session: Session, name: str) -> FormDefinition | None:
    return session.scalars(select(FormDefinition).where(
        FormDefinition.name == name, FormDefinition.status == "published")
        .order_by(FormDefinition.version.desc()).limit(1)).first()


def published_names(session: Session) -> set[str]:
    return set(session.scalars(select(FormDefinition.name).where(FormDefinition.status == "published").distinct()))


def published_content(session: Session, filename: str) -> dict | None:
    """The latest published content for a pinned file name (`x.schema.json`, `x.uischema.json`), if any."""
    for suffix, index in ((SCHEMA_SUFFIX, 0), (UI_SUFFIX, 1)):
        if filename.endswith(suffix):
            row = latest_published(session, filename[: -len(suffix)])
            return _content(row)[index] if row else None
    return None


def sync_from_files(session: Session, forms_dir: Path, actor: audit.Actor) -> dict[str, str]:
    """Publish each shipped form whose file differs from the table (caller commits).

    A form whose latest version was published in the studio, or that has a draft, keeps it: the
    result says so, and nothing of it is changed."""
    outcome = {}
    for path in sorted(Path(forms_dir).glob(f"*{SCHEMA_SUFFIX}")):
        name = path.name[: -len(SCHEMA_SUFFIX)]
        outcome[name] = _sync_one(session, actor, name, path)
    return outcome


def _sync_one(session: Session, actor: audit.Actor, name: str, path: Path) -> str:
    schema_text, ui_text = _read_pair(path, name)
    latest = latest_published(session, name)
    if latest is not None and _content(latest) == (json.loads(schema_text), json.loads(ui_text)):
        return "tetap"
    has_draft = session.scalar(select(FormDefinition.id).where(
        FormDefinition.name == name, FormDefinition.status == "draft")) is not None
    if latest is not None and (latest.source != "shipped" or has_draft):
        return "diubah di studio; berkas tidak diterapkan"
    version = latest.version + 1 if latest else 1
    session.add(FormDefinition(name=name, status="published", version=version, schema_text=schema_text,
                               ui_schema_text=ui_text, problems=[], source="shipped", published_at=utcnow()))
    session.flush()
    audit.record(session, actor, "form.published", "form_definition", name, version=version, source="shipped")
    return f"v{version}"


def _read_pair(path: Path, name: str) -> tuple[str, str]:
    ui_path = path.with_name(f"{name}{UI_SUFFIX}")
    try:
        schema_text = path.read_text(encoding="utf-8")
        ui_text = ui_path.read_text(encoding="utf-8") if ui_path.exists() else "{}\n"
        json.loads(schema_text), json.loads(ui_text)
    except (OSError, ValueError) as err:
        raise ValidationError(f"Formulir {name} tidak dapat dibaca: {err}") from None
    return schema_text, ui_text
