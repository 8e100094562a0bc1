"""Check a form definition before it is published: problems are listed, in Bahasa Indonesia, for
the process owner, instead of surfacing as a broken page later."""
from __future__ import annotations

import re
from collections.abc import Iterator

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from .tree import DOCUMENT_KIND_TABLE, ChoicesProvider, Node, main_type, root_node
from .widgets import WIDGETS

_SAFE_KEY = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")


def check_form(schema: dict, ui_schema: dict | None = None,
               choices_provider: ChoicesProvider | None = None) -> list[str]:
    """Every problem found; an empty list means the form can be drawn, read back and validated."""
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as error:
        return [f"Skema JSON tidak sah: {error.message}"]
    root = root_node(schema, ui_schema)
    if root.kind != "object":
        return ["Skema formulir harus bertipe object."]
    try:
        return list(_problems(root, choices_provider))
    except (KeyError, TypeError) as error:
        return [f"Skema tidak dapat dibaca (rujukan $ref tidak ditemukan?): {error}"]


def _problems(node: Node, provider: ChoicesProvider | None) -> Iterator[str]:
    for child in _below(node):
        key = child.path[-1]
        if isinstance(key, str) and not _SAFE_KEY.fullmatch(key):
            yield f"'{child.name}': nama isian hanya boleh huruf, angka, '_' dan '-', diawali huruf."
        if child.kind == "field":
            yield from _widget_problems(child, provider)
        else:
            yield from _problems(child, provider)


def _below(node: Node) -> list[Node]:
    if node.kind == "object":
        return node.children()
    return [node.item(0)] if node.kind == "array" else []


def _widget_problems(node: Node, provider: ChoicesProvider | None) -> Iterator[str]:
    if node.widget not in WIDGETS:
        yield f"'{node.name}': ui:widget '{node.widget}' tidak dikenal (tersedia: {', '.join(sorted(WIDGETS))})."
        return
    shaped = main_type(node.schema) == "object" and {"document_id", "kind"} <= set(node.schema.get("properties", {}))
    if node.widget == "evidence" and not shaped:
        yield f"'{node.name}': widget evidence membutuhkan object dengan properti document_id dan kind."
    if node.widget == "file" and main_type(node.schema) != "integer":
        yield f"'{node.name}': widget file membutuhkan tipe integer (nomor dokumen)."
    table = node.ui.get("ui:referenceTable")
    if table and provider is not None and not provider(table):
        yield f"'{node.name}': tabel referensi '{table}' tidak ada atau kosong."
    kinds = node.ui.get("ui:documentKinds") or []
    if kinds and provider is not None:
        known = {code for code, _ in provider(DOCUMENT_KIND_TABLE)}
        for kind in kinds:
            if str(kind) not in known:
                yield f"'{node.name}': jenis dokumen '{kind}' tidak ada di tabel referensi dokumen."
