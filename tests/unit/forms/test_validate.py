"""Does validation name the field and say, in Bahasa Indonesia, what is wrong with it?"""
from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from app.forms import WIDGETS, check_form, parse_submission, validate_submission
from app.forms.tree import root_node

from .conftest import TABLES, Provider

FIELD = {"type": "object", "properties": {
    "nama": {"type": "string", "maxLength": 5},
    "nip": {"type": "string", "pattern": "^[0-9]{18}$"},
    "tahun": {"type": "integer", "minimum": 0, "maximum": 45},
    "nilai": {"type": "number", "minimum": 0.5},
    "jenis": {"type": "string", "enum": ["a", "b"]},
    "tmt": {"type": "string", "format": "date"},
    "setuju": {"type": "boolean", "const": True},
    "anak": {"type": "array", "minItems": 1, "maxItems": 2,
             "items": {"type": "object", "properties": {"nama": {"type": "string"}}, "required": ["nama"]}},
}, "required": ["nama"]}
VALID = {"nama": "Siti", "anak": [{"nama": "Budi"}]}
DROP = object()

CASES = [
    ("required", {"nama": DROP}, "nama", "Wajib diisi."),
    ("type", {"tahun": "dua"}, "tahun", "Harus berupa bilangan bulat."),
    ("type number", {"nilai": "satu"}, "nilai", "Harus berupa angka."),
    ("minimum", {"tahun": -1}, "tahun", "Nilai minimal 0."),
    ("maximum", {"tahun": 46}, "tahun", "Nilai maksimal 45."),
    ("minimum decimal", {"nilai": 0.25}, "nilai", "Nilai minimal 0,5."),
    ("maxLength", {"nama": "Sitinurbaya"}, "nama", "Maksimal 5 karakter."),
    ("pattern", {"nip": "1970"}, "nip", "Format tidak sesuai."),
    ("enum", {"jenis": "z"}, "jenis", "Pilih salah satu pilihan yang tersedia."),
    ("format date", {"tmt": "2023-02-30"}, "tmt", "Tanggal tidak sah (HH-BB-TTTT)."),
    ("format date text", {"tmt": "30 Februari"}, "tmt", "Tanggal tidak sah (HH-BB-TTTT)."),
    ("const", {"setuju": False}, "setuju", "Wajib dicentang."),
    ("minItems", {"anak": []}, "anak", "Isi minimal 1 baris."),
    ("maxItems", {"anak": [{"nama": "a"}, {"nama": "b"}, {"nama": "c"}]}, "anak", "Paling banyak 2 baris."),
    ("required in a row", {"anak": [{"nama": "a"}, {}]}, "anak[1].nama", "Wajib diisi."),
]


@pytest.mark.parametrize("case, change, field, message", CASES, ids=[case[0] for case in CASES])
def test_each_error_kind_has_an_indonesian_message(case, change, field, message):
    """Is each kind of schema error reported on its own field, in Bahasa Indonesia?"""
    data = {key: value for key, value in {**VALID, **change}.items() if value is not DROP}
    errors = validate_submission(FIELD, data)
    assert errors == {field: [message]}


def test_valid_data_has_no_errors():
    """Does valid data pass without any message?"""
    assert validate_submission(FIELD, VALID) == {}


def test_ui_schema_can_override_a_message():
    """Can the process owner word a message better for one field (ui:errorMessages)?"""
    ui = {"nip": {"ui:errorMessages": {"pattern": "NIP terdiri atas 18 angka."}},
          "nama": {"ui:errorMessages": {"required": "Nama pegawai wajib diisi."}},
          "anak": {"items": {"nama": {"ui:errorMessages": {"required": "Nama anak wajib diisi."}}}}}
    errors = validate_submission(FIELD, {"nip": "1970", "anak": [{}]}, ui)
    assert errors == {"nip": ["NIP terdiri atas 18 angka."], "nama": ["Nama pegawai wajib diisi."],
                      "anak[0].nama": ["Nama anak wajib diisi."]}


def test_posted_form_is_parsed_then_validated(demo, provider):
    """From a real post: are a bad date typed as HH-BB-TTTT, a text in a number field and a missing
    evidence each reported on their field?"""
    form = MultiDict({"kategori": "golongan", "jenis_usulan": "tambah", "golongan_id": "32",
                      "tmt_golongan": "31-02-2024", "masa_kerja_tahun": "dua", "sk_nomor": "1/2024",
                      "sk_tanggal": "15-03-2024", "pernyataan": "true", "dokumen_sk.kind": "887",
                      "anak[0].nama": "Siti"})
    data = parse_submission(*demo, form)
    assert data["sk_tanggal"] == "2024-03-15"
    errors = validate_submission(demo[0], data, demo[1], provider)
    assert errors == {
        "tmt_golongan": ["Tanggal tidak sah (HH-BB-TTTT)."],
        "masa_kerja_tahun": ["Harus berupa bilangan bulat."],
        "dokumen_sk": ["Lampirkan SK sebagai bukti."],
        "anak[0].tanggal_lahir": ["Wajib diisi."],
        "anak[0].jenis_anak_id": ["Wajib diisi."],
    }


def test_demo_submission_is_valid(demo, demo_data, provider):
    """Is the complete demo submission accepted, reference codes included?"""
    assert validate_submission(demo[0], demo_data, demo[1], provider) == {}


def test_reference_codes_and_document_kinds_are_checked(demo, demo_data, provider):
    """Is a golongan code not in the reference table, or a document kind the field does not accept,
    refused even though the JSON Schema itself has no list of codes?"""
    data = {**demo_data, "golongan_id": "99", "dokumen_sk": {"document_id": 5, "kind": "874"}}
    data["anak"] = [{**demo_data["anak"][0], "jenis_anak_id": "9"}]
    errors = validate_submission(demo[0], data, demo[1], provider)
    assert errors == {"golongan_id": ["Pilih golongan/ruang dari daftar."],
                      "dokumen_sk.kind": ["Pilih salah satu pilihan yang tersedia."],
                      "anak[0].jenis_anak_id": ["Pilih salah satu pilihan yang tersedia."]}


def test_evidence_without_kind_is_reported_on_the_kind():
    """Is an uploaded document whose kind was not chosen reported beside the kind select?"""
    schema = {"type": "object", "properties": {"sk": {"$ref": "#/$defs/dok"}}, "$defs": {"dok": {
        "type": "object", "properties": {"document_id": {"type": "integer"}, "kind": {"type": "string"}},
        "required": ["document_id", "kind"]}}}
    errors = validate_submission(schema, {"sk": {"document_id": 3}}, {"sk": {"ui:widget": "evidence"}})
    assert errors == {"sk.kind": ["Wajib diisi."]}


def test_demo_form_definition_is_sound(demo, provider):
    """Does the shipped demo form pass the publish-time check, reference tables included?"""
    assert check_form(*demo, provider) == []


def test_demo_form_uses_every_widget(demo):
    """Does the demo form exercise every widget of the registry?"""
    def widgets(node):
        if node.kind == "object":
            return {w for child in node.children() for w in widgets(child)}
        if node.kind == "array":
            return widgets(node.item(0))
        return {node.widget}
    used = widgets(root_node(*demo))
    assert used == set(WIDGETS)


@pytest.mark.parametrize("schema, ui, problem", [
    ({"type": "object", "properties": {"a": {"type": "strin"}}}, {}, "Skema JSON tidak sah"),
    ({"type": "object", "properties": {"a": {"type": "string"}}}, {"a": {"ui:widget": "tanggal"}},
     "ui:widget 'tanggal' tidak dikenal"),
    ({"type": "object", "properties": {"a.b": {"type": "string"}}}, {}, "'a.b': nama isian"),
    ({"type": "object", "properties": {"_x": {"type": "string"}}}, {}, "'_x': nama isian"),
    ({"type": "object", "properties": {"a": {"type": "string"}}}, {"a": {"ui:widget": "evidence"}},
     "widget evidence membutuhkan object"),
    ({"type": "object", "properties": {"a": {"type": "string"}}}, {"a": {"ui:referenceTable": "tidakAda"}},
     "tabel referensi 'tidakAda' tidak ada"),
    ({"type": "object", "properties": {"a": {"type": "object", "properties": {"document_id": {}, "kind": {}}}}},
     {"a": {"ui:widget": "evidence", "ui:documentKinds": ["1"]}}, "jenis dokumen '1' tidak ada"),
])
def test_check_form_names_each_problem(schema, ui, problem):
    """Is a broken form definition refused at publish with a message naming the field?"""
    provider = Provider({**TABLES, "tidakAda": []})
    problems = check_form(schema, ui, provider)
    assert any(problem in each for each in problems), problems
