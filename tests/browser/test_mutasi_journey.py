"""The transfer journey (mutasi_unit_kerja) in Chromium: BKPSDM proposes moving a Dinas Kesehatan employee
to Dinas Pendidikan, the origin validator releases, the destination validator accepts, BKPSDM drafts the
decision, Kepala BKPSDM approves, the decree number is issued and the employee's unit has changed."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_usul_journey import expect_diagram, logout

pytestmark = pytest.mark.browser
CHANGES_DEMO_DATA = True  # the employee moves to another OPD: run after the tests that check the demo facts

ORIGIN, TARGET = "Dinas Kesehatan", "Dinas Pendidikan"
DECREE = re.compile(r"\d{3}/MUTASI/BKPSDM/\d{4}")
NEW_POSITION = "Analis Kepegawaian Ahli Pertama"


def open_task(page, person: str, name: str) -> None:
    """Open the task of this transfer from Kotak Tugas, and check it is the expected step."""
    page.goto("/tugas/")
    page.get_by_role("link", name=re.compile(rf"^{re.escape(name)} — Mutasi {re.escape(person)}")).first.click()
    page.wait_for_load_state()
    expect(page.locator("h1")).to_have_text(name)


def send(page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Kirim", exact=True).click()
    expect(page.locator(".flash.error")).to_have_count(0)
    expect(page.locator(".flash.success")).to_be_visible()


def propose_transfer(page, person: dict) -> str:
    """BKPSDM fills the transfer form from the employee's profile; the request page's path."""
    page.goto(f"/pegawai/{person['id']}")
    page.get_by_test_id("usulkan-mutasi").click()
    page.wait_for_load_state()
    page.locator("#saring_opd").select_option(label=TARGET)
    with page.expect_navigation():
        page.get_by_role("button", name="Tampilkan unit kerja OPD ini").click()
    page.locator("#opd_tujuan").select_option(label=TARGET)
    page.locator("#unor_tujuan").select_option(index=1)
    page.fill("#jabatan_nama", NEW_POSITION)
    page.locator("#jenis_jabatan_id").select_option(index=1)
    page.fill("#tmt", "2026-07-01")
    page.fill("#alasan", "Pemerataan analis kepegawaian antar-OPD.")
    with page.expect_navigation():
        page.get_by_role("button", name="Kirim usulan mutasi").click()
    assert re.search(r"/usulan/\d+$", page.url), page.url
    return page.url[page.url.index("/usulan/"):]


def test_transfer_released_accepted_drafted_and_approved(page, login_as, facts, shot):
    """Does a transfer pass both OPDs, BKPSDM and Kepala BKPSDM, end with a decree number, and leave the
    employee in the destination OPD with the new position — and out of the origin validator's reach?"""
    person = facts["opds"][ORIGIN]["someone"]

    # 1. BKPSDM proposes the transfer; it waits at the origin OPD.
    login_as("bkpsdm")
    request_path = propose_transfer(page, person)
    expect(page.get_by_test_id("status")).to_have_text("Menunggu tindakan")
    expect_diagram(page, "Lepas pegawai")
    shot("01-bkpsdm-usulan-mutasi")
    logout(page)

    # 2. The origin validator releases the employee.
    login_as("validator.dinkes")
    open_task(page, person["nama"], "Lepas pegawai")
    page.get_by_label("Setuju melepas pegawai").check()
    shot("02-opd-asal-lepas")
    send(page)
    logout(page)

    # 3. The destination validator accepts.
    login_as("validator.disdik")
    open_task(page, person["nama"], "Terima pegawai")
    expect_diagram(page, "Terima pegawai")
    page.get_by_label("Setuju menerima pegawai").check()
    send(page)
    logout(page)

    # 4. BKPSDM drafts the decision.
    login_as("bkpsdm")
    open_task(page, person["nama"], "Susun keputusan")
    page.fill("#f-pertimbangan", "Kebutuhan analis kepegawaian di Dinas Pendidikan dan persetujuan kedua OPD.")
    shot("03-bkpsdm-susun-keputusan")
    send(page)
    logout(page)

    # 5. Kepala BKPSDM approves; the decree number is issued and the transfer applied.
    login_as("kepala")
    open_task(page, person["nama"], "Setujui keputusan")
    expect_diagram(page, "Setujui keputusan")
    page.get_by_label("Setujui dan terbitkan SK mutasi").check()
    shot("04-kepala-setujui")
    send(page)
    page.goto(request_path)
    expect(page.get_by_test_id("status")).to_have_text("Selesai")
    logout(page)

    # 6. The destination validator is told the decree number and finds the employee in their OPD.
    login_as("validator.disdik")
    page.goto("/notifikasi/")
    notice = page.get_by_test_id("notifications").locator("li", has_text="Mutasi pegawai telah ditetapkan").first
    expect(notice).to_contain_text(DECREE)
    decree = DECREE.search(notice.inner_text()).group(0)
    shot("05-opd-tujuan-notifikasi-sk")
    page.goto(f"/pegawai/{person['id']}")
    current = page.get_by_test_id("current-fields")
    expect(current).to_contain_text(TARGET)
    expect(current).to_contain_text(NEW_POSITION)
    page.get_by_test_id("tab-jabatan").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("history-jabatan")).to_contain_text(decree)
    shot("06-profil-setelah-mutasi")
    logout(page)

    # 7. The origin validator no longer reaches the employee.
    login_as("validator.dinkes")
    response = page.goto(f"/pegawai/{person['id']}")
    assert response.status == 404
