"""Reference tables (tabel referensi): load the shipped SIASN snapshot and read it back.

The tables and where each came from are listed in ``app/data/reference/manifest.json``.
Loading is idempotent: a table whose source checksum is unchanged is skipped. The caller
owns the transaction; these functions only flush.

Every load that changes entries replaces a revision token (`system_status`, a fresh random value, as
for the calendar of days off). A task completion reads the token with its instance lock
(`remember_revision`), and `existing_codes` then checks a form's submitted codes against the table's
codes cached in this process for that revision instead of asking the database.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import re
import threading
from pathlib import Path

from sqlalchemy import delete, exists, func, insert, or_, select
from sqlalchemy.orm import Session

from ..models.base import utcnow
from ..models.reference import ReferenceEntry, ReferenceTable
from . import system

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "reference"
MANIFEST_NAME = "manifest.json"

REVISION_KEY = "reference_revision"
_MEMO = "reference_revision"  # session.info: (the transaction it was read in, the revision)
_codes: dict[str, tuple[str, dict[str, frozenset[str]]]] = {}  # database url -> (revision, table -> codes)
_codes_lock = threading.Lock()

_TOKEN = re.compile(r"\d+|[A-Za-z]+")
_ROMAN = re.compile(r"^[IVXLC]+$")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}


def read_manifest(data_dir: str | Path | None = None) -> list[dict]:
    directory = Path(data_dir) if data_dir else DATA_DIR
    return json.loads((directory / MANIFEST_NAME).read_text(encoding="utf-8"))


def load_reference(session: Session, data_dir: str | Path | None = None, *,
                   force: bool = False) -> dict[str, int]:
    """Load every manifest table; returns {key: rows loaded}, 0 for a table left as it was.

    ``force`` reloads unchanged files too, for when only the manifest's field mapping changed.
    """
    directory = Path(data_dir) if data_dir else DATA_DIR
    counts = {spec["key"]: _load_table(session, spec, directory, force) for spec in read_manifest(directory)}
    session.flush()
    return counts


def _load_table(session: Session, spec: dict, directory: Path, force: bool) -> int:
    raw = _source_bytes(spec, directory)
    checksum = hashlib.sha256(raw).hexdigest()
    table = session.get(ReferenceTable, spec["key"])
    if table is not None and table.checksum == checksum and not force:
        _apply_metadata(table, spec)
        return 0
    rows = _entries(spec, raw)
    table = table or ReferenceTable(key=spec["key"])
    _apply_metadata(table, spec)
    table.checksum, table.row_count, table.loaded_at = checksum, len(rows), utcnow()
    session.add(table)
    session.flush()
    _replace_entries(session, spec["key"], rows)
    return len(rows)


def _apply_metadata(table: ReferenceTable, spec: dict) -> None:
    table.title = spec["title"]
    table.source = spec["source"]
    table.is_local = bool(spec.get("local", False))


def _source_bytes(spec: dict, directory: Path) -> bytes:
    """The file's bytes as shipped, or the canonical JSON of a table defined inline."""
    if spec.get("file"):
        return (directory / spec["file"]).read_bytes()
    return json.dumps(spec["rows"], sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def _entries(spec: dict, raw: bytes) -> list[dict]:
    if not spec.get("file"):
        return [_inline_entry(spec["key"], row) for row in spec["rows"]]
    text = gzip.decompress(raw) if spec["file"].endswith(".gz") else raw
    return _file_entries(spec, json.loads(text))


def _inline_entry(key: str, row: dict) -> dict:
    return {"table_key": key, "code": str(row["code"]), "name": row["name"], "attrs": row.get("attrs", {})}


def _file_entries(spec: dict, records: list[dict]) -> list[dict]:
    """SIASN records as entries; on a duplicate id the later record wins."""
    by_code: dict[str, dict] = {}
    for record in records:
        entry = _record_entry(spec, record)
        if entry is not None:
            by_code[entry["code"]] = entry
    return list(by_code.values())


def _record_entry(spec: dict, record: dict) -> dict | None:
    """id → code, the display field → name, every other field → attrs; None without an id.

    A null name falls back to the manifest's ``name_overrides``, then to the code.
    """
    id_field, name_field = spec.get("id_field", "id"), spec.get("name_field", "nama")
    code = str(record.get(id_field) or "").strip()
    if not code:
        return None
    name = spec.get("name_overrides", {}).get(code) or str(record.get(name_field) or "").strip() or code
    attrs = {field: value for field, value in record.items() if field not in (id_field, name_field)}
    return {"table_key": spec["key"], "code": code, "name": name, "attrs": attrs}


def _replace_entries(session: Session, key: str, rows: list[dict]) -> None:
    session.execute(delete(ReferenceEntry).where(ReferenceEntry.table_key == key),
                    execution_options={"synchronize_session": False})
    if rows:
        session.execute(insert(ReferenceEntry), rows)
    _bump_revision(session)


def _bump_revision(session: Session) -> None:
    session.info.pop(_MEMO, None)
    system.new_revision(session, REVISION_KEY)


def revision_column():
    """The entries' revision as a scalar subquery, for a statement that reads it with other things."""
    return system.revision_column(REVISION_KEY)


def remember_revision(session: Session, revision: str | None) -> None:
    """The revision as read by the caller (the instance lock), for `existing_codes` in this transaction."""
    session.info[_MEMO] = (session.get_transaction(), revision or "0")


def reference_name(session: Session, table_key: str, code: str | None) -> str | None:
    if code is None:
        return None
    return session.scalar(select(ReferenceEntry.name).where(
        ReferenceEntry.table_key == table_key, ReferenceEntry.code == str(code)))


def code_exists(session: Session, table_key: str, code: str | None) -> bool:
    if code is None:
        return False
    return bool(session.scalar(select(exists().where(
        ReferenceEntry.table_key == table_key, ReferenceEntry.code == str(code)))))


def existing_codes(session: Session, wanted: dict[str, set[str]]) -> dict[str, set[str]]:
    """Which of the given codes each table holds (a form's submitted choices): from this process's cache
    when the transaction read the revision (`remember_revision`), else in one query."""
    wanted = {table: codes for table, codes in wanted.items() if codes}
    if not wanted:
        return {}
    memo = session.info.get(_MEMO)
    if memo is not None and memo[0] is session.get_transaction():
        tables = {table: _cached_codes(session, memo[1], table) & codes for table, codes in wanted.items()}
        return {table: set(found) for table, found in tables.items() if found}
    stmt = select(ReferenceEntry.table_key, ReferenceEntry.code).where(or_(*(
        (ReferenceEntry.table_key == table) & ReferenceEntry.code.in_(sorted(codes)) for table, codes in wanted.items())))
    found: dict[str, set[str]] = {}
    for table, code in session.execute(stmt):
        found.setdefault(table, set()).add(code)
    return found


def _cached_codes(session: Session, revision: str, table: str) -> frozenset[str]:
    database = str(session.get_bind().engine.url)
    with _codes_lock:
        cached = _codes.get(database)
        if cached is None or cached[0] != revision:
            cached = _codes[database] = (revision, {})
        codes = cached[1].get(table)
        if codes is None:
            codes = cached[1][table] = frozenset(session.scalars(
                select(ReferenceEntry.code).where(ReferenceEntry.table_key == table)))
        return codes


def reference_choices(session: Session, table_key: str, limit: int | None = None) -> list[tuple[str, str]]:
    """(code, name) pairs for a select field, in natural code order (2 before 10, II before IV)."""
    stmt = (select(ReferenceEntry.code, ReferenceEntry.name)
            .where(ReferenceEntry.table_key == table_key).order_by(ReferenceEntry.code))
    if limit is not None:
        stmt = stmt.limit(limit)
    return sorted(((code, name) for code, name in session.execute(stmt)), key=lambda pair: _natural_key(pair[0]))


def list_tables(session: Session) -> list[ReferenceTable]:
    return list(session.scalars(select(ReferenceTable).order_by(ReferenceTable.title)))


def search_entries(session: Session, table_key: str, query: str | None, page: int = 1,
                   per_page: int = 25) -> tuple[list[ReferenceEntry], int]:
    """One page of a table's entries whose name contains ``query`` (any case) or whose code is it."""
    stmt = select(ReferenceEntry).where(ReferenceEntry.table_key == table_key)
    text = (query or "").strip()
    if text:
        pattern = "%" + re.sub(r"([\\%_])", r"\\\1", text) + "%"
        stmt = stmt.where(or_(ReferenceEntry.name.ilike(pattern, escape="\\"), ReferenceEntry.code == text))
    total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    page = max(page, 1)
    rows = session.scalars(stmt.order_by(ReferenceEntry.name, ReferenceEntry.code)
                           .offset((page - 1) * per_page).limit(per_page))
    return list(rows), total


def _natural_key(code: str) -> list[tuple]:
    return [_token_key(token) for token in _TOKEN.findall(code)] or [(2, 0, code)]


def _token_key(token: str) -> tuple:
    if token.isdigit():
        return (0, int(token), "")
    if _ROMAN.match(token):
        return (0, _roman_value(token), "")
    return (1, 0, token)


def _roman_value(numeral: str) -> int:
    values = [_ROMAN_VALUES[char] for char in numeral]
    return sum(-value if value < following else value for value, following in zip(values, values[1:] + [0]))
