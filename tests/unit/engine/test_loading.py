"""Loading BPMN definitions: hostile XML and forbidden content are refused with messages naming the element."""
from __future__ import annotations

import hashlib
import re

import pytest

from app.engine import loading
from app.engine.errors import DefinitionError
from app.engine.loading import parse_xml_safely
from tests.unit.engine.helpers import approval_variant, load, read_bpmn


def refusal(xml: bytes, **kwargs) -> list[str]:
    with pytest.raises(DefinitionError) as caught:
        load(xml, **kwargs)
    return caught.value.problems


def test_a_valid_definition_loads_with_everything_the_database_needs(approval):
    """Does a valid diagram give its key, name, referenced forms, lanes and the checksum of its bytes?"""
    assert approval.key == "uji_persetujuan"
    assert approval.name == "Uji persetujuan usulan"
    assert approval.forms == {"usul.schema.json", "usul.uischema.json", "periksa.schema.json", "verifikasi.schema.json"}
    assert approval.lanes == {"ASN", "Validator OPD", "BKPSDM"}
    assert approval.lane_properties["Validator OPD"] == {"scopeVariable": "opd_asal"}
    assert approval.checksum == hashlib.sha256(read_bpmn("approval.bpmn")).hexdigest()
    assert approval.specs.process.name == "uji_persetujuan"


def test_script_task_is_refused_by_name():
    """Is a script task refused with a message naming it, and are pre/post scripts refused too?"""
    problems = refusal(read_bpmn("script_task.bpmn"))
    assert problems == [
        (
            'Script task "Hitung tunjangan" (id hitung_tunjangan): script task tidak diizinkan; '
            "gunakan service task dengan operator yang terdaftar."
        ),
        'User task "Periksa hasil" (id periksa): pre-script tidak diizinkan.',
        'User task "Periksa hasil" (id periksa): post-script tidak diizinkan.',
    ]


def test_external_entity_is_refused():
    """Is a definition declaring an external entity (XXE, reading /etc/passwd) refused?"""
    assert refusal(read_bpmn("xxe.bpmn")) == ["Berkas BPMN tidak boleh memuat deklarasi DOCTYPE atau ENTITY."]


@pytest.mark.timeout(5)
def test_billion_laughs_is_refused_without_expanding():
    """Is an entity-expansion bomb refused before anything is expanded (the timeout guards against a hang)?"""
    assert refusal(read_bpmn("billion_laughs.bpmn")) == ["Berkas BPMN tidak boleh memuat deklarasi DOCTYPE atau ENTITY."]


def test_any_doctype_is_refused():
    """Is even a harmless DOCTYPE without entities refused?"""
    assert refusal(read_bpmn("doctype.bpmn")) == ["Berkas BPMN tidak boleh memuat deklarasi DOCTYPE atau ENTITY."]


@pytest.mark.timeout(5)
@pytest.mark.parametrize("name", ["xxe.bpmn", "billion_laughs.bpmn", "doctype.bpmn"])
def test_the_parser_itself_refuses_a_dtd_if_the_text_check_is_bypassed(monkeypatch, name):
    """If the quick text check missed a DTD, would the parser still neither resolve nor expand, and refuse?"""
    monkeypatch.setattr(loading, "_DECLARATION", re.compile(r"(?!)"))
    # libxml2 stops the bomb itself (amplification limit); the others reach the DOCTYPE check
    with pytest.raises(DefinitionError, match="DOCTYPE atau ENTITY|bukan XML yang sah"):
        parse_xml_safely(read_bpmn(name))


def test_a_dtd_hidden_in_utf16_is_refused():
    """Is a UTF-16 file (which a byte-level check could not read) refused?"""
    xml = read_bpmn("doctype.bpmn").decode().replace('encoding="UTF-8"', 'encoding="UTF-16"')
    assert refusal(xml.encode("utf-16")) == ["Berkas BPMN harus berkodekan UTF-8."]


def test_oversized_file_is_refused():
    """Is a 3 MB definition refused by size before it is parsed?"""
    padding = "<!-- " + "x" * (3 * 1024 * 1024) + " -->"
    xml = approval_variant("<bpmn:collaboration", padding + "<bpmn:collaboration")
    [problem] = refusal(xml)
    assert problem.startswith("Berkas BPMN terlalu besar") and "paling besar 2097152 byte" in problem


def test_size_limit_is_configurable():
    """Can the caller lower the size limit?"""
    [problem] = refusal(read_bpmn("approval.bpmn"), max_bytes=1000)
    assert "terlalu besar" in problem


@pytest.mark.parametrize(
    ("xml", "message"),
    [
        (b"<bpmn:definitions", "Berkas BPMN bukan XML yang sah (baris 1)."),
        (b"<html><body/></html>", "Berkas bukan definisi BPMN 2.0 (elemen akar harus bpmn:definitions)."),
    ],
)
def test_malformed_or_foreign_xml_is_refused(xml, message):
    """Is broken XML, or XML that is not BPMN, refused with a clear message?"""
    assert refusal(xml) == [message]


def test_unknown_operator_is_refused():
    """Is a service task naming an operator missing from the registry refused, listing what exists?"""
    problems = refusal(approval_variant('id="notify"', 'id="kirim_email_massal"'))
    assert problems == [
        (
            'Service task "Kirim pengingat" (id kirim_pengingat): operator \'kirim_email_massal\' tidak terdaftar; '
            "operator yang tersedia: apply_change_request, notify."
        )
    ]


def test_service_task_without_operator_is_refused():
    """Is a service task without any spiff operator refused?"""
    xml = approval_variant('<spiffworkflow:serviceTaskOperator id="notify"', '<spiffworkflow:other id="notify"')
    xml = xml.replace(b"</spiffworkflow:serviceTaskOperator>\n      </bpmn:extensionElements>\n      <bpmn:incoming>f_pengingat",
                      b"</spiffworkflow:other>\n      </bpmn:extensionElements>\n      <bpmn:incoming>f_pengingat")
    assert any("service task harus menyebut operator" in problem for problem in refusal(xml))


def test_user_task_without_form_is_refused():
    """Is a user task that names no form refused?"""
    xml = approval_variant('name="formJsonSchemaFilename" value="periksa.schema.json"', 'name="catatan" value="x"')
    assert refusal(xml) == [
        'User task "Periksa usulan" (id periksa): user task harus menyebut formulir (properti formJsonSchemaFilename).'
    ]


def test_user_task_with_unknown_form_is_refused():
    """Is a user task naming a form that is not among the known forms refused, for the schema and the UI schema?"""
    xml = approval_variant('value="usul.schema.json"', 'value="../../rahasia.schema.json"')
    xml = xml.replace(b'value="usul.uischema.json"', b'value="usul_lama.uischema.json"')
    assert refusal(xml) == [
        (
            'User task "Isi usulan" (id isi_usulan): formulir \'../../rahasia.schema.json\' '
            "(formJsonSchemaFilename) tidak dikenal."
        ),
        'User task "Isi usulan" (id isi_usulan): formulir \'usul_lama.uischema.json\' (formUiSchemaFilename) tidak dikenal.',
    ]


@pytest.mark.parametrize(
    ("condition", "reason"),
    [
        ('__import__("os").system("id")', "Fungsi '__import__' tidak diizinkan"),
        ("().__class__", "Akses atribut '.__class__' tidak diizinkan"),
        ('keputusan.startswith("setuju")', "Akses atribut '.startswith' tidak diizinkan"),
    ],
)
def test_condition_outside_the_whitelist_is_refused(condition, reason):
    """Is a gateway condition that reaches outside the whitelist refused, naming the flow and the reason?"""
    [problem] = refusal(approval_variant('keputusan == "setuju"', condition))
    assert problem.startswith(f"Alur \"Setuju\" (id f_setuju): kondisi '{condition}' ditolak.")
    assert reason in problem


def test_timer_expression_outside_the_whitelist_is_refused():
    """Is a timer expression that calls a forbidden function refused, naming the timer event?"""
    [problem] = refusal(approval_variant("hari_kerja(3)", 'open("/etc/passwd")'))
    assert problem.startswith('Event batas "Tenggat 3 hari kerja" (id tenggat_periksa): durasi timer (timeDuration)')
    assert "Fungsi 'open' tidak diizinkan" in problem


def test_unquoted_iso_duration_gets_a_hint():
    """Is a bare P3D (which would be read as a variable) refused with a hint to quote it or use hari(3)?"""
    [problem] = refusal(approval_variant("hari_kerja(3)", "P3D"))
    assert 'misalnya "P3D", atau gunakan hari(3)' in problem


def test_duration_function_in_a_date_timer_is_refused():
    """Is hari_kerja(...) (a duration) refused in a timeDate, where it could only fail when the timer arms?"""
    xml = approval_variant("<bpmn:timeDuration>hari_kerja(3)</bpmn:timeDuration>", "<bpmn:timeDate>hari_kerja(3)</bpmn:timeDate>")
    [problem] = refusal(xml)
    assert "pakai timeDuration, bukan timeDate" in problem


def test_operator_parameters_are_checked_as_expressions():
    """Is a service-task parameter value, which SpiffWorkflow evaluates, checked like any expression?"""
    [problem] = refusal(approval_variant('value="len(perubahan)"', 'value="perubahan.__len__()"'))
    assert problem.startswith('Service task "Terapkan perubahan" (id terapkan): parameter operator')


def test_all_faults_are_reported_together():
    """Does one refusal list every fault, so the process owner can fix them in one go?"""
    xml = approval_variant('id="notify"', 'id="tidak_ada"')
    xml = xml.replace(b'keputusan == "tolak"', b"x.y").replace(b'value="verifikasi.schema.json"', b'value="z.schema.json"')
    assert len(refusal(xml)) == 3


def test_exactly_one_process_is_required_unless_named():
    """Is a file with two executable processes refused unless the caller names the one to load?"""
    second = ('<bpmn:process id="kedua" isExecutable="true"><bpmn:startEvent id="s2" /></bpmn:process>'
              "</bpmn:definitions>")
    xml = approval_variant("</bpmn:definitions>", second)
    [problem] = refusal(xml)
    assert problem.startswith("Berkas harus berisi tepat satu proses")
    assert load(xml, process_id="uji_persetujuan").key == "uji_persetujuan"


def test_invalid_bpmn_is_refused_with_the_parsers_reason():
    """Is a diagram that breaks the BPMN schema refused rather than half-loaded?"""
    xml = approval_variant('<bpmn:endEvent id="end_selesai" name="Selesai">', '<bpmn:endEvent id="end_selesai" nama="x">')
    [problem] = refusal(xml)
    assert problem.startswith("Definisi BPMN tidak sah")
