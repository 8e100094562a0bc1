"""Evidence downloads: a document is sent only to its uploader or to someone who may see a request
that refers to it; everyone else gets 'not found', as if it did not exist."""
from __future__ import annotations

from flask import Blueprint, current_app, send_file
from flask_login import current_user, login_required
from sqlalchemy import or_, select

from ..engine.rules import SCHEMA_SUFFIX, UI_SCHEMA_SUFFIX
from ..forms import document_ids
from ..models import InstanceEvent, ProcessInstance, ProcessVersion, User
from ..models.document import Document
from ..services import documents
from ..services.errors import NotFoundError
from .common import session
from .requests import may_see

bp = Blueprint("documents", __name__, url_prefix="/dokumen")
NOT_FOUND = "Dokumen tidak ditemukan atau tidak termasuk cakupan Anda."


def referenced_ids(db, instance: ProcessInstance) -> set[int]:
    """Every document id the instance's data refers to: evidence values and the pinned forms' upload fields."""
    found: set[int] = set()
    _walk(instance.state, found)
    version = db.get(ProcessVersion, instance.version_id)
    task_data = [t.get("data") or {} for t in (instance.state or {}).get("tasks", {}).values() if isinstance(t, dict)]
    for form_id, schema in (version.forms if version else {}).items():
        if not form_id.endswith(SCHEMA_SUFFIX):
            continue
        ui = version.forms.get(form_id[: -len(SCHEMA_SUFFIX)] + UI_SCHEMA_SUFFIX)
        for data in task_data:
            try:
                found.update(document_ids(schema, ui, data))
            except (TypeError, ValueError, KeyError, AttributeError):
                continue
    return found


def _walk(value, found: set[int]) -> None:
    if isinstance(value, dict):
        document_id = value.get("document_id")
        if isinstance(document_id, int) and not isinstance(document_id, bool):
            found.add(document_id)
        for child in value.values():
            _walk(child, found)
    elif isinstance(value, list):
        for child in value:
            _walk(child, found)


def instance_documents(db, instance: ProcessInstance) -> list[Document]:
    ids = referenced_ids(db, instance)
    return list(db.scalars(select(Document).where(Document.id.in_(ids)).order_by(Document.id))) if ids else []


def _may_download(db, user: User, document: Document) -> bool:
    """The uploader, or a viewer of a request of the uploader's (made, about them, or acted on) citing it."""
    if document.uploaded_by == user.id:
        return True
    uploader = db.get(User, document.uploaded_by)
    clauses = [ProcessInstance.initiator_user_id == document.uploaded_by,
               ProcessInstance.id.in_(select(InstanceEvent.instance_id)
                                      .where(InstanceEvent.actor_user_id == document.uploaded_by))]
    if uploader is not None and uploader.employee_id is not None:
        clauses.append(ProcessInstance.subject_employee_id == uploader.employee_id)
    for instance in db.scalars(select(ProcessInstance).where(or_(*clauses))):
        if may_see(db, user, instance) and document.id in referenced_ids(db, instance):
            return True
    return False


@bp.get("/<int:document_id>")
@login_required
def download(document_id: int):
    db = session()
    document = db.get(Document, document_id)
    if document is None or not _may_download(db, current_user, document):
        raise NotFoundError(NOT_FOUND)
    path = documents.open_document(current_app.config["SETTINGS"].document_store, document)
    response = send_file(path, mimetype=document.media_type, conditional=False, max_age=0)
    response.headers.update(documents.send_headers(document))
    return response
