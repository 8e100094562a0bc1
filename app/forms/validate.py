"""Validate a submission with ``jsonschema`` and say what is wrong, per field, in Bahasa Indonesia.

Messages come from ``MESSAGES`` by JSON Schema keyword; a field's UI schema may override any of
them with ``"ui:errorMessages": {"pattern": "NIP terdiri atas 18 angka."}``.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError as SchemaError

from .paths import Path, field_name
from .tree import ChoicesProvider, Node, as_text, iter_fields, root_node

# {table: submitted codes} -> {table: those of them the table holds}
CodesLookup = Callable[[dict[str, set[str]]], dict[str, set[str]]]

REQUIRED = "Wajib diisi."
CHOICE = "Pilih salah satu pilihan yang tersedia."
INVALID = "Isian tidak sah."
DATE = "Tanggal tidak sah (HH-BB-TTTT)."

TYPE_MESSAGES = {"integer": "Harus berupa bilangan bulat.", "number": "Harus berupa angka.",
                 "string": "Harus berupa teks.", "boolean": "Pilih ya atau tidak."}


def _number(value) -> str:
    return (f"{value:g}" if isinstance(value, float) else str(value)).replace(".", ",")


def _type_message(error: SchemaError) -> str:
    expected = error.validator_value
    expected = next((each for each in expected if each != "null"), None) if isinstance(expected, list) else expected
    return TYPE_MESSAGES.get(expected, INVALID)


MESSAGES: dict[str, Callable[[SchemaError], str]] = {
    "required": lambda error: REQUIRED,
    "type": _type_message,
    "minimum": lambda error: f"Nilai minimal {_number(error.validator_value)}.",
    "maximum": lambda error: f"Nilai maksimal {_number(error.validator_value)}.",
    "exclusiveMinimum": lambda error: f"Harus lebih dari {_number(error.validator_value)}.",
    "exclusiveMaximum": lambda error: f"Harus kurang dari {_number(error.validator_value)}.",
    "multipleOf": lambda error: f"Harus kelipatan {_number(error.validator_value)}.",
    "minLength": lambda error: REQUIRED if error.validator_value == 1 else f"Minimal {error.validator_value} karakter.",
    "maxLength": lambda error: f"Maksimal {error.validator_value} karakter.",
    "pattern": lambda error: "Format tidak sesuai.",
    "format": lambda error: DATE if error.validator_value == "date" else "Format tidak sesuai.",
    "enum": lambda error: CHOICE,
    "const": lambda error: "Wajib dicentang." if error.validator_value is True else INVALID,
    "minItems": lambda error: f"Isi minimal {error.validator_value} baris.",
    "maxItems": lambda error: f"Paling banyak {error.validator_value} baris.",
    "uniqueItems": lambda error: "Ada baris yang sama persis.",
    "additionalProperties": lambda error: "Ada isian yang tidak dikenal.",
}


def validate_submission(schema: dict, data, ui_schema: dict | None = None,
                        choices_provider: ChoicesProvider | None = None, *,
                        codes_lookup: CodesLookup | None = None) -> dict[str, list[str]]:
    """``{field name: [messages]}``; empty when the data is valid. ``""`` holds form-wide errors.

    With ``choices_provider`` (every choice of a table) or ``codes_lookup`` (which of the submitted
    codes exist, asked once for all tables), a value of a ``ui:referenceTable`` field must be one of
    its codes; an evidence kind must be one of the field's ``ui:documentKinds``.
    """
    root = root_node(schema, ui_schema)
    errors: dict[str, list[str]] = {}
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    for error in validator.iter_errors(data):
        for path, keyword in _targets(error):
            _add(errors, path, _message(root, path, keyword, error))
    for path in _choice_errors(root, data, _lookup(choices_provider, codes_lookup)):
        _add(errors, path, _message(root, path, "enum", None))
    return errors


def _targets(error: SchemaError) -> Iterator[tuple[Path, str]]:
    """Where an error belongs: a missing property is reported on the property itself."""
    path = tuple(error.absolute_path)
    if error.validator == "required" and isinstance(error.instance, dict):
        for name in error.validator_value:
            if name not in error.instance:
                yield path + (name,), "required"
        return
    yield path, str(error.validator)


def _message(root: Node, path: Path, keyword: str, error: SchemaError | None) -> str:
    override = _nearest(root, path).ui.get("ui:errorMessages", {}).get(keyword)
    if override:
        return str(override)
    if error is None:
        return CHOICE
    return MESSAGES.get(keyword, lambda _: INVALID)(error)


def _nearest(root: Node, path: Path) -> Node:
    """The deepest schema node on the path (a sub-value of a widget belongs to the widget)."""
    for end in range(len(path), -1, -1):
        node = root.at(path[:end])
        if node is not None:
            return node
    return root


def _lookup(provider: ChoicesProvider | None, lookup: CodesLookup | None) -> CodesLookup | None:
    if lookup is not None or provider is None:
        return lookup
    return lambda wanted: {table: {str(code) for code, _ in provider(table)} & codes
                           for table, codes in wanted.items()}


def _choice_errors(root: Node, data, lookup: CodesLookup | None) -> Iterator[Path]:
    fields = list(iter_fields(root, data))
    wanted: dict[str, set[str]] = {}
    for node, value in fields:
        if (choice := _reference_choice(node, value)) is not None:
            wanted.setdefault(choice[0], set()).add(choice[1])
    known = lookup(wanted) if lookup and wanted else {}
    for node, value in fields:
        choice = _reference_choice(node, value) if lookup else None
        if choice is not None and choice[1] not in known.get(choice[0], ()):
            yield node.path
        kinds = [str(kind) for kind in node.ui.get("ui:documentKinds") or []]
        chosen = value.get("kind") if isinstance(value, dict) else None
        if node.widget == "evidence" and kinds and chosen is not None and as_text(chosen) not in kinds:
            yield node.path + ("kind",)


def _reference_choice(node: Node, value) -> tuple[str, str] | None:
    """(table, code) when ``value`` is a scalar choice of a ``ui:referenceTable`` field."""
    table = node.ui.get("ui:referenceTable")
    if table and isinstance(value, (str, int)) and not isinstance(value, bool):
        return table, as_text(value)
    return None


def _add(errors: dict[str, list[str]], path: Path, message: str) -> None:
    messages = errors.setdefault(field_name(path), [])
    if message not in messages:
        messages.append(message)
