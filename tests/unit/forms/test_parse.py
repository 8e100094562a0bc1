"""Does a posted form come back as the nested, typed JSON its schema describes?"""
from __future__ import annotations

from io import BytesIO

from werkzeug.datastructures import FileStorage, MultiDict

from app.forms import added_row, bind_uploads, document_ids, parse_submission, render_form
from app.services.errors import ValidationError

from .formhtml import browser_post

PEOPLE = {"type": "object", "properties": {
    "anak": {"type": "array", "items": {"type": "object", "properties": {
        "nama": {"type": "string"}, "tanggal_lahir": {"type": "string", "format": "date"},
        "tunjangan": {"type": "boolean"}}}}}}


def test_demo_form_round_trips_through_the_browser(demo, demo_data, provider):
    """Does drawing the demo form with data and posting it untouched give back the same data?"""
    posted = browser_post(render_form(*demo, demo_data, None, provider))
    assert parse_submission(*demo, posted) == demo_data


def test_round_trip_with_nothing_filled_in(demo, provider):
    """Does an untouched empty form come back with only its defaults (no blank rows or objects)?"""
    posted = browser_post(render_form(*demo, None, None, provider))
    assert parse_submission(*demo, posted) == {"kategori": "golongan", "pernyataan": False}


def test_values_are_coerced_to_their_schema_types():
    """Are numbers, booleans and dates (also typed as HH-BB-TTTT) turned into JSON values?"""
    schema = {"type": "object", "properties": {
        "tahun": {"type": "integer"}, "nilai": {"type": "number"}, "bulat": {"type": "number"},
        "aktif": {"type": "boolean"}, "pilih": {"type": "boolean", "enum": [True, False]},
        "tmt": {"type": "string", "format": "date"}, "tgl": {"type": "string", "format": "date"},
        "nip": {"type": "string"}}}
    form = MultiDict({"tahun": " 12 ", "nilai": "12,5", "bulat": "7", "aktif": "true", "pilih": "false",
                      "tmt": "17-08-2020", "tgl": "2021-01-31", "nip": "0012"})
    assert parse_submission(schema, {}, form) == {"tahun": 12, "nilai": 12.5, "bulat": 7, "aktif": True,
                                                  "pilih": False, "tmt": "2020-08-17", "tgl": "2021-01-31",
                                                  "nip": "0012"}


def test_text_that_is_not_a_number_is_kept_for_validation():
    """Is a wrong entry kept as typed, so that validation can say what is wrong with it?"""
    schema = {"type": "object", "properties": {"tahun": {"type": "integer"},
                                               "tmt": {"type": "string", "format": "date"}}}
    form = MultiDict({"tahun": "dua belas", "tmt": "31 Agustus"})
    assert parse_submission(schema, None, form) == {"tahun": "dua belas", "tmt": "31 Agustus"}


def test_empty_optional_fields_and_unknown_names_are_left_out():
    """Are blank fields omitted and fields the schema does not name ignored (no mass assignment)?"""
    alamat = {"type": "object", "properties": {"kota": {"type": "string"}}}
    schema = {"type": "object", "properties": {"nama": {"type": "string"}, "tahun": {"type": "integer"},
                                               "alamat": alamat}}
    form = MultiDict({"nama": "  ", "tahun": "", "alamat.kota": "", "is_admin": "1", "nama.x": "y"})
    assert parse_submission(schema, {}, form) == {}


def test_repeated_rows_are_compacted_and_blank_rows_dropped():
    """Do rows posted as 0, 3 and 7 (with a blank one between) come back as a list of two?"""
    form = MultiDict({"anak[7].nama": "Budi", "anak[0].nama": "Siti", "anak[0].tunjangan": "true",
                      "anak[3].nama": "", "anak[3].tanggal_lahir": ""})
    assert parse_submission(PEOPLE, {}, form) == {
        "anak": [{"nama": "Siti", "tunjangan": True}, {"nama": "Budi", "tunjangan": False}]}


def test_a_row_ticked_hapus_is_removed():
    """Does ticking "Hapus baris ini" remove that row and renumber the rest?"""
    form = MultiDict({"anak[0].nama": "Siti", "anak[0]._hapus": "1", "anak[1].nama": "Budi"})
    assert parse_submission(PEOPLE, {}, form) == {"anak": [{"nama": "Budi", "tunjangan": False}]}


def test_pressing_tambah_gives_a_new_blank_row_after_the_filled_ones(demo, demo_data, provider):
    """Without JavaScript, does "Tambah" keep what was typed and offer one more blank row?"""
    posted = browser_post(render_form(*demo, demo_data, None, provider))
    posted["anak[2].nama"] = "Citra"
    posted["_tambah"] = "anak"
    assert added_row(posted) == "anak"
    data = parse_submission(*demo, posted)
    assert [child["nama"] for child in data["anak"]] == ["Siti", "Budi", "Citra"]
    redrawn = str(render_form(*demo, data, None, provider))
    assert 'name="anak[2].nama" value="Citra"' in redrawn and 'name="anak[3].nama" value=""' in redrawn
    assert added_row(MultiDict()) is None


def test_multiline_text_keeps_its_lines():
    """Does a textarea keep its line breaks (normalised to \\n)?"""
    schema = {"type": "object", "properties": {"catatan": {"type": "string"}}}
    form = MultiDict({"catatan": " satu\r\ndua \r\n"})
    assert parse_submission(schema, {"catatan": {"ui:widget": "textarea"}}, form) == {"catatan": "satu\ndua"}


def test_evidence_is_read_only_with_a_document():
    """Is a chosen document kind without an attached document treated as empty?"""
    schema = {"type": "object", "properties": {"sk": {"type": "object"}}}
    ui = {"sk": {"ui:widget": "evidence"}}
    assert parse_submission(schema, ui, MultiDict({"sk.kind": "872"})) == {}
    assert parse_submission(schema, ui, MultiDict({"sk.kind": "872", "sk.document_id": "9"})) == {
        "sk": {"document_id": 9, "kind": "872"}}


def upload(name: str = "sk.pdf", content: bytes = b"%PDF-1.4") -> FileStorage:
    return FileStorage(BytesIO(content), filename=name)


def test_uploads_are_stored_and_bound_to_their_fields(demo):
    """Does each posted file go to the store, its new document id into the form, errors per field?"""
    stored = []

    def store(file, kind):
        if file.filename == "virus.pdf":
            raise ValidationError("Berkas ditolak: isinya bukan PDF, JPEG, atau PNG.")
        stored.append((file.filename, kind))
        return 100 + len(stored)

    form = MultiDict({"dokumen_sk.kind": "887", "anak[0].nama": "Siti", "anak[0].akta_kelahiran.kind": "887",
                      "lampiran_lain.document_id": "3"})
    files = MultiDict({"dokumen_sk.file": upload(), "anak[0].akta_kelahiran.file": upload("akta.png"),
                       "lampiran_lain.file": upload("virus.pdf"), "keterangan.file": upload("x.pdf"),
                       "sk_nomor": upload(), "anak[1].akta_kelahiran.file": upload("")})
    bound, errors = bind_uploads(*demo, form, files, store)
    assert stored == [("sk.pdf", "887"), ("akta.png", "887")]
    assert bound["dokumen_sk.document_id"] == "101" and bound["anak[0].akta_kelahiran.document_id"] == "102"
    assert errors == {"lampiran_lain": ["Berkas ditolak: isinya bukan PDF, JPEG, atau PNG."]}
    assert bound["lampiran_lain.document_id"] == "3"
    data = parse_submission(*demo, bound)
    assert data["dokumen_sk"] == {"document_id": 101, "kind": "887"}
    assert document_ids(*demo, data) == [102, 101, 3]


def test_defaults_do_not_fill_blank_rows():
    """Does a default inside repeated rows leave the blank row blank, so that it is not sent as a row?"""
    schema = {"type": "object", "properties": {"anak": {"type": "array", "items": {"type": "object", "properties": {
        "nama": {"type": "string"}, "tunjangan": {"type": "boolean", "default": True}}}}}}
    assert parse_submission(schema, {}, browser_post(render_form(schema, {}))) == {}
