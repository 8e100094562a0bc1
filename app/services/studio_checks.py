"""Server-side checks of a BPMN definition before it is published from the studio.

`check_definition` returns every problem found (never only the first), each naming the element
by kind, name and id in Bahasa Indonesia so the editor can list it and highlight the element.
"""
from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from ..engine.errors import DefinitionError
from ..engine.loading import parse_xml_safely
from ..engine.rules import validate_tree
from . import definitions, operators

FORMS_DIR = Path(__file__).resolve().parents[2] / "forms"
_ELEMENT_ID = re.compile(r"\(id ([^)\s]+)\)")


@dataclass(frozen=True)
class Problem:
    element_id: str | None
    message: str
    severity: str = "error"


def check_definition(session: Session, xml: bytes, *, known_forms: Collection[str] | None = None) -> list[Problem]:
    """Every problem of `xml` as a process definition of this application; empty when it may be published."""
    xml = xml.encode("utf-8") if isinstance(xml, str) else xml
    try:
        tree = parse_xml_safely(xml)
    except DefinitionError as err:
        return [Problem(None, message) for message in err.problems]
    forms = definitions.known_forms(FORMS_DIR) if known_forms is None else known_forms
    messages, _ = validate_tree(tree, operators.operator_names(), forms)
    return [Problem(_element_id(message), message) for message in messages]


def _element_id(message: str) -> str | None:
    found = _ELEMENT_ID.search(message)
    return found.group(1) if found else None
