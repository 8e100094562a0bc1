"""Read a posted form back into the nested JSON its schema describes.

Only fields the schema names are read; anything else in the post is ignored.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from werkzeug.datastructures import MultiDict

from ..services.errors import DomainError
from .paths import parse_name
from .tree import Node, iter_fields, root_node
from .widgets import MISSING, widget_for

ADD_ROW_FIELD = "_tambah"
REMOVE_ROW_SUFFIX = "._hapus"

# (the uploaded file, the document kind chosen beside it or None) → id of the stored Document
StoreUpload = Callable[[object, str | None], int]


def parse_submission(schema: dict, ui_schema: dict | None, form: Mapping) -> dict:
    """The submission as JSON: values coerced to their schema types, empty optional fields left
    out, repeated rows renumbered from 0 with blank rows and rows marked "Hapus" dropped."""
    root = root_node(schema, ui_schema)
    return _read_object(root, form) or {}


def added_row(form: Mapping) -> str | None:
    """The repeated group whose "Tambah" button was pressed, if one was: redraw, do not validate."""
    return form.get(ADD_ROW_FIELD) or None


def _read(node: Node, form: Mapping):
    if node.kind == "object":
        value = _read_object(node, form)
        return value if has_content(value) or node.required else MISSING
    if node.kind == "array":
        rows = _read_rows(node, form)
        return rows if rows or node.required else MISSING
    return widget_for(node.name, node.widget).read(form, node.name, node.schema)


def _read_object(node: Node, form: Mapping) -> dict:
    values = {}
    for child in node.children():
        value = _read(child, form)
        if value is not MISSING:
            values[child.path[-1]] = value
    return values


def _read_rows(node: Node, form: Mapping) -> list:
    rows = []
    for index in _row_indices(node.name, form):
        row = node.item(index)
        if f"{row.name}{REMOVE_ROW_SUFFIX}" in form:
            continue
        value = _read(row, form)
        if has_content(value):
            rows.append(value)
    return rows


def _row_indices(name: str, form: Mapping) -> list[int]:
    pattern = re.compile(re.escape(name) + r"\[(\d{1,6})\]")
    return sorted({int(match.group(1)) for key in form if (match := pattern.match(key))})


def has_content(value) -> bool:
    """Does the value hold anything typed or chosen? (An unticked checkbox does not.)"""
    if value is MISSING or value is None or value is False:
        return False
    if isinstance(value, dict):
        return any(has_content(each) for each in value.values())
    if isinstance(value, list):
        return any(has_content(each) for each in value)
    return value != ""


def bind_uploads(schema: dict, ui_schema: dict | None, form: Mapping, files: Mapping,
                 store: StoreUpload) -> tuple[MultiDict, dict[str, list[str]]]:
    """Store every file posted for a ``file``/``evidence`` field and put the new document's id in
    ``<name>.document_id`` of a copy of ``form``, ready for ``parse_submission``.

    ``store`` raises a ``DomainError`` to refuse a file; its message is returned under the field's
    name, and the field keeps the document it had before (if any).
    """
    bound, errors = MultiDict(form), {}
    root = root_node(schema, ui_schema)
    for key in files:
        upload, node = files[key], _upload_node(root, key)
        if node is None or not getattr(upload, "filename", None):
            continue
        kind = bound.get(f"{node.name}.kind") or None
        try:
            bound[f"{node.name}.document_id"] = str(store(upload, kind))
        except DomainError as error:
            errors.setdefault(node.name, []).append(error.message)
    return bound, errors


def _upload_node(root: Node, key: str) -> Node | None:
    if not key.endswith(".file"):
        return None
    path = parse_name(key[: -len(".file")])
    node = root.at(path) if path else None
    if node is None or node.kind != "field" or not widget_for(node.name, node.widget).upload:
        return None
    return node


def document_ids(schema: dict, ui_schema: dict | None, data: dict) -> list[int]:
    """Ids of every document a submission refers to, for the caller to check that the user may
    attach them (a hidden ``document_id`` can be edited by the browser)."""
    found = []
    for node, value in iter_fields(root_node(schema, ui_schema), data):
        if widget_for(node.name, node.widget).upload:
            document_id = value.get("document_id") if isinstance(value, dict) else value
            if isinstance(document_id, int) and not isinstance(document_id, bool):
                found.append(document_id)
    return found
