"""Benchmark: one engine step of `usul_perubahan_data`, bare SpiffWorkflow vs our service, and its
growth with history (revision loops), on a fresh PostgreSQL database.

    .venv/bin/python bench/bench_engine.py [--loops 50] [--instances 4] [--url postgresql+psycopg://...]

The database named in --url is DROPPED and recreated (migrations, reference tables, org tree, the
small test world of tests/world.py, the shipped workflows/ and forms/): never point it at data you keep.

One "step" = one task completion including deserialize and serialize:
  bare     SpiffWorkflow 3.2 alone: BpmnWorkflowSerializer.deserialize_json (spec embedded) -> put the
           form data on the READY user task -> task.run() -> do_engine_steps() -> serialize_json.
           Stock PythonScriptEngine; service tasks (`notify`) are answered by a no-op call_service.
  runtime  app.engine (our serializer without the spec, SafeScriptEngine, no-op operators), no database.
  service  app.services.processes.complete_task on PostgreSQL: lock, load, validate the form,
           deserialize, complete, run on (real operators: notify writes notifications), mirror the
           human tasks, timeline, audit, serialize, commit.
  floor    the same number of SQL statements as a service step, as one bare PostgreSQL transaction:
           SELECT … FOR UPDATE of one row, single-row INSERTs, an UPDATE writing a state-sized JSON,
           COMMIT (what one durable step with that many round trips costs here, with no Python around it).
A revision loop = validator "kembalikan" on "Periksa usulan" + ASN resubmits "Perbaiki usulan".
The service sessions are configured as the app's (`expire_on_commit=False`), so the acting user's
roles stay loaded between steps as they do within a request. SQL statements per step are counted
with SQLAlchemy cursor events. Ratios are between numbers measured in this same run.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from copy import deepcopy
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment  # noqa: E402
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer  # noqa: E402
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow  # noqa: E402
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser  # noqa: E402
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG  # noqa: E402
from SpiffWorkflow.util.task import TaskState  # noqa: E402
from sqlalchemy import event, select, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from app.engine import runtime  # noqa: E402
from app.engine.functions import build_functions  # noqa: E402
from app.engine.script_engine import SafeScriptEngine  # noqa: E402
from app.extensions import make_engine  # noqa: E402
from app.migrate import upgrade  # noqa: E402
from app.models import HumanTask, ProcessInstance, User  # noqa: E402
from app.services import definitions, operators, processes  # noqa: E402
from app.services.audit import SYSTEM, Actor  # noqa: E402
from app.services.change_requests import form_for  # noqa: E402
from app.services.documents import store_upload  # noqa: E402
from app.services.organization import load_org_tree  # noqa: E402
from app.services.reference import load_reference  # noqa: E402
from benchdb import fresh_database  # noqa: E402
from tests import world as world_module  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/simasn_bench_engine"
KEY = "usul_perubahan_data"
BPMN = ROOT / "workflows" / f"{KEY}.bpmn"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"
USULAN = {"golongan_id": "32", "jenis_kp_id": "101", "tmt_golongan": "2030-04-01", "masa_kerja_tahun": 4,
          "sk_nomor": "800/Kep.12-BKPSDM/2030", "sk_tanggal": "2030-03-01"}
RETURN = {"keputusan": "kembalikan", "catatan": "Nomor SK salah"}


# --- bare SpiffWorkflow ---------------------------------------------------------------------

class _BareEngine(PythonScriptEngine):
    """Stock engine (Python `eval`) with the diagram's timer functions (`hari_kerja`, ...); the service
    tasks (`notify`) do nothing and return an empty JSON object."""

    def __init__(self) -> None:
        super().__init__(environment=TaskDataEnvironment(build_functions()))

    def call_service(self, task, **kwargs):
        return "{}"


class Bare:
    def __init__(self) -> None:
        parser = SpiffBpmnParser()
        parser.add_bpmn_file(str(BPMN))
        self.spec = parser.get_spec(KEY)
        self.subprocesses = parser.get_subprocess_specs(KEY)
        self.serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
        self.engine = _BareEngine()

    def start(self, data: dict) -> str:
        workflow = BpmnWorkflow(self.spec, self.subprocesses, script_engine=self.engine)
        workflow.task_tree.data.update(deepcopy(data))
        workflow.do_engine_steps()
        return self.serializer.serialize_json(workflow)

    def step(self, state: str, data: dict) -> str:
        workflow = self.serializer.deserialize_json(state)
        workflow.script_engine = self.engine
        (task,) = workflow.get_tasks(state=TaskState.READY, manual=True)
        task.data.update(deepcopy(data))
        task.run()
        workflow.do_engine_steps()
        return self.serializer.serialize_json(workflow)

    def split(self, state: str) -> dict:
        """Sizes and deserialize times of the whole JSON and of its spec part."""
        dct = json.loads(state)
        spec_part = {"spec": dct.get("spec"), "subprocess_specs": dct.get("subprocess_specs")}
        return {"bytes": len(state.encode()), "spec_bytes": len(json.dumps(spec_part).encode()),
                "deserialize_ms": _median_ms(lambda: self.serializer.deserialize_json(state), 10)}


# --- our engine layer without the database --------------------------------------------------

class Runtime:
    def __init__(self, specs) -> None:
        self.specs = specs
        noop = {name: (lambda params, context: {}) for name in operators.operator_names()}
        self.engine = SafeScriptEngine(operators=noop)

    def start(self, data: dict) -> str:
        return runtime.serialize(runtime.start_workflow(self.specs, self.engine, data))

    def step(self, state: str, data: dict) -> str:
        workflow = runtime.deserialize(self.specs, state, self.engine)
        (view,) = runtime.ready_user_tasks(workflow)
        runtime.complete_user_task(workflow, view.task_id, data)
        runtime.ready_user_tasks(workflow)
        return runtime.serialize(workflow)


# --- driving -------------------------------------------------------------------------------

def _start_data(world_employee: int, opd: str, bukti: dict, form_id: str) -> dict:
    return {"pegawai_id": world_employee, "opd": opd, "jenis": "riwayat_golongan", "operasi": "tambah",
            "record_id": None, "usulan": dict(USULAN), "bukti": bukti, "alasan": "Sesuai SK terlampir",
            "form_id": form_id, "dimulai_oleh": "asn"}


def _revision(bukti: dict, loop: int) -> dict:
    """What the ASN posts (flat form) and what the workflow stores (formResultVariable shape)."""
    posted = {**USULAN, "sk_nomor": f"800/Kep.{loop}-BKPSDM/2030", "bukti": bukti, "alasan": f"Perbaikan {loop}"}
    shaped = {"bukti": bukti, "alasan": posted["alasan"],
              "usulan": {k: v for k, v in posted.items() if k not in ("bukti", "alasan")}}
    return {"posted": posted, "shaped": shaped}


def drive_plain(kind, start_data: dict, loops: int, instances: int, bukti: dict, repeat: int) -> dict:
    """Bare / runtime: per-loop step times over `instances` instances, plus `repeat` re-runs from the
    states at loop 0, 10 and `loops` (same state each time, so the history is fixed)."""
    per_loop: dict[int, list[float]] = {}
    states: dict[int, str] = {}
    for i in range(instances):
        state = kind.start(start_data)
        for loop in range(loops + 1):
            if i == 0 and loop in (0, min(10, loops), loops):
                states[loop] = state
            if loop == loops:
                break
            t0 = time.perf_counter()
            state = kind.step(state, RETURN)
            t1 = time.perf_counter()
            state = kind.step(state, _revision(bukti, loop)["shaped"])
            t2 = time.perf_counter()
            per_loop.setdefault(loop, []).extend([(t1 - t0) * 1000, (t2 - t1) * 1000])
    fixed = {}
    for loop, state in states.items():
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            kind.step(kind.step(state, RETURN), _revision(bukti, loop)["shaped"])
            times.append((time.perf_counter() - t0) * 1000 / 2)
        fixed[loop] = times
    return {"per_loop": per_loop, "states": states, "fixed": fixed}


def drive_service(engine, world: dict, loops: int, instances: int, fresh: int, bukti: dict, pair=None) -> dict:
    """Service: `fresh` instances for one loop each, and `instances` instances for `loops`+3 loops.

    `pair(loop, statements)`, if given, runs right after each measured service step (loop 0 and loops
    `loops`..`loops`+2) and returns the times of the other kinds taken at that moment, so that ratios
    compare steps measured under the same machine load."""
    per_loop: dict[int, list[float]] = {}
    pairs: list[dict] = []
    statements: dict[int, list[int]] = {}
    sizes: dict[int, int] = {}
    growth_ids = []
    counter = _StatementCounter(engine)
    for i in range(fresh + instances):
        long = i >= fresh
        with Session(engine, expire_on_commit=False) as session:
            asn = session.get(User, world["users"]["asn.dinkes"])
            validator = session.get(User, world["users"]["validator.dinkes"])
            employee_id = world["employees"]["dinkes"]
            form_id = form_for("riwayat_golongan", world_module.employee(session, world, "dinkes"), "tambah")
            data = {k: v for k, v in _start_data(employee_id, None, bukti, form_id).items()
                    if k not in ("pegawai_id", "opd")}
            instance = processes.start(session, asn, _actor(asn), KEY, subject_employee_id=employee_id, data=data)
            instance_id = instance.id
            if long:
                growth_ids.append(instance_id)
            for loop in range(loops + 3 if long else 1):
                if long and len(growth_ids) == 1 and loop in (0, min(10, loops), loops):
                    state = session.scalar(select(ProcessInstance.state).where(ProcessInstance.id == instance_id))
                    sizes[loop] = len(json.dumps(state).encode())
                for user, payload in ((validator, RETURN), (asn, _revision(bukti, loop)["posted"])):
                    task_id = session.scalar(select(HumanTask.id).where(HumanTask.instance_id == instance_id))
                    counter.count = 0
                    t0 = time.perf_counter()
                    processes.complete_task(session, user, _actor(user), task_id, payload)
                    elapsed = (time.perf_counter() - t0) * 1000
                    per_loop.setdefault(loop, []).append(elapsed)
                    statements.setdefault(loop, []).append(counter.count)
                    if pair is not None and (loop == 0 and not long or long and loop >= loops):
                        pairs.append({"window": "fresh" if loop == 0 else "grown", "service": elapsed,
                                      **pair(0 if loop == 0 else loops, counter.count)})
    counter.remove()
    return {"per_loop": per_loop, "sizes": sizes, "growth_ids": growth_ids, "statements": statements,
            "pairs": pairs}


class Pairing:
    """The other kinds' steps, timed right after a service step: bare and runtime from the stored state
    of the same loop, and a floor transaction with the service step's statement count."""

    def __init__(self, engine, plain: dict, bukti: dict, state_bytes: int) -> None:
        self.plain, self.bukti = plain, bukti
        self.connection = engine.connect()
        self.payload = json.dumps({"x": "y" * max(0, state_bytes - 10)})
        self.connection.exec_driver_sql("DROP TABLE IF EXISTS bench_floor")
        self.connection.exec_driver_sql("CREATE TABLE bench_floor (id serial PRIMARY KEY, v json)")
        self.connection.exec_driver_sql("INSERT INTO bench_floor (v) VALUES ('{}')")
        self.connection.commit()

    def __call__(self, loop: int, statements: int) -> dict:
        times = {}
        for name, (kind, states) in self.plain.items():
            t0 = time.perf_counter()
            kind.step(states[loop], RETURN)
            times[name] = (time.perf_counter() - t0) * 1000
        times["floor"] = self._floor(statements)
        return times

    def _floor(self, statements: int) -> float:
        t0 = time.perf_counter()
        self.connection.exec_driver_sql("SELECT id FROM bench_floor WHERE id = 1 FOR UPDATE")
        for _ in range(statements - 3):
            self.connection.exec_driver_sql("INSERT INTO bench_floor (v) VALUES ('{}')")
        self.connection.exec_driver_sql("UPDATE bench_floor SET v = %(v)s WHERE id = 1", {"v": self.payload})
        self.connection.commit()
        return (time.perf_counter() - t0) * 1000

    def close(self) -> None:
        self.connection.exec_driver_sql("DROP TABLE bench_floor")
        self.connection.commit()
        self.connection.close()


def paired_report(pairs: list[dict]) -> dict:
    """Medians per window and the median of the per-pair ratios."""
    out = {}
    for window in ("fresh", "grown"):
        rows = [p for p in pairs if p["window"] == window]
        if not rows:
            continue
        out[window] = {name: round(statistics.median(p[name] for p in rows), 2)
                       for name in ("service", "bare", "runtime", "floor")}
        out[window]["service/bare"] = round(statistics.median(p["service"] / p["bare"] for p in rows), 2)
        out[window]["service/floor"] = round(statistics.median(p["service"] / p["floor"] for p in rows), 2)
        out[window]["floor/bare"] = round(statistics.median(p["floor"] / p["bare"] for p in rows), 2)
        out[window]["n"] = len(rows)
    if "fresh" in out and "grown" in out:
        out["growth"] = {name: round(out["grown"][name] / out["fresh"][name], 2)
                         for name in ("service", "bare", "runtime")}
    return out


class _StatementCounter:
    """Counts what a step sends to the server: every cursor execute, and the COMMIT."""

    def __init__(self, engine) -> None:
        self.engine, self.count = engine, 0
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine, "commit", self._commit)

    def _statement(self, *args) -> None:
        self.count += 1

    def _commit(self, *args) -> None:
        self.count += 1

    def remove(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._statement)
        event.remove(self.engine, "commit", self._commit)


def floor(engine, statements: int, state_bytes: int, repeat: int) -> list[float]:
    """One bare transaction per step with `statements` round trips (COMMIT included), no ORM."""
    payload = json.dumps({"x": "y" * max(0, state_bytes - 10)})
    with engine.connect() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS bench_floor")
        connection.exec_driver_sql("CREATE TABLE bench_floor (id serial PRIMARY KEY, v json)")
        connection.exec_driver_sql("INSERT INTO bench_floor (v) VALUES ('{}')")
        connection.commit()
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            connection.exec_driver_sql("SELECT id FROM bench_floor WHERE id = 1 FOR UPDATE")
            for _ in range(statements - 3):
                connection.exec_driver_sql("INSERT INTO bench_floor (v) VALUES ('{}')")
            connection.exec_driver_sql("UPDATE bench_floor SET v = %(v)s WHERE id = 1", {"v": payload})
            connection.commit()
            times.append((time.perf_counter() - t0) * 1000)
        connection.exec_driver_sql("DROP TABLE bench_floor")
        connection.commit()
    return times


def breakdown(engine, instance_id: int, specs) -> dict:
    """Where a step's engine time goes for the instance's current stored state."""
    with Session(engine) as session:
        state = session.scalar(select(ProcessInstance.state).where(ProcessInstance.id == instance_id))
        version_id = session.scalar(select(ProcessInstance.version_id).where(ProcessInstance.id == instance_id))
    script_engine = SafeScriptEngine(operators={})
    text_state = json.dumps(state)
    workflow = runtime.deserialize(specs, state, script_engine)
    with engine.connect() as connection:
        fetch = _median_ms(lambda: connection.execute(
            text("SELECT state FROM process_instances WHERE id = :i"), {"i": instance_id}).scalar(), 20)
        connection.rollback()
    return {
        "state_bytes": len(text_state.encode()), "tasks": len(workflow.tasks), "version_id": version_id,
        "fetch_jsonb_ms": fetch,
        "deserialize_ms": _median_ms(lambda: runtime.deserialize(specs, state, script_engine), 20),
        "serialize_ms": _median_ms(lambda: runtime.serialize(workflow), 20),
        "ready_user_tasks_ms": _median_ms(lambda: runtime.ready_user_tasks(workflow), 20),
        "json_dumps_loads_ms": _median_ms(lambda: json.loads(json.dumps(state)), 20),
    }


# --- setup ---------------------------------------------------------------------------------

def _setup(url: str, store_dir: Path):
    upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session:
        load_reference(session)
        load_org_tree(session)
        session.commit()
        world = world_module.build(session)
        # only this process (other shipped diagrams may be work in progress): as load_shipped does for one file
        candidate = definitions._candidate(BPMN, ROOT / "forms", operators.operator_names())
        definitions.publish(session, SYSTEM, candidate.xml, candidate.loaded, candidate.forms)
        session.commit()
        version = definitions.require_latest(session, KEY)
        spec_bytes = len(json.dumps(version.spec).encode())
        specs = definitions.specs_for(version)
        asn = session.get(User, world["users"]["asn.dinkes"])
        document = store_upload(session, store_dir, PDF, "bukti.pdf", asn.id)
        session.commit()
        bukti = {"document_id": document.id}
        employee = world_module.employee(session, world, "dinkes")
        form_id = form_for("riwayat_golongan", employee, "tambah")
        start_data = _start_data(employee.id, employee.opd_id, bukti, form_id)
    return engine, world, specs, spec_bytes, bukti, start_data


def _actor(user: User) -> Actor:
    return Actor(user.id, user.display_name)


def _median_ms(call, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        call()
        times.append((time.perf_counter() - t0) * 1000)
    return round(statistics.median(times), 2)


def _stats(times: list[float]) -> dict:
    ordered = sorted(times)
    return {"p50": round(statistics.median(ordered), 2), "mean": round(statistics.fmean(ordered), 2),
            "p95": round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 2), "n": len(ordered)}


def _window(per_loop: dict[int, list[float]], first: int, last: int) -> list[float]:
    return [t for loop in range(first, last + 1) for t in per_loop.get(loop, [])]


# --- main ----------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--loops", type=int, default=50)
    parser.add_argument("--instances", type=int, default=4, help="instances driven through --loops loops")
    parser.add_argument("--fresh", type=int, default=30, help="service: fresh instances for the first step")
    parser.add_argument("--repeat", type=int, default=30, help="bare/runtime: re-runs from a fixed state")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()
    loops = args.loops

    engine, world, specs, version_spec_bytes, bukti, start_data = _setup(
        fresh_database(args.url), Path(tempfile.mkdtemp(prefix="simasn-bench-")))

    bare = Bare()
    runtime_kind = Runtime(specs)
    plain = {"bare": drive_plain(bare, start_data, loops, args.instances, bukti, args.repeat),
             "runtime": drive_plain(runtime_kind, start_data, loops, args.instances, bukti, args.repeat)}
    pairing = Pairing(engine, {"bare": (bare, plain["bare"]["states"]),
                               "runtime": (runtime_kind, plain["runtime"]["states"])}, bukti,
                      len(plain["runtime"]["states"][0]))
    service = drive_service(engine, world, loops, args.instances, args.fresh, bukti, pairing)
    pairing.close()
    paired = paired_report(service["pairs"])
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))

    fresh_window, grown_window = (0, 0), (loops, loops + 2)
    rows = {}
    for name, result in plain.items():
        rows[name] = {"fresh": _stats(result["fixed"][0]), "loop10": _stats(result["fixed"][min(10, loops)]),
                      f"loop{loops}": _stats(result["fixed"][loops]),
                      "per_loop_fresh": _stats(_window(result["per_loop"], 0, 0)),
                      f"per_loop_{loops - 2}_{loops - 1}": _stats(_window(result["per_loop"], loops - 2, loops - 1))}
    rows["service"] = {"fresh": _stats(_window(service["per_loop"], *fresh_window)),
                       "loop10": _stats(_window(service["per_loop"], min(10, loops), min(10, loops))),
                       f"loop{loops}": _stats(_window(service["per_loop"], *grown_window))}
    counts = {"fresh": _stats(_window(service["statements"], *fresh_window)),
              f"loop{loops}": _stats(_window(service["statements"], *grown_window))}
    fresh_statements = round(counts["fresh"]["mean"])
    floor_times = floor(engine, fresh_statements, service["sizes"].get(0, 5000), args.repeat * 3)
    rows["floor"] = {"fresh": _stats(floor_times), "loop10": _stats(floor_times), f"loop{loops}": _stats(floor_times)}
    sizes = {"bare": {loop: len(s.encode()) for loop, s in plain["bare"]["states"].items()},
             "runtime": {loop: len(s.encode()) for loop, s in plain["runtime"]["states"].items()},
             "service": service["sizes"], "version_spec_bytes": version_spec_bytes}
    bare_split = {loop: bare.split(s) for loop, s in plain["bare"]["states"].items()}
    grown_id = service["growth_ids"][0]
    with Session(engine) as session:
        fresh_id = session.scalar(select(ProcessInstance.id).order_by(ProcessInstance.id).limit(1))
    parts = {"fresh": breakdown(engine, fresh_id, specs), f"loop{loops + 3}": breakdown(engine, grown_id, specs)}

    b, a = rows["service"]["fresh"]["p50"], rows["bare"]["fresh"]["p50"]
    print(f"\nSatu langkah (ms), {KEY}; bare/runtime: {args.repeat}x dari status tetap, service: "
          f"{args.fresh} instans baru (langkah 1-2) dan {args.instances} instans pada loop {loops}-{loops + 2}")
    print(f"{'':<10}{'fresh p50':>10}{'p95':>8}{'loop10 p50':>12}{f'loop{loops} p50':>12}{'p95':>8}{'growth':>8}")
    for name, row in rows.items():
        grown = row[f"loop{loops}"]
        print(f"{name:<10}{row['fresh']['p50']:>10.2f}{row['fresh']['p95']:>8.2f}{row['loop10']['p50']:>12.2f}"
              f"{grown['p50']:>12.2f}{grown['p95']:>8.2f}{grown['p50'] / row['fresh']['p50']:>8.2f}")
    print(f"\nservice/bare fresh (b/a): {b / a:.2f}x   service/runtime fresh: "
          f"{b / rows['runtime']['fresh']['p50']:.2f}x   floor ({fresh_statements} statements)/bare: "
          f"{rows['floor']['fresh']['p50'] / a:.2f}x   service/floor: {b / rows['floor']['fresh']['p50']:.2f}x")
    print(f"SQL statements per service step (COMMIT included): {json.dumps(counts)}")
    print(f"Paired (each kind timed right after each service step, same load): {json.dumps(paired)}")
    print(f"service loop{loops} / bare fresh: {rows['service'][f'loop{loops}']['p50'] / a:.2f}x   "
          f"service loop{loops} / bare loop{loops}: "
          f"{rows['service'][f'loop{loops}']['p50'] / rows['bare'][f'loop{loops}']['p50']:.2f}x")
    print("\nUkuran status tersimpan (byte):", json.dumps(sizes))
    print("Bare: ukuran/deserialize JSON utuh:", json.dumps(bare_split))
    print("Rincian service (status di basis data):", json.dumps(parts, indent=1))
    if args.json:
        Path(args.json).write_text(json.dumps({"rows": rows, "sizes": sizes, "bare_split": bare_split,
                                               "parts": parts, "b_over_a": round(b / a, 2), "statements": counts,
                                               "paired": paired,
                                               "load": os.getloadavg()}, indent=2))


if __name__ == "__main__":
    main()
