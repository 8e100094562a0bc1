"""Evidence previewed in Chromium: the validator's task page frames the ASN's PDF (rendered by the
browser's PDF viewer despite the sandboxing policy) beside its download link. The proposal is
withdrawn at the end, so no task is left for the other journeys."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.documents import one_page_pdf
from tests.browser.test_usul_journey import logout

pytestmark = pytest.mark.browser
SK = "800/Kep.77-BKPSDM/2025"


def _viewer(page, source: str):
    """Chromium's PDF viewer frame inside the preview frame whose src is `source`, if open yet."""
    return next((frame for frame in page.frames if frame.url.startswith("chrome-extension://")
                 and frame.parent_frame is not None and frame.parent_frame.url.endswith(source)), None)


def expect_pdf_shown(page, source: str, pages: int) -> None:
    """Chromium opened its PDF viewer in the preview frame and read the document's pages."""
    if _viewer(page, source) is None:
        with page.expect_event("framenavigated", predicate=lambda frame: _viewer(page, source) is not None):
            pass
    expect(_viewer(page, source).locator("#pagelength")).to_have_text(str(pages))


def test_validator_sees_the_pdf_in_the_page(page, login_as, shot, tmp_path):
    """Does the validator's task page show the ASN's PDF inside the page, with the download link kept?"""
    evidence = tmp_path / "piagam-satyalancana.pdf"
    evidence.write_bytes(one_page_pdf("PIAGAM SATYALANCANA KARYA SATYA"))
    login_as("asn")
    page.goto("/usulan/baru/riwayat_penghargaan/tambah")
    page.locator("#f-penghargaan_id").select_option(index=1)
    page.fill("#f-tahun", "2025")
    page.fill("#f-sk_nomor", SK)
    page.fill("#f-sk_tanggal", "2025-08-17")
    page.set_input_files("#f-bukti", str(evidence))
    page.fill("#f-alasan", "Penghargaan Satyalancana Karya Satya 10 tahun.")
    with page.expect_navigation():
        page.get_by_role("button", name="Kirim usulan").click()
    request_path = page.url[page.url.index("/usulan/"):]
    expect(page.get_by_test_id("preview-pdf")).to_be_visible()
    logout(page)

    login_as("validator.dinkes")
    page.goto("/tugas/")
    page.get_by_role("link", name=re.compile(r"^Periksa usulan — Usul tambah riwayat penghargaan")).first.click()
    page.wait_for_load_state()
    frame_element = page.get_by_test_id("preview-pdf")
    expect(frame_element).to_be_visible()
    source = frame_element.get_attribute("src")
    assert re.fullmatch(r"/dokumen/\d+/pratinjau", source or ""), source
    frame_element.scroll_into_view_if_needed()
    expect_pdf_shown(page, source, pages=1)
    expect(page.get_by_test_id("evidence").get_by_role("link", name="piagam-satyalancana.pdf")).to_be_visible()
    shot("01-validator-pratinjau-pdf")
    logout(page)

    login_as("asn")
    page.goto(request_path)
    page.fill("#alasan", "Uji pratinjau selesai.")
    with page.expect_navigation():
        page.get_by_role("button", name="Tarik usulan").click()
    expect(page.get_by_test_id("status")).to_have_text("Ditarik/dibatalkan")
