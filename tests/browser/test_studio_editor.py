"""Studio Proses in Chromium: every shipped workflow survives the editor (bpmn-js Modeler with our spiffworkflow
moddle descriptor) without losing an element or property and still loads in the engine; a process owner
changes the validator's SLA timer of usul_perubahan_data, sees a problem highlighted, fixes it, validates and
publishes, and a new request runs with the new deadline while the one started before keeps the old."""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from lxml import etree
from playwright.sync_api import expect

from app.engine.loading import load_definition, parse_xml_safely
from app.engine.rules import NS
from app.engine.workdays import WorkCalendar, national_holidays_between
from app.services import definitions, operators
from app.web import MONTHS
from tests.browser.test_usul_journey import PDF, fill_rank_form, logout

pytestmark = pytest.mark.browser
CHANGES_DEMO_DATA = True  # publishes a new version of usul_perubahan_data: run after the fact-checking tests
WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
DI_NAMESPACES = ("http://www.omg.org/spec/BPMN/20100524/DI", "http://www.omg.org/spec/DD/20100524/DC",
                 "http://www.omg.org/spec/DD/20100524/DI")
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"


def facts(xml: str) -> dict[str, tuple]:
    """Every element with an id: its kind, attributes and everything inside it without an id of its own
    (documentation, flows in and out, extension elements, timer and condition expressions), in any order.
    Diagram shapes count by id and the element they draw."""
    tree = parse_xml_safely(xml.encode("utf-8"))
    found = {}
    for node in tree.iter():
        if isinstance(node.tag, str) and node.get("id"):
            if etree.QName(node).namespace in DI_NAMESPACES:
                found[node.get("id")] = (node.tag, node.get("bpmnElement"))
            else:
                found[node.get("id")] = _fact(node)
    return found


def _fact(node) -> tuple:
    attributes = tuple(sorted((k, v) for k, v in node.attrib.items() if k != XSI_TYPE))
    inner = tuple(sorted(_fact(child) for child in node if isinstance(child.tag, str) and not child.get("id")))
    return node.tag, attributes, (node.text or "").strip(), inner


def open_editor(page, key: str) -> None:
    page.goto(f"/studio/{key}/sunting")
    expect(page.get_by_test_id("studio-canvas")).to_have_attribute("data-ready", "true")


def exported(page) -> str:
    return page.evaluate("window.studioEditor.exportXml()")


@pytest.mark.parametrize("path", sorted(WORKFLOWS.glob("*.bpmn")), ids=lambda p: p.stem)
def test_shipped_workflow_round_trips_through_the_editor(page, login_as, path):
    """Does the XML the editor exports for a shipped workflow keep every element id, attribute, extension
    element and expression, load in the engine, and export the same again after being reopened?"""
    login_as("pemilik.proses")
    open_editor(page, path.stem)
    original = page.evaluate("JSON.parse(document.getElementById('studio-data').textContent).xml")
    first = exported(page)
    assert facts(first) == facts(original)
    loaded = load_definition(first.encode("utf-8"), operators=operators.operator_names(),
                             known_forms=definitions.known_forms(), process_id=path.stem)
    assert loaded.key == path.stem and loaded.forms
    page.evaluate("xml => window.studioEditor.modeler.importXML(xml)", first)
    assert exported(page) == first


def select(page, element_id: str) -> None:
    page.evaluate("id => window.studioEditor.focus(id)", element_id)
    expect(page.get_by_test_id("studio-panel")).to_contain_text(f"id {element_id}")


def change(page, selector: str, value: str) -> None:
    if page.locator(selector).evaluate("node => node.tagName") == "SELECT":
        page.select_option(selector, value)
    else:
        page.fill(selector, value)
        page.press(selector, "Tab")


def test_side_panel_writes_the_extension_elements_the_engine_reads(page, login_as):
    """Do the panel's choices (a user task's form, an operator parameter, a lane, a condition, a gateway's
    default flow, documentation) come out as the spiffworkflow properties, operator and BPMN the engine loads?"""
    login_as("pemilik.proses")
    open_editor(page, "usul_perubahan_data")
    select(page, "periksa")
    change(page, "#studio-form", "usul_verifikasi_bkpsdm")
    change(page, "#studio-documentation", "Diperiksa dengan formulir BKPSDM.")
    select(page, "kabar_diteruskan")
    expect(page.locator("#studio-operator")).to_have_value("notify")
    change(page, "#studio-param-body", '"Diteruskan dari studio"')
    select(page, "Lane_bkpsdm")
    change(page, "#studio-lane", "Kepala BKPSDM")
    select(page, "f_v_setuju")
    change(page, "#studio-condition", 'keputusan == "setuju" and catatan != "x"')
    select(page, "f_v_kembalikan")
    change(page, "#studio-condition", 'keputusan == "kembalikan"')
    select(page, "f_v_tolak")
    change(page, "#studio-condition", "")
    select(page, "keputusan_validator")
    change(page, "#studio-gateway-default", "f_v_tolak")

    tree = parse_xml_safely(exported(page).encode("utf-8"))
    one = lambda path: tree.xpath(path, namespaces=NS)  # noqa: E731
    assert one("//bpmn:userTask[@id='periksa']/bpmn:extensionElements/spiff:properties/spiff:property"
               "[@name='formJsonSchemaFilename']/@value") == ["usul_verifikasi_bkpsdm.schema.json"]
    assert one("//bpmn:userTask[@id='periksa']/bpmn:extensionElements/spiff:properties/spiff:property"
               "[@name='formUiSchemaFilename']/@value") == ["usul_verifikasi_bkpsdm.uischema.json"]
    assert one("//bpmn:userTask[@id='periksa']/bpmn:documentation/text()") == ["Diperiksa dengan formulir BKPSDM."]
    operator = "//bpmn:serviceTask[@id='kabar_diteruskan']/bpmn:extensionElements/spiff:serviceTaskOperator"
    assert one(f"{operator}/@id") == ["notify"] and one(f"{operator}/@resultVariable") == ["hasil_kabar_diteruskan"]
    assert dict(zip(one(f"{operator}/spiff:parameters/spiff:parameter/@id"),
                    one(f"{operator}/spiff:parameters/spiff:parameter/@value"))) == {
        "to": '"subject"', "title": '"Usulan diteruskan ke BKPSDM"', "body": '"Diteruskan dari studio"'}
    assert one("//bpmn:lane[@id='Lane_bkpsdm']/@name") == ["Kepala BKPSDM"]
    assert one("//bpmn:sequenceFlow[@id='f_v_setuju']/bpmn:conditionExpression/text()") == [
        'keputusan == "setuju" and catatan != "x"']
    assert one("//bpmn:exclusiveGateway[@id='keputusan_validator']/@default") == ["f_v_tolak"]
    assert one("//bpmn:sequenceFlow[@id='f_v_tolak']/bpmn:conditionExpression") == []
    loaded = load_definition(etree.tostring(tree), operators=operators.operator_names(),
                             known_forms=definitions.known_forms(), process_id="usul_perubahan_data")
    assert "Kepala BKPSDM" in loaded.lanes and "usul_verifikasi_bkpsdm.uischema.json" in loaded.forms


def test_import_refuses_a_hostile_file_and_takes_a_good_one_as_the_draft(page, login_as, tmp_path):
    """Is an imported file with an external entity refused with a clear message and nothing changed, while a
    good .bpmn file becomes the draft shown on the canvas, which can then be discarded?"""
    page.on("dialog", lambda dialog: dialog.accept())
    login_as("pemilik.proses")
    open_editor(page, "mutasi_unit_kerja")
    page.set_input_files("#studio-import", str(Path(__file__).resolve().parents[1] / "data" / "bpmn" / "xxe.bpmn"))
    expect(page.get_by_test_id("studio-status")).to_contain_text("DOCTYPE atau ENTITY")
    page.reload()
    expect(page.get_by_test_id("draft-note")).to_contain_text("Belum ada draf")
    renamed = tmp_path / "mutasi_baru.bpmn"
    renamed.write_text((WORKFLOWS / "mutasi_unit_kerja.bpmn").read_text().replace(
        'name="Susun keputusan"', 'name="Susun keputusan (impor)"'))
    page.set_input_files("#studio-import", str(renamed))
    expect(page.get_by_test_id("studio-status")).to_contain_text("diimpor sebagai draf")
    expect(page.get_by_test_id("studio-canvas")).to_contain_text("Susun keputusan (impor)")
    page.reload()
    expect(page.get_by_test_id("draft-note")).to_contain_text("Draf disimpan")
    with page.expect_navigation():
        page.get_by_test_id("discard").click()
    expect(page.get_by_test_id("draft-note")).to_contain_text("Belum ada draf")


# --- the SLA journey ----------------------------------------------------------------------------

def propose(page, login_as, tmp_path, sk_nomor: str) -> str:
    """The ASN proposes a rank record; the request number."""
    evidence = tmp_path / f"sk-{sk_nomor[-4:]}.pdf"
    evidence.write_bytes(PDF)
    login_as("asn")
    page.goto("/usulan/baru/")
    page.get_by_test_id("kind-riwayat_golongan").get_by_role("link", name="+ Tambah riwayat").click()
    page.wait_for_load_state()
    fill_rank_form(page, sk_nomor, evidence)
    with page.expect_navigation():
        page.get_by_role("button", name="Kirim usulan").click()
    number = re.search(r"/usulan/(\d+)$", page.url).group(1)
    logout(page)
    return number


def set_timer(page, name: str, expression: str) -> None:
    page.locator('#studio-canvas [data-element-id="eskalasi_validator"]').first.click()
    expect(page.get_by_test_id("studio-panel")).to_contain_text("eskalasi_validator")
    page.fill("#studio-name", name)
    page.press("#studio-name", "Tab")
    page.fill("#studio-timer-expression", expression)
    page.press("#studio-timer-expression", "Tab")


def check(page) -> None:
    page.get_by_test_id("check").click()
    expect(page.get_by_test_id("studio-status")).not_to_have_text("Memeriksa diagram…")


def validator_task(page, number: str, version: int) -> tuple[str, str]:
    """The created and due cells of the open 'Periksa usulan' task on the page of a request on `version`."""
    page.goto(f"/admin/instans/{number}")
    expect(page.get_by_test_id("heatmap-link").locator("..")).to_contain_text(f"versi {version}")
    row = page.locator("tr", has_text="Periksa usulan").first
    cells = row.locator("td")
    return cells.nth(3).inner_text(), cells.nth(4).inner_text()


def working_days_after(created: str, count: int) -> str:
    """'2 Desember 2026' for `count` working days after the date in `created` ('30 November 2026 10:15 WIB')."""
    day, month, year = created.split()[:3]
    start = date(int(year), MONTHS.index(month) + 1, int(day))
    calendar = WorkCalendar.with_holidays(national_holidays_between(start.year, start.year + 1))
    due = calendar.add_working_days(start, count)
    return f"{due.day} {MONTHS[due.month - 1]} {due.year}"


def test_owner_changes_the_validator_sla_and_only_new_requests_get_it(page, login_as, shot, tmp_path):
    """Can a process owner change the escalation timer of the validator's task in the editor, see a bad
    expression highlighted, validate and publish; does a new request then get 7 working days while the
    request started before keeps 5?"""
    page.on("dialog", lambda dialog: dialog.accept())
    old = propose(page, login_as, tmp_path, "823.3/Kep.610-BKPSDM/2025")

    login_as("pemilik.proses")
    page.get_by_role("link", name="Studio Proses").click()
    page.get_by_test_id("process-usul_perubahan_data").get_by_role("link", name="Sunting").click()
    expect(page.get_by_test_id("studio-canvas")).to_have_attribute("data-ready", "true")
    set_timer(page, "Eskalasi ke BKPSDM (7 hari kerja)", "hari_kerja(7")
    check(page)
    problem = page.get_by_test_id("problems").locator('button[data-element-id="eskalasi_validator"]')
    expect(problem).to_contain_text("hari_kerja(7")
    expect(page.get_by_test_id("publish")).to_be_disabled()
    problem.click()
    marked = page.locator('#studio-canvas g.djs-element.studio-problem[data-element-id="eskalasi_validator"]')
    expect(marked).to_have_count(1)
    expect(page.locator('#studio-canvas g.studio-focus[data-element-id="eskalasi_validator"]')).to_have_count(1)
    shot("01-masalah-disorot")

    page.fill("#studio-timer-expression", "hari_kerja(7)")
    page.press("#studio-timer-expression", "Tab")
    check(page)
    expect(page.get_by_test_id("studio-status")).to_have_text("Tidak ada masalah. Diagram dapat diterbitkan.")
    expect(page.locator("#studio-canvas g.studio-problem, #studio-canvas g.studio-focus")).to_have_count(0)
    shot("02-diperiksa-tanpa-masalah")
    with page.expect_navigation():
        page.get_by_test_id("publish").click()
    expect(page.locator(".flash").first).to_contain_text("diterbitkan")
    latest = page.get_by_test_id("version-table").locator("tbody tr").first
    expect(latest).to_contain_text("Studio")
    expect(latest).to_contain_text("Pemilik")
    shot("03-versi-baru")
    logout(page)

    new = propose(page, login_as, tmp_path, "823.3/Kep.611-BKPSDM/2025")
    login_as("pemilik.proses")
    created_old, due_old = validator_task(page, old, 1)
    created_new, due_new = validator_task(page, new, 2)
    assert due_old.startswith(working_days_after(created_old, 5)), (created_old, due_old)
    assert due_new.startswith(working_days_after(created_new, 7)), (created_new, due_new)
    expect(page.get_by_test_id("timers")).to_contain_text("Eskalasi ke BKPSDM (7 hari kerja)")
    shot("04-permohonan-baru-7-hari-kerja")
