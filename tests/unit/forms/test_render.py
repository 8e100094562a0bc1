"""Does the server-side renderer draw accessible, escaped HTML for every widget?"""
from __future__ import annotations

import pytest

from app.forms import WIDGETS, render_form

from .conftest import Provider
from .formhtml import parse, text_of


def one_field(schema: dict, ui: dict | None = None, required: bool = False) -> tuple[dict, dict]:
    form = {"type": "object", "properties": {"isian": schema}, "required": ["isian"] if required else []}
    return form, {"isian": {"ui:title": "Isian uji", **(ui or {})}}


def control(html, element_id: str) -> dict:
    return parse(html).ids[element_id]


WIDGET_CASES = {
    "text": ({"type": "string", "maxLength": 20}, {}, "input", {"type": "text", "maxlength": "20"}),
    "date": ({"type": "string", "format": "date"}, {}, "input", {"type": "date"}),
    "number": ({"type": "integer", "minimum": 0, "maximum": 11}, {}, "input",
               {"type": "number", "min": "0", "max": "11", "step": "1"}),
    "textarea": ({"type": "string"}, {"ui:widget": "textarea"}, "textarea", {}),
    "checkbox": ({"type": "boolean"}, {}, "input", {"type": "checkbox", "value": "true"}),
    "select": ({"type": "string", "enum": ["a", "b"]}, {}, "select", {}),
    "radio": ({"type": "string", "enum": ["a", "b"]}, {"ui:widget": "radio"}, "input", {"type": "radio"}),
    "file": ({"type": "integer"}, {"ui:widget": "file"}, "input",
             {"type": "file", "accept": "application/pdf,image/jpeg,image/png", "name": "isian.file"}),
    "evidence": ({"type": "object", "properties": {"document_id": {"type": "integer"}, "kind": {"type": "string"}}},
                 {"ui:widget": "evidence", "ui:documentKinds": ["872", "887"]}, "input",
                 {"type": "file", "accept": "application/pdf,image/jpeg,image/png", "name": "isian.file"}),
}


def test_every_registered_widget_has_a_case():
    """Is every widget in the registry covered by the per-widget test below (hidden has its own)?"""
    assert set(WIDGETS) == set(WIDGET_CASES) | {"hidden"}


@pytest.mark.parametrize("widget", sorted(WIDGET_CASES))
def test_widget_renders_labelled_input(widget, provider):
    """Does each widget draw the right input, labelled with the UI schema's title?"""
    schema, ui, tag, expected = WIDGET_CASES[widget]
    html = render_form(*one_field(schema, ui), choices_provider=provider)
    found = parse(html)
    first_id = "f-isian-0" if widget == "radio" else "f-isian"
    element = found.ids[first_id]
    assert element["tag"] == tag
    assert expected.items() <= element["attrs"].items()
    assert found.labels.get(first_id)
    assert "Isian uji" in str(html)


def test_radio_options_each_have_a_label_and_the_group_a_legend():
    """Can a screen-reader user tell what each radio button means and what they answer?"""
    html = render_form(*one_field({"type": "string", "enum": ["m", "f"]},
                                  {"ui:widget": "radio", "ui:enumNames": ["Laki-laki", "Perempuan"]}))
    found = parse(html)
    assert found.labels["f-isian-0"] == "Laki-laki" and found.labels["f-isian-1"] == "Perempuan"
    assert "<legend>Isian uji" in str(html)


def test_hidden_widget_carries_the_value_without_a_visible_field():
    """Does a hidden field post its value (or the schema default) and show nothing?"""
    form, ui = one_field({"type": "string", "default": "golongan"}, {"ui:widget": "hidden"})
    element = control(render_form(form, ui), "f-isian")
    assert element["attrs"] == {"type": "hidden", "id": "f-isian", "name": "isian", "value": "golongan"}


def test_evidence_offers_the_kinds_named_in_the_ui_schema(provider):
    """Does an evidence field offer only its document kinds, named from the dokumen table?"""
    schema, ui, _, _ = WIDGET_CASES["evidence"]
    html = render_form(*one_field(schema, ui), choices_provider=provider)
    kinds = control(html, "f-isian-kind")
    assert [o["value"] for o in kinds["options"]] == ["", "872", "887"]
    assert "Dok SK Jabatan" in str(html) and "Dok SK CPNS" not in str(html)
    assert parse(html).labels["f-isian-kind"].startswith("Jenis dokumen")


def test_attached_document_is_kept_and_no_longer_required():
    """After a failed validation, does the form keep the uploaded document instead of asking again?"""
    schema, ui, _, _ = WIDGET_CASES["evidence"]
    html = render_form(*one_field(schema, ui, required=True), data={"isian": {"document_id": 41, "kind": "887"}})
    found = parse(html)
    carried = [c for c in found.controls if c["attrs"].get("name") == "isian.document_id"]
    assert carried[0]["attrs"]["value"] == "41"
    assert "required" not in found.ids["f-isian"]["attrs"]
    assert "Dokumen no. 41 sudah terlampir" in str(html)


def test_every_visible_control_of_the_demo_form_has_a_label(demo, demo_data, provider):
    """Does every input, select and textarea of the demo form have a <label for> with text?"""
    found = parse(render_form(*demo, demo_data, None, provider))
    visible = [c for c in found.controls if c["attrs"].get("type") != "hidden"]
    assert len(visible) > 20
    for each in visible:
        assert found.labels.get(each["attrs"].get("id")), each


def test_required_fields_are_marked(demo, provider):
    """Is a required field marked with * and the required attribute, but not inside repeated rows?"""
    html = render_form(*demo, None, None, provider)
    found = parse(html)
    assert "required" in found.ids["f-sk_nomor"]["attrs"]
    assert 'for="f-sk_nomor">Nomor SK <span class="req" aria-hidden="true">*</span>' in str(html)
    assert "required" not in found.ids["f-keterangan"]["attrs"]
    row_field = found.ids["f-anak-0-nama"]["attrs"]
    assert "required" not in row_field and row_field["aria-required"] == "true"


def test_errors_are_shown_next_to_their_fields(demo, provider):
    """Is each error next to its field, linked with aria-describedby, and listed in a summary?"""
    errors = {"sk_nomor": ["Wajib diisi."], "anak[0].tanggal_lahir": ["Tanggal tidak sah (HH-BB-TTTT)."],
              "dokumen_sk.kind": ["Pilih salah satu pilihan yang tersedia."], "": ["Formulir kedaluwarsa."]}
    html = render_form(*demo, {"anak": [{"nama": "Siti"}]}, errors, provider)
    found = parse(html)
    for field_id, message in (("f-sk_nomor", "Wajib diisi."),
                              ("f-anak-0-tanggal_lahir", "Tanggal tidak sah (HH-BB-TTTT)."),
                              ("f-dokumen_sk-kind", "Pilih salah satu pilihan yang tersedia.")):
        attrs = found.ids[field_id]["attrs"]
        assert attrs["aria-invalid"] == "true"
        assert f"{field_id}-error" in attrs["aria-describedby"].split()
        assert message in text_of(html, f"{field_id}-error")
    assert 'class="field invalid"' in str(html)
    assert 'href="#f-anak-0-tanggal_lahir">Anak yang tercantum dalam SK › Anak 1 › Tanggal lahir:' in str(html)
    assert "<li>Formulir kedaluwarsa.</li>" in str(html)
    assert "aria-invalid" not in found.ids["f-sk_tanggal"]["attrs"]


def test_reference_choices_come_from_the_provider(demo, demo_data, provider):
    """Are golongan options the provider's (code, name) pairs, asked for once per table?"""
    html = render_form(*demo, demo_data, None, provider)
    golongan = control(html, "f-golongan_id")
    assert [(o["value"], o["selected"]) for o in golongan["options"]] == [
        ("", False), ("31", False), ("32", True), ("41", False)]
    assert ">III/b</option>" in str(html)
    assert provider.calls.count("jenisAnak") == 1  # three rows, one call


def test_reference_field_without_provider_is_a_programming_error(demo):
    """Does a form with reference choices refuse to draw without a provider (instead of empty lists)?"""
    with pytest.raises(ValueError, match="golonganPns"):
        render_form(*demo)


def test_a_value_no_longer_offered_stays_visible(provider):
    """Is a stored code missing from the reference table shown rather than silently dropped?"""
    form, ui = one_field({"type": "string"}, {"ui:referenceTable": "golonganPns"})
    golongan = control(render_form(form, ui, {"isian": "99"}, None, provider), "f-isian")
    assert {"value": "99", "selected": True} in golongan["options"]


def test_repeated_group_draws_filled_rows_and_one_blank_row(demo, demo_data, provider):
    """Does the children group show each child, one blank row and a no-JS "Tambah" button?"""
    html = str(render_form(*demo, demo_data, None, provider))
    assert 'name="anak[1].nama" value="Budi"' in html
    assert 'name="anak[2].nama" value=""' in html and "anak[3]" not in html
    assert "Anak 3 (baru)" in html
    assert '<button type="submit" class="button" name="_tambah" value="anak" formnovalidate' in html
    assert 'name="anak[0]._hapus"' in html and 'name="anak[2]._hapus"' not in html


def test_repeated_group_respects_min_and_max_items():
    """Are there enough blank rows for minItems, and none (nor a Tambah button) at maxItems?"""
    rows = {"type": "array", "minItems": 2, "maxItems": 3,
            "items": {"type": "object", "properties": {"nama": {"type": "string"}}}}
    form, ui = one_field(rows)
    empty = str(render_form(form, ui))
    assert "isian[1].nama" in empty and "isian[2].nama" not in empty
    full = str(render_form(form, ui, {"isian": [{"nama": "a"}, {"nama": "b"}, {"nama": "c"}]}))
    assert "isian[3]" not in full and "_tambah" not in full


def test_ui_order_and_texts_are_used():
    """Are fields drawn in ui:order with their Indonesian title, description, help and placeholder?"""
    form = {"type": "object", "properties": {"b": {"type": "string"}, "a": {"type": "string"},
                                             "c": {"type": "string"}}}
    ui = {"ui:order": ["c", "*"], "c": {"ui:title": "Nomor SK", "ui:description": "Sesuai SK.",
                                        "ui:help": "Tanpa spasi.", "ui:placeholder": "823/..."}}
    html = str(render_form(form, ui))
    assert html.index('name="c"') < html.index('name="b"') < html.index('name="a"')
    attrs = control(html, "f-c")["attrs"]
    assert attrs["placeholder"] == "823/..." and attrs["aria-describedby"] == "f-c-desc f-c-help"
    assert "Sesuai SK." in html and "Tanpa spasi." in html and ">Nomor SK</label>" in html


def test_hostile_texts_and_values_are_escaped(provider):
    """Is <script> in data, titles, choices and messages shown as text, never run?"""
    form = {"type": "object", "properties": {
        "nama": {"type": "string"}, "pilih": {"type": "string"},
        "catatan": {"type": "string"}}}
    ui = {"nama": {"ui:title": "<img src=x onerror=alert(1)>"},
          "pilih": {"ui:referenceTable": "jahat"}, "catatan": {"ui:widget": "textarea"}}
    hostile = '"><script>alert(1)</script>'
    jahat = Provider({"jahat": [("<x>", "<script>alert(2)</script>")]})
    html = str(render_form(form, ui, {"nama": hostile, "pilih": hostile, "catatan": "</textarea><script>"},
                           {"nama": ["<b>salah</b>"]}, jahat))
    assert "<script>" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert parse(html).ids["f-nama"]["attrs"]["value"] == hostile


def test_unknown_widget_is_refused():
    """Does a misspelt ui:widget fail loudly instead of drawing nothing?"""
    with pytest.raises(ValueError, match="ui:widget 'tanggal'"):
        render_form(*one_field({"type": "string"}, {"ui:widget": "tanggal"}))
