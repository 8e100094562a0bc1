"""The demo employee generator, on SQLite databases made here (reference data and org tree loaded)."""
from __future__ import annotations

import shutil
from datetime import date

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from app.demo.generator import generate_employees
from app.domain.identity import cross_check_nik, cross_check_nip, parse_nik, parse_nip
from app.models import (CATEGORIES, DERIVED_COLUMNS, Base, ChangeLog, Employee, RiwayatAnak, RiwayatDiklat,
                        RiwayatGolongan, RiwayatHukdis, RiwayatJabatan, RiwayatPasangan, RiwayatPendidikan,
                        RiwayatPenghargaan, RiwayatPindahInstansi, RiwayatPindahUnit)
from app.services.current import recompute_current
from app.services.organization import load_org_tree
from app.services.reference import load_reference

COUNT, SEED = 300, 7
AS_OF = date.today()  # one date for every run here, so that a test crossing midnight stays reproducible


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """A database file with the schema, the reference tables and the org tree, to copy from."""
    path = tmp_path_factory.mktemp("demo") / "template.sqlite"
    engine = create_engine(f"sqlite:///{path}")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        load_reference(session)
        load_org_tree(session)
        session.commit()
    engine.dispose()
    return path


def _copy(template, name: str):
    path = template.with_name(f"{name}.sqlite")
    shutil.copyfile(template, path)
    return create_engine(f"sqlite:///{path}")


@pytest.fixture(scope="module")
def generated(template):
    engine = _copy(template, "generated")
    summary = generate_employees(engine, count=COUNT, seed=SEED, as_of=AS_OF)
    yield engine, summary
    engine.dispose()


@pytest.fixture
def session(generated):
    with Session(generated[0]) as session:
        yield session
        session.rollback()


def _employees(session) -> list[Employee]:
    return list(session.scalars(select(Employee).order_by(Employee.id)))


def test_count_and_kinds(generated, session):
    """Are all 300 employees there, with PNS, CPNS and PPPK among them and one import log row each?"""
    assert generated[1]["created"] == COUNT
    employees = _employees(session)
    assert len(employees) == COUNT
    assert {e.kind for e in employees} == {"PNS", "CPNS", "PPPK"}
    logs = session.scalars(select(ChangeLog).where(ChangeLog.operation == "import")).all()
    assert sorted(log.employee_id for log in logs) == [e.id for e in employees]
    assert {log.reason for log in logs} == {f"Data demo dibangkitkan (seed={SEED})"}


def test_nip_and_nik_are_valid_and_consistent(session):
    """Does every NIP and NIK parse, and agree with the birth date, sex, kind and TMT CPNS recorded?"""
    for employee in _employees(session):
        nip = parse_nip(employee.nip)
        assert cross_check_nip(nip, birth_date=employee.tanggal_lahir, sex=employee.jenis_kelamin,
                               kind=employee.kind, tmt_cpns=employee.tmt_cpns) == [], employee.nip
        nik = parse_nik(employee.nik)
        assert nik.nik[:4] == "3671" and 1 <= int(nik.nik[4:6]) <= 13, employee.nik
        assert cross_check_nik(nik, birth_date=employee.tanggal_lahir, sex=employee.jenis_kelamin) == []


def test_nip_and_nik_are_unique(session):
    """Is no NIP or NIK given twice?"""
    employees = _employees(session)
    assert len({e.nip for e in employees}) == len({e.nik for e in employees}) == COUNT


def test_every_history_category_has_rows(session):
    """Does each of the nine riwayat categories (and both keluarga tables) have rows?"""
    for key, category in CATEGORIES.items():
        for model in category["models"]:
            assert session.scalar(select(func.count()).select_from(model)) > 0, (key, model.__tablename__)


def test_golongan_jabatan_pendidikan_for_everyone(session):
    """Does every employee have golongan, jabatan and pendidikan, PPPK with a PPPK golongan?"""
    for employee in _employees(session):
        assert employee.golongan_id and employee.jabatan_nama and employee.tingkat_pendidikan_id, employee.id
        assert employee.golongan_id.startswith("PPPK-") == (employee.kind == "PPPK"), employee.id
        assert employee.unor_id and employee.opd_id, employee.id


def test_no_history_lies_in_the_future(session):
    """Is every TMT, graduation, training, award, sanction, marriage and birth dated on or before today?"""
    dated = {RiwayatGolongan: "tmt_golongan", RiwayatJabatan: "tmt_jabatan", RiwayatPendidikan: "tanggal_lulus",
             RiwayatDiklat: "tanggal_selesai", RiwayatPenghargaan: "sk_tanggal", RiwayatHukdis: "tmt_hukuman",
             RiwayatPasangan: "tanggal_menikah", RiwayatAnak: "tanggal_lahir", RiwayatPindahUnit: "tmt_pindah",
             RiwayatPindahInstansi: "tmt_pindah"}
    for model, column in dated.items():
        latest = session.scalar(select(func.max(getattr(model, column))))
        assert latest is not None and latest <= AS_OF, (model.__tablename__, latest)


def test_derived_columns_match_recompute(session):
    """Would recompute_current change any derived column of any employee?"""
    for employee in _employees(session):
        before = {column: getattr(employee, column) for column in DERIVED_COLUMNS}
        assert recompute_current(session, employee) == {}, (employee.id, before)


def test_same_seed_gives_same_people(template, generated):
    """Does the same seed give the same NIPs, names and careers in a fresh database, even when built in
    smaller chunks by a worker process?"""
    again = _copy(template, "again")
    generate_employees(again, count=COUNT, seed=SEED, as_of=AS_OF, chunk_size=110, workers=1)
    query = select(Employee.nip, Employee.nama, Employee.golongan_id, Employee.jabatan_nama).order_by(Employee.id)
    with generated[0].connect() as first, again.connect() as second:
        assert first.execute(query).all() == second.execute(query).all()
    again.dispose()


def test_rerun_with_same_count_adds_nothing(generated):
    """Does asking again for 300 demo employees, with any seed, add nothing?"""
    engine = generated[0]
    for seed in (SEED, SEED + 1):
        assert generate_employees(engine, count=COUNT, seed=seed)["created"] == 0
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Employee)) == COUNT


def test_more_with_another_seed_does_not_collide(template):
    """Can a second seed add employees to a database that already has some, with no id, NIP or NIK clash?"""
    engine = _copy(template, "grown")
    generate_employees(engine, count=120, seed=SEED)
    summary = generate_employees(engine, count=200, seed=SEED + 1, chunk_size=50)
    assert (summary["existing"], summary["created"]) == (120, 80)
    with Session(engine) as session:
        employees = _employees(session)
        assert len(employees) == 200
        assert len({e.nip for e in employees}) == len({e.nik for e in employees}) == 200
        assert session.scalar(select(func.count()).select_from(ChangeLog)) == 200
    engine.dispose()
