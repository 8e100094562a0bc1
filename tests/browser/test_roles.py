"""What each demo role may and may not see, clicked through in Chromium against a live server."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from app.demo.accounts import ACCOUNTS
from tests.browser.live_server import EMPLOYEES

pytestmark = pytest.mark.browser

DINKES, DINDIK = "Dinas Kesehatan", "Dinas Pendidikan"
VALIDATORS = [("validator.dinkes", DINKES, DINDIK), ("validator.disdik", DINDIK, DINKES)]


def nav_labels(page) -> list[str]:
    return [label.strip() for label in page.locator("nav[aria-label='Menu utama'] a").all_inner_texts()]


def open_nav(page, label: str) -> None:
    page.locator("nav[aria-label='Menu utama']").get_by_role("link", name=label, exact=True).click()
    page.wait_for_load_state()


def open_admin_section(page, title: str) -> None:
    """Administrasi in the menu, then the section called `title` on that page."""
    open_nav(page, "Administrasi")
    page.get_by_test_id("admin-hub").get_by_role("link", name=title, exact=True).click()
    page.wait_for_load_state()
    expect(page.locator("nav[aria-label='Menu utama'] a[aria-current='page']")).to_have_text("Administrasi")


def expect_error_page(page, path: str, status: int, title: str) -> None:
    response = page.goto(path)
    assert response.status == status, f"{path} answered {response.status}"
    expect(page.locator(f".error-page[data-status='{status}'] h1")).to_have_text(title)


def search(page, text: str) -> None:
    page.fill("#q", text)
    page.get_by_role("button", name="Cari").click()
    page.wait_for_load_state()


def expect_count(page, total: int) -> None:
    expect(page.get_by_test_id("result-count")).to_have_text(f"{total} pegawai ditemukan.")


def listed_nips(page) -> list[str]:
    """The NIPs on every page of the current list, following the 'Berikutnya' links."""
    nips = page.locator("[data-testid='employee-table'] tbody td.mono").all_inner_texts()
    while page.locator("a[rel='next']").count():
        page.locator("a[rel='next']").click()
        page.wait_for_load_state()
        nips += page.locator("[data-testid='employee-table'] tbody td.mono").all_inner_texts()
    return nips


HOME_CARDS = [("asn", "home-asn"), ("validator.dinkes", "home-summary"), ("bkpsdm", "home-summary"),
              ("kepala", "home-summary"), ("pemilik.proses", "home-process-owner"), ("admin", "home-admin")]


@pytest.mark.parametrize("username, card", HOME_CARDS)
def test_home_shows_the_role_card(page, login_as, facts, shot, username, card):
    """Does each role land on a home page with its own card and the right figures?"""
    landing = login_as(username)
    shot("beranda")
    assert landing.status == 200, f"{landing.url} answered {landing.status}"
    assert landing.url.endswith("/beranda"), landing.url
    expect(page.get_by_test_id(card)).to_be_visible()
    if username == "asn":
        expect(page.get_by_test_id(card)).to_contain_text(facts["asn"]["nip"])
    if card == "home-summary":
        total = len(facts["opds"][DINKES]["nips"]) if username.startswith("validator") else EMPLOYEES
        expect(page.get_by_test_id("employee-total")).to_have_text(str(total))


def test_asn_browses_own_data(page, login_as, facts, shot):
    """Can an ASN open Data Saya and read their own history tabs?"""
    me = facts["asn"]
    login_as("asn")
    assert "Data Saya" in nav_labels(page)
    open_nav(page, "Data Saya")
    expect(page.get_by_test_id("data-utama")).to_contain_text(me["nip"])
    shot("data-utama")
    for tab in ("jabatan", "keluarga", "pendidikan"):
        page.get_by_test_id(f"tab-{tab}").click()
        expect(page.get_by_test_id(f"history-{tab}")).to_be_visible()
        shot(tab)
    page.get_by_test_id("tab-jabatan").click()
    assert page.locator("[data-testid='history-jabatan'] tbody tr").count() >= 1, "no jabatan history"


def test_asn_cannot_open_the_list_or_a_colleague(page, login_as, facts, shot):
    """May an ASN open the employee list or a colleague's profile?"""
    colleague = facts["opds"][DINKES]["someone"]
    login_as("asn")
    labels = nav_labels(page)
    assert "Pegawai" not in labels and "Pengguna" not in labels, labels
    expect_error_page(page, "/pegawai/", 403, "Akses ditolak")
    shot("daftar-403")
    expect_error_page(page, f"/pegawai/{colleague['id']}", 404, "Halaman tidak ditemukan")
    shot("rekan-404")


@pytest.mark.parametrize("username, own, other", VALIDATORS)
def test_validator_lists_only_own_opd(page, login_as, facts, shot, username, own, other):
    """Does a validator's employee list hold exactly the employees of their own OPD?"""
    mine = facts["opds"][own]["nips"]
    login_as(username)
    labels = nav_labels(page)
    assert "Pegawai" in labels and "Pengguna" not in labels, labels
    open_nav(page, "Pegawai")
    expect_count(page, len(mine))
    assert page.locator("#opd option").all_inner_texts() == ["Semua OPD", own]
    shot("daftar")
    assert sorted(listed_nips(page)) == sorted(mine)


@pytest.mark.parametrize("username, own, other", VALIDATORS)
def test_validator_cannot_reach_another_opd(page, login_as, facts, shot, username, own, other):
    """Can a validator find or open an employee of another OPD?"""
    colleague, stranger = facts["opds"][own]["someone"], facts["opds"][other]["someone"]
    login_as(username)
    page.goto("/pegawai/")
    search(page, colleague["nip"])
    expect_count(page, 1)
    search(page, stranger["nip"])
    expect_count(page, 0)
    shot("cari-nip-opd-lain")
    expect_error_page(page, f"/pegawai/{stranger['id']}", 404, "Halaman tidak ditemukan")
    shot("profil-opd-lain")


def test_bkpsdm_finds_anyone(page, login_as, facts, shot):
    """Does BKPSDM see every employee and find one by name prefix and by NIP?"""
    person = facts["opds"][DINDIK]["someone"]
    login_as("bkpsdm")
    labels = nav_labels(page)
    assert "Pegawai" in labels and "Pengguna" not in labels, labels
    open_nav(page, "Pegawai")
    assert facts["total"] == EMPLOYEES
    expect_count(page, EMPLOYEES)
    expect(page.get_by_role("link", name="Daftarkan pegawai baru")).to_be_visible()
    shot("daftar")
    search(page, person["nama"][:-2])
    expect(page.get_by_role("row").filter(has_text=person["nip"])).to_be_visible()
    shot("cari-nama")
    search(page, person["nip"])
    expect_count(page, 1)
    page.get_by_role("link", name=person["nama"]).click()
    expect(page.get_by_test_id("data-utama")).to_contain_text(person["nip"])
    page.get_by_test_id("tab-golongan").click()
    expect(page.get_by_test_id("history-golongan")).to_be_visible()
    shot("profil-golongan")


def test_kepala_sees_the_list_but_no_administration(page, login_as, shot):
    """Does the Kepala BKPSDM see the city-wide list, but no administration?"""
    login_as("kepala")
    labels = nav_labels(page)
    assert "Pegawai" in labels and not {"Pengguna", "Audit"} & set(labels), labels
    open_nav(page, "Pegawai")
    expect_count(page, EMPLOYEES)
    shot("daftar")
    expect_error_page(page, "/admin/pengguna", 403, "Akses ditolak")


def test_process_owner_sees_no_employees(page, login_as, shot):
    """May the process owner open the employee list?"""
    login_as("pemilik.proses")
    assert "Pegawai" not in nav_labels(page)
    expect_error_page(page, "/pegawai/", 403, "Akses ditolak")
    shot("daftar-403")


def test_admin_manages_users_and_verifies_audit(page, login_as, shot):
    """Can the admin reach the users and the audit trail through Administrasi, see the demo accounts and
    verify the audit hash chain?"""
    login_as("admin")
    labels = nav_labels(page)
    assert "Administrasi" in labels and not {"Pengguna", "Audit", "Operasi"} & set(labels), labels
    open_nav(page, "Administrasi")
    expect(page.get_by_test_id("admin-hub").locator("li")).to_have_count(7)
    shot("administrasi")
    open_admin_section(page, "Pengguna")
    users = page.get_by_test_id("user-table")
    for account in ACCOUNTS:
        expect(users.get_by_role("link", name=account.username, exact=True)).to_be_visible()
    shot("pengguna")
    open_admin_section(page, "Audit")
    expect(page.get_by_test_id("audit-table")).to_be_visible()
    page.get_by_role("button", name="Verifikasi rantai hash").click()
    expect(page.locator(".flash.success")).to_contain_text("Rantai audit utuh")
    shot("audit-terverifikasi")


def test_wrong_password_is_refused_in_indonesian(page, login_as, shot):
    """Does a wrong password keep the user out with an Indonesian message?"""
    login_as("kepala", "bukan-kata-sandinya")
    expect(page.get_by_test_id("login-error")).to_have_text(re.compile(r"^Nama pengguna atau kata sandi salah\."))
    expect(page.locator("#username")).to_have_value("kepala")
    assert nav_labels(page) == []
    shot("salah-sandi")


VALID_EXCEPT_NIP = {"#nik": "3671011203859999", "#nama": "Uji Peramban Tidak Sah", "#tempat_lahir": "Tangerang",
                    "#tanggal_lahir": "1985-03-12", "#tmt_cpns": "2010-03-01", "#jabatan_nama": "Analis Uji",
                    "#tmt_jabatan": "2010-03-01", "#tmt_golongan": "2010-03-01"}
CHOICES = {"#jenis_kelamin": "Laki-laki", "#agama_id": "Islam", "#jenis_kawin_id": "Menikah", "#kind": "PNS",
           "#unor_id": DINKES, "#jenis_jabatan_id": "Jabatan Fungsional Umum", "#golongan_id": "III/a"}


def test_register_rejects_malformed_nip(page, login_as, shot):
    """Does registering an employee with a 12-digit NIP show the error at the NIP field and save nothing?"""
    login_as("bkpsdm")
    page.goto("/pegawai/")
    page.get_by_role("link", name="Daftarkan pegawai baru").click()
    page.fill("#nip", "198503122010")
    for selector, value in VALID_EXCEPT_NIP.items():
        page.fill(selector, value)
    for selector, label in CHOICES.items():
        page.select_option(selector, label=label)
    shot("isian")
    page.get_by_role("button", name="Simpan").click()
    expect(page.locator("#nip-error")).to_have_text("NIP harus 18 digit, bukan 12 digit.")
    expect(page.locator("#nip")).to_have_attribute("aria-invalid", "true")
    assert page.locator(".field-error").all_inner_texts() == ["NIP harus 18 digit, bukan 12 digit."]
    shot("galat-nip")
    page.goto("/pegawai/")
    expect_count(page, EMPLOYEES)
    search(page, VALID_EXCEPT_NIP["#nama"])
    expect_count(page, 0)
