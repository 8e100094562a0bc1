"""Benchmark: Kotak Tugas (`app.services.inbox.tasks_for`) with 100 000 employees and 50 000 open tasks.

    .venv/bin/python bench/bench_inbox.py [--count 100000] [--tasks 50000] [--queries 200]

The database named in --url is DROPPED and recreated (migrations, reference tables, org tree), then
`generate_employees` fills it; the open tasks are a benchmark fixture written directly with COPY:
one `process_instances` row (status waiting, empty state) per `human_tasks` row.

Task mix (seeded): 55 % `validator_opd` scoped to the subject's OPD (so OPDs get tasks in proportion to
their size), 25 % `bkpsdm`, 5 % `kepala_bkpsdm`, 15 % `asn` (the subject's own revision task);
70 % `usul_perubahan_data`, 30 % `mutasi_unit_kerja`; due: 30 % overdue, 50 % later, 20 % none;
5 % claimed by someone else; usul_perubahan_data tasks carry one of the ten request categories (the
nine history categories and data utama, weighted as proposals would come: golongan, diklat and
keluarga often, hukdis and pindah_instansi rarely). Each kind is one page (`tasks_for`) and its
badge count (`count_for`), each timed 200 times after 20 warm-ups: wall clock of the service call
(SQL + ORM loading of every row), and, separately, the server's own execution time of the same
statement (`EXPLAIN (ANALYZE, FORMAT JSON)` "Execution Time"). Baselines from the same run: `SELECT 1`
and a primary-key lookup of one task. The machine's load average is printed with the results.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import event, func, select, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from app.extensions import make_engine  # noqa: E402
from app.migrate import upgrade  # noqa: E402
from app.models import Employee, HumanTask, OpdScope, OrgUnit, RoleGrant, User  # noqa: E402
from app.services import inbox  # noqa: E402
from app.services.inbox import InboxFilter  # noqa: E402
from benchdb import fresh_database, load_base_data  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/simasn_bench_inbox"
KEY = "usul_perubahan_data"
OTHER_KEY = "mutasi_unit_kerja"
ROLES = [("validator_opd", 0.55), ("bkpsdm", 0.25), ("kepala_bkpsdm", 0.05), ("asn", 0.15)]
LANES = {"validator_opd": ("Validator OPD", "Periksa usulan", "usul_periksa_validator.schema.json"),
         "bkpsdm": ("BKPSDM", "Verifikasi BKPSDM", "usul_verifikasi_bkpsdm.schema.json"),
         "kepala_bkpsdm": ("Kepala BKPSDM", "Tetapkan keputusan", None),
         "asn": ("ASN", "Perbaiki usulan", "usul_riwayat_golongan.schema.json")}
CATEGORY_WEIGHTS = [("golongan", 25), ("diklat", 20), ("keluarga", 15), ("pendidikan", 12), ("jabatan", 10),
                    ("data_utama", 8), ("penghargaan", 5), ("pindah_unit", 3), ("hukdis", 1), ("pindah_instansi", 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--tasks", type=int, default=50_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--big-opd", default="Dinas Pendidikan")
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument("--reuse", action="store_true",
                        help="measure again on the data of an earlier run (its indexes brought up to date)")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    if args.reuse:
        engine = make_engine(args.url)
        _current_indexes(engine)
        _vacuum(engine)
        _report_and_save(_measure(engine, _users(engine, args.big_opd), args.queries, rng), args.json)
        return

    url = fresh_database(args.url)
    upgrade(url)
    engine = make_engine(url)
    started = time.perf_counter()
    version_id, _ = load_base_data(engine, KEY, args.count, args.seed)
    print(f"Skema + {args.count} pegawai: {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    users = _users(engine, args.big_opd)
    _fixture(engine, rng, args.tasks, version_id, users["other"])
    _vacuum(engine)
    print(f"{args.tasks} tugas terbuka (COPY): {time.perf_counter() - started:.1f} s")
    _report_and_save(_measure(engine, users, args.queries, rng), args.json)


def _report_and_save(results: dict, json_path: str | None) -> None:
    results["load"] = {"loadavg": os.getloadavg()}
    _report(results)
    if json_path:
        Path(json_path).write_text(json.dumps(results, indent=2))


# --- setup ---------------------------------------------------------------------------------

def _users(engine, big_opd_name: str) -> dict:
    """A validator of the largest OPD, one of a small OPD (fewest employees, at least 50), a BKPSDM
    analyst, an ASN with tasks of their own (chosen in _fixture) and someone else who claims tasks."""
    with Session(engine) as session:
        sizes = dict(session.execute(select(Employee.opd_id, func.count()).group_by(Employee.opd_id)).all())
        big = session.scalar(select(OrgUnit.id).where(OrgUnit.parent_id.is_(None), OrgUnit.name == big_opd_name))
        small = min((opd for opd, n in sizes.items() if opd and n >= 50), key=lambda opd: sizes[opd])
        made = {}
        for name, roles, scope in (("validator_big", ["validator_opd"], big), ("validator_small", ["validator_opd"],
                                                                                small),
                                   ("bkpsdm", ["bkpsdm"], None), ("other", ["bkpsdm", "validator_opd"], None)):
            made[name] = session.scalar(select(User.id).where(User.username == f"bench.{name}"))
            if made[name] is not None:  # --reuse
                continue
            user = User(username=f"bench.{name}", display_name=f"Bench {name}", password_hash="-")
            session.add(user)
            session.flush()
            session.add_all(RoleGrant(user_id=user.id, role=role) for role in roles)
            if scope:
                session.add(OpdScope(user_id=user.id, unit_id=scope))
            made[name] = user.id
        session.commit()
        made["opd_sizes"] = {"big": (big, sizes.get(big, 0)), "small": (small, sizes[small])}
    return made


def _fixture(engine, rng: random.Random, count: int, version_id: int, other_user: int) -> None:
    with engine.connect() as connection:
        subjects = connection.execute(text("SELECT id, opd_id FROM employees")).all()
        start = (connection.scalar(text("SELECT max(id) FROM process_instances")) or 0) + 1
    now = datetime.utcnow()
    instances, tasks = [], []
    roles, weights = zip(*ROLES)
    for n in range(count):
        iid = start + n
        subject_id, opd = rng.choice(subjects)
        role = rng.choices(roles, weights)[0]
        key = KEY if rng.random() < 0.7 else OTHER_KEY
        category = rng.choices(*zip(*CATEGORY_WEIGHTS))[0] if key == KEY else None
        created = now - timedelta(minutes=rng.randint(10, 60 * 24 * 60))
        due = rng.random()
        due_at = (now - timedelta(hours=rng.randint(1, 24 * 30)) if due < 0.3 else
                  now + timedelta(hours=rng.randint(1, 24 * 30)) if due < 0.8 else None)
        lane, step, form = LANES[role]
        title = f"Usulan Perubahan Data — pegawai {subject_id}"
        claimed = rng.random() < 0.05
        instances.append((iid, version_id, key, category, "waiting", title, subject_id, "{}", json.dumps([opd]),
                          1, created, created))
        tasks.append((iid, str(uuid.UUID(int=rng.getrandbits(128))), step, f"{step} — {title}", lane, role,
                      opd if role == "validator_opd" else None, subject_id, key, category, opd,
                      other_user if claimed else None, form, created, due_at, created if claimed else None))
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        with cursor.copy("COPY process_instances (id, version_id, process_key, category, status, title,"
                         " subject_employee_id, state, opd_ids, lock_version, created_at, updated_at) FROM STDIN") as copy:
            for row in instances:
                copy.write_row(row)
        with cursor.copy("COPY human_tasks (instance_id, task_id, task_name, title, lane, role, scope_opd_id,"
                         " subject_employee_id, process_key, category, opd_id, assignee_user_id, form_id, created_at,"
                         " due_at, claimed_at) FROM STDIN") as copy:
            for row in tasks:
                copy.write_row(row)
        cursor.execute("SELECT setval(pg_get_serial_sequence('process_instances', 'id'),"
                       " (SELECT max(id) FROM process_instances))")
        raw.commit()
    finally:
        raw.close()


def _current_indexes(engine) -> None:
    """--reuse: the human_tasks indexes exactly as today's model has them (a run of older code may
    have other definitions under the same names)."""
    for index in HumanTask.__table__.indexes:
        index.drop(engine, checkfirst=True)
        index.create(engine)


def _vacuum(engine) -> None:
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))


# --- measuring -----------------------------------------------------------------------------

def _measure(engine, users: dict, count: int, rng: random.Random) -> dict:
    captured: list = []

    @event.listens_for(engine, "before_cursor_execute")
    def _capture(conn, cursor, statement, parameters, context, executemany):
        if "human_tasks" in statement and statement.lstrip().upper().startswith("SELECT"):
            captured.append((statement, parameters))

    results, sizes, plans = {}, {}, {}
    with Session(engine) as session:
        asn_employee = session.scalar(select(HumanTask.subject_employee_id).where(HumanTask.role == "asn")
                                      .group_by(HumanTask.subject_employee_id)
                                      .order_by(func.count().desc()).limit(1))
        asn = session.scalar(select(User).where(User.username == "bench.asn"))
        if asn is None:
            asn = User(username="bench.asn", display_name="Bench ASN", password_hash="-", employee_id=asn_employee)
            session.add(asn)
            session.flush()
            session.add(RoleGrant(user_id=asn.id, role="asn"))
            session.commit()
        people = {name: session.get(User, users[name]) for name in ("validator_big", "validator_small", "bkpsdm")}
        people["asn"] = asn
        max_id = session.scalar(select(func.max(HumanTask.id)))
        ids = [rng.randint(1, max_id) for _ in range(count)]
        results["select_1"] = _timed(lambda _: session.execute(text("SELECT 1")).scalar(), range(count))
        results["pk_lookup"] = _timed(lambda i: session.execute(
            select(HumanTask).where(HumanTask.id == i)).scalar(), ids)
        big_opd, small_opd = users["opd_sizes"]["big"][0], users["opd_sizes"]["small"][0]
        for name, (who, filters, sort) in _kinds(big_opd, small_opd).items():
            user, wanted = people[who], InboxFilter(**filters)

            def page(_, user=user, wanted=wanted, sort=sort):
                rows = inbox.tasks_for(session, user, wanted, sort=sort)
                for row in rows:
                    session.expunge(row)
                return rows

            def badge(_, user=user, wanted=wanted):
                return inbox.count_for(session, user, wanted)

            for label, call in ((name, page), (f"{name} #count", badge)):
                first = call(None)
                sizes[label] = len(first) if isinstance(first, list) else first
                _timed(call, range(20))
                results[label] = _timed(call, range(count))
                captured.clear()
                call(None)
                statement, parameters = captured[-1]
                plans[label] = _server_times(engine, statement, parameters, max(20, count // 10))
                print(f"  {label}: {sizes[label]} baris, {_stats(results[label])}, server {plans[label]['p95']} ms p95",
                      flush=True)
    event.remove(engine, "before_cursor_execute", _capture)
    out = {name: _stats(times) for name, times in results.items()}
    for name in sizes:
        out[name].update(rows=sizes[name], server=plans[name])
    out["opd_sizes"] = users["opd_sizes"]
    return out


def _kinds(big_opd: str, small_opd: str) -> dict:
    """name -> (who, filters, sort): every filter of the Kotak Tugas page, on the biggest inboxes."""
    return {
        "validator_big": ("validator_big", {}, "due"),
        "validator_big/overdue": ("validator_big", {"overdue": True}, "due"),
        "validator_big/process": ("validator_big", {"process": KEY}, "due"),
        "validator_big/category (golongan)": ("validator_big", {"category": "golongan"}, "due"),
        "validator_big/category (hukdis)": ("validator_big", {"category": "hukdis"}, "due"),
        "validator_big/age>7": ("validator_big", {"older_than_days": 7}, "due"),
        "validator_small": ("validator_small", {}, "due"),
        "validator_small/overdue": ("validator_small", {"overdue": True}, "due"),
        "bkpsdm": ("bkpsdm", {}, "due"),
        "bkpsdm/overdue": ("bkpsdm", {"overdue": True}, "due"),
        "bkpsdm/process": ("bkpsdm", {"process": KEY}, "due"),
        "bkpsdm/process (other)": ("bkpsdm", {"process": OTHER_KEY}, "due"),
        "bkpsdm/process+overdue": ("bkpsdm", {"process": KEY, "overdue": True}, "due"),
        "bkpsdm/category (golongan)": ("bkpsdm", {"category": "golongan"}, "due"),
        "bkpsdm/category (hukdis)": ("bkpsdm", {"category": "hukdis"}, "due"),
        "bkpsdm/opd (big)": ("bkpsdm", {"opd": big_opd}, "due"),
        "bkpsdm/opd (small)": ("bkpsdm", {"opd": small_opd}, "due"),
        "bkpsdm/age>3": ("bkpsdm", {"older_than_days": 3}, "due"),
        "bkpsdm/age>30+category": ("bkpsdm", {"older_than_days": 30, "category": "jabatan"}, "due"),
        "bkpsdm/claimed": ("bkpsdm", {"claimed_only": True}, "due"),
        "asn": ("asn", {}, "due"),
    }


def _server_times(engine, statement: str, parameters, repeat: int) -> dict:
    """The statement's execution time inside PostgreSQL (EXPLAIN ANALYZE), and its plan's top nodes."""
    times, plan = [], None
    with engine.connect() as connection:
        raw = connection.connection.driver_connection
        for _ in range(repeat):
            with raw.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + statement, parameters)
                result = cursor.fetchone()[0][0]
            times.append(result["Execution Time"])
            plan = result["Plan"]
        raw.rollback()
    stats = _stats(times)
    stats["plan"] = _plan_summary(plan)
    return stats


def _plan_summary(node: dict, depth: int = 0) -> list[str]:
    label = node["Node Type"] + (f" on {node['Relation Name']}" if "Relation Name" in node else "") + (
        f" using {node['Index Name']}" if "Index Name" in node else "")
    lines = ["  " * depth + label]
    for child in node.get("Plans", []):
        lines += _plan_summary(child, depth + 1)
    return lines


def _timed(call, repeat) -> list[float]:
    times = []
    for item in repeat:
        started = time.perf_counter()
        call(item)
        times.append((time.perf_counter() - started) * 1000)
    return times


def _stats(times: list[float]) -> dict:
    ordered = sorted(times)
    return {"p50": round(statistics.median(ordered), 2), "p95": round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 2),
            "max": round(ordered[-1], 2), "n": len(ordered)}


def _report(results: dict) -> None:
    base, pk = results["select_1"]["p50"], results["pk_lookup"]["p50"]
    print(f"\nOPD: {results['opd_sizes']}")
    print(f"\n{'jenis kueri':<26}{'baris':>7}{'p50 ms':>9}{'p95 ms':>9}{'srv p50':>9}{'srv p95':>9}"
          f"{'p50/SELECT1':>12}{'p50/PK':>8}")
    print(f"Beban mesin (load average 1/5/15 menit): {results['load']['loadavg']}")
    for name, stats in results.items():
        if name in ("opd_sizes", "load"):
            continue
        server = stats.get("server", {})
        print(f"{name:<26}{stats.get('rows', ''):>7}{stats['p50']:>9.2f}{stats['p95']:>9.2f}"
              f"{server.get('p50', float('nan')):>9.2f}{server.get('p95', float('nan')):>9.2f}"
              f"{stats['p50'] / base:>12.1f}{stats['p50'] / pk:>8.1f}")
    print("\nRencana (EXPLAIN):")
    for name, stats in results.items():
        if isinstance(stats, dict) and "server" in stats:
            print(f"  {name}: " + " / ".join(line.strip() for line in stats["server"]["plan"]))


if __name__ == "__main__":
    main()
