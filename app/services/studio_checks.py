"""Server-side checks of a BPMN definition before it is published from the studio.

`check_definition` returns every problem found (never only the first), each naming the element by
kind, name and id in Bahasa Indonesia, with the element id apart so the editor can highlight it.
The XML is parsed by the hardened parser first (no DTD, no entities, no network, size limit); a
file it refuses yields that one problem and nothing else is looked at. The list of checks, with a
message example each, is in docs/studio.md.
"""
from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import inspect, select, text
from sqlalchemy.orm import Session

from ..engine import definition_checks as structure
from ..engine.errors import DefinitionError
from ..engine.loading import parse_xml_safely
from ..engine.rules import SCHEMA_SUFFIX, element_faults
from ..models import LaneRole, ProcessVersion
from . import definitions, operators

FORMS_DIR = Path(__file__).resolve().parents[2] / "forms"
FORM_TABLE = "form_definitions"


@dataclass(frozen=True)
class Problem:
    element_id: str | None
    message: str
    severity: str = "error"


def check_definition(session: Session, xml: bytes, *, known_forms: Collection[str] | None = None) -> list[Problem]:
    """Every problem of `xml` as a process definition of this application; empty when it may be published.

    `known_forms` are form ids (`usul` for usul.schema.json); by default the shipped forms, the forms
    pinned by published versions and those of the form table."""
    xml = xml.encode("utf-8") if isinstance(xml, str) else xml
    try:
        tree = parse_xml_safely(xml)
    except DefinitionError as err:
        return [Problem(None, message) for message in err.problems]
    forms = default_known_forms(session) if known_forms is None else known_forms
    faults, _ = element_faults(tree, operators.operator_names(), forms)
    shape = (structure.unsupported_elements(tree) + structure.gateway_problems(tree)
             + structure.connection_problems(tree) + structure.start_end_problems(tree))
    faults += structure.lane_problems(tree, mapped_lanes(session)) + shape
    # SpiffWorkflow's parser stops at its first fault, in English: asked only when ours found none in the shape.
    faults += [] if shape else structure.parse_problems(tree)
    return _problems(faults)


def _problems(faults: Iterable[tuple]) -> list[Problem]:
    problems, seen = [], set()
    for element, message in faults:
        problem = Problem(element.get("id") if element is not None else None, message)
        if problem not in seen:
            seen.add(problem)
            problems.append(problem)
    return problems


def mapped_lanes(session: Session) -> set[str]:
    return set(session.scalars(select(LaneRole.lane)))


def default_known_forms(session: Session) -> set[str]:
    """Form ids a user task may name: shipped files, pinned by a published version, or in the form table."""
    forms = set(definitions.known_forms(FORMS_DIR))
    for pinned in session.scalars(select(ProcessVersion.forms)):
        forms |= {name[: -len(SCHEMA_SUFFIX)] for name in pinned or {} if name.endswith(SCHEMA_SUFFIX)}
    return forms | _table_forms(session)


def _table_forms(session: Session) -> set[str]:
    """Published forms of the form editor's table (a draft cannot be pinned), when the table exists."""
    if not inspect(session.connection()).has_table(FORM_TABLE):
        return set()
    query = text(f"SELECT DISTINCT name FROM {FORM_TABLE} WHERE status = 'published'")
    return {name for name in session.scalars(query) if name}
