"""Structural checks of a BPMN diagram for the studio: what this engine supports, lanes, gateways,
connections and start/end events. Each check returns (element, message) pairs so that the caller
can point at the element; messages name the element by kind, name and id (see rules.describe).
"""
from __future__ import annotations

from collections.abc import Collection

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from app.engine.rules import BPMN_NS, NS, describe

# Flow nodes the engine runs (SpiffWorkflow's BPMN parser with this application's rules).
SUPPORTED_FLOW_NODES = frozenset({
    "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent",
    "userTask", "manualTask", "serviceTask", "task",
    "exclusiveGateway", "inclusiveGateway", "parallelGateway", "eventBasedGateway", "subProcess",
})
# Elements a process may hold besides flow nodes; they do not run.
PASSIVE_ELEMENTS = frozenset({
    "sequenceFlow", "laneSet", "lane", "documentation", "extensionElements", "textAnnotation", "association",
    "group", "dataObject", "dataObjectReference", "dataStoreReference", "ioSpecification",
    "property", "incoming", "outgoing", "multiInstanceLoopCharacteristics", "standardLoopCharacteristics",
    "dataInputAssociation", "dataOutputAssociation", "category",
})
# Refused by rules.py with their own message (script tasks, DMN), not repeated here.
REFUSED_ELSEWHERE = frozenset({"scriptTask", "businessRuleTask"})
SUPPORTED_EVENT_DEFINITIONS = frozenset({
    "timerEventDefinition", "errorEventDefinition", "escalationEventDefinition", "terminateEventDefinition",
    "signalEventDefinition", "conditionalEventDefinition",
})
_EVENT_NAMES = {
    "messageEventDefinition": "event pesan (message)", "compensateEventDefinition": "event kompensasi",
    "linkEventDefinition": "event tautan (link)", "cancelEventDefinition": "event pembatalan (cancel)",
}
_NOT_SUPPORTED_HINT = {
    "messageEventDefinition": "tidak ada yang mengirim pesan ke proses di aplikasi ini",
    "callActivity": "studio menerbitkan satu proses per berkas; gunakan subproses",
    "sendTask": "gunakan service task dengan operator notify",
    "receiveTask": "tidak ada yang mengirim pesan ke proses di aplikasi ini",
}
_GATEWAYS_WITH_CONDITIONS = ("exclusiveGateway", "inclusiveGateway")
_NO_INCOMING_NEEDED = {"startEvent", "boundaryEvent"}
_NO_OUTGOING_NEEDED = {"endEvent"}


def _local(element) -> str:
    return etree.QName(element).localname


def _bpmn_children(container) -> list:
    return [child for child in container if isinstance(child.tag, str) and child.tag.startswith(f"{{{BPMN_NS}}}")]


def _containers(tree) -> list:
    return tree.xpath("//bpmn:process | //bpmn:subProcess", namespaces=NS)


def _flow_nodes(container) -> list:
    return [child for child in _bpmn_children(container)
            if _local(child) not in PASSIVE_ELEMENTS and _local(child) != "sequenceFlow"]


def unsupported_elements(tree) -> list[tuple]:
    """Elements the engine cannot run, and event definitions it cannot trigger."""
    problems = []
    for container in _containers(tree):
        for child in _flow_nodes(container):
            local = _local(child)
            if local in SUPPORTED_FLOW_NODES or local in REFUSED_ELSEWHERE:
                continue
            problems.append((child, _unsupported(describe(child), local)))
    for definition in tree.xpath("//bpmn:*[contains(local-name(), 'EventDefinition')]", namespaces=NS):
        local = _local(definition)
        if local not in SUPPORTED_EVENT_DEFINITIONS:
            owner = definition.getparent()
            what = _EVENT_NAMES.get(local, f"event {local}")
            problems.append((owner, _unsupported(f"{describe(owner)}: {what}", local)))
    return problems


def _unsupported(what: str, local: str) -> str:
    hint = _NOT_SUPPORTED_HINT.get(local)
    return f"{what}: elemen ini tidak didukung oleh mesin proses{f' ({hint})' if hint else ''}."


def lane_problems(tree, mapped_lanes: Collection[str]) -> list[tuple]:
    """Lanes without a name or without a role mapping, and user tasks that sit in no lane."""
    problems = []
    for lane in tree.xpath("//bpmn:lane", namespaces=NS):
        name = (lane.get("name") or "").strip()
        if not name:
            problems.append((lane, f"{describe(lane)}: lajur harus bernama; nama lajur menentukan peran "
                                   "yang bertugas."))
        elif name not in mapped_lanes:
            problems.append((lane, f"{describe(lane)}: lajur '{name}' belum dipetakan ke peran. Minta Administrator "
                                   "menambahkannya di menu Lajur Proses, atau pilih lajur yang sudah ada."))
    in_lanes = set(tree.xpath("//bpmn:lane/bpmn:flowNodeRef/text()", namespaces=NS))
    for task in tree.xpath("//bpmn:userTask", namespaces=NS):
        if task.get("id") not in {ref.strip() for ref in in_lanes}:
            problems.append((task, f"{describe(task)}: user task harus berada di dalam lajur agar ada yang bertugas."))
    return problems


def gateway_problems(tree) -> list[tuple]:
    """Exclusive/inclusive gateways that branch with a flow carrying neither a condition nor the default."""
    problems = []
    for container in _containers(tree):
        flows = _flows(container)
        for gateway in _bpmn_children(container):
            if _local(gateway) in _GATEWAYS_WITH_CONDITIONS:
                problems += _branch_problems(gateway, flows)
    return problems


def _branch_problems(gateway, flows: list) -> list[tuple]:
    outgoing = [flow for flow in flows if flow.get("sourceRef") == gateway.get("id")]
    default = gateway.get("default")
    problems = []
    if default and default not in {flow.get("id") for flow in outgoing}:
        problems.append((gateway, f"{describe(gateway)}: alur default '{default}' bukan alur keluar gateway ini."))
    if len(outgoing) < 2:
        return problems
    for flow in outgoing:
        conditions = flow.xpath("bpmn:conditionExpression", namespaces=NS)
        if flow.get("id") != default and not (conditions and (conditions[0].text or "").strip()):
            problems.append((flow, f"{describe(flow)} dari {describe(gateway)}: alur keluar tanpa kondisi dan bukan "
                                   "alur default; beri kondisi atau jadikan alur default."))
    return problems


def connection_problems(tree) -> list[tuple]:
    """Flows pointing at missing elements; flow nodes with no way in or no way out."""
    problems = []
    for container in _containers(tree):
        nodes = {node.get("id"): node for node in _flow_nodes(container)}
        flows = _flows(container)
        problems += _dangling_flows(flows, nodes)
        problems += _attachment_problems(container)
        sources = {flow.get("sourceRef") for flow in flows}
        targets = {flow.get("targetRef") for flow in flows}
        for node_id, node in nodes.items():
            problems += _node_connection(node, node_id in targets, node_id in sources)
    return problems


def _dangling_flows(flows: list, nodes: dict) -> list[tuple]:
    problems = []
    for flow in flows:
        for end, label in (("sourceRef", "asal"), ("targetRef", "tujuan")):
            ref = flow.get(end)
            if ref not in nodes:
                problems.append((flow, f"{describe(flow)}: elemen {label} '{ref or '-'}' tidak ada di proses "
                                       "yang sama."))
    return problems


def _attachment_problems(container) -> list[tuple]:
    problems = []
    ids = {node.get("id") for node in _flow_nodes(container)}
    for event in container.xpath("bpmn:boundaryEvent", namespaces=NS):
        if event.get("attachedToRef") not in ids:
            problems.append((event, f"{describe(event)}: melekat pada '{event.get('attachedToRef') or '-'}' "
                                    "yang tidak ada di proses yang sama."))
    return problems


def _node_connection(node, has_incoming: bool, has_outgoing: bool) -> list[tuple]:
    local, problems = _local(node), []
    event_subprocess = local == "subProcess" and node.get("triggeredByEvent") == "true"
    if not has_incoming and local not in _NO_INCOMING_NEEDED and not event_subprocess:
        problems.append((node, f"{describe(node)}: tidak ada alur masuk; elemen ini tidak akan pernah dijalankan."))
    if not has_outgoing and local not in _NO_OUTGOING_NEEDED and not event_subprocess and not _ends_by_itself(node):
        problems.append((node, f"{describe(node)}: tidak ada alur keluar; proses akan berhenti di sini tanpa "
                               "event akhir."))
    return problems


def _ends_by_itself(node) -> bool:
    """A throw event that ends its path by design (terminate/error/escalation) needs no outgoing flow."""
    return _local(node) == "intermediateThrowEvent" and bool(
        node.xpath("bpmn:terminateEventDefinition | bpmn:errorEventDefinition", namespaces=NS))


def start_end_problems(tree) -> list[tuple]:
    """Every process and sub-process needs a start event and an end event."""
    problems = []
    for container in _containers(tree):
        kinds = {_local(child) for child in _bpmn_children(container)}
        if "startEvent" not in kinds:
            problems.append((container, f"{_container_name(container)}: tidak ada event mulai."))
        if "endEvent" not in kinds:
            problems.append((container, f"{_container_name(container)}: tidak ada event akhir."))
    return problems


def _container_name(container) -> str:
    if _local(container) == "subProcess":
        return describe(container)
    name = container.get("name")
    return f'Proses "{name}" (id {container.get("id")})' if name else f"Proses (id {container.get('id')})"


def parse_problems(tree) -> list[tuple]:
    """What SpiffWorkflow's own parser (with the BPMN schema) refuses; it stops at its first fault."""
    parser = SpiffBpmnParser(validator=VALIDATOR)
    try:
        parser.add_bpmn_xml(tree)
        ids = parser.get_process_ids()
        for process_id in ids:
            parser.get_spec(process_id)
    except ValidationException as err:
        return [(_by_id(tree, getattr(err, "id", None)), _validation_message(err))]
    if len(ids) != 1:
        found = ", ".join(ids) or "tidak ada"
        return [(None, f"Berkas harus berisi tepat satu proses yang dapat dijalankan (ditemukan: {found}).")]
    return []


def _validation_message(err: ValidationException) -> str:
    where = f" pada {err.tag} (id {err.id})" if getattr(err, "id", "") else ""
    line = f", baris {err.line_number}" if getattr(err, "line_number", "") else ""
    return f"Definisi BPMN tidak sah{where}{line}: {err}"


def _by_id(tree, element_id: str | None):
    found = tree.xpath("//*[@id=$id]", id=element_id) if element_id else []
    return found[0] if found else None


def _flows(container) -> list:
    return container.xpath("bpmn:sequenceFlow", namespaces=NS)
