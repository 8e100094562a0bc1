"""The shipped reference tables and their loader, on an in-memory SQLite database."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from app.models import Base, ReferenceEntry, ReferenceTable
from app.services.reference import (DATA_DIR, code_exists, list_tables, load_reference, read_manifest,
                                    reference_choices, reference_name, search_entries)


@pytest.fixture(scope="module")
def loaded():
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        counts = load_reference(session)
        session.commit()
        yield session, counts
    engine.dispose()


@pytest.fixture
def session(loaded):
    return loaded[0]


def entry_count(session, table_key=None):
    stmt = select(func.count()).select_from(ReferenceEntry)
    if table_key:
        stmt = stmt.where(ReferenceEntry.table_key == table_key)
    return session.scalar(stmt)


def test_manifest_files_exist():
    """Does every table in the manifest point at a file that ships with the project?"""
    for spec in read_manifest():
        if spec["file"] is None:
            assert spec["local"] is not None and spec["rows"], spec["key"]
        else:
            assert (DATA_DIR / spec["file"]).is_file(), spec["file"]


def test_manifest_entries_are_complete():
    """Does every manifest entry name its title, source and whether it is local?"""
    keys = [spec["key"] for spec in read_manifest()]
    assert len(keys) == len(set(keys))
    for spec in read_manifest():
        assert spec["title"] and spec["source"] and isinstance(spec["local"], bool), spec["key"]


def test_every_table_loaded(loaded):
    """Does the first load fill every manifest table and record its row count?"""
    session, counts = loaded
    tables = {table.key: table for table in list_tables(session)}
    assert set(tables) == set(counts) == {spec["key"] for spec in read_manifest()}
    for key, count in counts.items():
        assert count > 0 and tables[key].row_count == count == entry_count(session, key), key


def test_loading_twice_changes_nothing(session):
    """Does loading the reference data twice change nothing?"""
    before = entry_count(session)
    checksums = dict(session.execute(select(ReferenceTable.key, ReferenceTable.checksum)).all())
    counts = load_reference(session)
    session.flush()
    assert set(counts.values()) == {0}
    assert entry_count(session) == before
    assert dict(session.execute(select(ReferenceTable.key, ReferenceTable.checksum)).all()) == checksums


def test_golongan_keeps_pangkat(session):
    """Is golongan 31 "III/a" with pangkat "Penata Muda" kept in attrs?"""
    entry = session.get(ReferenceEntry, ("golonganPns", "31"))
    assert entry.name == "III/a"
    assert entry.attrs == {"namaPangkat": "Penata Muda"}


def test_pppk_golongan_is_local(session):
    """Is the PPPK golongan table local, running from PPPK-I to PPPK-XVII?"""
    assert session.get(ReferenceTable, "golonganPppk").is_local
    assert not session.get(ReferenceTable, "golonganPns").is_local
    assert reference_name(session, "golonganPppk", "PPPK-XVII") == "XVII"
    codes = [code for code, _name in reference_choices(session, "golonganPppk")]
    assert codes[:4] == ["PPPK-I", "PPPK-II", "PPPK-III", "PPPK-IV"] and codes[-1] == "PPPK-XVII"


def test_jabatan_pelaksana_loads_in_full(session):
    """Are all ~70k jabatan pelaksana rows of the gzipped file loaded?"""
    assert 70_000 <= entry_count(session, "jabatanPelaksana") <= 72_000
    assert entry_count(session, "pendidikan") > 28_000


def test_null_and_odd_names(session):
    """Do records with a null name or odd field names still get a readable name?"""
    assert reference_name(session, "eselon", "00") == "Tanpa eselon"
    assert reference_name(session, "jenisPensiun", "10") == "Uzur"
    assert reference_name(session, "jenisDiklat", "1") == "Diklat Struktural"
    document = session.get(ReferenceEntry, ("dokumen", "872"))
    assert document.name == "Dok SK Jabatan"
    assert document.attrs["detailLayananNama"] == "Riwayat Jabatan"


def test_local_tables(session):
    """Are the local tables loaded with the codes the models expect?"""
    assert dict(reference_choices(session, "jenisKelamin")) == {"M": "Laki-laki", "F": "Perempuan"}
    assert reference_name(session, "tingkatPendidikan", "42") == "Profesi"
    assert [code for code, _ in reference_choices(session, "kindPegawai")] == ["CPNS", "PNS", "PPPK"]
    assert code_exists(session, "jenisAnak", "3") and not code_exists(session, "jenisAnak", "4")


def test_choices_follow_number_order(session):
    """Do choices list code 2 before code 10?"""
    codes = [code for code, _name in reference_choices(session, "jenisRiwayat")]
    assert codes.index("4") < codes.index("10")
    assert len(reference_choices(session, "jabatanPelaksana", limit=5)) == 5


def test_code_exists_is_per_table(session):
    """Is a code valid only in its own table?"""
    assert code_exists(session, "golonganPns", "45")
    assert not code_exists(session, "golonganPns", "46")
    assert not code_exists(session, "agama", "45")
    assert not code_exists(session, "agama", None)


def test_search_by_name_or_code(session):
    """Does search find entries by part of the name in any case, or by exact code, one page at a time?"""
    rows, total = search_entries(session, "jabatanPelaksana", "pengadministrasi", page=1, per_page=10)
    assert total > 10 and len(rows) == 10
    assert all("pengadministrasi" in row.name.lower() for row in rows)
    rows, total = search_entries(session, "golonganPns", "31", page=1, per_page=10)
    assert total == 1 and rows[0].name == "III/a"
    _rows, total = search_entries(session, "agama", "100%_", page=1, per_page=10)
    assert total == 0


def test_changed_file_is_reloaded(tmp_path):
    """Does a changed source file replace that table's entries on the next load?"""
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    manifest = [{"key": "agama", "file": "agama.json", "title": "Agama", "source": "uji", "local": False}]
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    (tmp_path / "agama.json").write_text('[{"id": "1", "nama": "Islam"}, {"id": "2", "nama": "Kristen"}]')
    with Session(engine) as session:
        assert load_reference(session, tmp_path) == {"agama": 2}
        (tmp_path / "agama.json").write_text('[{"id": "1", "nama": "Islam"}]')
        assert load_reference(session, tmp_path) == {"agama": 1}
        assert entry_count(session, "agama") == 1
    engine.dispose()
