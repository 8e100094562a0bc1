"""Kotak Tugas filters: process, request category, OPD, age, overdue and claimed, sorted by due date,
kept in the page links, and bad values refused with a 400 in Bahasa Indonesia."""
from __future__ import annotations

import importlib
import re
from datetime import timedelta

import pytest
from sqlalchemy import inspect, text

from app.models import HumanTask, ProcessDefinition, ProcessInstance
from app.models.base import utcnow
from app.services import inbox
from app.services.inbox import InboxFilter
from tests.integration.test_processes import KEY, act, inbox_of, publish, start, user

OTHER_KEY = "proses_lain"
NOW = utcnow()


@pytest.fixture()
def version(dbs, tmp_path):
    """usul_uji published, and a second process definition for the process filter."""
    published = publish(dbs, tmp_path)
    dbs.add(ProcessDefinition(key=OTHER_KEY, name="Proses lain"))
    dbs.commit()
    return published


def task_row(dbs, world, version, name: str, *, role: str = "bkpsdm", process_key: str = KEY,
             category: str | None = None, opd: str | None = "OPD-DINKES", scope: str | None = None,
             age_days: float = 0, due_in_days: float | None = None, assignee: str | None = None) -> HumanTask:
    """One open task as the mirror would hold it (an instance row of its own, no workflow needed)."""
    created = NOW - timedelta(days=age_days)
    instance = ProcessInstance(version_id=version.id, process_key=process_key, status="waiting", title=name,
                               category=category, subject_employee_id=world["employees"]["dinkes"], opd_ids=[],
                               state={}, created_at=created)
    dbs.add(instance)
    dbs.flush()
    row = HumanTask(instance_id=instance.id, task_id=f"t-{instance.id}", task_name=name, title=name, role=role,
                    scope_opd_id=scope, subject_employee_id=instance.subject_employee_id, process_key=process_key,
                    category=category, opd_id=opd, created_at=created,
                    due_at=None if due_in_days is None else NOW + timedelta(days=due_in_days),
                    assignee_user_id=world["users"][assignee] if assignee else None)
    dbs.add(row)
    dbs.commit()  # inside the test's outer transaction: seen by the page requests, rolled back afterwards
    return row


def names(tasks) -> list[str]:
    return [task.task_name for task in tasks]


def listed(dbs, world, username: str = "bkpsdm", **filters) -> list[str]:
    return names(inbox.tasks_for(dbs, user(dbs, world, username), InboxFilter(**filters), now=NOW))


def test_a_step_copies_process_category_and_opd_onto_the_task(dbs, world, tmp_path):
    """Does the mirror row of a real step carry the process key, the request category and the OPD?"""
    publish(dbs, tmp_path)
    u = user(dbs, world, "asn.dinkes")
    from app.services import processes
    from tests.integration.test_processes import actor
    instance = processes.start(dbs, u, actor(u), KEY, subject_employee_id=world["employees"]["dinkes"],
                               data={"jenis": "riwayat_anak"})
    assert instance.category == "keluarga"
    (task,) = inbox_of(dbs, world, "validator.dinkes", instance)
    assert (task.process_key, task.category, task.opd_id, task.scope_opd_id) == (
        KEY, "keluarga", "OPD-DINKES", "OPD-DINKES")
    act(dbs, world, "validator.dinkes", instance, {"keputusan": "setuju", "catatan": "Lengkap"})
    (task,) = inbox_of(dbs, world, "bkpsdm", instance)
    assert (task.process_key, task.category, task.opd_id, task.scope_opd_id) == (KEY, "keluarga", "OPD-DINKES", None)


def test_a_request_without_a_kind_has_no_category(dbs, world, tmp_path):
    """Is a process started without a change-request kind left without category (and still listed)?"""
    publish(dbs, tmp_path)
    instance = start(dbs, world)
    assert instance.category is None
    (task,) = inbox_of(dbs, world, "validator.dinkes", instance)
    assert task.category is None and task.process_key == KEY


def test_each_filter_keeps_only_matching_tasks(dbs, world, version):
    """Does each filter (process, category, OPD, age, overdue) keep exactly the tasks it names?"""
    task_row(dbs, world, version, "golongan-baru", category="golongan", age_days=1, due_in_days=2)
    task_row(dbs, world, version, "anak-lama", category="keluarga", age_days=10, due_in_days=-1)
    task_row(dbs, world, version, "lain-dindik", process_key=OTHER_KEY, opd="OPD-DINDIK", age_days=4)
    task_row(dbs, world, version, "utama-terlambat", category="data_utama", age_days=8, due_in_days=-3)
    assert set(listed(dbs, world)) == {"golongan-baru", "anak-lama", "lain-dindik", "utama-terlambat"}
    assert set(listed(dbs, world, process=OTHER_KEY)) == {"lain-dindik"}
    assert set(listed(dbs, world, process=KEY)) == {"golongan-baru", "anak-lama", "utama-terlambat"}
    assert listed(dbs, world, category="keluarga") == ["anak-lama"]
    assert listed(dbs, world, category="data_utama") == ["utama-terlambat"]
    assert listed(dbs, world, opd="OPD-DINDIK") == ["lain-dindik"]
    assert set(listed(dbs, world, older_than_days=3)) == {"anak-lama", "lain-dindik", "utama-terlambat"}
    assert set(listed(dbs, world, older_than_days=7)) == {"anak-lama", "utama-terlambat"}
    assert set(listed(dbs, world, overdue=True)) == {"anak-lama", "utama-terlambat"}
    assert listed(dbs, world, process=KEY, older_than_days=7, overdue=True, category="data_utama") == [
        "utama-terlambat"]
    count = inbox.count_for(dbs, user(dbs, world, "bkpsdm"), InboxFilter(older_than_days=7), now=NOW)
    assert count == 2


def test_claimed_tab_and_other_peoples_claims(dbs, world, version):
    """Does 'claimed' list only my claims, and are tasks claimed by someone else hidden from everyone else?"""
    task_row(dbs, world, version, "punya-saya", assignee="bkpsdm")
    task_row(dbs, world, version, "punya-orang-lain", assignee="kepala")
    task_row(dbs, world, version, "bebas")
    assert set(listed(dbs, world)) == {"punya-saya", "bebas"}
    assert listed(dbs, world, claimed_only=True) == ["punya-saya"]


def test_filters_never_widen_what_a_validator_may_see(dbs, world, version):
    """Does a filter on another OPD give a validator nothing, rather than that OPD's tasks?"""
    task_row(dbs, world, version, "dinkes", role="validator_opd", scope="OPD-DINKES")
    task_row(dbs, world, version, "dindik", role="validator_opd", scope="OPD-DINDIK", opd="OPD-DINDIK")
    assert listed(dbs, world, "validator.dinkes") == ["dinkes"]
    assert listed(dbs, world, "validator.dinkes", opd="OPD-DINDIK") == []


def test_sorted_by_due_date_with_undated_tasks_last(dbs, world, version):
    """Are tasks listed by nearest due date, and tasks without one last, oldest first?"""
    task_row(dbs, world, version, "tanpa-tenggat-lama", age_days=9)
    task_row(dbs, world, version, "tenggat-lusa", due_in_days=2, age_days=1)
    task_row(dbs, world, version, "terlambat", due_in_days=-1, age_days=2)
    task_row(dbs, world, version, "tanpa-tenggat-baru", age_days=1)
    assert listed(dbs, world) == ["terlambat", "tenggat-lusa", "tanpa-tenggat-lama", "tanpa-tenggat-baru"]


def test_a_validator_of_several_units_gets_one_merged_order(dbs, world, version):
    """With tasks in two units of a validator's scope, is the page one list in due order across both?"""
    puskesmas = world["puskesmas"]
    task_row(dbs, world, version, "dinkes-lusa", role="validator_opd", scope="OPD-DINKES", due_in_days=2)
    task_row(dbs, world, version, "pkm-besok", role="validator_opd", scope=puskesmas, due_in_days=1)
    task_row(dbs, world, version, "dinkes-tanpa", role="validator_opd", scope="OPD-DINKES")
    task_row(dbs, world, version, "pkm-terlambat", role="validator_opd", scope=puskesmas, due_in_days=-1)
    assert listed(dbs, world, "validator.dinkes") == ["pkm-terlambat", "pkm-besok", "dinkes-lusa", "dinkes-tanpa"]
    assert listed(dbs, world, "validator.puskesmas") == ["pkm-terlambat", "pkm-besok"]
    validator = user(dbs, world, "validator.dinkes")
    second_page = inbox.tasks_for(dbs, validator, InboxFilter(), now=NOW, limit=2, offset=2)
    assert names(second_page) == ["dinkes-lusa", "dinkes-tanpa"]
    assert inbox.count_for(dbs, validator, InboxFilter(), now=NOW) == 4


def test_the_badge_count_stops_past_its_cap(dbs, world, version, login_as, monkeypatch):
    """Past the cap, is the count cut short and the page saying 'more than' instead of a number?"""
    for n in range(4):
        task_row(dbs, world, version, f"tugas-{n}")
    bkpsdm = user(dbs, world, "bkpsdm")
    assert inbox.count_for(dbs, bkpsdm, InboxFilter(), cap=2) == 3
    assert inbox.count_for(dbs, bkpsdm, InboxFilter(), cap=None) == 4
    monkeypatch.setattr(inbox, "COUNT_CAP", 2)
    body = login_as("bkpsdm").get("/tugas/").get_data(as_text=True)
    assert "Lebih dari 2 tugas" in body and "Persempit dengan saringan" in body


def test_the_page_filters_and_keeps_filters_in_its_links(dbs, world, version, login_as):
    """Does /tugas/ apply the filters from the URL and keep them in the tab and pager links?"""
    for n in range(inbox.PAGE_SIZE + 3):
        task_row(dbs, world, version, f"golongan-{n:02d}", category="golongan", age_days=8, due_in_days=n)
    task_row(dbs, world, version, "keluarga-x", category="keluarga", age_days=8)
    task_row(dbs, world, version, "golongan-muda", category="golongan", age_days=1)
    client = login_as("bkpsdm")
    page = client.get(f"/tugas/?kategori=golongan&umur=7&proses={KEY}")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f"{inbox.PAGE_SIZE + 3} tugas, halaman 1 dari 2" in body
    assert "golongan-00" in body and "keluarga-x" not in body and "golongan-muda" not in body
    links = {link.replace("&amp;", "&") for link in re.findall(r'href="(/tugas/\?[^"]+)"', body)}
    pager = next(link for link in links if "halaman=2" in link)
    assert {"kategori=golongan", "umur=7", f"proses={KEY}"} <= set(pager.split("?")[1].split("&"))
    overdue_tab = next(link for link in links if "tab=terlambat" in link)
    assert "kategori=golongan" in overdue_tab and "umur=7" in overdue_tab
    second = client.get(pager).get_data(as_text=True)
    assert "golongan-52" in second and "golongan-00" not in second and "halaman 2 dari 2" in second
    assert 'value="golongan" selected' in second and 'value="7" selected' in second


@pytest.mark.parametrize(("query", "message"), [
    ("proses=tidak_ada", "Proses &#39;tidak_ada&#39; tidak dikenal"),
    ("kategori=gaji", "Kategori &#39;gaji&#39; tidak dikenal"),
    ("umur=5", "Umur tugas &#39;5&#39; tidak dikenal"),
    ("umur=lama", "Parameter &#39;umur&#39; harus bilangan bulat"),
    ("urut=acak", "Nilai &#39;acak&#39; untuk &#39;urut&#39; tidak dikenal"),
    ("tab=semuanya", "Nilai &#39;semuanya&#39; untuk &#39;tab&#39; tidak dikenal"),
    ("opd=OPD-DINDIK", "OPD &#39;OPD-DINDIK&#39; tidak tersedia untuk Anda"),
])
def test_bad_filter_values_get_400_in_indonesian(dbs, world, version, login_as, query, message):
    """Is a filter value the page never offers refused with 400 and a message naming it?"""
    response = login_as("validator.dinkes").get(f"/tugas/?{query}")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_inbox_indexes_exist(dbs):
    """Are the inbox indexes (in the Kotak Tugas order) there on this backend?"""
    if dbs.get_bind().dialect.name == "sqlite":
        found = set(dbs.scalars(text("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'human_tasks'")))
    else:
        found = {index["name"] for index in inspect(dbs.connection()).get_indexes("human_tasks")}
    assert {"ix_human_tasks_inbox", "ix_human_tasks_process", "ix_human_tasks_category", "ix_human_tasks_opd"} <= found
    assert "ix_human_tasks_role_scope" not in found


def test_migration_categories_match_the_service():
    """Does migration 0007 backfill categories with the same mapping the service uses for new requests?"""
    migration = importlib.import_module("app.migrations.versions.0007_inbox_filters")
    for kind, category in migration.KIND_CATEGORY.items():
        assert inbox.category_of({"jenis": kind}) == category
    assert set(migration.KIND_CATEGORY.values()) == set(inbox.CATEGORY_LABELS)
    state = {"root": "r", "tasks": {"r": {"data": {"jenis": "riwayat_hukdis"}}}}
    assert migration.KIND_CATEGORY[migration._start_kind(state)] == "hukdis"
    assert migration._start_kind({}) is None
