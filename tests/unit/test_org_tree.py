"""The Kota Tangerang organisation tree and its loader, on an in-memory SQLite database."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from app.models import Base, OrgUnit
from app.services.organization import (ORG_TREE_PATH, OrgTreeError, load_org_tree, opd_units, subtree_ids,
                                       unit_breadcrumb, unit_path_names)


@pytest.fixture(scope="module")
def session():
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        load_org_tree(session)
        session.commit()
        yield session
    engine.dispose()


def count_units(session, **filters):
    return session.scalar(select(func.count()).select_from(OrgUnit).filter_by(**filters))


def test_kecamatan_and_kelurahan(session):
    """Are all 13 kecamatan and 104 kelurahan of Kota Tangerang there?"""
    assert count_units(session, kind="kecamatan") == 13
    assert count_units(session, kind="kelurahan") == 104
    cipondoh = session.get(OrgUnit, "KEL-CIPONDOH-PORIS-PLAWAD")
    assert cipondoh.parent_id == "KEC-CIPONDOH" and cipondoh.opd_id == "KEC-CIPONDOH"


def test_size_of_the_tree(session):
    """Is the demo tree the size of a real city: about 45 OPDs and 300–450 units?"""
    assert 40 <= len(opd_units(session)) <= 50
    assert 300 <= count_units(session) <= 450


def test_opd_id_is_a_root(session):
    """Does every unit's opd_id name a root, and does its path start at that root and end at itself?"""
    roots = {unit.id for unit in opd_units(session)}
    for unit in session.scalars(select(OrgUnit)):
        assert unit.opd_id in roots, unit.id
        assert unit.path.startswith(f"/{unit.opd_id}/") and unit.path.endswith(f"/{unit.id}/"), unit.id
        assert unit.is_opd == (unit.id == unit.opd_id)


def test_subtree_stays_inside_its_opd(session):
    """Does the subtree of an OPD include its nested units and exclude another OPD's?"""
    ids = set(session.scalars(subtree_ids(session, "OPD-SETDA")))
    assert {"OPD-SETDA", "SETDA-ASDA3", "SETDA-UMUM"} <= ids
    assert "OPD-SETWAN" not in ids and "SETWAN-UMUM" not in ids
    assert set(session.scalars(subtree_ids(session, "SETDA-ASDA3"))) == {
        "SETDA-ASDA3", "SETDA-ORG", "SETDA-UMUM", "SETDA-PROKOPIM"}
    assert list(session.scalars(subtree_ids(session, "NO-SUCH-UNIT"))) == []


def test_subtree_works_as_a_filter(session):
    """Can the subtree be used inside another query, as scoping does?"""
    kelurahan = session.scalar(select(func.count()).select_from(OrgUnit).where(
        OrgUnit.id.in_(subtree_ids(session, "KEC-KARAWACI")), OrgUnit.kind == "kelurahan"))
    assert kelurahan == 16


def test_opd_units_are_roots_by_name(session):
    """Are the OPDs listed as the roots of the tree, sorted by name?"""
    units = opd_units(session)
    assert all(unit.parent_id is None for unit in units)
    assert [unit.name for unit in units] == sorted(unit.name for unit in units)
    assert "OPD-BKPSDM" in {unit.id for unit in units}


def test_breadcrumb(session):
    """Does a puskesmas show as "Dinas Kesehatan › Puskesmas …"?"""
    assert unit_path_names(session, "DINKES-PKM-CIPONDOH") == ["Dinas Kesehatan", "Puskesmas Cipondoh"]
    assert unit_breadcrumb(session, "SETDA-UMUM") == "Sekretariat Daerah › Asisten Administrasi Umum › Bagian Umum"
    assert unit_path_names(session, "NO-SUCH-UNIT") == []


def test_loading_twice_changes_nothing(session):
    """Does loading the tree twice leave the units as they were?"""
    before = count_units(session)
    assert load_org_tree(session) == 0
    assert count_units(session) == before


def test_reload_moves_a_unit(tmp_path):
    """Does reloading an edited tree move a unit and recompute its path?"""
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    tree = [{"id": "A", "name": "A", "kind": "opd", "children": [{"id": "A1", "name": "A1", "kind": "bidang"}]},
            {"id": "B", "name": "B", "kind": "opd"}]
    path = tmp_path / "tree.json"
    path.write_text(json.dumps(tree))
    with Session(engine) as session:
        assert load_org_tree(session, path) == 3
        tree[0]["children"], tree[1]["children"] = [], tree[0]["children"]
        path.write_text(json.dumps(tree))
        assert load_org_tree(session, path) == 1
        moved = session.get(OrgUnit, "A1")
        assert (moved.parent_id, moved.opd_id, moved.path) == ("B", "B", "/B/A1/")
    engine.dispose()


def test_bad_kind_is_refused(tmp_path):
    """Is a tree file with an unknown unit kind refused before anything is written?"""
    path = tmp_path / "tree.json"
    path.write_text(json.dumps([{"id": "A", "name": "A", "kind": "kantor"}]))
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as session, pytest.raises(OrgTreeError):
        load_org_tree(session, path)
    engine.dispose()


def test_tree_file_ids():
    """Are the shipped tree's ids unique short ASCII codes?"""
    def walk(nodes):
        for node in nodes:
            yield node
            yield from walk(node.get("children", []))
    ids = [node["id"] for node in walk(json.loads(ORG_TREE_PATH.read_text(encoding="utf-8")))]
    assert len(ids) == len(set(ids))
    assert all(len(i) <= 32 and i.isascii() and i == i.upper() for i in ids)
