"""Instans Proses in Chromium: an ASN proposes a rank record; the process owner finds the request in the list,
opens it, sees the diagram with the done and the current step marked, suspends and resumes it; after the
validator and BKPSDM decide it, the heat map of the version colours and labels both human steps."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_usul_journey import PDF, fill_rank_form, logout

pytestmark = pytest.mark.browser


def propose(page, login_as, tmp_path) -> str:
    evidence = tmp_path / "sk-pangkat.pdf"
    evidence.write_bytes(PDF)
    login_as("asn")
    page.goto("/usulan/baru/")
    page.get_by_test_id("kind-riwayat_golongan").get_by_role("link", name="+ Tambah riwayat").click()
    page.wait_for_load_state()
    fill_rank_form(page, "823.3/Kep.501-BKPSDM/2025", evidence)
    with page.expect_navigation():
        page.get_by_role("button", name="Kirim usulan").click()
    number = re.search(r"/usulan/(\d+)$", page.url).group(1)
    logout(page)
    return number


def test_process_owner_suspends_and_resumes_a_request(page, login_as, shot, tmp_path):
    """Does the process owner see the request's diagram marked, can they suspend and resume it, and once the
    request is decided does the heat map of its version mark both human steps with their numbers?"""
    number = propose(page, login_as, tmp_path)

    login_as("pemilik.proses")
    page.get_by_role("link", name="Instans Proses").click()
    page.wait_for_load_state()
    row = page.locator(f'tr[data-instance-id="{number}"]')
    expect(row).to_contain_text("Menunggu")
    row.get_by_role("link").first.click()
    page.wait_for_load_state()
    diagram = page.get_by_test_id("bpmn-diagram")
    expect(diagram).to_have_attribute("data-rendered", "true")
    expect(diagram.locator("g.djs-element.simasn-active")).to_contain_text("Periksa usulan")
    expect(diagram.locator("g.djs-element.simasn-done").first).to_be_attached()
    expect(page.get_by_test_id("open-tasks")).to_contain_text("Periksa usulan")
    shot("01-instans-menunggu")

    with page.expect_navigation():
        page.get_by_test_id("suspend").click()
    expect(page.get_by_test_id("status")).to_have_text("Ditangguhkan")
    expect(page.locator(".flash").first).to_contain_text("Proses ditangguhkan")
    expect(page.get_by_test_id("timeline")).to_contain_text("Proses ditangguhkan")
    shot("02-instans-ditangguhkan")
    logout(page)

    login_as("pemilik.proses")
    page.goto(f"/admin/instans/{number}")
    with page.expect_navigation():
        page.get_by_test_id("resume").click()
    expect(page.get_by_test_id("status")).to_have_text("Menunggu")
    expect(page.get_by_test_id("timeline")).to_contain_text("Proses dilanjutkan")
    shot("03-instans-dilanjutkan")

    # The request is decided to the end; the heat map of its version then shows both human steps.
    logout(page)
    decide(page, login_as, number, "validator.dinkes", "Setujui dan teruskan ke BKPSDM")
    decide(page, login_as, number, "bkpsdm", "Setujui dan terapkan perubahan")
    login_as("pemilik.proses")
    page.goto(f"/admin/instans/{number}")
    expect(page.get_by_test_id("status")).to_have_text("Selesai")
    page.get_by_test_id("heatmap-link").click()
    page.wait_for_load_state()
    heat = page.get_by_test_id("heatmap-diagram")
    expect(heat).to_have_attribute("data-rendered", "true")
    for element in ("periksa", "verifikasi"):
        expect(heat.locator(f'.heat-badge[data-element="{element}"]')).to_contain_text("instans ·")
    expect(heat.locator("g.djs-element[class*='simasn-heat-']").first).to_be_attached()
    expect(page.get_by_test_id("heat-legend")).to_be_visible()
    expect(page.get_by_test_id("heat-table")).to_contain_text("Verifikasi BKPSDM")
    shot("04-peta-panas")


def decide(page, login_as, number: str, username: str, choice: str) -> None:
    """`username` opens the instance's open task (its id read from the process owner's page) and chooses."""
    login_as("pemilik.proses")
    page.goto(f"/admin/instans/{number}")
    task_id = page.locator("[data-testid=open-tasks] tr[data-task-id]").first.get_attribute("data-task-id")
    logout(page)
    login_as(username)
    page.goto(f"/tugas/{task_id}")
    page.get_by_label(choice).check()
    page.fill("#f-catatan", "Sesuai.")
    with page.expect_navigation():
        page.get_by_role("button", name="Kirim", exact=True).click()
    expect(page.locator(".flash.error")).to_have_count(0)
    logout(page)
