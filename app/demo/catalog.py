"""What the demo generator draws on, read once from the database: SIASN codes and the org tree.

Codes are never typed into the generator: it names an entry ("Islam", "III/a", "Guru Ahli Muda")
and the catalog finds its code in the loaded reference tables.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.engine import Connection

from ..models import OrgUnit, ReferenceEntry
from ..services.errors import ConflictError

KOTA_TANGERANG = "A5EB03E23B9FF6A0E040640A040252AD"
# Small tables read whole; of the large ones only the named entries are fetched.
WHOLE_TABLES = (
    "agama", "kawin", "jenisPegawai", "kedudukanHukum", "jenisPengadaan", "jenisJabatan", "eselon", "jabatanFungsional",
    "golonganPns", "golonganPppk", "tingkatPendidikan", "jenisDiklat", "latihanStruktural", "penghargaan",
    "jenisHukuman", "alasanHukumanDisiplin", "jenisMutasi", "jenisPenugasan", "kenaikanPangkat", "jenisAnak",
)
REQUIRED = ("agama", "kawin", "jenisPegawai", "kedudukanHukum", "jenisJabatan", "golonganPns", "golonganPppk",
            "tingkatPendidikan", "jenisDiklat", "jenisAnak")


class DemoSetupError(ConflictError):
    """Reference tables or the org tree are missing, so no plausible employee can be made."""


def name_key(name: str) -> str:
    return " ".join(str(name).split()).upper()


@dataclass(frozen=True)
class Unit:
    id: str
    name: str
    kind: str
    opd_id: str
    opd_name: str
    parent_name: str | None


@dataclass
class Catalog:
    codes: dict[str, dict[str, str]]
    attrs: dict[str, dict[str, dict]]
    units: list[Unit]
    opd_of: dict[str, str]
    memo: dict = field(default_factory=dict)

    def code(self, table: str, name: str) -> str | None:
        key = ("code", table, name)
        if key not in self.memo:
            self.memo[key] = self.codes.get(table, {}).get(name_key(name))
        return self.memo[key]

    def need(self, table: str, name: str) -> str:
        code = self.code(table, name)
        if code is None:
            raise DemoSetupError(f"Entri '{name}' tidak ada di tabel referensi '{table}'.")
        return code

    def codes_where(self, table: str, attr: str, value: str) -> list[str]:
        return sorted(code for code, attrs in self.attrs.get(table, {}).items() if attrs.get(attr) == value)

    def all_codes(self, table: str) -> list[str]:
        return sorted(set(self.codes.get(table, {}).values()))

    def pool(self, key: str, finder) -> list[Unit]:
        """Units matching `finder` (cached under `key`); never empty while the tree has units."""
        if ("pool", key) not in self.memo:
            self.memo[("pool", key)] = [u for u in self.units if finder(u)] or self.units
        return self.memo[("pool", key)]


def load_catalog(connection: Connection, wanted: dict[str, set[str]]) -> Catalog:
    """Read the reference tables and the org tree; `wanted` lists the names needed from large tables."""
    codes: dict[str, dict[str, str]] = defaultdict(dict)
    attrs: dict[str, dict[str, dict]] = defaultdict(dict)
    stmt = select(ReferenceEntry.table_key, ReferenceEntry.code, ReferenceEntry.name, ReferenceEntry.attrs)
    rows = list(connection.execute(stmt.where(ReferenceEntry.table_key.in_(WHOLE_TABLES))))
    for table, names in wanted.items():
        rows += connection.execute(stmt.where(ReferenceEntry.table_key == table, ReferenceEntry.name.in_(names)))
    for table, code, name, extra in sorted(rows, key=_preference):
        codes[table].setdefault(name_key(name), code)
        attrs[table][code] = extra or {}
    missing = [t for t in REQUIRED if not codes.get(t)]
    if missing:
        raise DemoSetupError("Tabel referensi belum dimuat (" + ", ".join(missing)
                             + "): jalankan `simasn load-reference` lebih dulu.")
    codes["instansi"] = _instansi(connection)
    units = _units(connection)
    return Catalog(dict(codes), dict(attrs), units, {u.id: u.opd_id for u in units})


def _preference(row) -> tuple:
    """Among entries with one name: the active one ('status' 1 or N), then the lowest code."""
    table, code, _name, extra = row
    status = str((extra or {}).get("status", ""))
    return table, 0 if status in ("1", "N") else 1, len(code), code


INSTANSI_NAMES = (
    "Pemerintah Kota Tangerang", "Pemerintah Kab. Tangerang", "Pemerintah Kota Tangerang Selatan",
    "Pemerintah Provinsi Banten", "Pemerintah Kota Serang", "Pemerintah Kab. Serang", "Pemerintah Kab. Lebak",
    "Pemerintah Kab. Pandeglang", "Pemerintah Kota Cilegon", "Pemerintah Provinsi Daerah Khusus Ibukota Jakarta",
    "Pemerintah Kab. Bogor", "Pemerintah Kota Bogor", "Pemerintah Kota Depok", "Pemerintah Kota Bekasi",
    "Pemerintah Kota Bandung", "Kementerian Dalam Negeri",
)


def _instansi(connection: Connection) -> dict[str, str]:
    rows = connection.execute(select(ReferenceEntry.code, ReferenceEntry.name).where(
        ReferenceEntry.table_key == "instansi", ReferenceEntry.name.in_(INSTANSI_NAMES)))
    return {name_key(name): code for code, name in rows}


def _units(connection: Connection) -> list[Unit]:
    rows = list(connection.execute(select(OrgUnit.id, OrgUnit.name, OrgUnit.kind, OrgUnit.opd_id, OrgUnit.parent_id)
                                   .where(OrgUnit.active.is_(True)).order_by(OrgUnit.id)))
    if not rows:
        raise DemoSetupError("Pohon organisasi belum dimuat: jalankan `simasn load-org` lebih dulu.")
    names = {row.id: row.name for row in rows}
    return [Unit(r.id, r.name, r.kind, r.opd_id, names.get(r.opd_id, r.name), names.get(r.parent_id))
            for r in rows]


def opd_matches(pattern: str):
    regex = re.compile(pattern, re.IGNORECASE)
    return lambda unit: bool(regex.search(unit.opd_name))
