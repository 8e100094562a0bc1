"""A form as a tree of nodes: each node pairs a piece of the JSON Schema with its UI schema."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property

from .paths import Path, field_name

ChoicesProvider = Callable[[str], list[tuple[str, str]]]

DOCUMENT_KIND_TABLE = "dokumen"


def main_type(schema: dict) -> str | None:
    """The schema's type, ignoring ``null`` in a list of types."""
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((each for each in kind if each != "null"), None)
    return kind


def resolve(root: dict, schema: dict) -> dict:
    """Follow local ``$ref``s (``#/$defs/...``); keywords beside the ``$ref`` win."""
    seen = 0
    while isinstance(schema.get("$ref"), str) and schema["$ref"].startswith("#/") and seen < 20:
        target = root
        for key in schema["$ref"][2:].split("/"):
            target = target[key.replace("~1", "/").replace("~0", "~")]
        schema = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
        seen += 1
    return schema


def default_widget(schema: dict, ui: dict) -> str:
    if ui.get("ui:widget"):
        return ui["ui:widget"]
    if ui.get("ui:referenceTable") or "enum" in schema:
        return "select"
    kind = main_type(schema)
    if kind == "boolean":
        return "checkbox"
    if kind in ("integer", "number"):
        return "number"
    return "date" if schema.get("format") == "date" else "text"


def humanize(key: str) -> str:
    text = key.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


@dataclass(frozen=True, eq=False)
class Node:
    root: dict
    path: Path
    schema: dict
    ui: dict
    required: bool = False
    in_row: bool = False
    row_label: str | None = None

    @property
    def name(self) -> str:
        return field_name(self.path)

    @cached_property
    def widget(self) -> str:
        return default_widget(self.schema, self.ui)

    @cached_property
    def kind(self) -> str:
        """``object`` (a fieldset), ``array`` (a repeated group) or ``field`` (one widget)."""
        if self.ui.get("ui:widget"):
            return "field"
        return {"object": "object", "array": "array"}.get(main_type(self.schema), "field")

    @property
    def label(self) -> str:
        if self.row_label:
            return self.row_label
        key = self.path[-1] if self.path and isinstance(self.path[-1], str) else ""
        return str(self.ui.get("ui:title") or self.schema.get("title") or humanize(key))

    def children(self) -> list[Node]:
        properties = self.schema.get("properties", {})
        required = set(self.schema.get("required", []))
        return [self.child(key, key in required) for key in ordered(properties, self.ui.get("ui:order"))]

    def child(self, key: str, required: bool | None = None) -> Node | None:
        schema = self.schema.get("properties", {}).get(key)
        if schema is None:
            return None
        if required is None:
            required = key in self.schema.get("required", [])
        ui = self.ui.get(key) if isinstance(self.ui.get(key), dict) else {}
        return Node(self.root, self.path + (key,), resolve(self.root, schema), ui, required, self.in_row)

    def item(self, index: int) -> Node:
        """Row ``index`` of a repeated group, labelled with the item title and its number."""
        schema = resolve(self.root, self.schema.get("items") or {})
        return Node(self.root, self.path + (index,), schema, self._item_ui, True, True,
                    f"{self.item_title} {index + 1}")

    @property
    def _item_ui(self) -> dict:
        return self.ui.get("items") if isinstance(self.ui.get("items"), dict) else {}

    @property
    def item_title(self) -> str:
        items = resolve(self.root, self.schema.get("items") or {})
        return str(self._item_ui.get("ui:title") or items.get("title") or self.label)

    def at(self, path: Path) -> Node | None:
        """The node of a field path below this one, or None when the schema has no such field."""
        node = self
        for part in path:
            if node is None:
                return None
            if isinstance(part, int):
                node = node.item(part) if node.kind == "array" else None
            else:
                node = node.child(part) if node.kind == "object" else None
        return node


def root_node(schema: dict, ui_schema: dict | None) -> Node:
    return Node(schema, (), resolve(schema, schema), ui_schema or {})


def ordered(properties: dict, order: list | None) -> list[str]:
    """Property names in ``ui:order`` (``*`` stands for the rest), the rest in schema order."""
    names = list(properties)
    if not order:
        return names
    listed = [name for name in order if name in properties]
    rest = [name for name in names if name not in listed]
    if "*" in order:
        star = order.index("*")
        before = [name for name in order[:star] if name in properties]
        after = [name for name in order[star + 1:] if name in properties]
        return before + rest + after
    return listed + rest


def iter_fields(node: Node, value) -> Iterator[tuple[Node, object]]:
    """Every widget node under ``node`` that has a value in ``value``, with that value."""
    if node.kind == "object" and isinstance(value, dict):
        for child in node.children():
            if child.path[-1] in value:
                yield from iter_fields(child, value[child.path[-1]])
    elif node.kind == "array" and isinstance(value, list):
        for index, each in enumerate(value):
            yield from iter_fields(node.item(index), each)
    elif node.kind == "field":
        yield node, value


def as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def choices(node: Node, provider: ChoicesProvider | None) -> list[tuple[str, str]]:
    """(value, label) pairs: from a reference table, the schema's enum, or yes/no."""
    table = node.ui.get("ui:referenceTable")
    if table:
        if provider is None:
            raise ValueError(f"{node.name}: ui:referenceTable '{table}' membutuhkan choices_provider")
        return [(str(code), str(name)) for code, name in provider(table)]
    if main_type(node.schema) == "boolean":
        return [("true", "Ya"), ("false", "Tidak")]
    enum = node.schema.get("enum", [])
    names = node.ui.get("ui:enumNames") or enum
    return [(as_text(value), str(name)) for value, name in zip(enum, names)]


def document_kinds(node: Node, provider: ChoicesProvider | None) -> list[tuple[str, str]]:
    """The evidence kinds a field accepts (``ui:documentKinds``), named from the ``dokumen`` table."""
    known = dict(provider(DOCUMENT_KIND_TABLE)) if provider else {}
    codes = node.ui.get("ui:documentKinds") or list(known)
    return [(str(code), known.get(str(code), str(code))) for code in codes]
