"""Benchmark: the "Jatuh tempo" lists and the daily reminder run at N generated employees (PostgreSQL).

    .venv/bin/python bench/bench_due_dates.py [--count 100000] [--url postgresql+psycopg://...] [--reuse]

The database named in --url is dropped and created anew. Every employee gets an account (so the
first reminder run writes one personal notice per due item, the worst case). Timed: the page query
(count + one page of 50) for BKPSDM and for a validator of the largest OPD, the city-wide lists the
job reads, the whole CSV export, and the first and second reminder runs. Baselines from the same
run: a bare `SELECT 1` and a primary-key lookup.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from app.demo.generator import generate_employees  # noqa: E402
from app.extensions import make_engine  # noqa: E402
from app.models import Base, Employee, OpdScope, OrgUnit, RoleGrant, User  # noqa: E402
from app.services import due_dates, reminders  # noqa: E402
from app.services.audit import SYSTEM  # noqa: E402
from app.services.organization import load_org_tree  # noqa: E402
from app.services.reference import load_reference  # noqa: E402
from bench.benchdb import fresh_database  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/simasn_bench_due"
ACCOUNTS = """
INSERT INTO users (username, display_name, password_hash, employee_id, active, is_demo, failed_logins, created_at)
SELECT 'pegawai.' || id, nama, '-', id, true, false, 0, now() FROM employees
"""


def main() -> None:
    args = _arguments()
    if args.reuse:
        engine = make_engine(args.url)
        _reset_run(engine)
    else:
        engine = make_engine(fresh_database(args.url))
        _prepare(engine, args)
    with Session(engine) as session:
        _report(_measure(session, args.repeat), session)


def _prepare(engine, args) -> None:
    started = time.perf_counter()
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        load_reference(session)
        load_org_tree(session)
        session.commit()
    generate_employees(engine, count=args.count, seed=args.seed)
    with engine.begin() as connection:
        connection.execute(text(ACCOUNTS))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))
    print(f"{args.count} pegawai dan akunnya disiapkan: {time.perf_counter() - started:.1f} s")


def _reset_run(engine) -> None:
    """--reuse: keep the employees, add indexes the models gained since, forget the previous run."""
    for index in Employee.__table__.indexes:
        index.create(engine, checkfirst=True)
    with engine.begin() as connection:
        for table in ("reminders_sent", "notifications"):
            connection.execute(text(f"DELETE FROM {table}"))
        connection.execute(text("DELETE FROM users WHERE username LIKE 'bench.%'"))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE employees"))


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--repeat", type=int, default=30, help="timed calls per query kind")
    parser.add_argument("--reuse", action="store_true", help="measure again on the employees already there")
    return parser.parse_args()


def _users(session: Session) -> dict[str, User]:
    largest = session.scalar(select(Employee.opd_id).group_by(Employee.opd_id)
                             .order_by(text("count(*) DESC")).limit(1))
    analyst = User(username="bench.bkpsdm", display_name="Analis (bench)", password_hash="-")
    validator = User(username="bench.validator", display_name="Validator (bench)", password_hash="-")
    session.add_all([analyst, validator])
    session.flush()
    session.add_all([RoleGrant(user_id=analyst.id, role="bkpsdm"),
                     RoleGrant(user_id=validator.id, role="validator_opd"),
                     OpdScope(user_id=validator.id, unit_id=largest)])
    session.commit()
    print(f"Validator: {session.get(OrgUnit, largest).name}")
    return {"bkpsdm": session.get(User, analyst.id), "validator": session.get(User, validator.id)}


def _timed(call, repeat: int) -> dict:
    call()  # warm-up
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    ordered = sorted(times)
    return {"p50": statistics.median(ordered), "p95": ordered[max(0, int(len(ordered) * 0.95) - 1)],
            "max": ordered[-1]}


def _measure(session: Session, repeat: int) -> dict:
    users, today = _users(session), due_dates.local_today()
    some_id = session.scalar(select(Employee.id).limit(1))
    results = {"select_1": _timed(lambda: session.execute(text("SELECT 1")).scalar(), repeat),
               "pk_lookup": _timed(lambda: session.get(Employee, some_id, populate_existing=True), repeat)}
    for role, user in users.items():
        for kind in ("", "kgb", "pensiun"):
            query = due_dates.DueQuery(kind=kind)
            results[f"page/{role}/{kind or 'semua'}"] = _timed(
                lambda q=query, u=user: due_dates.list_page(session, u, q, today), repeat)
    for kind in ("kgb", "pensiun"):
        results[f"job-list/{kind}"] = _timed(lambda k=kind: due_dates.due_items(session, k, today), max(5, repeat // 5))
        print(f"jatuh tempo {kind}: {len(due_dates.due_items(session, kind, today))} pegawai (seluruh kota)")
    results["csv/bkpsdm/semua"] = _timed(lambda: due_dates.export(session, users["bkpsdm"], SYSTEM,
                                                                  due_dates.DueQuery(), today), 3)
    for run in ("pertama", "kedua"):
        started = time.perf_counter()
        counts = reminders.send_due_reminders(session, today)
        elapsed = (time.perf_counter() - started) * 1000
        results[f"reminders/{run}"] = {"p50": elapsed, "p95": elapsed, "max": elapsed}
        print(f"pengingat {run}: {counts}")
    return results


def _report(results: dict, session: Session) -> None:
    base, pk = results["select_1"]["p50"], results["pk_lookup"]["p50"]
    print(f"\n{'kueri':<26}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}{'p50/SELECT 1':>14}{'p50/PK':>9}")
    for name, stats in results.items():
        print(f"{name:<26}{stats['p50']:>10.1f}{stats['p95']:>10.1f}{stats['max']:>10.1f}"
              f"{stats['p50'] / base:>14.0f}{stats['p50'] / pk:>9.0f}")
    today = due_dates.local_today()
    statements = {"kgb": due_dates.kgb_select(due_dates.default_window("kgb", today), text("true")),
                  "pensiun": due_dates.pensiun_select(due_dates.default_window("pensiun", today), text("true"),
                                                      due_dates.possible_bup_ages(session))}
    for kind, stmt in statements.items():
        print(f"\nRencana kueri {kind} (EXPLAIN ANALYZE, ekspresi panjang dipotong):")
        compiled = str(stmt.compile(session.get_bind(), compile_kwargs={"literal_binds": True}))
        raw = session.get_bind().raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute("EXPLAIN ANALYZE " + compiled.replace("%%", "%"))
            for (line,) in cursor.fetchall():
                print("  " + (line if len(line) < 200 else line[:160] + " …"))
        finally:
            raw.close()


if __name__ == "__main__":
    main()
