"""What a diagram may contain in this application, checked on the XML before SpiffWorkflow parses it.

No scripts anywhere, every expression within the whitelist, every service task naming a
registered operator, every user task naming a known form.
"""
from __future__ import annotations

import re
from collections.abc import Collection

from lxml import etree

from app.engine.errors import ExpressionError
from app.engine.expressions import check_expression, evaluate
from app.engine.functions import build_functions
from app.engine.schedules import ScheduleError, schedule_of

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NS = {"bpmn": BPMN_NS, "spiff": SPIFF_NS}

SCHEMA_PROPERTY = "formJsonSchemaFilename"
UI_SCHEMA_PROPERTY = "formUiSchemaFilename"
# A user task whose form is chosen at run time: `formFromVariable` names the process variable
# holding the form id (e.g. "usul_riwayat_golongan"); `formChoices` is the allow-list of ids
# it may hold (comma-separated ids, an entry ending in "*" is a prefix). Every allowed form that
# exists is pinned with the version (schema and UI schema files).
FORM_VARIABLE_PROPERTY = "formFromVariable"
FORM_CHOICES_PROPERTY = "formChoices"
SCHEMA_SUFFIX = ".schema.json"
UI_SCHEMA_SUFFIX = ".uischema.json"

_KIND = {
    "scriptTask": "Script task",
    "userTask": "User task",
    "serviceTask": "Service task",
    "manualTask": "Manual task",
    "businessRuleTask": "Business rule task",
    "sequenceFlow": "Alur",
    "startEvent": "Event mulai",
    "endEvent": "Event akhir",
    "boundaryEvent": "Event batas",
    "intermediateCatchEvent": "Event antara",
    "intermediateThrowEvent": "Event antara",
    "subProcess": "Subproses",
    "callActivity": "Call activity",
    "task": "Task",
    "sendTask": "Send task",
    "receiveTask": "Receive task",
    "exclusiveGateway": "Gateway eksklusif",
    "inclusiveGateway": "Gateway inklusif",
    "parallelGateway": "Gateway paralel",
    "eventBasedGateway": "Gateway berbasis event",
    "complexGateway": "Gateway kompleks",
    "lane": "Lajur",
    "transaction": "Transaksi",
    "adHocSubProcess": "Subproses ad hoc",
}
_CONTAINERS = {"process", "subProcess", "transaction", "adHocSubProcess"}

# (xpath of the expression text, what it is called in a message)
_EXPRESSIONS = [
    ("//bpmn:sequenceFlow/bpmn:conditionExpression", "kondisi"),
    ("//bpmn:timerEventDefinition/bpmn:timeDate", "waktu timer (timeDate)"),
    ("//bpmn:timerEventDefinition/bpmn:timeDuration", "durasi timer (timeDuration)"),
    ("//bpmn:timerEventDefinition/bpmn:timeCycle", "siklus timer (timeCycle)"),
    ("//bpmn:conditionalEventDefinition/bpmn:condition", "kondisi event"),
    ("//bpmn:loopCardinality", "jumlah pengulangan"),
    ("//bpmn:completionCondition", "kondisi selesai"),
    ("//bpmn:loopCondition", "kondisi pengulangan"),
    ("//spiff:serviceTaskOperator//spiff:parameter/@value", "parameter operator"),
    ("//spiff:messagePayload", "isi pesan"),
    ("//spiff:payloadExpression", "isi event"),
    ("//spiff:processVariableCorrelation/spiff:expression", "korelasi pesan"),
    ("//bpmn:correlationPropertyRetrievalExpression/bpmn:formalExpression", "korelasi pesan"),
]
_DURATION_CALL = re.compile(r"\b(hari|jam|hari_kerja)\s*\(")
_BARE_ISO = re.compile(r"^(P(?=T?\d)(\d+[YMWD])*(T(\d+[HMS])+)?|R\d*/\S+)$")


def kind_label(element) -> str:
    """`User task`, `Gateway eksklusif`, ... — what kind of element it is, as a message says it."""
    local = etree.QName(element).localname
    return _KIND.get(local, local)


def describe(element) -> str:
    """`User task "Periksa usulan" (id periksa)` — how a message names an element."""
    kind = kind_label(element)
    name = element.get("name")
    return f'{kind} "{name}" (id {element.get("id")})' if name else f"{kind} (id {element.get('id')})"


def validate_tree(tree, operators: Collection[str], known_forms: Collection[str]) -> tuple[list[str], set[str]]:
    """All faults of the diagram, and the form files its user tasks reference."""
    faults, forms = element_faults(tree, operators, known_forms)
    return [message for _, message in faults], forms


def element_faults(tree, operators: Collection[str], known_forms: Collection[str]) -> tuple[list[tuple], set[str]]:
    """(element, message) for every fault of the diagram, and the form files its user tasks reference."""
    problems = (_script_problems(tree) + _expression_problems(tree) + _start_timer_problems(tree)
                + _operator_problems(tree, operators))
    form_problems, forms = _form_problems(tree, known_forms)
    return problems + form_problems, forms


def lane_properties(process) -> dict[str, dict[str, str]]:
    """Lane name -> its spiff properties (e.g. the variable that gives the lane's OPD scope)."""
    lanes = {}
    for lane in process.xpath(".//bpmn:lane[@name]", namespaces=NS):
        lanes[lane.get("name")] = _properties(lane)
    return lanes


def _script_problems(tree) -> list[tuple]:
    problems = [
        (task, f"{describe(task)}: script task tidak diizinkan; gunakan service task dengan operator yang terdaftar.")
        for task in tree.xpath("//bpmn:scriptTask", namespaces=NS)
    ]
    for script in tree.xpath("//spiff:preScript | //spiff:postScript", namespaces=NS):
        kind = "pre-script" if etree.QName(script).localname == "preScript" else "post-script"
        owner = _owner(script)
        problems.append((owner, f"{describe(owner)}: {kind} tidak diizinkan."))
    for task in tree.xpath("//bpmn:businessRuleTask", namespaces=NS):
        problems.append((task, f"{describe(task)}: business rule task (DMN) belum didukung."))
    return problems


def _expression_problems(tree) -> list[tuple]:
    problems = []
    for xpath, what in _EXPRESSIONS:
        for found in tree.xpath(xpath, namespaces=NS):
            owner = _owner(found.getparent() if isinstance(found, str) else found)
            text = str(found) if isinstance(found, str) else (found.text or "")
            faults = _expression_faults(text, what)
            if faults:
                problems.append((owner, f"{describe(owner)}: {what} '{text.strip()}' ditolak. {' '.join(faults)}"))
    return problems


def _expression_faults(text: str, what: str) -> list[str]:
    faults = check_expression(text)
    if not faults and "timer" in what and _BARE_ISO.match(text.strip()):
        faults = ['Tulis waktu ISO 8601 di antara tanda kutip, misalnya "P3D", atau gunakan hari(3).']
    if not faults and "timeDate" in what and _DURATION_CALL.search(text):
        faults = ["hari(...), jam(...) dan hari_kerja(...) menghasilkan durasi; pakai timeDuration, bukan timeDate."]
    return faults


_TIMER_KIND = {"timeDate": "date", "timeDuration": "duration", "timeCycle": "cycle"}


def _start_timer_problems(tree) -> list[tuple]:
    """A timer start event must give its due times without process data: a date, a duration after
    publication, or a cycle such as "R/2026-01-01T08:00:00/P3M" (see app.engine.schedules)."""
    problems = []
    for found in tree.xpath("//bpmn:startEvent/bpmn:timerEventDefinition/*", namespaces=NS):
        kind = _TIMER_KIND.get(etree.QName(found).localname)
        text = (found.text or "").strip()
        if kind is None or check_expression(text):
            continue  # not a timer expression, or already reported by _expression_problems
        try:
            schedule_of(kind, evaluate(text, {}, build_functions()))
        except (ExpressionError, ScheduleError) as err:
            owner = _owner(found)
            problems.append((owner, f"{describe(owner)}: timer event mulai '{text}' ditolak. {err}"))
    return problems


def _operator_problems(tree, operators: Collection[str]) -> list[tuple]:
    problems = []
    available = ", ".join(sorted(operators)) or "-"
    for task in tree.xpath("//bpmn:serviceTask", namespaces=NS):
        names = task.xpath("bpmn:extensionElements/spiff:serviceTaskOperator/@id", namespaces=NS)
        if not names:
            problems.append((task, f"{describe(task)}: service task harus menyebut operator "
                                   "(spiffworkflow:serviceTaskOperator)."))
        elif names[0] not in operators:
            problems.append((task, f"{describe(task)}: operator '{names[0]}' tidak terdaftar; "
                                   f"operator yang tersedia: {available}."))
    return problems


def _form_problems(tree, known_forms: Collection[str]) -> tuple[list[tuple], set[str]]:
    problems, forms = [], set()
    for task in tree.xpath("//bpmn:userTask", namespaces=NS):
        properties = _properties(task)
        schema = properties.get(SCHEMA_PROPERTY)
        if properties.get(FORM_VARIABLE_PROPERTY) and not schema:
            choices = form_choices(properties.get(FORM_CHOICES_PROPERTY), known_forms)
            if not choices:
                problems.append((task, f"{describe(task)}: properti {FORM_VARIABLE_PROPERTY} membutuhkan "
                                       f"{FORM_CHOICES_PROPERTY} yang menyebut formulir yang dikenal."))
            forms |= {form_id + suffix for form_id in choices for suffix in (SCHEMA_SUFFIX, UI_SCHEMA_SUFFIX)}
        elif not schema:
            problems.append((task, f"{describe(task)}: user task harus menyebut formulir (properti {SCHEMA_PROPERTY})."))
        for prop, suffix in ((SCHEMA_PROPERTY, SCHEMA_SUFFIX), (UI_SCHEMA_PROPERTY, UI_SCHEMA_SUFFIX)):
            filename = properties.get(prop)
            if not filename:
                continue
            forms.add(filename)
            if not _is_known_form(filename, suffix, known_forms):
                problems.append((task, f"{describe(task)}: formulir '{filename}' ({prop}) tidak dikenal."))
    return problems, forms


def form_choices(allowed: str | None, known_forms: Collection[str]) -> set[str]:
    """The known form ids an allow-list (`a, b, usul_*`) admits."""
    entries = [entry.strip() for entry in (allowed or "").split(",") if entry.strip()]
    return {form_id for form_id in known_forms for entry in entries
            if (form_id.startswith(entry[:-1]) if entry.endswith("*") else form_id == entry)}


def _is_known_form(filename: str, suffix: str, known_forms: Collection[str]) -> bool:
    return filename.endswith(suffix) and filename[: -len(suffix)] in known_forms


def _properties(element) -> dict[str, str]:
    nodes = element.xpath("bpmn:extensionElements/spiff:properties/spiff:property", namespaces=NS)
    return {node.get("name"): node.get("value") for node in nodes if node.get("name")}


def _owner(element):
    """The flow element (task, event, flow) an inner element belongs to."""
    for candidate in element.iterancestors():
        parent = candidate.getparent()
        if parent is not None and etree.QName(parent).localname in _CONTAINERS:
            return candidate
    with_id = [node for node in (element, *element.iterancestors()) if node.get("id")]
    return with_id[0] if with_id else element
