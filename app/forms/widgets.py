"""The widget registry: how each ``ui:widget`` is drawn (a macro in ``forms/_widgets.html``) and
how its posted fields are read back into one JSON value.

A reader returns ``MISSING`` for an empty field. A value that cannot be coerced to the schema's
type is returned as the posted text, so that validation names the field and the problem.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .tree import main_type


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING = _Missing()

# (posted form — werkzeug's MultiDict or a dict —, field name, field schema) → value or MISSING
Reader = Callable[[Any, str, dict], object]

_INTEGER = re.compile(r"[+-]?\d{1,18}")
_NUMBER = re.compile(r"[+-]?\d{1,15}(?:[.,]\d{1,15})?")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_LOCAL_DATE = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})")
_TRUE, _FALSE = {"true", "on", "1", "ya"}, {"false", "off", "0", "tidak"}


def coerce(raw: str | None, schema: dict, *, multiline: bool = False):
    """The posted text as the schema's type; MISSING when empty."""
    if raw is None:
        return MISSING
    text = raw.replace("\r\n", "\n").strip() if multiline else raw.strip()
    if text == "":
        return MISSING
    kind = main_type(schema)
    if kind == "integer":
        return int(text) if _INTEGER.fullmatch(text) else text
    if kind == "number":
        return _number(text)
    if kind == "boolean":
        lowered = text.lower()
        return True if lowered in _TRUE else False if lowered in _FALSE else text
    if schema.get("format") == "date":
        return iso_date(text)
    return text


def _number(text: str):
    if not _NUMBER.fullmatch(text):
        return text
    text = text.replace(",", ".")
    return float(text) if "." in text else int(text)


def iso_date(text: str) -> str:
    """``17-08-2020`` or ``17/08/2020`` (HH-BB-TTTT) as ``2020-08-17``; other text unchanged."""
    if _ISO_DATE.fullmatch(text):
        return text
    match = _LOCAL_DATE.fullmatch(text)
    if match is None:
        return text
    day, month, year = match.groups()
    return f"{year}-{int(month):02d}-{int(day):02d}"


def read_scalar(form, name: str, schema: dict):
    return coerce(form.get(name), schema)


def read_multiline(form, name: str, schema: dict):
    return coerce(form.get(name), schema, multiline=True)


def read_checkbox(form, name: str, schema: dict):
    return coerce(form.get(name), {"type": "boolean"}) is True


def read_file(form, name: str, schema: dict):
    return coerce(form.get(f"{name}.document_id"), {"type": "integer"})


def read_evidence(form, name: str, schema: dict):
    """``{"document_id": 12, "kind": "872"}``; MISSING until a document is attached."""
    document_id = read_file(form, name, schema)
    if document_id is MISSING:
        return MISSING
    kind = coerce(form.get(f"{name}.kind"), {"type": "string"})
    return {"document_id": document_id} if kind is MISSING else {"document_id": document_id, "kind": kind}


@dataclass(frozen=True)
class Widget:
    macro: str                    # macro name in templates/forms/_widgets.html
    read: Reader
    input_type: str | None = None  # for the "input" macro
    upload: bool = False           # posts ``<name>.file`` and carries ``<name>.document_id``


WIDGETS: dict[str, Widget] = {
    "text": Widget("input", read_scalar, "text"),
    "date": Widget("input", read_scalar, "date"),
    "number": Widget("input", read_scalar, "number"),
    "textarea": Widget("textarea", read_multiline),
    "checkbox": Widget("checkbox", read_checkbox),
    "select": Widget("select", read_scalar),
    "radio": Widget("radio", read_scalar),
    "hidden": Widget("hidden", read_scalar),
    "file": Widget("file", read_file, upload=True),
    "evidence": Widget("evidence", read_evidence, upload=True),
}


def widget_for(name: str, widget: str) -> Widget:
    try:
        return WIDGETS[widget]
    except KeyError:
        raise ValueError(f"{name}: ui:widget '{widget}' tidak dikenal") from None
