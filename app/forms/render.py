"""Draw a form from its JSON Schema and UI schema as accessible HTML (fields only, no <form>).

Every visible input has a ``<label for>``; a required field is marked with ``*`` and the
``required`` attribute (``aria-required`` inside repeated rows, so that the blank row never
blocks sending); a field with errors gets ``aria-invalid`` and ``aria-describedby`` pointing at
its messages, and a summary with links to each field heads the form. All text goes through
Jinja's autoescaping.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from .paths import field_id
from .tree import ChoicesProvider, Node, as_text, choices, document_kinds, main_type, root_node
from .widgets import Widget, widget_for

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
ACCEPT = "application/pdf,image/jpeg,image/png"


@cache
def _macros():
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    return env.get_template("forms/_widgets.html").module


@dataclass
class _Pass:
    errors: dict[str, list[str]]
    provider: ChoicesProvider | None
    anchors: dict[str, tuple[str, str]] = field(default_factory=dict)  # name → (html id, label trail)

    def messages(self, *names: str) -> list[str]:
        return [message for name in names for message in self.errors.get(name, [])]

    def anchor(self, name: str, html_id: str, trail: tuple[str, ...]) -> None:
        self.anchors.setdefault(name, (html_id, " › ".join(trail)))


def render_form(schema: dict, ui_schema: dict | None = None, data: dict | None = None,
                errors: dict[str, list[str]] | None = None,
                choices_provider: ChoicesProvider | None = None) -> Markup:
    """The form's fields with the given values and error messages, ready to put in a <form>.

    ``choices_provider(table_key)`` returns ``[(code, name)]``, e.g.
    ``functools.partial(reference_choices, session)``; it is called once per table.
    """
    state = _Pass(errors or {}, _memoized(choices_provider))
    root = root_node(schema, ui_schema)
    values = data or {}
    body = Markup("").join(_render(state, child, values.get(child.path[-1]), ()) for child in root.children())
    return _macros().form(_summary(state), body)


def _memoized(provider: ChoicesProvider | None) -> ChoicesProvider | None:
    if provider is None:
        return None
    seen: dict[str, list] = {}

    def cached(table: str) -> list[tuple[str, str]]:
        if table not in seen:
            seen[table] = list(provider(table))
        return seen[table]
    return cached


def _render(state: _Pass, node: Node, value, trail: tuple[str, ...]) -> Markup:
    trail = trail + (node.label,)
    if node.kind == "object":
        values = value if isinstance(value, dict) else {}
        body = Markup("").join(_render(state, child, values.get(child.path[-1]), trail) for child in node.children())
        return _macros().group(_group_view(state, node, trail), body)
    if node.kind == "array":
        return _render_array(state, node, value if isinstance(value, list) else [], trail)
    widget = widget_for(node.name, node.widget)
    return getattr(_macros(), widget.macro)(_field_view(state, node, value, trail, widget))


def _render_array(state: _Pass, node: Node, rows: list, trail: tuple[str, ...]) -> Markup:
    """Filled rows, then blank rows (one, or up to ``minItems``) unless ``maxItems`` is reached."""
    maximum = node.schema.get("maxItems")
    can_add = maximum is None or len(rows) < maximum
    blanks = max(1, node.schema.get("minItems", 0) - len(rows)) if can_add else 0
    drawn = [_render_row(state, node.item(index), value, trail, False) for index, value in enumerate(rows)]
    drawn += [_render_row(state, node.item(index), None, trail, True)
              for index in range(len(rows), len(rows) + blanks)]
    view = _group_view(state, node, trail)
    view.update(can_add=can_add, add_label=f"Tambah {_sentence_case(node.item_title)}")
    return _macros().repeat(view, drawn)


def _sentence_case(title: str) -> str:
    """"Anak" → "anak" for "Tambah anak"; acronyms such as "SK" stay as they are."""
    return title[:1].lower() + title[1:] if title[1:2].islower() else title


def _render_row(state: _Pass, row: Node, value, trail: tuple[str, ...], blank: bool) -> Markup:
    view = {**_group_view(state, row, trail + (row.label,)), "blank": blank}
    if row.kind == "object":
        values = value if isinstance(value, dict) else {}
        body = Markup("").join(_render(state, child, values.get(child.path[-1]), trail + (row.label,))
                               for child in row.children())
    else:
        body = _render(state, row, value, trail)
    return _macros().row(view, body)


def _group_view(state: _Pass, node: Node, trail: tuple[str, ...]) -> dict:
    html_id = field_id(node.name)
    state.anchor(node.name, html_id, trail)
    return {"id": html_id, "name": node.name, "label": node.label, "required": node.required and not node.in_row,
            "description": node.ui.get("ui:description") or node.schema.get("description"),
            "errors": state.messages(node.name)}


def _field_view(state: _Pass, node: Node, value, trail: tuple[str, ...], widget: Widget) -> dict:
    name, html_id = node.name, field_id(node.name)
    if value is None and not node.in_row:  # a default in a blank row would make it look filled in
        value = node.schema.get("default")
    names = (name, f"{name}.document_id", f"{name}.file") if widget.upload else (name,)
    view = {"id": html_id, "name": name, "label": node.label, "required": node.required,
            "errors": state.messages(*names),
            "description": node.ui.get("ui:description") or node.schema.get("description"),
            "help": node.ui.get("ui:help"), "input_type": widget.input_type, "value": as_text(value)}
    for each in names:
        state.anchor(each, html_id, trail)
    if widget.macro in ("select", "radio"):
        view["choices"] = _choices_with_value(choices(node, state.provider), view["value"])
    if widget.upload:
        _upload_view(state, node, value, trail, widget, view)
    view["attrs"] = _attrs(node, widget, view)
    return view


def _choices_with_value(pairs: list[tuple[str, str]], value: str) -> list[tuple[str, str]]:
    """Keep a stored value that is no longer offered visible, so that it is not lost silently."""
    if value and value not in {code for code, _ in pairs}:
        return pairs + [(value, f"{value} (tidak ada dalam daftar)")]
    return pairs


def _upload_view(state: _Pass, node: Node, value, trail: tuple[str, ...], widget: Widget, view: dict) -> None:
    document_id = value.get("document_id") if isinstance(value, dict) else value
    view.update(accept=ACCEPT, document_id=as_text(document_id), value="")
    if widget.macro != "evidence":
        return
    kinds = document_kinds(node, state.provider)
    chosen = as_text(value.get("kind")) if isinstance(value, dict) else ""
    kind_errors = state.messages(f"{node.name}.kind")
    state.anchor(f"{node.name}.kind", f"{view['id']}-kind", trail + ("Jenis dokumen",))
    view.update(kinds=_choices_with_value(kinds, chosen), kind_errors=kind_errors,
                kind_value=chosen or (kinds[0][0] if len(kinds) == 1 else ""),
                kind_attrs={"required": "required" if node.required and not node.in_row else None,
                            "aria-invalid": "true" if kind_errors else None,
                            "aria-describedby": f"{view['id']}-kind-error" if kind_errors else None})


def _attrs(node: Node, widget: Widget, view: dict) -> dict:
    """Attributes of the input itself: required state, ARIA links, placeholder, limits."""
    described = [f"{view['id']}-{suffix}" for suffix, present in
                 (("desc", view["description"] and widget.macro not in ("radio", "evidence")),
                  ("help", view["help"]), ("error", view["errors"])) if present]
    hard_required = node.required and not node.in_row and widget.macro != "checkbox" and not view.get("document_id")
    attrs = {"required": "required" if hard_required else None,
             "aria-required": "true" if node.required and node.in_row and widget.macro != "checkbox" else None,
             "aria-invalid": "true" if view["errors"] else None,
             "aria-describedby": " ".join(described) or None,
             "placeholder": node.ui.get("ui:placeholder")}
    return attrs | _limits(node, widget)


def _limits(node: Node, widget: Widget) -> dict:
    kind, schema = main_type(node.schema), node.schema
    if widget.input_type == "number" and kind in ("integer", "number"):
        integer = kind == "integer"
        return {"min": schema.get("minimum"), "max": schema.get("maximum"), "step": "1" if integer else "any",
                "inputmode": "numeric" if integer else "decimal"}
    if widget.macro == "textarea":
        return {"maxlength": schema.get("maxLength"), "rows": node.ui.get("ui:options", {}).get("rows", 3)}
    if widget.input_type == "text":
        return {"maxlength": schema.get("maxLength")}
    return {}


def _summary(state: _Pass) -> Markup:
    """(label, message, anchor) for every error: fields in drawing order, then the rest."""
    items = [(label, message, html_id) for name, (html_id, label) in state.anchors.items()
             for message in state.errors.get(name, [])]
    items += [(name, message, None) for name, messages in state.errors.items()
              if name not in state.anchors for message in messages]
    return _macros().summary(items)
