"""The 'Hari libur' admin page and the 'Keterlambatan validasi' page: who may open them, what they
show, and what bad input gets (a Bahasa Indonesia message, the right status, nothing written)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.models import AuditEvent, HariLibur
from app.services import timers
from tests.conftest import csrf_token
from tests.timing import MONDAY_9_WIB, publish, start, wib

PAGE = "/hari-libur/"
LATENESS = "/keterlambatan-validasi/"


def add(client, **form):
    token = csrf_token(client, PAGE)
    return client.post(PAGE, data={"csrf_token": token, **form})


def day_off_count(dbs) -> int:
    return dbs.scalar(select(func.count()).select_from(HariLibur))


@pytest.mark.parametrize("username", ["admin", "bkpsdm"])
def test_editors_add_and_delete_a_day_off(dbs, login_as, username):
    """Can an admin or BKPSDM analyst add a cuti bersama, see it listed next to the national holidays, and delete it?"""
    client = login_as(username)
    response = add(client, tanggal="2025-01-02", nama="Cuti bersama Tahun Baru", jenis="cuti_bersama")
    assert response.status_code == 302
    page = client.get(f"{PAGE}?tahun=2025").get_data(as_text=True)
    assert "Cuti bersama Tahun Baru" in page and "Tahun Baru Masehi" in page and "Isra Mikraj" in page
    row = dbs.scalars(select(HariLibur).where(HariLibur.nama == "Cuti bersama Tahun Baru")).one()
    token = csrf_token(client, PAGE)
    assert client.post(f"{PAGE}{row.id}/hapus", data={"csrf_token": token, "tahun": "2025"}).status_code == 302
    assert dbs.scalar(select(func.count()).select_from(HariLibur).where(HariLibur.id == row.id)) == 0
    actions = dbs.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "hari_libur")
                          .order_by(AuditEvent.seq)).all()
    assert actions == ["hari_libur.added", "hari_libur.deleted"]


@pytest.mark.parametrize("form, field, message", [
    ({"tanggal": "2025-02-30", "nama": "X", "jenis": "cuti_bersama"}, "tanggal", "Tanggal tidak sah"),
    ({"tanggal": "2025-01-11", "nama": "X", "jenis": "cuti_bersama"}, "tanggal", "Sabtu atau Minggu"),
    ({"tanggal": "2025-01-01", "nama": "X", "jenis": "cuti_bersama"}, "tanggal", "sudah libur nasional"),
    ({"tanggal": "1999-01-04", "nama": "X", "jenis": "cuti_bersama"}, "tanggal", "Tahun harus antara"),
    ({"tanggal": "2025-01-02", "nama": "  ", "jenis": "cuti_bersama"}, "nama", "Wajib diisi"),
    ({"tanggal": "2025-01-02", "nama": "X" * 201, "jenis": "cuti_bersama"}, "nama", "200 karakter"),
    ({"tanggal": "2025-01-02", "nama": "X", "jenis": "libur_pribadi"}, "jenis", "cuti bersama atau libur daerah"),
])
def test_bad_day_off_input_is_refused_per_field(dbs, login_as, form, field, message):
    """Is each malformed day off refused with 422 and a message beside the field, writing nothing?"""
    client = login_as("admin")
    before = day_off_count(dbs)
    response = add(client, **form)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and message in page and f'id="{field}-error"' in page
    assert day_off_count(dbs) == before


def test_the_same_date_twice_is_a_conflict(dbs, login_as):
    """Is a second day off on the same date refused with 409?"""
    client = login_as("admin")
    assert add(client, tanggal="2025-01-02", nama="Cuti bersama", jenis="cuti_bersama").status_code == 302
    response = add(client, tanggal="2025-01-02", nama="Lagi", jenis="libur_daerah")
    assert response.status_code == 409 and "sudah tercatat" in response.get_data(as_text=True)
    assert day_off_count(dbs) == 1


@pytest.mark.parametrize("username", ["validator.dinkes", "asn.dinkes", "kepala", "pemilik.proses"])
def test_others_may_not_edit_days_off(dbs, login_as, username):
    """Do a validator, an ASN, the head and a process owner get 403 on the days-off page and its form?"""
    client = login_as(username)
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, data={"tanggal": "2025-01-02", "nama": "X", "jenis": "cuti_bersama"}).status_code in (400, 403)
    assert day_off_count(dbs) == 0


def test_days_off_page_needs_a_login_and_a_sane_year(client, login_as):
    """Is an anonymous visitor sent to the login page, and a malformed year answered with 400?"""
    assert client.get(PAGE).status_code == 302
    response = login_as("admin").get(f"{PAGE}?tahun=dua")
    assert response.status_code == 400 and "tahun" in response.get_data(as_text=True)


@pytest.fixture()
def escalated(dbs, world, tmp_path, time_machine):
    """The ids of two requests (Dinkes and Dindik) escalated on Wednesday 8 January 2025."""
    time_machine.move_to(MONDAY_9_WIB, tick=False)
    publish(dbs, tmp_path, "uji_tenggat")
    dinkes = start(dbs, world).id
    dindik = start(dbs, world, username="asn.dindik", employee="dindik").id
    time_machine.move_to(wib(2025, 1, 8, 10), tick=False)
    assert timers.fire_due_timers(dbs).fired == 4
    return dinkes, dindik


def test_bkpsdm_sees_lateness_of_every_opd_with_links(login_as, escalated):
    """Does BKPSDM see both OPDs counted for the first quarter, each row linking to its request?"""
    dinkes, dindik = escalated
    client = login_as("bkpsdm")
    page = client.get(f"{LATENESS}?tahun=2025&kuartal=1").get_data(as_text=True)
    assert "2 keterlambatan" in page and "Dinas Kesehatan" in page and "Dinas Pendidikan" in page
    assert f'href="/usulan/{dinkes}"' in page and f'href="/usulan/{dindik}"' in page
    assert client.get(f"/usulan/{dinkes}").status_code == 200
    assert "2 keterlambatan" in client.get(f"{LATENESS}?tahun=2025&bulan=1").get_data(as_text=True)
    assert "Tidak ada keterlambatan" in client.get(f"{LATENESS}?tahun=2025&kuartal=2").get_data(as_text=True)
    only = client.get(f"{LATENESS}?tahun=2025&kuartal=1&opd=OPD-DINDIK").get_data(as_text=True)
    assert "1 keterlambatan" in only and f'href="/usulan/{dinkes}"' not in only


def test_a_validator_sees_only_their_opd(login_as, escalated):
    """Does the Dinkes validator see the Dinkes lateness only, even when asking for Dindik?"""
    dinkes, dindik = escalated
    client = login_as("validator.dinkes")
    page = client.get(f"{LATENESS}?tahun=2025").get_data(as_text=True)
    assert "1 keterlambatan" in page and f'href="/usulan/{dinkes}"' in page
    assert f'href="/usulan/{dindik}"' not in page
    other = client.get(f"{LATENESS}?tahun=2025&opd=OPD-DINDIK").get_data(as_text=True)
    assert "0 keterlambatan" in other


@pytest.mark.parametrize("query", ["tahun=20x5", "tahun=1999", "kuartal=5", "bulan=13", "kuartal=1&bulan=2"])
def test_bad_lateness_filters_get_400(login_as, query):
    """Is a malformed period answered with 400 and a message naming the parameter?"""
    response = login_as("bkpsdm").get(f"{LATENESS}?{query}")
    assert response.status_code == 400 and "Permintaan tidak valid" in response.get_data(as_text=True)


def test_an_asn_may_not_open_the_lateness_page(client, login_as):
    """Does an ASN get 403, and an anonymous visitor the login page?"""
    assert client.get(LATENESS).status_code == 302
    assert login_as("asn.dinkes").get(LATENESS).status_code == 403
