"""The "Jatuh tempo" page and its CSV: who may open it, what it shows, bad filters, and "Data Saya"."""
from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from app.models import AuditEvent
from tests.due_samples import NOW
from tests.world import employee


@pytest.fixture()
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def test_bkpsdm_page_lists_all_with_days_left(frozen, login_as, dbs, world):
    """Does BKPSDM's page show NIP, name, unit, kind, due date and days remaining for every OPD?"""
    body = login_as("bkpsdm").get("/jatuh-tempo/").get_data(as_text=True)
    assert "3 pegawai jatuh tempo." in body
    for key in ("dinkes", "puskesmas", "kecamatan"):
        person = employee(dbs, world, key)
        assert person.nip in body and person.nama in body
    assert "1 Februari 2030" in body and "22 hari" in body and "BUP 58 tahun" in body
    assert "1 Maret 2030" in body and "50 hari" in body and "Pensiun (BUP)" in body


def test_validator_page_is_scoped(frozen, login_as, dbs, world):
    """Does a validator's page hold only their OPD, and their OPD filter offer only their OPD?"""
    body = login_as("validator.dinkes").get("/jatuh-tempo/").get_data(as_text=True)
    assert employee(dbs, world, "dinkes").nip in body and employee(dbs, world, "puskesmas").nip in body
    assert employee(dbs, world, "kecamatan").nip not in body
    assert 'value="OPD-DINKES"' in body and 'value="KEC-CIPONDOH"' not in body


@pytest.mark.parametrize("username", ["asn.dinkes", "tanpa-peran", "pemilik.proses"])
def test_page_and_csv_refused_to_others(frozen, login_as, username):
    """Is the page (and its CSV) refused with 403 to an ASN and other roles, as the employee list is?"""
    client = login_as(username)
    for path in ("/jatuh-tempo/", "/jatuh-tempo/unduh.csv"):
        response = client.get(path)
        assert response.status_code == 403, path
        assert "hanya untuk validator OPD dan BKPSDM" in response.get_data(as_text=True)


def test_anonymous_is_sent_to_login(client):
    """Does an anonymous visitor get the login page instead of the list?"""
    response = client.get("/jatuh-tempo/")
    assert response.status_code == 302 and "/masuk" in response.headers["Location"]


@pytest.mark.parametrize("query, message", [
    ("jenis=naik-pangkat", "Jenis jatuh tempo tidak dikenal"),
    ("bulan=2030-13", "Bulan harus ditulis TTTT-BB"),
    ("bulan=2035-01", "Bulan harus antara Februari 2030 dan Januari 2031"),
    ("opd=OPD-ENTAH", "OPD tidak dikenal"),
    ("halaman=dua", "harus bilangan bulat"),
])
def test_bad_filters_answer_400(frozen, login_as, query, message):
    """Is each malformed filter answered with 400 and an Indonesian message, on the page and the CSV?"""
    client = login_as("bkpsdm")
    for path in ("/jatuh-tempo/", "/jatuh-tempo/unduh.csv"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 400, (path, query)
        assert message in response.get_data(as_text=True)


def test_filters_and_pager_links_keep_the_filters(frozen, login_as, dbs, world):
    """Do the kind and month filters narrow the page and show in the CSV link?"""
    body = login_as("bkpsdm").get("/jatuh-tempo/?jenis=pensiun&bulan=2030-02").get_data(as_text=True)
    assert "1 pegawai jatuh tempo." in body and employee(dbs, world, "kecamatan").nip in body
    assert "/jatuh-tempo/unduh.csv?jenis=pensiun" in body and "bulan=2030-02" in body


def _csv(response) -> list[list[str]]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_csv_export(frozen, login_as, dbs, world):
    """Does the CSV hold a header and one row per due item, with names resolved, and is the export audited?"""
    response = login_as("bkpsdm").get("/jatuh-tempo/unduh.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = _csv(response)
    assert rows[0][:3] == ["NIP", "Nama", "Unit kerja"] and len(rows) == 4
    retiring = employee(dbs, world, "kecamatan")
    assert rows[1][0] == retiring.nip and rows[1][6:] == ["Pensiun (BUP)", "01-02-2030", "22", "BUP 58 tahun"]
    assert "Kecamatan Cipondoh" in rows[1][3]
    event = dbs.scalars(select(AuditEvent).where(AuditEvent.action == "due_dates.export")).one()
    assert event.details["rows"] == 3 and event.actor_label == "bkpsdm"


def test_validator_csv_is_scoped(frozen, login_as, dbs, world):
    """Does a validator's CSV hold only their scope?"""
    rows = _csv(login_as("validator.puskesmas").get("/jatuh-tempo/unduh.csv"))
    assert [r[0] for r in rows[1:]] == [employee(dbs, world, "puskesmas").nip]


@pytest.mark.parametrize("username", ["bkpsdm", "validator.dinkes"])
def test_nav_link_for_roles_that_may_see(frozen, login_as, username):
    """Is "Jatuh tempo" in the menu of BKPSDM and of validators?"""
    assert 'href="/jatuh-tempo/"' in login_as(username).get("/beranda").get_data(as_text=True)


def test_nav_link_absent_for_asn(frozen, login_as):
    """Does an ASN's menu leave "Jatuh tempo" out?"""
    assert 'href="/jatuh-tempo/"' not in login_as("asn.dinkes").get("/beranda").get_data(as_text=True)


def test_data_saya_shows_own_due_dates(frozen, login_as):
    """Does an ASN see their own next KGB and retirement date on "Data Saya"?"""
    body = login_as("asn.dinkes").get("/data-saya").get_data(as_text=True)
    assert 'data-testid="jatuh-tempo-saya"' in body
    assert "1 Maret 2030" in body and "1 April 2043 (BUP 58 tahun)" in body


def test_data_saya_pppk_has_no_retirement(frozen, login_as):
    """Is a PPPK told that retirement at BUP does not apply, while the KGB is shown?"""
    body = login_as("asn.dindik").get("/data-saya").get_data(as_text=True)
    assert "Tidak berlaku untuk PPPK" in body and "1 Maret 2031" in body
