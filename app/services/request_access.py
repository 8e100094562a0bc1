"""Who may look at a request (a process instance) and at the evidence documents it cites.

A request is seen by its initiator, the subject's own account, whoever may act on one of its
open tasks, whoever may see the subject employee, and validators of an OPD it involved. A
document is seen by its uploader, and by whoever may see a request of the uploader's (made by,
about, or acted on by them) whose data cites it. Everyone else gets "not found", as if it did
not exist. Views of someone else's evidence are audited.
"""
from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..engine.rules import SCHEMA_SUFFIX, UI_SCHEMA_SUFFIX
from ..forms import document_ids
from ..models import Employee, HumanTask, InstanceEvent, ProcessInstance, ProcessVersion, User
from ..models.document import Document
from . import audit, authz
from .errors import NotFoundError
from .inbox import can_act

REQUEST_NOT_FOUND = "Usulan tidak ditemukan atau tidak termasuk cakupan Anda."
DOCUMENT_NOT_FOUND = "Dokumen tidak ditemukan atau tidak termasuk cakupan Anda."


def is_own(user: User, instance: ProcessInstance) -> bool:
    return instance.initiator_user_id == user.id or (
        user.employee_id is not None and user.employee_id == instance.subject_employee_id)


def may_see(session: Session, user: User, instance: ProcessInstance) -> bool:
    if is_own(user, instance):
        return True
    tasks = session.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id))
    if any(can_act(session, user, task) for task in tasks):
        return True
    employee = session.get(Employee, instance.subject_employee_id) if instance.subject_employee_id else None
    if employee is not None and authz.can_view_employee(session, user, employee):
        return True
    return bool(set(instance.opd_ids or []) & authz.scope_unit_ids(session, user))


def visible_instance(session: Session, user: User, instance_id: int) -> ProcessInstance:
    instance = session.get(ProcessInstance, instance_id)
    if instance is None or not may_see(session, user, instance):
        raise NotFoundError(REQUEST_NOT_FOUND)
    return instance


def referenced_ids(session: Session, instance: ProcessInstance) -> set[int]:
    """Every document id the instance's data refers to: evidence values and the pinned forms' upload fields."""
    found: set[int] = set()
    _walk(instance.state, found)
    version = session.get(ProcessVersion, instance.version_id)
    forms = version.forms if version else {}
    task_data = [t.get("data") or {} for t in (instance.state or {}).get("tasks", {}).values() if isinstance(t, dict)]
    for form_id, schema in forms.items():
        if not form_id.endswith(SCHEMA_SUFFIX):
            continue
        ui = forms.get(form_id[: -len(SCHEMA_SUFFIX)] + UI_SCHEMA_SUFFIX)
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


def instance_documents(session: Session, instance: ProcessInstance) -> list[Document]:
    ids = referenced_ids(session, instance)
    if not ids:
        return []
    return list(session.scalars(select(Document).where(Document.id.in_(ids)).order_by(Document.id)))


def may_see_document(session: Session, user: User, document: Document) -> bool:
    if document.uploaded_by == user.id:
        return True
    uploader = session.get(User, document.uploaded_by)
    clauses = [ProcessInstance.initiator_user_id == document.uploaded_by,
               ProcessInstance.id.in_(select(InstanceEvent.instance_id)
                                      .where(InstanceEvent.actor_user_id == document.uploaded_by))]
    if uploader is not None and uploader.employee_id is not None:
        clauses.append(ProcessInstance.subject_employee_id == uploader.employee_id)
    for instance in session.scalars(select(ProcessInstance).where(or_(*clauses))):
        if may_see(session, user, instance) and document.id in referenced_ids(session, instance):
            return True
    return False


def visible_document(session: Session, user: User, actor: audit.Actor, document_id: int) -> Document:
    """The document if ``user`` may see it (someone else's upload: audited and committed); else NotFound."""
    document = session.get(Document, document_id)
    if document is None or not may_see_document(session, user, document):
        raise NotFoundError(DOCUMENT_NOT_FOUND)
    if document.uploaded_by != user.id:
        audit.record(session, actor, "document.view", "document", document.id, sha256=document.sha256)
        session.commit()
    return document
