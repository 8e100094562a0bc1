"""Benchmark: Instans Proses (`instance_views.list_instances`) and the heat map (`heatmap.heat_map`) at
50 000 instances on PostgreSQL.

    .venv/bin/python bench/bench_instances.py [--instances 50000] [--employees 5000] [--queries 50]

The database named in --url is DROPPED and recreated (migrations, reference tables, org tree, generated
employees, the shipped usul_perubahan_data published). Instances are a benchmark fixture written with
COPY: created over two years, 70 % completed, 20 % waiting, 5 % cancelled, 3 % suspended, 2 % error,
each involving its subject's OPD; every completed instance has three task_history rows (periksa,
verifikasi, and a second periksa pass for one in five). Each measured call — one page (50 rows) plus
its count — is timed --queries times after 5 warm-ups; the table shows the median and its ratio to
the same run's baselines: `SELECT 1` and a primary-key read of one instance. Load average is printed.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from app.extensions import make_engine  # noqa: E402
from app.migrate import upgrade  # noqa: E402
from app.models import Employee, ProcessInstance, RoleGrant, User  # noqa: E402
from app.services import heatmap, instance_views  # noqa: E402
from app.services.instance_views import InstanceFilter  # noqa: E402
from benchdb import fresh_database, load_base_data  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/simasn_bench_instances"
KEY = "usul_perubahan_data"
STATUSES = [("completed", 70), ("waiting", 20), ("cancelled", 5), ("suspended", 3), ("error", 2)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--instances", type=int, default=50_000)
    parser.add_argument("--employees", type=int, default=5_000)
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    url = fresh_database(args.url)
    upgrade(url)
    engine = make_engine(url)
    started = time.perf_counter()
    version = load_base_data(engine, KEY, args.employees, args.seed)
    _fixture(engine, rng, args.instances, version)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))
    print(f"Data: {args.employees} pegawai, {args.instances} instans: {time.perf_counter() - started:.1f} s")
    _report(_measure(engine, version, args.queries, rng))


def _fixture(engine, rng: random.Random, count: int, version: tuple[int, int]) -> None:
    with engine.connect() as connection:
        subjects = connection.execute(text("SELECT id, opd_id FROM employees")).all()
    statuses, weights = zip(*STATUSES)
    now, instances, history = datetime(2026, 11, 1), [], []
    for iid in range(1, count + 1):
        subject_id, opd = rng.choice(subjects)
        status = rng.choices(statuses, weights)[0]
        created = now - timedelta(minutes=rng.randint(10, 60 * 24 * 730))
        instances.append((iid, version[0], KEY, status, f"Usulan — pegawai {subject_id}", subject_id, "{}",
                          json.dumps([opd]), 1, created, created))
        if status == "completed":
            history += _history(rng, iid, version[0], created)
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        with cursor.copy("COPY process_instances (id, version_id, process_key, status, title, subject_employee_id,"
                         " state, opd_ids, lock_version, created_at, updated_at) FROM STDIN") as copy:
            for row in instances:
                copy.write_row(row)
        with cursor.copy("COPY task_history (instance_id, version_id, task_id, bpmn_id, task_name, role, ready_at,"
                         " ended_at, seconds) FROM STDIN") as copy:
            for row in history:
                copy.write_row(row)
        cursor.execute("SELECT setval(pg_get_serial_sequence('process_instances', 'id'), %s)", (count,))
        raw.commit()
    finally:
        raw.close()


def _history(rng: random.Random, iid: int, version_id: int, created: datetime) -> list[tuple]:
    steps = [("periksa", "Periksa usulan", "validator_opd"), ("verifikasi", "Verifikasi BKPSDM", "bkpsdm")]
    if rng.random() < 0.2:
        steps.append(steps[0])
    rows, ready = [], created
    for n, (bpmn_id, name, role) in enumerate(steps):
        seconds = rng.randint(600, 5 * 86400)
        rows.append((iid, version_id, f"{iid}-{n}", bpmn_id, name, role, ready, ready + timedelta(seconds=seconds),
                     seconds))
        ready += timedelta(seconds=seconds)
    return rows


def _measure(engine, version: tuple[int, int], queries: int, rng: random.Random) -> dict:
    admin = User(username="bench.admin", display_name="Bench", password_hash="-", roles=[RoleGrant(role="admin")])
    with Session(engine) as session:
        nip, opd = session.execute(select(Employee.nip, Employee.opd_id).limit(1)).one()
        cases = {
            "SELECT 1 (dasar)": lambda: session.execute(text("SELECT 1")).scalar(),
            "baca 1 instans per PK (dasar)": lambda: session.get(ProcessInstance, rng.randint(1, 50_000),
                                                                 populate_existing=True),
            "daftar, tanpa saringan": lambda: instance_views.list_instances(session, admin, InstanceFilter()),
            "daftar, halaman 500": lambda: instance_views.list_instances(session, admin, InstanceFilter(), 500),
            "daftar, proses + versi": lambda: instance_views.list_instances(
                session, admin, InstanceFilter(process=KEY, version=version[1])),
            "daftar, status galat": lambda: instance_views.list_instances(session, admin, InstanceFilter(status="error")),
            "daftar, OPD": lambda: instance_views.list_instances(session, admin, InstanceFilter(opd=opd)),
            "daftar, rentang 1 bulan": lambda: instance_views.list_instances(
                session, admin, InstanceFilter(started_from=date(2026, 3, 1), started_to=date(2026, 3, 31))),
            "daftar, NIP": lambda: instance_views.list_instances(session, admin, InstanceFilter(nip=nip)),
            "peta panas (1 kueri agregat)": lambda: heatmap.heat_map(session, admin, KEY, version[1]),
        }
        return {name: _time(call, queries) for name, call in cases.items()}


def _time(call, queries: int) -> float:
    for _ in range(5):
        call()
    samples = []
    for _ in range(queries):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


def _report(results: dict) -> None:
    select_one, by_pk = results["SELECT 1 (dasar)"], results["baca 1 instans per PK (dasar)"]
    print(f"{'kasus':<32}{'median ms':>10}{'× SELECT 1':>12}{'× baca PK':>11}")
    for name, ms in results.items():
        print(f"{name:<32}{ms:>10.2f}{ms / select_one:>12.1f}{ms / by_pk:>11.1f}")
    print(f"load average: {os.getloadavg()}")


if __name__ == "__main__":
    main()
