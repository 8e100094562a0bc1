"""Benchmark: 10 000 timers falling due at once on PostgreSQL, fired by real Celery worker processes.

    nice .venv/bin/python bench/bench_timers.py [--count 10000] [--interval 30] [--workers 2] [--beats 1]

The database named in --url is DROPPED and recreated (migrations, reference tables, org tree, the test
world of tests/world.py, the fixture `tests/data/bpmn/uji_batas_waktu.bpmn`). A private redis-server on a
free loopback port is the broker. Then:

1. `--workers` Celery workers (`celery -A worker.main worker --pool prefork --concurrency 1`, as in
   production) and `--beats` beats (`SIMASN_TIMER_SWEEP_SECONDS=--interval`) start and boot.
2. Due moment D = now + `--lead` s. One instance is started through the engine at D − 1 h (time moved
   with time_machine), so its deadline `jam(1)` is due at D, and cloned `--count` − 1 times in one bulk
   INSERT … SELECT (tests/timer_fleet.py). Firing one = one transaction: restore the workflow, the
   deadline interrupts the validator's task, `record_lateness` writes the OPD's lateness, `notify` tells
   BKPSDM, BKPSDM gets the task, mirror, timeline, hash-chained audit event, COMMIT.
3. Waits until every timer is fired, stops the processes, and checks from the database that each fired
   exactly once (tests/timer_fleet.outcome: one fired timer, lateness row, notice, escalated task,
   timeline and audit event, one step, per instance).
4. Reports lateness = fired_at − due_at (p50/p95/p99/max) against the target (interval + 2 s), the
   throughput (timers/s between the first and the last firing), and what each worker reported.

Baselines from the same run, on the same machine and database:
  bare     SpiffWorkflow 3.2 alone firing the same deadline: deserialize_json (spec embedded) ->
           refresh_timers -> do_engine_steps (stock PythonScriptEngine, service tasks answered by a
           no-op) -> serialize_json, from one stored state that is due.
  runtime  our app.engine layer (no database): state.deserialize -> fire_due_timers -> serialize.
  service  `timers.fire_due_timers` in this process, no Celery, over --service-count due clones.
  empty    one sweep (`timers.fire_due_timers`) with nothing due.
The floor for --count timers on C cores is count × bare / C: what SpiffWorkflow alone would need.
"""
from __future__ import annotations

import argparse
import ast
import json
import os
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import time_machine  # noqa: E402
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment  # noqa: E402
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer  # noqa: E402
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow  # noqa: E402
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser  # noqa: E402
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG  # noqa: E402
from sqlalchemy import select, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from app.engine import runtime  # noqa: E402
from app.engine.functions import build_functions  # noqa: E402
from app.engine.script_engine import SafeScriptEngine  # noqa: E402
from app.extensions import make_engine  # noqa: E402
from app.migrate import upgrade  # noqa: E402
from app.models import ProcessInstance, ProcessTimer, ProcessVersion  # noqa: E402
from app.services import definitions, operators, timers  # noqa: E402
from benchdb import fresh_database  # noqa: E402
from tests.smtp import free_port  # noqa: E402
from tests.timer_fleet import DEADLINE_KEY, clone, fired_count, outcome, seed, start_waiting  # noqa: E402
from tests.workers import Beat, OwnRedis, Worker, simasn_env  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/simasn_bench_timers"
BPMN = ROOT / "tests" / "data" / "bpmn" / f"{DEADLINE_KEY}.bpmn"
BOOT_LIMIT = 120  # seconds for the worker processes to report ready
TICKS = os.sysconf("SC_CLK_TCK")
SWEEP_RESULT = re.compile(r"Task simasn\.timers\.\w+\[[^\]]+\] succeeded in [\d.]+s: (\{.*\})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--interval", type=int, default=30, help="SIMASN_TIMER_SWEEP_SECONDS")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (one Celery worker each)")
    parser.add_argument("--beats", type=int, default=1)
    parser.add_argument("--lead", type=float, default=40.0,
                        help="seconds from the setup to the due moment (more than --interval: a beat sweep then "
                             "sees the timers coming and books a sweep at their second)")
    parser.add_argument("--limit", type=float, default=3600.0, help="give up after this many seconds")
    parser.add_argument("--service-count", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=200, help="bare/runtime/empty: repetitions")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="simasn-bench-timers-"))
    load = {"before": os.getloadavg()}

    url = fresh_database(args.url)
    upgrade(url)
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        world = seed(session, folder, keys=(DEADLINE_KEY,))
    redis = OwnRedis(free_port(), folder / "redis.log").start()
    env = simasn_env(folder, database_url=url, broker_url=redis.url, result_backend=redis.url,
                     timer_sweep_seconds=str(args.interval))
    try:
        run = _run(engine, world, env, folder, args)
    finally:
        redis.stop()
    load["after"] = os.getloadavg()
    with Session(engine, expire_on_commit=False) as session:
        run["outcome"] = outcome(session)
    baselines = _baselines(engine, world, args)
    _report(args, run, baselines, load, folder)
    if args.json:
        Path(args.json).write_text(json.dumps({"run": run, "baselines": baselines, "load": load,
                                               "args": vars(args)}, indent=2, default=str))


# --- the run with real processes ------------------------------------------------------------------

def _run(engine, world: dict, env: dict, folder: Path, args) -> dict:
    processes = [Worker(env, "celery", folder / f"worker-{n}.log", pool="prefork", name=f"w{n}")
                 for n in range(1, args.workers + 1)]
    processes += [Beat(env, folder / f"beat-{n}.log") for n in range(1, args.beats + 1)]
    try:
        _wait(lambda: all("ready." in p.log.read_text() for p in processes[:args.workers]), BOOT_LIMIT, processes)
        due = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=args.lead)
        with Session(engine, expire_on_commit=False) as session:
            (template,) = start_waiting(session, world, 1, at=due - timedelta(hours=1))
            clone(session, template, args.count - 1)
        ready = datetime.now(UTC)
        print(f"{args.count} timer siap {(due - ready).total_seconds():.1f} s sebelum jatuh tempo", flush=True)
        cpu_before = _cpu(engine, processes[:args.workers])

        def done() -> bool:
            with Session(engine) as session:
                return fired_count(session) >= args.count

        _wait(done, args.limit, processes)
        cpu = {side: round(_cpu(engine, processes[:args.workers])[side] - cpu_before[side], 1)
               for side in cpu_before}
    finally:
        for process in processes:
            process.stop()
    run = _lateness(engine, due.replace(tzinfo=None))
    run["cpu_s"] = cpu
    run["setup_margin_s"] = round((due - ready).total_seconds(), 2)
    run["reported"] = {p.log.name: _reported(p.log.read_text()) for p in processes[:args.workers]}
    return run


def _cpu(engine, workers: list) -> dict:
    """CPU seconds used so far by the workers' process groups (main and pool processes) and by the
    PostgreSQL backends connected to the benchmark database (from /proc: this machine runs both)."""
    with Session(engine) as session:
        backends = set(session.scalars(text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                                            " AND pid <> pg_backend_pid()")))
    groups = {w.process.pid for w in workers}
    totals = {"workers": 0.0, "postgres": 0.0}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, group, used = int(stat.parent.name), int(fields[2]), (int(fields[11]) + int(fields[12])) / TICKS
        if group in groups:
            totals["workers"] += used
        elif pid in backends:
            totals["postgres"] += used
    return totals


def _wait(condition, limit: float, processes: list) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        dead = [p.log.name for p in processes if not p.alive()]
        if dead or time.monotonic() > deadline:
            logs = "\n".join(f"--- {p.log}\n{p.output()}" for p in processes)
            raise SystemExit(f"{'exited: ' + ', '.join(dead) if dead else f'not within {limit:.0f}s'}\n{logs}")
        time.sleep(0.5)


def _lateness(engine, due: datetime) -> dict:
    with Session(engine) as session:
        rows = session.execute(select(ProcessTimer.due_at, ProcessTimer.fired_at)
                               .where(ProcessTimer.status == "fired")).all()
    late = sorted((fired - due_at).total_seconds() for due_at, fired in rows)
    first, last = min(f for _, f in rows), max(f for _, f in rows)
    spread = (last - first).total_seconds()
    return {"fired": len(rows), "lateness_s": _percentiles(late),
            "first_fired_after_due_s": round((first - due).total_seconds(), 2),
            "last_fired_after_due_s": round((last - due).total_seconds(), 2),
            "throughput_per_s": round(len(rows) / spread, 1) if spread else None}


def _reported(log: str) -> dict:
    """Sum of what one worker's sweeps returned (the task results in its log)."""
    totals = {"sweeps": 0, "fired": 0, "instances": 0, "skipped": 0}
    for match in SWEEP_RESULT.finditer(log):
        result = ast.literal_eval(match.group(1))
        totals["sweeps"] += 1
        for key in ("fired", "instances", "skipped"):
            totals[key] += result.get(key, 0)
    return totals


def _percentiles(values: list[float]) -> dict:
    def at(q: float) -> float:
        return round(values[min(len(values) - 1, int(q * len(values)))], 2)
    return {"p50": at(0.50), "p95": at(0.95), "p99": at(0.99), "max": round(values[-1], 2), "n": len(values)}


# --- baselines measured in the same run ----------------------------------------------------------

class _BareEngine(PythonScriptEngine):
    """Stock engine (Python `eval`) with the diagram's functions (`jam`); service tasks do nothing."""

    def __init__(self) -> None:
        super().__init__(environment=TaskDataEnvironment(build_functions()))

    def call_service(self, task, **kwargs):
        return "{}"


def _bare_fire_ms(repeat: int, data: dict) -> list[float]:
    parser = SpiffBpmnParser()
    parser.add_bpmn_file(str(BPMN))
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
    engine = _BareEngine()
    with time_machine.travel(datetime.now(UTC) - timedelta(hours=2), tick=False):
        workflow = BpmnWorkflow(parser.get_spec(DEADLINE_KEY), parser.get_subprocess_specs(DEADLINE_KEY),
                                script_engine=engine)
        workflow.task_tree.data.update(data)
        workflow.do_engine_steps()
        state = serializer.serialize_json(workflow)

    def fire() -> None:
        restored = serializer.deserialize_json(state)
        restored.script_engine = engine
        restored.refresh_timers()
        restored.do_engine_steps()
        serializer.serialize_json(restored)

    return _timed(fire, repeat)


def _runtime_fire_ms(session: Session, instance_id: int, repeat: int) -> list[float]:
    instance = session.get(ProcessInstance, instance_id)
    specs = definitions.compiled(session.get(ProcessVersion, instance.version_id)).specs
    noop = {name: (lambda params, context: {}) for name in operators.operator_names()}
    engine = SafeScriptEngine(operators=noop)
    state = json.dumps(instance.state)

    def fire() -> None:
        workflow = runtime.deserialize(specs, state, engine)
        runtime.fire_due_timers(workflow)
        runtime.serialize(workflow)

    return _timed(fire, repeat)


def _baselines(engine, world: dict, args) -> dict:
    with Session(engine, expire_on_commit=False) as session:
        empty = _timed(lambda: timers.fire_due_timers(session), args.repeat)
        (template,) = start_waiting(session, world, 1, at=datetime.now(UTC) - timedelta(hours=2))
        runtime_ms = _runtime_fire_ms(session, template, args.repeat)
        clone(session, template, args.service_count - 1)
        started = time.perf_counter()
        result = timers.fire_due_timers(session)
        service_ms = (time.perf_counter() - started) * 1000 / max(1, result.instances)
    bare_ms = _bare_fire_ms(args.repeat, {"opd": "OPD-DINKES", "pegawai_id": world["employees"]["dinkes"]})
    return {"bare_ms": _summary(bare_ms), "runtime_ms": _summary(runtime_ms), "empty_sweep_ms": _summary(empty),
            "service_ms_per_instance": round(service_ms, 2), "service_fired": result.fired}


def _timed(call, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return times


def _summary(times: list[float]) -> dict:
    ordered = sorted(times)
    return {"p50": round(statistics.median(ordered), 2), "p95": round(ordered[int(len(ordered) * 0.95) - 1], 2)}


# --- report ---------------------------------------------------------------------------------------

def _report(args, run: dict, baselines: dict, load: dict, folder: Path) -> None:
    late, cores = run["lateness_s"], os.cpu_count() or 1
    target = args.interval + 2
    floor_s = args.count * baselines["bare_ms"]["p50"] / 1000 / min(cores, args.workers)
    once = all(histogram == {1: args.count} for name, histogram in run["outcome"].items() if name != "steps (lock_version)")
    print(f"\n{args.count} timer, {args.workers} worker, {args.beats} beat, sapuan tiap {args.interval} s "
          f"(log: {folder}); load average {load['before']} -> {load['after']}")
    print(f"semua menyala tepat sekali: {once} {json.dumps(run['outcome'])}")
    print(f"keterlambatan (fired - due) s: p50 {late['p50']}  p95 {late['p95']}  p99 {late['p99']}  max {late['max']}"
          f"  | target p99 <= {target} s: {'TERCAPAI' if late['p99'] <= target else 'TIDAK tercapai'}")
    print(f"pertama menyala {run['first_fired_after_due_s']} s, terakhir {run['last_fired_after_due_s']} s setelah "
          f"jatuh tempo; throughput {run['throughput_per_s']} timer/s; laporan worker: {json.dumps(run['reported'])}")
    print(f"baseline (ms): bare SpiffWorkflow {baselines['bare_ms']}, runtime {baselines['runtime_ms']}, "
          f"service dalam proses {baselines['service_ms_per_instance']} per instans, sapuan kosong "
          f"{baselines['empty_sweep_ms']}")
    cpu_ms = {side: round(seconds * 1000 / args.count, 2) for side, seconds in run["cpu_s"].items()}
    alone = args.count * sum(cpu_ms.values()) / 1000 / cores
    print(f"lantai bare SpiffWorkflow untuk {args.count} timer pada {min(cores, args.workers)} inti: {floor_s:.1f} s; "
          f"throughput / (worker / service): "
          f"{run['throughput_per_s'] / (args.workers * 1000 / baselines['service_ms_per_instance']):.2f}")
    print(f"CPU per timer (ms): worker {cpu_ms['workers']}, PostgreSQL {cpu_ms['postgres']} -> {args.count} timer "
          f"butuh >= {alone:.0f} s CPU pada {cores} inti bila mesin tidak dipakai proses lain")


if __name__ == "__main__":
    main()
