"""Checks of a form as typed in the studio: JSON syntax with line and column, the 2020-12 meta-schema,
the UI schema's structure, the form rules and a dry run of the task renderer — all in Bahasa Indonesia."""
from __future__ import annotations

import json

import pytest

from app.services.form_checks import check_texts

SCHEMA = {"type": "object", "properties": {"jenis": {"type": "string", "enum": ["a", "b"]},
                                           "anak": {"type": "array", "items": {"type": "object", "properties": {
                                               "nama": {"type": "string"}}}}}}


def messages(schema, ui=None, provider=None) -> list[str]:
    schema_text = schema if isinstance(schema, str) else json.dumps(schema)
    ui_text = ui if isinstance(ui, str) else json.dumps(ui or {})
    return check_texts(schema_text, ui_text, provider).messages


@pytest.mark.parametrize("text, line, column, says", [
    ('{"type": "object",}', 1, 19, "nama properti harus diapit tanda kutip ganda"),
    ('{\n  "type": "object"\n  "title": "x"\n}', 3, 3, "kurang tanda koma ','"),
    ('{"type" "object"}', 1, 9, "kurang tanda titik dua"),
    ('{"type": }', 1, 10, "diharapkan sebuah nilai"),
    ('{"type": "object"} x', 1, 20, "masih ada teks setelah JSON selesai"),
    ('{"title": "x', 1, 11, "teks dalam tanda kutip tidak ditutup"),
])
def test_json_syntax_errors_say_where_in_indonesian(text, line, column, says):
    """Is each JSON syntax error reported with its line and column and an Indonesian explanation?"""
    (message,) = messages(text)
    assert message.startswith(f"Skema JSON (baris {line}, kolom {column}): bukan JSON yang sah: ") and says in message


@pytest.mark.parametrize("schema, ui, expected", [
    ("", "{}", "Skema JSON: masih kosong."),
    ("[]", "{}", "Skema JSON: harus berupa object JSON ({…})."),
    ('{"a": 1, "a": 2}', "{}", "Skema JSON: nama properti 'a' ditulis dua kali dalam satu object."),
    ("{}", "[1]", "Skema UI: harus berupa object JSON ({…})."),
])
def test_not_an_object(schema, ui, expected):
    """Are an empty schema, a non-object and duplicate keys refused with a clear message?"""
    assert messages(schema, ui) == [expected]


def test_empty_ui_schema_is_allowed():
    """Is an empty UI schema text read as no UI schema at all?"""
    assert check_texts(json.dumps(SCHEMA), "  ").ok


def test_meta_schema_lists_every_violation():
    """Does the 2020-12 meta-schema check list every violation, by path, in Indonesian?"""
    schema = {"type": "object", "properties": {"a": {"type": "teks"}, "b": {"maxLength": -2},
                                               "c": {"type": "string", "required": "ya"}}}
    assert messages(schema) == [
        'Skema JSON: di properties/a/type: tipe "teks" tidak dikenal; gunakan salah satu: object, array, string, '
        'integer, number, boolean, null.',
        "Skema JSON: di properties/b/maxLength: tidak boleh kurang dari 0.",
        "Skema JSON: di properties/c/required: harus berupa array ([…])."]


def test_other_drafts_are_refused():
    """Is a schema declaring draft-07 refused, since forms are drawn and validated with draft 2020-12?"""
    (message,) = messages(dict(SCHEMA, **{"$schema": "http://json-schema.org/draft-07/schema#"}))
    assert "draft 2020-12" in message


def test_ui_schema_structure():
    """Are unknown UI keys, fields missing from the schema, a wrong ui:order and enum names counted wrong found?"""
    ui = {"jenis": {"ui:titel": "Jenis", "ui:enumNames": ["A"]}, "anak": {"items": {"umur": {}}},
          "alamat": {"ui:title": "Alamat"}, "ui:order": ["jenis", "nik"], "ui:title": 3}
    assert messages(SCHEMA, ui) == [
        "Skema UI: di jenis: ui:titel tidak dikenal (yang tersedia: ui:title, ui:description, ui:help, "
        "ui:placeholder, ui:widget, ui:referenceTable, ui:order, ui:enumNames, ui:options, ui:errorMessages, "
        "ui:documentKinds).",
        "Skema UI: di jenis: ui:enumNames berisi 1 nama, padahal enum berisi 2 pilihan.",
        "Skema UI: 'anak/items/umur' tidak ada di skema JSON (salah ketik nama isian?).",
        "Skema UI: 'alamat' tidak ada di skema JSON (salah ketik nama isian?).",
        "Skema UI: di (akar): ui:order menyebut isian yang tidak ada: nik.",
        "Skema UI: di (akar): ui:title harus berupa teks."]


def test_form_rules_and_reference_tables():
    """Are an unknown widget and an unknown reference table reported by the form rules the renderer uses?"""
    ui = {"jenis": {"ui:widget": "peta"}}
    assert messages(SCHEMA, ui) == ["Formulir: 'jenis': ui:widget 'peta' tidak dikenal (tersedia: checkbox, date, "
                                    "evidence, file, hidden, number, radio, select, text, textarea)."]
    referenced = {"jenis": {"ui:referenceTable": "agama"}}
    assert messages(SCHEMA, referenced, provider=lambda table: []) == [
        "Formulir: 'jenis': tabel referensi 'agama' tidak ada atau kosong."]


def test_a_valid_form_is_drawn_by_the_task_renderer():
    """Does a valid form come back drawn by the renderer the task pages use, with its labels?"""
    checked = check_texts(json.dumps(SCHEMA), json.dumps({"jenis": {"ui:title": "Jenis usulan"}}))
    assert checked.ok and 'class="schema-form"' in checked.html and "Jenis usulan" in checked.html
    assert 'name="anak[0].nama"' in checked.html
