"""The data-change journey in Chromium: an ASN proposes a new rank (kepangkatan) record with a PDF,
the Dinas Kesehatan validator returns it, the ASN fixes the SK number and resubmits, the validator
and BKPSDM approve, and the ASN sees the new record in Data Saya. The BPMN diagram is checked on the way."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.documents import one_page_pdf

pytestmark = pytest.mark.browser

# A real one-page PDF: Chromium's viewer shows it in the task page. (A PDF it cannot read opens an error
# dialog that takes the focus and scrolls the page while the test clicks the form below it.)
PDF = one_page_pdf("SK Kenaikan Pangkat")
SK_WRONG, SK_RIGHT = "823.3/Kep.999-BKPSDM/2025-SALAH", "823.3/Kep.417-BKPSDM/2025"


def logout(page) -> None:
    page.get_by_role("button", name="Keluar").click()
    page.wait_for_load_state()


def expect_diagram(page, active_name: str) -> None:
    """The viewer drew an SVG and highlights exactly the element called `active_name` as the current step."""
    container = page.get_by_test_id("bpmn-diagram")
    expect(container).to_have_attribute("data-rendered", "true")
    expect(container.locator("svg").first).to_be_visible()
    active = container.locator("g.djs-element.simasn-active")
    expect(active).to_have_count(1)
    expect(active).to_contain_text(active_name)
    expect(container.locator("g.djs-element.simasn-done").first).to_be_attached()


def fill_rank_form(page, sk_nomor: str, evidence) -> None:
    page.select_option("#f-golongan_id", index=1)
    page.fill("#f-tmt_golongan", "2025-04-01")
    page.fill("#f-sk_nomor", sk_nomor)
    page.fill("#f-sk_tanggal", "2025-03-20")
    page.set_input_files("#f-bukti", str(evidence))
    page.select_option("#f-bukti-kind", index=1)
    page.fill("#f-alasan", "Kenaikan pangkat reguler April 2025.")


def expect_comparison(page, sk_nomor: str) -> None:
    """The side-by-side table with the proposed SK number."""
    expect(page.get_by_test_id("comparison")).to_contain_text(sk_nomor)


def open_task(page, name: str) -> None:
    page.goto("/tugas/")
    page.get_by_role("link", name=re.compile(r"Usul tambah riwayat kepangkatan")).first.click()
    page.wait_for_load_state()
    expect(page.locator("h1")).to_have_text(name)


def decide(page, decision: str, note: str) -> None:
    page.get_by_label(decision).check()
    page.fill("#f-catatan", note)
    with page.expect_navigation():
        page.get_by_role("button", name="Kirim", exact=True).click()


def test_asn_change_returned_fixed_and_approved(page, login_as, shot, tmp_path):
    """Does a returned-then-fixed kepangkatan proposal end, after both approvals, in the ASN's Data Saya?"""
    evidence = tmp_path / "sk-kenaikan-pangkat.pdf"
    evidence.write_bytes(PDF)

    # 1. The ASN proposes a new rank record with a PDF.
    login_as("asn")
    page.goto("/usulan/baru/")
    page.get_by_test_id("kind-riwayat_golongan").get_by_role("link", name="+ Tambah riwayat").click()
    page.wait_for_load_state()
    fill_rank_form(page, SK_WRONG, evidence)
    shot("01-asn-isi-usulan")
    with page.expect_navigation():
        page.get_by_role("button", name="Kirim usulan").click()
    assert re.search(r"/usulan/\d+$", page.url), page.url
    request_path = page.url[page.url.index("/usulan/"):]
    expect(page.get_by_test_id("status")).to_have_text("Menunggu tindakan")
    expect_diagram(page, "Periksa usulan")
    shot("02-asn-usulan-terkirim")
    logout(page)

    # 2. The validator of Dinas Kesehatan sees the comparison and the evidence, and returns it.
    login_as("validator.dinkes")
    open_task(page, "Periksa usulan")
    expect_comparison(page, SK_WRONG)
    expect(page.get_by_test_id("evidence").get_by_role("link", name="sk-kenaikan-pangkat.pdf")).to_be_visible()
    expect_diagram(page, "Periksa usulan")
    decide(page, "Kembalikan ke ASN untuk perbaikan", "Nomor SK tidak sesuai dokumen; periksa kembali.")
    shot("03-validator-kembalikan")
    logout(page)

    # 3. The ASN is notified, opens the revision task, corrects the SK number and resubmits.
    login_as("asn")
    page.goto("/notifikasi/")
    expect(page.get_by_test_id("notifications")).to_contain_text("dikembalikan")
    shot("04-asn-notifikasi")
    page.goto(request_path)
    expect_diagram(page, "Perbaiki usulan")
    open_task(page, "Perbaiki usulan")
    assert page.locator("#f-sk_nomor").input_value() == SK_WRONG  # the form starts from the proposal
    page.fill("#f-sk_nomor", SK_RIGHT)
    shot("05-asn-perbaiki")
    with page.expect_navigation():
        page.get_by_role("button", name="Kirim", exact=True).click()
    expect(page.locator(".flash.error")).to_have_count(0)
    logout(page)

    # 4. The validator approves, then BKPSDM approves.
    login_as("validator.dinkes")
    open_task(page, "Periksa usulan")
    expect_comparison(page, SK_RIGHT)
    decide(page, "Setujui dan teruskan ke BKPSDM", "Sudah sesuai SK.")
    logout(page)
    login_as("bkpsdm")
    open_task(page, "Verifikasi BKPSDM")
    expect_diagram(page, "Verifikasi BKPSDM")
    shot("06-bkpsdm-verifikasi")
    page.get_by_label("Setujui dan terapkan perubahan").check()
    page.fill("#f-catatan", "Sesuai.")
    with page.expect_navigation():
        page.get_by_role("button", name="Kirim", exact=True).click()
    logout(page)

    # 5. The ASN sees the request completed and the new SK number in Data Saya › Kepangkatan.
    login_as("asn")
    page.goto(request_path)
    expect(page.get_by_test_id("status")).to_have_text("Selesai")
    page.goto("/data-saya")
    page.get_by_test_id("tab-golongan").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("history-golongan")).to_contain_text(SK_RIGHT)
    shot("07-asn-data-saya-kepangkatan")
