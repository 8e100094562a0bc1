"""Synthetic but plausible ASN of Kota Tangerang for demos and load tests, written fast.

Employees are built in chunks; ids are assigned here so that history rows can point at their
employee without a round trip; PostgreSQL gets COPY, other databases executemany.
"""
from __future__ import annotations

import multiprocessing
import os
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from datetime import date

from sqlalchemy import String, any_, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from ..models import ChangeLog, Employee
from ..models.base import utcnow
from .assemble import EmployeeBuilder
from .bulk import TABLES, BulkWriter, IdCounter
from .catalog import load_catalog
from .profiles import ADMIN_S2, GURU_S1, GURU_S2, KESMAS_S2, PELAKSANA, PROFESSIONS, SLTA, UNIT_PELAKSANA
from .records import KURSUS

REASON = "Data demo dibangkitkan (seed={seed})"
REASON_PREFIX = "Data demo dibangkitkan"
CHUNK_SIZE = 5000


def generate_employees(engine_or_session: Engine | Session, count: int = 2000, seed: int = 42,
                       progress: Callable[[int, int], None] | None = None, *, as_of: date | None = None,
                       chunk_size: int = CHUNK_SIZE, workers: int | None = None) -> dict:
    """Make the database hold `count` demo employees; return what was done.

    The rule for re-running: `count` is a target, not an increment. Demo employees already
    stored (those whose change log has an "import" row with reason "Data demo dibangkitkan ...")
    are counted and only the missing ones are added, as positions existing..count-1 of the
    stream of `seed`. Running the same command twice therefore adds nothing, raising `count`
    adds the difference, and a different seed continues with its own people.

    Employee number i of seed S is always the same person for the same `as_of` (default today):
    same name, NIP, NIK, history. New ids start after each table's largest id, and every NIP
    and NIK is checked against the database (and bumped to the next free serial if taken), so
    nothing collides with employees already there, demo or real. Derived columns come from
    services.current.derive_current on the generated history rows.

    Each chunk of `chunk_size` employees is one transaction (with a Session: session.commit()),
    so memory stays bounded and an interrupted run resumes where it stopped. With more than one
    chunk, `workers` processes (default: one, on a multi-core machine) build the next chunks
    while this process writes. The generator expects to be the only writer of these tables
    while it runs.
    """
    started, as_of = time.perf_counter(), as_of or date.today()
    with _transaction(engine_or_session) as connection:
        existing = _demo_count(connection)
        catalog = load_catalog(connection, _wanted_names())
        postgres = connection.dialect.name == "postgresql"
    todo = max(count - existing, 0)
    ranges = [range(offset, min(offset + chunk_size, existing + todo))
              for offset in range(existing, existing + todo, chunk_size)]
    rows: Counter = Counter()
    storing = 0.0
    for indexes, tables in zip(ranges, _built(catalog, seed, as_of, ranges, _workers(workers, len(ranges)))):
        store_started = time.perf_counter()
        with _transaction(engine_or_session) as connection:
            rows.update(_store(connection, tables, seed))
        storing += time.perf_counter() - store_started
        if progress:
            progress(indexes.stop - existing, todo)
    if todo and postgres:
        with _transaction(engine_or_session) as connection:
            BulkWriter(connection).analyze()
    return {"requested": count, "existing": existing, "created": todo, "seed": seed, "as_of": as_of.isoformat(),
            "rows": dict(rows), "seconds": round(time.perf_counter() - started, 2),
            "store_seconds": round(storing, 2)}


def _store(connection: Connection, tables: dict[str, list[dict]], seed: int) -> dict[str, int]:
    ids = IdCounter.from_database(connection)
    ids.place(tables, utcnow())
    _make_unique(connection, tables["employees"])
    tables["change_log"] = _import_log(tables["employees"], seed, ids)
    writer = BulkWriter(connection)
    for table in TABLES:
        writer.write(table, tables[table.name])
    writer.reset_sequences()
    return {table.name: len(tables[table.name]) for table in TABLES}


def _workers(requested: int | None, chunks: int) -> int:
    if "fork" not in multiprocessing.get_all_start_methods():
        return 0
    if requested is not None:
        return requested
    return 1 if chunks > 1 and (os.cpu_count() or 1) > 1 else 0


def _built(catalog, seed: int, as_of: date, ranges: list[range], workers: int) -> Iterator[dict]:
    """Built chunks in order; with workers, up to workers + 1 of them are being built ahead."""
    if not workers:
        for indexes in ranges:
            yield build_chunk(catalog, seed, as_of, indexes)
        return
    # fork: the workers only build rows (no database) and need not re-import the caller's script.
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker,
                             initargs=(catalog, seed, as_of)) as pool:
        pending: deque = deque()
        for indexes in ranges:
            pending.append(pool.submit(_build_in_worker, indexes))
            if len(pending) > workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


_WORKER: dict = {}


def _start_worker(catalog, seed: int, as_of: date) -> None:
    _WORKER.update(catalog=catalog, seed=seed, as_of=as_of)


def _build_in_worker(indexes: range) -> dict[str, list[dict]]:
    return build_chunk(_WORKER["catalog"], _WORKER["seed"], _WORKER["as_of"], indexes)


def build_chunk(catalog, seed: int, as_of: date, indexes: range) -> dict[str, list[dict]]:
    """The rows of employees `indexes` of the stream of `seed`, with ids counted from 1."""
    tables: dict[str, list[dict]] = {table.name: [] for table in TABLES}
    builder = EmployeeBuilder(catalog, seed, as_of)
    for index in indexes:
        builder.build(index, tables)
    return tables


@contextmanager
def _transaction(target: Engine | Session) -> Iterator[Connection]:
    if isinstance(target, Session):
        yield target.connection()
        target.commit()
    else:
        with target.begin() as connection:
            yield connection


def _demo_count(connection: Connection) -> int:
    return connection.scalar(select(func.count()).select_from(ChangeLog).where(
        ChangeLog.entity == Employee.__tablename__, ChangeLog.operation == "import",
        ChangeLog.reason.startswith(REASON_PREFIX)))


def _import_log(employees: list[dict], seed: int, ids: IdCounter) -> list[dict]:
    reason = REASON.format(seed=seed)
    return [{"id": ids.take("change_log"), "employee_id": e["id"], "entity": Employee.__tablename__,
             "entity_id": e["id"], "operation": "import", "reason": reason, "occurred_at": e["created_at"],
             "new_values": {"nip": e["nip"], "nama": e["nama"], "kind": e["kind"]}} for e in employees]


def _make_unique(connection: Connection, employees: list[dict]) -> None:
    """Bump the serial of any NIP or NIK already taken, in this chunk or in the database."""
    for column, width in (("nip", 3), ("nik", 4)):
        stored_column = Employee.__table__.c[column]
        in_chunk: set[str] = set()
        for employee in employees:
            while employee[column] in in_chunk:
                employee[column] = _next_serial(employee[column], width)
            in_chunk.add(employee[column])
        pending = employees
        while pending:
            stored = _stored(connection, stored_column, [e[column] for e in pending])
            pending = [e for e in pending if e[column] in stored]
            for employee in pending:
                in_chunk.discard(employee[column])
                while employee[column] in in_chunk or employee[column] in stored:
                    employee[column] = _next_serial(employee[column], width)
                in_chunk.add(employee[column])


def _stored(connection: Connection, column, values: list[str]) -> set[str]:
    """Which of `values` the column already holds (one array parameter on PostgreSQL, not thousands)."""
    if connection.dialect.name == "postgresql":
        condition = column == any_(bindparam("values", values, type_=ARRAY(String)))
    else:
        condition = column.in_(values)
    return set(connection.scalars(select(column).where(condition)))


def _next_serial(value: str, width: int) -> str:
    head, serial = value[:-width], int(value[-width:]) % (10 ** width - 1) + 1
    return f"{head}{serial:0{width}d}"


def _wanted_names() -> dict[str, set[str]]:
    """Names the generator may ask for from the large reference tables."""
    degrees = {d for p in PROFESSIONS for path in p.paths for d in path.degrees}
    degrees |= set(SLTA) | set(GURU_S1) | set(GURU_S2) | set(KESMAS_S2) | set(ADMIN_S2)
    degrees |= {d for p in PROFESSIONS for d in p.masters}
    pelaksana = {name for names in PELAKSANA.values() for name in names} | set(UNIT_PELAKSANA.values())
    return {"pendidikan": {d.name for d in degrees}, "jabatanPelaksana": pelaksana, "jenisKursus": set(KURSUS)}
