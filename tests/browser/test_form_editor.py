"""The studio form editor in Chromium: the process owner changes a field title, watches the live preview
follow (and the Publish button lock while the JSON is broken), and publishes the form as a new version."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

NAME = "usul_hapus"


def test_process_owner_edits_previews_and_publishes_a_form(page, login_as, shot):
    """Does the preview redraw a changed title as the owner types, does broken JSON lock Publish with the
    problem's line, and does publishing give version 2 with the new title?"""
    login_as("pemilik.proses")
    page.locator("nav[aria-label='Menu utama']").get_by_role("link", name="Formulir", exact=True).click()
    page.wait_for_load_state()
    row = page.get_by_test_id(f"form-{NAME}")
    expect(row).to_contain_text("v1")
    row.get_by_role("link", name=NAME).click()
    page.wait_for_load_state()
    preview = page.get_by_test_id("preview-form")
    expect(preview.locator("label[for='f-alasan']")).to_contain_text("Alasan usulan")
    publish = page.get_by_test_id("publish")
    expect(publish).to_be_enabled()

    ui = page.locator("#ui_schema_text")
    original = ui.input_value()
    ui.fill(original.replace('"Alasan usulan"', '"Alasan penghapusan riwayat"'))
    expect(preview.locator("label[for='f-alasan']")).to_contain_text("Alasan penghapusan riwayat")
    shot("01-pratinjau-judul-baru")

    schema = page.locator("#schema_text")
    valid_schema = schema.input_value()
    schema.fill(valid_schema.replace('"type": "object",', '"type": "object"', 1))
    problems = page.get_by_test_id("problems")
    expect(problems).to_contain_text("bukan JSON yang sah")
    expect(problems).to_contain_text("baris")
    expect(publish).to_be_disabled()
    expect(page.get_by_test_id("publish-state")).to_contain_text("perbaiki masalah")
    shot("02-json-rusak-terbit-terkunci")

    schema.fill(valid_schema)
    expect(page.get_by_test_id("preview-form").locator("label[for='f-alasan']")).to_contain_text(
        "Alasan penghapusan riwayat")
    expect(publish).to_be_enabled()
    with page.expect_navigation():
        publish.click()
    expect(page.locator(".flash.success")).to_contain_text(f"Formulir {NAME} versi 2 diterbitkan")
    expect(page.get_by_test_id("form-status")).to_contain_text("v2")
    expect(page.get_by_test_id("preview-form").locator("label[for='f-alasan']")).to_contain_text(
        "Alasan penghapusan riwayat")
    shot("03-terbit-v2")
