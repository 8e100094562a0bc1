"""Published versions of a process for its owners: who published what and when, the stored XML,
and an element-level comparison between two versions (what was added, removed or changed)."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..engine.definition_checks import PASSIVE_ELEMENTS
from ..engine.loading import parse_xml_safely
from ..engine.rules import FORM_VARIABLE_PROPERTY, NS, SCHEMA_PROPERTY, UI_SCHEMA_PROPERTY, kind_label
from ..models import ProcessDefinition, ProcessVersion, User
from . import authz
from .errors import NotFoundError, ValidationError

OWNER_ROLES = ("process_owner", "admin")
# what is compared, in the order a change lists it, with its Indonesian label
ASPECTS = {"kind": "jenis", "name": "nama", "lane": "lajur", "form": "formulir", "timer": "ekspresi timer",
           "condition": "kondisi", "default": "alur default", "operator": "operator",
           "documentation": "dokumentasi", "incoming": "alur masuk", "outgoing": "alur keluar",
           "source": "asal", "target": "tujuan", "attached_to": "melekat pada"}
_FORM_PROPERTIES = (SCHEMA_PROPERTY, UI_SCHEMA_PROPERTY, FORM_VARIABLE_PROPERTY)


@dataclass(frozen=True)
class VersionRow:
    version: int
    published_at: object
    published_by: str
    source: str
    checksum: str


@dataclass(frozen=True)
class ElementChange:
    element_id: str
    name: str
    kind: str
    change: str  # added | removed | changed
    details: tuple[str, ...] = ()


def versions(session: Session, user: User, key: str) -> tuple[ProcessDefinition, list[VersionRow]]:
    """The process and its versions, newest first, with the publisher's name."""
    authz.require_role(user, *OWNER_ROLES)
    definition = _definition(session, key)
    rows = session.execute(select(ProcessVersion, User.display_name)
                           .outerjoin(User, User.id == ProcessVersion.published_by)
                           .where(ProcessVersion.process_key == key).order_by(ProcessVersion.version.desc()))
    return definition, [VersionRow(v.version, v.published_at, name or "sistem (berkas bawaan)", v.source, v.checksum)
                        for v, name in rows]


def version_xml(session: Session, user: User, key: str, number: int) -> str:
    authz.require_role(user, *OWNER_ROLES)
    return _version(session, key, number).bpmn_xml


def compare_versions(session: Session, key: str, v_from: int, v_to: int, *, user: User) -> list[ElementChange]:
    """Elements added, removed or changed from version `v_from` to `v_to`, in diagram order."""
    authz.require_role(user, *OWNER_ROLES)
    if v_from == v_to:
        raise ValidationError("Pilih dua versi yang berbeda untuk dibandingkan.",
                              fields={"ke": ["Harus berbeda dari versi asal."]})
    old = _elements(_version(session, key, v_from).bpmn_xml)
    new = _elements(_version(session, key, v_to).bpmn_xml)
    changes = [_removed(element_id, facts) for element_id, facts in old.items() if element_id not in new]
    for element_id, facts in new.items():
        if element_id not in old:
            changes.append(_added(element_id, facts))
        elif facts != old[element_id]:
            changes.append(_changed(element_id, old[element_id], facts))
    return changes


def _definition(session: Session, key: str) -> ProcessDefinition:
    definition = session.get(ProcessDefinition, key)
    if definition is None:
        raise NotFoundError(f"Proses '{key}' tidak ditemukan.")
    return definition


def _version(session: Session, key: str, number: int) -> ProcessVersion:
    version = session.scalars(select(ProcessVersion).where(ProcessVersion.process_key == key,
                                                           ProcessVersion.version == number)).first()
    if version is None:
        raise NotFoundError(f"Versi {number} proses '{key}' tidak ditemukan.")
    return version


def _added(element_id: str, facts: dict) -> ElementChange:
    return ElementChange(element_id, facts["name"], facts["label"], "added")


def _removed(element_id: str, facts: dict) -> ElementChange:
    return ElementChange(element_id, facts["name"], facts["label"], "removed")


def _changed(element_id: str, old: dict, new: dict) -> ElementChange:
    details = tuple(f"{label}: {_shown(old.get(aspect))} → {_shown(new.get(aspect))}"
                    for aspect, label in ASPECTS.items() if old.get(aspect) != new.get(aspect))
    return ElementChange(element_id, new["name"], new["label"], "changed", details)


def _shown(value) -> str:
    if value in (None, "", ()):
        return "(kosong)"
    return ", ".join(value) if isinstance(value, tuple) else f"'{value}'"


# --- what each element is -----------------------------------------------------------------

def _elements(xml: str) -> dict[str, dict]:
    tree = parse_xml_safely(xml.encode("utf-8"))
    lanes = {ref.strip(): lane.get("name") for lane in tree.xpath("//bpmn:lane", namespaces=NS)
             for ref in lane.xpath("bpmn:flowNodeRef/text()", namespaces=NS)}
    flows = tree.xpath("//bpmn:sequenceFlow", namespaces=NS)
    return {element.get("id"): _facts(element, lanes, flows) for element in _compared(tree)}


def _compared(tree) -> Iterator:
    for container in tree.xpath("//bpmn:process | //bpmn:subProcess", namespaces=NS):
        for child in container:
            if not isinstance(child.tag, str) or not child.get("id"):
                continue
            local = etree.QName(child).localname
            if local not in PASSIVE_ELEMENTS or local == "sequenceFlow":
                yield child
    yield from tree.xpath("//bpmn:lane[@id]", namespaces=NS)


def _facts(element, lanes: dict, flows: list) -> dict:
    element_id, local = element.get("id"), etree.QName(element).localname
    facts = {"kind": local, "label": kind_label(element),
             "name": element.get("name") or "", "documentation": _text(element, "bpmn:documentation")}
    if local == "sequenceFlow":
        facts.update(source=element.get("sourceRef"), target=element.get("targetRef"),
                     condition=_text(element, "bpmn:conditionExpression"))
        return facts
    if local == "lane":
        return facts
    facts.update(lane=lanes.get(element_id), form=_form(element), operator=_operator(element),
                 timer=_text(element, "bpmn:timerEventDefinition/*"), default=element.get("default"),
                 attached_to=element.get("attachedToRef"),
                 incoming=tuple(sorted(f.get("id") for f in flows if f.get("targetRef") == element_id)),
                 outgoing=tuple(sorted(f.get("id") for f in flows if f.get("sourceRef") == element_id)))
    return facts


def _text(element, path: str) -> str | None:
    found = element.xpath(path, namespaces=NS)
    return " ".join((node.text or "").strip() for node in found) or None if found else None


def _form(element) -> str | None:
    properties = element.xpath("bpmn:extensionElements/spiff:properties/spiff:property", namespaces=NS)
    values = [f"{p.get('value')}" for p in properties if p.get("name") in _FORM_PROPERTIES and p.get("value")]
    return ", ".join(values) or None


def _operator(element) -> str | None:
    operator = element.xpath("bpmn:extensionElements/spiff:serviceTaskOperator", namespaces=NS)
    if not operator:
        return None
    params = operator[0].xpath("spiff:parameters/spiff:parameter", namespaces=NS)
    args = ", ".join(f"{p.get('id')}={p.get('value')}" for p in params)
    return f"{operator[0].get('id')}({args})"
