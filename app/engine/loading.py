"""Loading a BPMN definition safely: hostile XML is refused, then the diagram is checked
against what this application allows, then SpiffWorkflow builds the specs.

Every refusal is a DefinitionError listing one Bahasa Indonesia message per fault, each
naming the element (kind, name and id) so a process owner can find it in the modeler.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from app.engine.errors import DefinitionError
from app.engine.rules import BPMN_NS, NS, lane_properties, validate_tree

DEFAULT_MAX_BYTES = 2 * 1024 * 1024
_DECLARATION = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


@dataclass(frozen=True)
class ProcessSpecs:
    """What SpiffWorkflow needs to start a workflow: the process and its sub-processes."""

    process: BpmnProcessSpec
    subprocesses: Mapping[str, BpmnProcessSpec] = field(default_factory=dict)


@dataclass(frozen=True)
class LoadedDefinition:
    key: str
    name: str
    specs: ProcessSpecs
    forms: frozenset[str]
    lanes: frozenset[str]
    lane_properties: Mapping[str, Mapping[str, str]]
    checksum: str


def load_definition(
    xml: bytes,
    *,
    operators: Collection[str],
    known_forms: Collection[str],
    max_bytes: int = DEFAULT_MAX_BYTES,
    process_id: str | None = None,
    filename: str | None = None,
) -> LoadedDefinition:
    """Parse, check and build one process definition, or raise DefinitionError.

    `operators` are the registered service-task operator names; `known_forms` are form ids
    (`usul` for `usul.schema.json` / `usul.uischema.json`).
    """
    xml = xml.encode("utf-8") if isinstance(xml, str) else xml
    tree = parse_xml_safely(xml, max_bytes)
    problems, forms = validate_tree(tree, operators, known_forms)
    if problems:
        raise DefinitionError(problems)
    key, specs = _build_specs(tree, process_id, filename)
    process = _process_element(tree, key)
    return LoadedDefinition(
        key=key,
        name=process.get("name") or _participant_name(tree, key) or key,
        specs=specs,
        forms=frozenset(forms),
        lanes=frozenset(lane_properties(process)),
        lane_properties=lane_properties(process),
        checksum=hashlib.sha256(xml).hexdigest(),
    )


def parse_xml_safely(xml: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> etree._ElementTree:
    """An lxml tree of `xml`, refusing oversized input, DTDs and entities before they can act."""
    if len(xml) > max_bytes:
        raise DefinitionError([f"Berkas BPMN terlalu besar ({len(xml)} byte; paling besar {max_bytes} byte)."])
    try:
        text = xml.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DefinitionError(["Berkas BPMN harus berkodekan UTF-8."]) from None
    if _DECLARATION.search(text):
        raise DefinitionError(["Berkas BPMN tidak boleh memuat deklarasi DOCTYPE atau ENTITY."])
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False, dtd_validation=False
    )
    try:
        root = etree.fromstring(xml, parser)
    except etree.XMLSyntaxError as err:
        raise DefinitionError([f"Berkas BPMN bukan XML yang sah (baris {err.lineno})."]) from None
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise DefinitionError(["Berkas BPMN tidak boleh memuat deklarasi DOCTYPE atau ENTITY."])
    if root.tag != f"{{{BPMN_NS}}}definitions":
        raise DefinitionError(["Berkas bukan definisi BPMN 2.0 (elemen akar harus bpmn:definitions)."])
    return tree


def _build_specs(tree, process_id: str | None, filename: str | None) -> tuple[str, ProcessSpecs]:
    parser = SpiffBpmnParser(validator=VALIDATOR)
    try:
        parser.add_bpmn_xml(tree, filename=filename)
        key = _choose_process(parser.get_process_ids(), process_id)
        specs = ProcessSpecs(parser.get_spec(key), parser.get_subprocess_specs(key))
    except ValidationException as err:
        raise DefinitionError([_validation_message(err)]) from None
    return key, specs


def _choose_process(ids: list[str], wanted: str | None) -> str:
    if wanted is not None:
        if wanted not in ids:
            raise DefinitionError([f"Proses '{wanted}' tidak ada dalam berkas (yang ada: {', '.join(ids) or '-'})."])
        return wanted
    if len(ids) != 1:
        found = ", ".join(ids) or "tidak ada"
        raise DefinitionError([f"Berkas harus berisi tepat satu proses yang dapat dijalankan (ditemukan: {found})."])
    return ids[0]


def _validation_message(err: ValidationException) -> str:
    where = f" pada {err.tag} (id {err.id})" if getattr(err, "id", "") else ""
    line = f", baris {err.line_number}" if getattr(err, "line_number", "") else ""
    return f"Definisi BPMN tidak sah{where}{line}: {err}"


def _process_element(tree, key: str):
    return tree.xpath("//bpmn:process[@id=$key]", namespaces=NS, key=key)[0]


def _participant_name(tree, key: str) -> str | None:
    names = tree.xpath("//bpmn:participant[@processRef=$key]/@name", namespaces=NS, key=key)
    return names[0] if names else None
