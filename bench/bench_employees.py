"""Benchmark: generate N demo employees on a fresh PostgreSQL database, then time employee search.

    .venv/bin/python bench/bench_employees.py [--count 100000] [--url postgresql+psycopg://...]

The database named in --url is created if missing and its tables are dropped and recreated:
never point it at a database whose data you want to keep. Searches go through the real service
function app.services.employees.search, as a BKPSDM analyst and as a validator of one OPD.
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from app.demo.generator import generate_employees  # noqa: E402
from app.extensions import make_engine  # noqa: E402
from app.models import Base, Employee, OpdScope, OrgUnit, RoleGrant, User  # noqa: E402
from app.services.employees import EmployeeQuery, search  # noqa: E402
from app.services.organization import load_org_tree  # noqa: E402
from app.services.reference import load_reference  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/simasn_bench"
# A validator's list filters on unor_id IN (the OPD's units); this lets the count stay in the index.
PROPOSED_INDEX = "CREATE INDEX IF NOT EXISTS ix_employees_unor_nama ON employees (unor_id, nama_cari)"


def main() -> None:
    args = _arguments()
    engine = make_engine(_fresh_database(args.url))
    if not args.reuse:
        print(f"Skema, referensi dan pohon organisasi: {_reset_schema(engine):.1f} s")
    started = time.perf_counter()
    summary = generate_employees(engine, count=args.count, seed=args.seed, progress=_progress(args.count))
    generation = time.perf_counter() - started
    print(f"\nPembangkitan {args.count} pegawai: {generation:.1f} s (menulis: {summary['store_seconds']} s)"
          f"  {summary['rows']}")
    _vacuum(engine)
    results = {"count": args.count, "generation_seconds": round(generation, 1),
               "store_seconds": summary["store_seconds"], "rows": summary["rows"],
               "queries": _measure(engine, args.queries, args.seed, args.validator_opd)}
    _report(results["queries"])
    if args.proposed_index:
        with engine.begin() as connection:
            connection.execute(text(PROPOSED_INDEX))
        _vacuum(engine)
        print(f"\nDengan indeks usulan: {PROPOSED_INDEX}")
        results["with_proposed_index"] = _measure(engine, args.queries, args.seed, args.validator_opd)
        _report(results["with_proposed_index"])
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--queries", type=int, default=200, help="queries per kind")
    parser.add_argument("--validator-opd", default="Dinas Pendidikan", help="name of the validator's OPD")
    parser.add_argument("--reuse", action="store_true",
                        help="keep the tables and data already there (the generator then only tops up)")
    parser.add_argument("--proposed-index", action="store_true",
                        help="afterwards add the proposed (unor_id, nama_cari) index and measure again")
    parser.add_argument("--json", help="also write the results to this file")
    return parser.parse_args()


def _fresh_database(url: str) -> str:
    """Create the database if missing, through the server's `postgres` database."""
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                   {"name": target.database})
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()
    return url


def _reset_schema(engine) -> float:
    started = time.perf_counter()
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        load_reference(session)
        load_org_tree(session)
        session.commit()
    return time.perf_counter() - started


def _progress(total: int):
    def report(done: int, todo: int) -> None:
        print(f"\r  {done}/{todo} pegawai", end="", flush=True)
    return report


def _vacuum(engine) -> None:
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))


def _users(session: Session, opd_name: str) -> dict[str, User]:
    existing = {u.username: u for u in session.scalars(select(User).where(User.username.startswith("bench.")))}
    if len(existing) == 2:
        return {"bkpsdm": existing["bench.bkpsdm"], "validator": existing["bench.validator"]}
    opd = session.scalar(select(OrgUnit).where(OrgUnit.parent_id.is_(None), OrgUnit.name == opd_name))
    analyst = User(username="bench.bkpsdm", display_name="Analis BKPSDM (bench)", password_hash="-")
    validator = User(username="bench.validator", display_name=f"Validator {opd_name} (bench)", password_hash="-")
    session.add_all([analyst, validator])
    session.flush()
    session.add_all([RoleGrant(user_id=analyst.id, role="bkpsdm"), RoleGrant(user_id=validator.id,
                                                                            role="validator_opd"),
                     OpdScope(user_id=validator.id, unit_id=opd.id)])
    session.commit()
    for user in (analyst, validator):
        session.refresh(user)
    return {"bkpsdm": analyst, "validator": validator}


def _query_texts(session: Session, count: int, rng: random.Random) -> dict[str, list[str]]:
    """Name prefixes (2–4 letters of real names) and NIPs (exact, or the first 8–14 digits)."""
    sample = session.execute(text("SELECT nama_cari, nip FROM employees TABLESAMPLE SYSTEM (5) LIMIT :n"),
                             {"n": count * 2}).all() or session.execute(
        select(Employee.nama_cari, Employee.nip).limit(count * 2)).all()
    rng.shuffle(sample)
    names = [row.nama_cari[:rng.randint(2, 4)] for row in sample[:count]]
    nips = [row.nip if i % 2 == 0 else row.nip[:rng.randint(8, 14)] for i, row in enumerate(sample[:count])]
    return {"nama": names, "nip": nips}


def _timed(call, repeat: list) -> list[float]:
    times = []
    for item in repeat:
        started = time.perf_counter()
        call(item)
        times.append((time.perf_counter() - started) * 1000)
    return times


def _measure(engine, count: int, seed: int, opd_name: str) -> dict:
    rng = random.Random(seed)
    with Session(engine) as session:
        users = _users(session, opd_name)
        texts = _query_texts(session, count, rng)
        max_id = session.scalar(select(Employee.id).order_by(Employee.id.desc()).limit(1))
        ids = [rng.randint(1, max_id) for _ in range(count)]
        results = {
            "select_1": _timed(lambda _: session.execute(text("SELECT 1")).scalar(), range(count)),
            "pk_lookup": _timed(lambda i: session.execute(select(Employee).where(Employee.id == i)).scalar(), ids),
        }
        for role, user in users.items():
            for kind, queries in texts.items():
                run = lambda q, user=user: _search(session, user, q)  # noqa: E731
                _timed(run, queries[:20])  # warm-up
                results[f"{kind}/{role}"] = _timed(run, queries)
    return {name: _stats(times) for name, times in results.items()}


def _search(session: Session, user: User, q: str):
    page = search(session, user, EmployeeQuery(q=q))
    for employee in page.items:
        session.expunge(employee)
    return page


def _stats(times: list[float]) -> dict:
    ordered = sorted(times)
    return {"p50": round(statistics.median(ordered), 2), "p95": round(ordered[int(len(ordered) * 0.95) - 1], 2),
            "max": round(ordered[-1], 2), "n": len(ordered)}


def _report(queries: dict) -> None:
    base, pk = queries["select_1"]["p50"], queries["pk_lookup"]["p50"]
    print(f"\n{'jenis kueri':<22}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'p50/SELECT 1':>14}{'p50/PK':>9}")
    for name, stats in queries.items():
        print(f"{name:<22}{stats['p50']:>9.2f}{stats['p95']:>9.2f}{stats['max']:>9.2f}"
              f"{stats['p50'] / base:>14.1f}{stats['p50'] / pk:>9.1f}")


if __name__ == "__main__":
    main()
