"""The organisation tree (unit organisasi): load it from JSON and answer questions about it.

Every unit stores ``path`` = "/<opd>/<unit>/.../<self>/", so "this unit and everything
below it" is one prefix match. The caller owns the transaction; these functions only flush.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Select, false, select
from sqlalchemy.orm import Session

from ..models.organization import UNIT_KINDS, OrgUnit
from .errors import ValidationError

ORG_TREE_PATH = Path(__file__).resolve().parent.parent / "data" / "organisasi" / "kota_tangerang.json"
BREADCRUMB_SEPARATOR = " › "
_FIELDS = ("name", "short_name", "kind", "parent_id", "opd_id", "path", "siasn_unor_id", "active")


class OrgTreeError(ValidationError):
    """The organisation tree file is malformed (unknown kind, duplicate or over-long id)."""


def load_org_tree(session: Session, path: str | Path | None = None) -> int:
    """Insert or update every unit of the tree file; returns how many were inserted or changed.

    Units that are in the database but not in the file are left alone.
    """
    roots = json.loads(Path(path or ORG_TREE_PATH).read_text(encoding="utf-8"))
    units = _validated(list(_flatten(roots)))
    existing = {unit.id: unit for unit in session.scalars(select(OrgUnit))}
    changed = sum(_upsert(session, existing.get(values["id"]), values) for values in units)
    session.flush()
    return changed


def _flatten(nodes: list[dict], parent: dict | None = None) -> Iterator[dict]:
    """Column values of each node and its descendants, parents before children."""
    for node in nodes:
        path = (parent["path"] if parent else "/") + node["id"] + "/"
        values = {
            "id": node["id"], "name": node["name"], "short_name": node.get("short_name"),
            "kind": node["kind"], "parent_id": parent["id"] if parent else None,
            "opd_id": parent["opd_id"] if parent else node["id"], "path": path,
            "siasn_unor_id": node.get("siasn_unor_id"), "active": node.get("active", True),
        }
        yield values
        yield from _flatten(node.get("children", []), values)


def _validated(units: list[dict]) -> list[dict]:
    seen: set[str] = set()
    for values in units:
        unit_id = values["id"]
        if unit_id in seen or len(unit_id) > 32 or not unit_id.isascii():
            raise OrgTreeError(f"Kode unit {unit_id!r} ganda, lebih dari 32 karakter, atau bukan ASCII.")
        if values["kind"] not in UNIT_KINDS:
            raise OrgTreeError(f"Jenis unit {values['kind']!r} pada {unit_id!r} tidak dikenal.")
        seen.add(unit_id)
    return units


def _upsert(session: Session, unit: OrgUnit | None, values: dict) -> bool:
    if unit is None:
        session.add(OrgUnit(**values))
        return True
    changes = {field: values[field] for field in _FIELDS if getattr(unit, field) != values[field]}
    for field, value in changes.items():
        setattr(unit, field, value)
    return bool(changes)


def subtree_ids(session: Session, unit_id: str) -> Select:
    """A SELECT of the ids of a unit and every unit below it (nothing for an unknown unit)."""
    path = session.scalar(select(OrgUnit.path).where(OrgUnit.id == unit_id))
    if path is None:
        return select(OrgUnit.id).where(false())
    return select(OrgUnit.id).where(OrgUnit.path.startswith(path, autoescape=True))


def opd_units(session: Session) -> list[OrgUnit]:
    """The roots of the tree: OPDs and kecamatan, by name."""
    return list(session.scalars(select(OrgUnit).where(OrgUnit.parent_id.is_(None)).order_by(OrgUnit.name)))


def unit_path_names(session: Session, unit_id: str) -> list[str]:
    """Names from the OPD down to the unit, e.g. ["Dinas Kesehatan", "Puskesmas Cipondoh"]."""
    path = session.scalar(select(OrgUnit.path).where(OrgUnit.id == unit_id))
    if path is None:
        return []
    ids = path.strip("/").split("/")
    names = dict(session.execute(select(OrgUnit.id, OrgUnit.name).where(OrgUnit.id.in_(ids))).all())
    return [names[i] for i in ids if i in names]


def unit_breadcrumb(session: Session, unit_id: str) -> str:
    """The unit's place in the tree as one line: "Dinas Kesehatan › Puskesmas Cipondoh"."""
    return BREADCRUMB_SEPARATOR.join(unit_path_names(session, unit_id))
