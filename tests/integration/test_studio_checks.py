"""The studio's definition checks: one good and one bad fixture per rule, hostile XML, and that
every problem is reported (not only the first) with the element it concerns."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.models import LaneRole, ProcessDefinition, ProcessVersion
from app.models.form_definition import FormDefinition
from app.services import definitions
from app.services.studio_checks import Problem, check_definition

DATA = Path(__file__).resolve().parents[1] / "data"
STUDIO = DATA / "bpmn" / "studio"
FORMS = definitions.known_forms(DATA / "forms")


def check(dbs, name: str, known_forms=FORMS) -> list[Problem]:
    path = STUDIO / name if (STUDIO / name).exists() else DATA / "bpmn" / name
    return check_definition(dbs, path.read_bytes(), known_forms=known_forms)


def by_element(problems: list[Problem]) -> dict[str | None, list[str]]:
    found: dict[str | None, list[str]] = {}
    for problem in problems:
        found.setdefault(problem.element_id, []).append(problem.message)
    return found


@pytest.mark.parametrize("name", ["good.bpmn", "unsupported_good.bpmn", "gateway_conditions_good.bpmn"])
def test_good_definitions_have_no_problems(dbs, name):
    """Does a diagram that only uses what the engine supports, with mapped lanes, known forms and operators,
    pass every check?"""
    assert check(dbs, name) == []


def test_shipped_workflows_pass_with_the_default_forms(dbs):
    """Do the shipped workflows pass when the known forms are the defaults (shipped forms folder)?"""
    for path in sorted((Path(__file__).resolve().parents[2] / "workflows").glob("*.bpmn")):
        assert check_definition(dbs, path.read_bytes()) == [], path.name


def test_problem_is_a_frozen_record_with_severity():
    """Is a problem an immutable (element id, message, severity) record, an error by default?"""
    problem = Problem("periksa", "pesan")
    assert problem.severity == "error"
    with pytest.raises(AttributeError):
        problem.message = "lain"


# --- XML and BPMN parsing -------------------------------------------------------------------

def test_malformed_xml_is_one_problem_with_the_line(dbs):
    """Is XML that is cut off refused with one message naming the line, and nothing else looked at?"""
    (problem,) = check(dbs, "xml_bad_syntax.bpmn")
    assert problem.element_id is None and "bukan XML yang sah (baris" in problem.message


def test_xml_that_is_not_bpmn_is_refused(dbs):
    """Is a well-formed XML file that is not a BPMN definitions document refused?"""
    (problem,) = check(dbs, "xml_bad_root.bpmn")
    assert "bukan definisi BPMN 2.0" in problem.message


def test_bpmn_schema_violation_is_reported(dbs):
    """Does a value the BPMN schema forbids (isExecutable="kadang") come back as an invalid definition?"""
    problems = check(dbs, "parse_bad.bpmn")
    assert len(problems) == 1 and "Definisi BPMN tidak sah" in problems[0].message
    assert "isExecutable" in problems[0].message


def test_two_processes_in_one_file_are_refused(dbs):
    """Is a file holding two executable processes refused, naming both?"""
    (problem,) = check(dbs, "parse_two_processes.bpmn")
    assert "tepat satu proses" in problem.message and "studio_uji_kedua" in problem.message


# --- hostile files -----------------------------------------------------------------------

@pytest.mark.parametrize("name", ["xxe.bpmn", "billion_laughs.bpmn", "doctype.bpmn"])
def test_entities_and_doctypes_are_refused_before_parsing(dbs, name):
    """Are an external entity, an entity expansion bomb and a bare DOCTYPE refused with one clear message?"""
    (problem,) = check(dbs, name)
    assert problem == Problem(None, "Berkas BPMN tidak boleh memuat deklarasi DOCTYPE atau ENTITY.")


def test_fifty_megabytes_of_xml_are_refused_by_size(dbs):
    """Are 50 MB of (otherwise valid) XML refused by size, without being parsed?"""
    good = (STUDIO / "good.bpmn").read_bytes()
    padding = b"<!--" + b"x" * (50 * 1024 * 1024) + b"-->"
    huge = good.replace(b"</bpmn:definitions>", padding + b"</bpmn:definitions>")
    (problem,) = check_definition(dbs, huge, known_forms=FORMS)
    assert "terlalu besar" in problem.message and "paling besar" in problem.message


def test_non_utf8_is_refused(dbs):
    """Is a file in another encoding refused with a message saying UTF-8 is needed?"""
    (problem,) = check_definition(dbs, "<bpmn:definitions>é</bpmn:definitions>".encode("latin-1"), known_forms=FORMS)
    assert "UTF-8" in problem.message


# --- each rule: the bad fixture ------------------------------------------------------------

def test_unsupported_elements_are_named(dbs):
    """Are a send task and a message event refused as unsupported, each naming its element?"""
    found = by_element(check(dbs, "unsupported_bad.bpmn"))
    assert set(found) == {"kabar", "tenggat"}
    assert 'Send task "Kabari pegawai" (id kabar)' in found["kabar"][0]
    assert "tidak didukung" in found["kabar"][0] and "event pesan" in found["tenggat"][0]


def test_script_task_and_pre_script_are_refused(dbs):
    """Are a script task and a pre-script both refused, with the hint to use a service task?"""
    found = by_element(check(dbs, "script_bad.bpmn"))
    assert set(found) == {"kabar", "periksa"}
    assert "script task tidak diizinkan; gunakan service task" in found["kabar"][0]
    assert found["periksa"] == ['User task "Periksa usulan" (id periksa): pre-script tidak diizinkan.']


def test_unmapped_lane_and_task_outside_lanes(dbs):
    """Is a lane with no role mapping refused, and a user task in no lane too?"""
    found = by_element(check(dbs, "lane_bad.bpmn"))
    assert set(found) == {"Lane_bkpsdm", "periksa"}
    assert "'Bagian Rahasia' belum dipetakan ke peran" in found["Lane_bkpsdm"][0]
    assert "harus berada di dalam lajur" in found["periksa"][0]


def test_a_newly_mapped_lane_passes(dbs):
    """Does the same diagram pass the lane check once the administrator maps its lane?"""
    dbs.add(LaneRole(lane="Bagian Rahasia", role="bkpsdm"))
    dbs.flush()
    found = by_element(check(dbs, "lane_bad.bpmn"))
    assert set(found) == {"periksa"}


def test_unknown_and_missing_forms(dbs):
    """Are a user task naming an unknown form and one naming no form both refused?"""
    found = by_element(check(dbs, "form_bad.bpmn"))
    assert set(found) == {"periksa", "verifikasi"}
    assert "formulir 'tidak_ada.schema.json' (formJsonSchemaFilename) tidak dikenal" in found["periksa"][0]
    assert "harus menyebut formulir" in found["verifikasi"][0]


def test_default_known_forms_include_pinned_and_form_table(dbs):
    """Without known_forms, are forms pinned by a published version (and shipped forms) accepted?"""
    assert {p.element_id for p in check(dbs, "good.bpmn", known_forms=None)} == {"periksa", "verifikasi"}
    dbs.add(ProcessDefinition(key="pin_uji", name="Pin uji"))
    forms = {name: {} for name in ("uji_periksa.schema.json", "uji_periksa.uischema.json",
                                   "uji_verifikasi.schema.json")}
    dbs.add(ProcessVersion(process_key="pin_uji", version=1, bpmn_xml="<x/>", checksum="0" * 64,
                           spec=json.loads("{}"), forms=forms))
    dbs.flush()
    assert check(dbs, "good.bpmn", known_forms=None) == []


def test_published_forms_of_the_form_table_are_known_and_drafts_are_not(dbs):
    """Is a form published in the form editor accepted by default, while a form that is only a draft is not?"""
    xml = (STUDIO / "good.bpmn").read_bytes().replace(b"uji_verifikasi.schema.json", b"studio_baru.schema.json")
    xml = xml.replace(b'<spiffworkflow:property name="formUiSchemaFilename" value="uji_periksa.uischema.json" />', b"")
    xml = xml.replace(b"uji_periksa.schema.json", b"studio_draf.schema.json")
    for name, status in (("studio_baru", "published"), ("studio_draf", "draft")):
        dbs.add(FormDefinition(name=name, status=status, version=1, schema_text="{}", ui_schema_text="{}"))
    dbs.flush()
    (problem,) = check_definition(dbs, xml)
    assert problem.element_id == "periksa" and "'studio_draf.schema.json'" in problem.message


def test_unknown_operator_names_the_registry(dbs):
    """Is an operator that is not registered refused, listing the available ones?"""
    (problem,) = check(dbs, "operator_bad.bpmn")
    assert problem.element_id == "kabar"
    assert "operator 'hapus_semua' tidak terdaftar" in problem.message and "notify" in problem.message


def test_unsafe_condition_and_unparsable_timer(dbs):
    """Are a condition calling __import__ and a timer expression that does not parse both refused?"""
    found = by_element(check(dbs, "expression_bad.bpmn"))
    assert set(found) == {"f_setuju", "tenggat"}
    assert "kondisi '__import__" in found["f_setuju"][0] and "tidak diizinkan" in found["f_setuju"][0]
    assert "timeDuration) 'hari_kerja(3' ditolak" in found["tenggat"][0]


def test_gateway_branches_without_condition_or_default(dbs):
    """Are both unconditioned outgoing flows of a gateway without a default reported?"""
    found = by_element(check(dbs, "gateway_bad.bpmn"))
    assert set(found) == {"f_setuju", "f_tolak"}
    assert 'Gateway eksklusif "Keputusan validator" (id keputusan)' in found["f_tolak"][0]
    assert "tanpa kondisi dan bukan alur default" in found["f_tolak"][0]


def test_disconnected_elements_and_dangling_flow(dbs):
    """Are a task with no flows, an end event nobody reaches and a flow to a missing element all reported?"""
    found = by_element(check(dbs, "disconnected_bad.bpmn"))
    assert set(found) == {"arsip", "end_selesai", "f_kabar"}
    assert len(found["arsip"]) == 2 and "tidak ada alur masuk" in found["arsip"][0]
    assert "tidak ada alur keluar" in found["arsip"][1]
    assert "elemen tujuan 'end_hilang' tidak ada" in found["f_kabar"][0]


def test_missing_start_event(dbs):
    """Is a process without a start event reported on the process, and its first task as unreachable?"""
    found = by_element(check(dbs, "no_start.bpmn"))
    assert found["studio_uji"] == ['Proses "Studio uji" (id studio_uji): tidak ada event mulai.']
    assert "tidak ada alur masuk" in found["periksa"][0]


def test_missing_end_event(dbs):
    """Is a process whose only path ends in a task (no end event) reported for both?"""
    xml = (STUDIO / "good.bpmn").read_text()
    for end in ("end_tenggat", "end_ditolak", "end_selesai"):
        xml = xml.replace(f'<bpmn:endEvent id="{end}"', f'<bpmn:manualTask id="{end}"')
    xml = xml.replace("</bpmn:endEvent>", "</bpmn:manualTask>")
    found = by_element(check_definition(dbs, xml.encode(), known_forms=FORMS))
    assert found["studio_uji"] == ['Proses "Studio uji" (id studio_uji): tidak ada event akhir.']
    assert "tidak ada alur keluar" in found["end_selesai"][0]


def test_every_problem_is_reported_at_once(dbs):
    """Does one diagram with several faults get all of them in one answer, not only the first?"""
    xml = (STUDIO / "script_bad.bpmn").read_text().replace('value="uji_periksa.schema.json"', 'value="x.schema.json"')
    xml = xml.replace('name="BKPSDM"', 'name="Lajur Baru"').replace(' default="f_tolak"', "")
    messages = " | ".join(p.message for p in check_definition(dbs, xml.encode(), known_forms=FORMS))
    for expected in ("script task tidak diizinkan", "pre-script", "'x.schema.json'", "'Lajur Baru'",
                     "tanpa kondisi dan bukan alur default"):
        assert expected in messages


def variant(*replacements: tuple[str, str]) -> bytes:
    xml = (STUDIO / "good.bpmn").read_text()
    for old, new in replacements:
        assert old in xml, old
        xml = xml.replace(old, new)
    return xml.encode()


def test_unnamed_lane_is_reported(dbs):
    """Is a lane without a name reported, since its name decides the role?"""
    found = by_element(check_definition(dbs, variant(('name="BKPSDM"', "")), known_forms=FORMS))
    assert set(found) == {"Lane_bkpsdm"} and "lajur harus bernama" in found["Lane_bkpsdm"][0]


def test_default_flow_must_leave_the_gateway(dbs):
    """Is a gateway default that names a flow not leaving that gateway reported on the gateway?"""
    xml = variant((' default="f_tolak"', ' default="f_start"'))
    found = by_element(check_definition(dbs, xml, known_forms=FORMS))
    assert "alur default 'f_start' bukan alur keluar gateway ini" in found["keputusan"][0]


def test_boundary_event_on_a_missing_activity(dbs):
    """Is a boundary event attached to an activity that does not exist reported?"""
    found = by_element(check_definition(dbs, variant(('attachedToRef="periksa"', 'attachedToRef="hilang"')),
                                        known_forms=FORMS))
    assert "melekat pada 'hilang' yang tidak ada" in found["tenggat"][0]
