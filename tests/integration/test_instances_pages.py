"""Instans Proses over HTTP: who may open it, the list's filters and pages, bad filter values, the instance page
(diagram marks, masked NIK), and the actions behind CSRF."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from app.models import AuditEvent, Employee, ProcessInstance
from app.services import instance_views, timers
from app.services.instance_views import InstanceFilter
from tests.conftest import csrf_token, login
from tests.timing import MONDAY_9_WIB, actor, publish, start, user, variant, wib
from tests.integration.test_instance_admin import BROKEN_REMINDER

LIST = "/admin/instans/"
NIK = "3671015203850001"


@pytest.fixture()
def monday(time_machine):
    time_machine.move_to(MONDAY_9_WIB, tick=False)
    return time_machine


def post(client, path: str, data: dict | None = None):
    return client.post(path, data={**(data or {}), "csrf_token": csrf_token(client, "/tugas/")})


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.mark.parametrize("username", ["bkpsdm", "kepala", "validator.dinkes", "asn.dinkes", "tanpa-peran"])
def test_others_are_refused_every_page_and_action(dbs, world, tmp_path, monday, login_as, username):
    """Are the list, an instance page, its diagram, the heat map and every action refused (403) to anyone
    but process owners and admins, with no menu entry and nothing changed?"""
    version = publish(dbs, tmp_path, "uji_tenggat")
    instance = start(dbs, world)
    client = login_as(username)
    base = f"{LIST}{instance.id}"
    for path in (LIST, base, f"{base}/diagram", f"{LIST}peta-panas/uji_tenggat/{version.version}"):
        assert client.get(path).status_code == 403, path
    for action in ("tangguhkan", "batalkan", "coba-ulang", "lanjutkan"):
        assert post(client, f"{base}/{action}", {"alasan": "x"}).status_code == 403
    assert dbs.get(ProcessInstance, instance.id).status == "waiting"
    assert "Instans Proses" not in text(client.get("/beranda"))


@pytest.mark.parametrize("username", ["pemilik.proses", "admin"])
def test_process_owners_and_admins_see_the_list(dbs, world, tmp_path, monday, login_as, username):
    """Do a process owner and an admin get the list with the instance and a menu entry to it?"""
    publish(dbs, tmp_path, "uji_tenggat")
    instance = start(dbs, world)
    client = login_as(username)
    page = text(client.get(LIST))
    assert f'data-instance-id="{instance.id}"' in page
    assert "Instans Proses" in text(client.get("/beranda"))


def test_a_visitor_is_sent_to_the_login_page(client):
    """Does someone not signed in get the login page instead of the list?"""
    response = client.get(LIST)
    assert response.status_code == 302 and "/masuk" in response.headers["Location"]


def test_filters_by_process_version_status_opd_date_and_nip(dbs, world, tmp_path, monday):
    """Does each filter keep exactly the matching instances (and combine with the others)?"""
    owner = user(dbs, world, "pemilik.proses")
    publish(dbs, tmp_path, "uji_tenggat")
    first = start(dbs, world)  # Monday 6 January, Dinkes
    monday.move_to(wib(2025, 1, 8, 10), tick=False)
    v2 = publish(dbs, tmp_path, "uji_tenggat", variant("uji_tenggat", "hari_kerja(2)", "hari_kerja(3)"))
    second = start(dbs, world, username="asn.dindik", employee="dindik")  # Wednesday, Dindik, v2
    monday.move_to(wib(2025, 1, 10, 23, 30), tick=False)
    third = start(dbs, world)  # Friday late evening WIB (Friday 16:30 UTC)
    from app.services import instance_admin
    instance_admin.suspend(dbs, owner, actor(owner), third.id)
    dindik_opd = dbs.get(Employee, world["employees"]["dindik"]).opd_id
    nip = dbs.get(Employee, world["employees"]["dindik"]).nip

    def ids(**wanted) -> list[int]:
        rows, total = instance_views.list_instances(dbs, owner, InstanceFilter(**wanted))
        assert total == len(rows)
        return [row.id for row in rows if row.id in (first.id, second.id, third.id)]

    assert ids() == [third.id, second.id, first.id]  # newest first
    assert ids(process="uji_tenggat", version=v2.version) == [third.id, second.id]
    assert ids(status="suspended") == [third.id]
    assert ids(status="waiting", process="uji_tenggat") == [second.id, first.id]
    assert ids(opd=dindik_opd) == [second.id]
    assert ids(nip=nip) == [second.id]
    day = datetime(2025, 1, 10).date()
    assert ids(started_from=day, started_to=day) == [third.id]  # the WIB day, not the UTC one
    assert ids(started_to=datetime(2025, 1, 7).date()) == [first.id]


def test_pages_of_fifty_newest_first_with_a_count(dbs, world, tmp_path, monday, login_as):
    """Are 120 instances shown 50 per page, newest first, with the total and working page links?"""
    version = publish(dbs, tmp_path, "uji_tenggat")
    base = datetime(2024, 6, 1)
    dbs.add_all(ProcessInstance(version_id=version.id, process_key="uji_tenggat", status="completed", state={},
                                title=f"Uji halaman {n:03d}", opd_ids=[], created_at=base + timedelta(hours=n))
                for n in range(120))
    dbs.commit()
    owner = user(dbs, world, "pemilik.proses")
    wanted = InstanceFilter(process="uji_tenggat", status="completed")
    rows, total = instance_views.list_instances(dbs, owner, wanted, page=1)
    assert total == 120 and len(rows) == 50
    assert [row.title for row in rows[:2]] == ["Uji halaman 119", "Uji halaman 118"]
    last, _ = instance_views.list_instances(dbs, owner, wanted, page=3)
    assert [row.title for row in last][-1] == "Uji halaman 000" and len(last) == 20
    page = text(login_as("pemilik.proses").get(f"{LIST}?proses=uji_tenggat&status=completed&halaman=2"))
    assert "120 instans, halaman 2 dari 3" in page and "Uji halaman 069" in page and "Uji halaman 070" not in page
    assert "halaman=3" in page and "status=completed" in page


@pytest.mark.parametrize("query, message", [
    ("status=selesai", "Status &#39;selesai&#39; tidak dikenal"),
    ("proses=tidak_ada", "Proses &#39;tidak_ada&#39; tidak dikenal"),
    ("versi=2", "Pilih proses terlebih dahulu"),
    ("proses=uji_tenggat&versi=9", "Versi &#39;9&#39; tidak ada"),
    ("opd=OPD-TIDAK-ADA", "OPD &#39;OPD-TIDAK-ADA&#39; tidak dikenal"),
    ("dari=31-01-2025", "harus berformat TTTT-BB-HH"),
    ("dari=2025-02-01&sampai=2025-01-01", "tidak boleh sesudah"),
    ("nip=12345", "NIP harus 18 digit"),
    ("halaman=nol", "Parameter &#39;halaman&#39;"),
])
def test_bad_filter_values_are_400_with_a_message(dbs, world, tmp_path, login_as, query, message):
    """Is every filter value the page does not offer answered 400 with a message in Bahasa Indonesia?"""
    publish(dbs, tmp_path, "uji_tenggat")
    response = login_as("pemilik.proses").get(f"{LIST}?{query}")
    assert response.status_code == 400
    assert message in text(response)


def test_instance_page_masks_nik_for_a_process_owner_but_not_for_an_admin(app, dbs, world, tmp_path, monday,
                                                                         login_as):
    """Does a process owner (who may not open the employee's record) see NIK and nomor KK masked, while an
    admin sees them in full, the view audited?"""
    from app.services import processes
    publish(dbs, tmp_path, "uji_tenggat")
    asn = user(dbs, world, "asn.dinkes")
    instance = processes.start(dbs, asn, actor(asn), "uji_tenggat", subject_employee_id=world["employees"]["dinkes"],
                               data={"nik": NIK, "anak": [{"nama": "Rani", "nomor_kk": "3671010101010009"}]})
    owner_page = text(login_as("pemilik.proses").get(f"{LIST}{instance.id}"))
    assert NIK not in owner_page and "3671010101010009" not in owner_page
    assert "••••••••••••0001" in owner_page and "••••••••••••0009" in owner_page and "Rani" in owner_page
    assert 'data-testid="masked-note"' in owner_page
    admin = app.test_client()
    login(admin, "admin")
    admin_page = text(admin.get(f"{LIST}{instance.id}"))
    assert NIK in admin_page and 'data-testid="masked-note"' not in admin_page
    assert dbs.scalar(select(AuditEvent.actor_label).where(AuditEvent.action == "process_instance.data_view",
                                                           AuditEvent.object_id == str(instance.id))) == "admin"


def test_instance_page_shows_tasks_timers_timeline_and_diagram_marks(dbs, world, tmp_path, monday, login_as):
    """Does the page list the open task with its role, the timers with their due time and the timeline, and
    does the diagram mark the done, active and (for an instance in error) failed elements?"""
    publish(dbs, tmp_path, "uji_tenggat", variant("uji_tenggat", BROKEN_REMINDER, ""))
    instance = start(dbs, world)
    client = login_as("pemilik.proses")
    page = text(client.get(f"{LIST}{instance.id}"))
    assert "Periksa usulan" in page and "Validator OPD" in page and "Usulan dibuat" in page
    assert "Pengingat 1 hari kerja" in page and "7 Januari 2025 09:00 WIB" in page
    marks = client.get(f"{LIST}{instance.id}/diagram").get_json()
    assert (marks["completed"], marks["active"], marks["failed"]) == (["start"], ["periksa"], [])
    monday.move_to(wib(2025, 1, 7, 10), tick=False)
    assert timers.fire_due_timers(dbs).failed == [instance.id]
    marks = client.get(f"{LIST}{instance.id}/diagram").get_json()
    assert marks["failed"] == ["pengingat"] and "periksa" in marks["active"]
    page = text(client.get(f"{LIST}{instance.id}"))
    assert 'data-testid="error-message"' in page and 'data-testid="retry"' in page


def test_actions_over_http_need_csrf_and_answer_the_status(dbs, world, tmp_path, monday, login_as):
    """Is an action without a CSRF token refused (400), a cancel without reason 422, a resume of a waiting
    instance 409 with the message, and a suspend done and shown on the page?"""
    publish(dbs, tmp_path, "uji_tenggat")
    instance = start(dbs, world)
    client = login_as("pemilik.proses")
    base = f"{LIST}{instance.id}"
    assert client.post(f"{base}/tangguhkan").status_code == 400
    assert dbs.get(ProcessInstance, instance.id).status == "waiting"
    response = post(client, f"{base}/batalkan", {"alasan": ""})
    assert response.status_code == 422 and "Alasan pembatalan wajib diisi" in text(response)
    response = post(client, f"{base}/lanjutkan")
    assert response.status_code == 409 and "tidak dapat dilanjutkan" in text(response)
    response = post(client, f"{base}/tangguhkan", {"alasan": "Audit internal"})
    assert response.status_code == 302
    page = text(client.get(base))
    assert 'data-testid="status">Ditangguhkan' in page and 'data-testid="resume"' in page
    assert "Audit internal" in page
    response = post(client, f"{base}/tugas/999999/alihkan", {"pengguna": world["users"]["validator.dinkes"]})
    assert response.status_code == 404
