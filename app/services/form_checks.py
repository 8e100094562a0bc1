"""Check a form as the process owner typed it: JSON syntax (with line and column), the JSON Schema
itself (draft 2020-12, the draft the renderer and the submission validator use), the UI schema's
structure, the form rules of `app.forms.check_form`, and a dry run through the same renderer and
validator the task pages use. Every problem is in Bahasa Indonesia."""
from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError as SchemaViolation
from jsonschema.exceptions import best_match
from markupsafe import Markup

from ..forms import check_form, render_form, validate_submission
from ..forms.tree import ChoicesProvider, main_type, resolve

PARTS = {"schema": "Skema JSON", "ui_schema": "Skema UI", "form": "Formulir"}
DRAFT = "https://json-schema.org/draft/2020-12/schema"
UI_TEXT_KEYS = ("ui:title", "ui:description", "ui:help", "ui:placeholder", "ui:widget", "ui:referenceTable")
UI_KEYS = UI_TEXT_KEYS + ("ui:order", "ui:enumNames", "ui:options", "ui:errorMessages", "ui:documentKinds")
TYPE_NAMES = {"object": "object ({…})", "array": "array ([…])", "string": "teks", "integer": "bilangan bulat",
              "number": "angka", "boolean": "true/false", "null": "null"}
JSON_MESSAGES = (
    ("Expecting property name enclosed in double quotes",
     "nama properti harus diapit tanda kutip ganda (\"…\"); periksa juga koma berlebih sebelum '}'"),
    ("Expecting ',' delimiter", "kurang tanda koma ',' di antara dua unsur"),
    ("Expecting ':' delimiter", "kurang tanda titik dua ':' setelah nama properti"),
    ("Expecting value", "diharapkan sebuah nilai (teks berkutip ganda, angka, true/false/null, {…} atau […]); "
                        "periksa koma berlebih"),
    ("Extra data", "masih ada teks setelah JSON selesai"),
    ("Unterminated string", "teks dalam tanda kutip tidak ditutup"),
    ("Invalid control character", "teks mengandung karakter kontrol (mis. baris baru) di dalam tanda kutip"),
    ("Invalid \\uXXXX escape", "escape \\u harus diikuti empat digit heksadesimal"),
    ("Invalid \\escape", "escape '\\' tidak sah"),
)


@dataclass(frozen=True)
class FormProblem:
    part: str  # schema | ui_schema | form
    message: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = f" (baris {self.line}, kolom {self.column})" if self.line else ""
        return f"{PARTS[self.part]}{where}: {self.message}"


@dataclass(frozen=True)
class CheckedForm:
    schema: dict | None
    ui_schema: dict | None
    problems: tuple[FormProblem, ...]
    html: Markup | None = None  # the drawn form, when it could be drawn

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def messages(self) -> list[str]:
        return [str(problem) for problem in self.problems]


class _DuplicateKey(ValueError):
    pass


def check_texts(schema_text: str, ui_text: str, provider: ChoicesProvider | None = None) -> CheckedForm:
    """Every problem of the two texts as a form; the drawn form (`html`) when they have none."""
    schema, problems = parse_json("schema", schema_text)
    ui, ui_problems = parse_json("ui_schema", ui_text, empty={})
    problems += ui_problems
    if problems:
        return CheckedForm(schema, ui, tuple(problems))
    problems = list(schema_problems(schema))
    if problems:
        return CheckedForm(schema, ui, tuple(problems))
    problems = list(ui_problems_of(schema, ui)) + [FormProblem("form", m) for m in check_form(schema, ui, provider)]
    if problems:
        return CheckedForm(schema, ui, tuple(problems))
    html, problems = _dry_run(schema, ui, provider)
    return CheckedForm(schema, ui, tuple(problems), html)


def parse_json(part: str, text: str, empty: dict | None = None) -> tuple[dict | None, list[FormProblem]]:
    """The text as a JSON object, or the reason it is not one (with line and column when known)."""
    if not text.strip():
        return (dict(empty), []) if empty is not None else (None, [FormProblem(part, "masih kosong.")])
    try:
        value = json.loads(text, object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as error:
        return None, [FormProblem(part, f"bukan JSON yang sah: {_json_message(error.msg)}.", error.lineno,
                                  error.colno)]
    except _DuplicateKey as error:
        return None, [FormProblem(part, f"nama properti '{error}' ditulis dua kali dalam satu object.")]
    except (ValueError, RecursionError):
        return None, [FormProblem(part, "bukan JSON yang sah (terlalu dalam atau angka tidak sah).")]
    if not isinstance(value, dict):
        return None, [FormProblem(part, "harus berupa object JSON ({…}).")]
    return value, []


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict:
    seen: dict = {}
    for key, value in pairs:
        if key in seen:
            raise _DuplicateKey(key)
        seen[key] = value
    return seen


def _json_message(english: str) -> str:
    return next((indonesian for prefix, indonesian in JSON_MESSAGES if english.startswith(prefix)), english)


def schema_problems(schema: dict) -> Iterator[FormProblem]:
    """The schema checked against the JSON Schema 2020-12 meta-schema, every violation."""
    declared = schema.get("$schema")
    if declared not in (None, DRAFT, DRAFT + "#"):
        yield FormProblem("schema", f"formulir diperiksa dengan JSON Schema draft 2020-12; ganti $schema "
                                    f"menjadi \"{DRAFT}\" atau hapus.")
        return
    meta = Draft202012Validator(Draft202012Validator.META_SCHEMA)
    for error in sorted(meta.iter_errors(schema), key=lambda e: list(map(str, e.absolute_path))):
        yield FormProblem("schema", _meta_message(best_match([error]) if error.context else error))


def _meta_message(error: SchemaViolation) -> str:
    path = list(error.absolute_path)
    where = "/".join(map(str, path)) or "(akar)"
    if path and path[-1] == "type":
        return f"di {where}: tipe {json.dumps(error.instance)} tidak dikenal; gunakan salah satu: " \
               f"{', '.join(TYPE_NAMES)}."
    if error.validator == "type":
        expected = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        return f"di {where}: harus berupa {' atau '.join(TYPE_NAMES.get(t, t) for t in expected)}."
    if error.validator == "minimum":
        return f"di {where}: tidak boleh kurang dari {error.validator_value}."
    if error.validator == "uniqueItems":
        return f"di {where}: unsur tidak boleh kembar."
    if error.validator == "enum":
        return f"di {where}: harus salah satu dari {', '.join(map(json.dumps, error.validator_value))}."
    return f"di {where}: tidak sah menurut JSON Schema 2020-12 (aturan '{error.validator}')."


def ui_problems_of(schema: dict, ui: dict) -> Iterator[FormProblem]:
    """The UI schema's keys and values, walked alongside the schema they describe."""
    yield from _ui_node(schema, resolve(schema, schema), ui, "(akar)")


def _ui_node(root: dict, schema: dict, ui, where: str) -> Iterator[FormProblem]:
    if not isinstance(ui, dict):
        yield FormProblem("ui_schema", f"di {where}: harus berupa object ({{…}}).")
        return
    properties = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
    for key, value in ui.items():
        inner = key if where == "(akar)" else f"{where}/{key}"
        if key.startswith("ui:"):
            yield from _ui_value(key, value, schema, properties, where)
        elif key == "items" and main_type(schema) == "array" and isinstance(schema.get("items"), dict):
            yield from _ui_node(root, resolve(root, schema["items"]), value, inner)
        elif key in properties and isinstance(properties[key], dict):
            yield from _ui_node(root, resolve(root, properties[key]), value, inner)
        else:
            yield FormProblem("ui_schema", f"'{inner}' tidak ada di skema JSON (salah ketik nama isian?).")


def _ui_value(key: str, value, schema: dict, properties: dict, where: str) -> Iterator[FormProblem]:
    fault = _ui_value_fault(key, value, schema, properties)
    if fault:
        yield FormProblem("ui_schema", f"di {where}: {key} {fault}")


def _ui_value_fault(key: str, value, schema: dict, properties: dict) -> str | None:
    if key not in UI_KEYS:
        return f"tidak dikenal (yang tersedia: {', '.join(UI_KEYS)})."
    if key in UI_TEXT_KEYS:
        return None if isinstance(value, str) else "harus berupa teks."
    if key == "ui:order":
        unknown = [n for n in value if n != "*" and n not in properties] if _strings(value) else None
        return "harus berupa daftar nama isian." if unknown is None else (
            f"menyebut isian yang tidak ada: {', '.join(unknown)}." if unknown else None)
    if key == "ui:enumNames":
        if not _strings(value):
            return "harus berupa daftar teks."
        enum = schema.get("enum")
        return None if not isinstance(enum, list) or len(enum) == len(value) else \
            f"berisi {len(value)} nama, padahal enum berisi {len(enum)} pilihan."
    if key == "ui:errorMessages":
        return None if isinstance(value, dict) and all(isinstance(v, str) for v in value.values()) else \
            "harus berupa object {aturan: pesan}."
    if key == "ui:options":
        rows = value.get("rows", 1) if isinstance(value, dict) else None
        return None if isinstance(rows, int) and not isinstance(rows, bool) and 1 <= rows <= 50 else \
            "harus berupa object; rows bilangan bulat 1–50."
    return None if isinstance(value, list) and all(isinstance(v, (str, int)) for v in value) else \
        "harus berupa daftar kode jenis dokumen."


def _strings(value) -> bool:
    return isinstance(value, list) and all(isinstance(each, str) for each in value)


def _dry_run(schema: dict, ui: dict, provider: ChoicesProvider | None) -> tuple[Markup | None, list[FormProblem]]:
    """Draw the empty form and validate an empty submission, exactly as a task page would."""
    try:
        html = render_form(schema, ui, None, None, provider)
        validate_submission(schema, {}, ui, provider)
    except Exception as error:  # noqa: BLE001 - any failure here would otherwise break a task page later
        return None, [FormProblem("form", f"tidak dapat digambar atau diperiksa: {error}")]
    return html, []
