"""A real Celery worker (a subprocess started as in production) runs the task shims against the same
database as the caller: with Redis as broker, with the embedded SQLite broker, and on PostgreSQL."""
from __future__ import annotations

import os
import uuid
from datetime import date, datetime

import pytest

from app import create_app
from app.domain.identity import make_nik, make_nip
from app.extensions import db
from app.migrate import upgrade
from app.models import Employee
from app.services import system
from app.services.audit import SYSTEM, record
from tests.services import require_redis
from tests.workers import Worker, keep_shared_engine, postgres_schema, simasn_env  # noqa: F401  (fixtures)
from worker import init_celery

def employee(number: int) -> Employee:
    birth = date(1980 + number, 1 + number, 10)
    return Employee(nip=make_nip(birth, "M", number, tmt=date(2010, 3, 1)), nik=make_nik(36, 71, 1, birth, "M", number),
                    nama=f"Pegawai Uji {number}", nama_cari=f"pegawai uji {number}", tempat_lahir="Tangerang",
                    tanggal_lahir=birth, jenis_kelamin="M", agama_id="1", jenis_kawin_id="1", kind="PNS",
                    jenis_pegawai_id="1", kedudukan_hukum_id="01")


@pytest.fixture()
def roundtrip(tmp_path, monkeypatch, keep_shared_engine):  # noqa: F811
    """Run: migrate the database, start a worker, send the health and heartbeat tasks from here."""
    started: list[Worker] = []
    apps = []

    def _run(env: dict) -> tuple[dict, datetime, datetime | None]:
        for key in [k for k in os.environ if k.startswith("SIMASN_")]:
            monkeypatch.delenv(key)
        for key, value in env.items():
            if key.startswith("SIMASN_"):
                monkeypatch.setenv(key, value)
        flask_app = create_app()
        upgrade(flask_app.config["DATABASE_URL"])
        queue = f"simasn-test-{uuid.uuid4().hex}"
        started.append(Worker(env, queue, tmp_path / "worker.log"))
        _seed(flask_app)
        celery = init_celery(flask_app)
        apps.append(celery)
        worker = started[-1]
        health = worker.result(celery.send_task("simasn.health", queue=queue))
        beat = datetime.fromisoformat(worker.result(celery.send_task("simasn.heartbeat", queue=queue)))
        with flask_app.app_context():
            seen = system.last_heartbeat(db.session())
        return health, beat, seen

    yield _run
    for worker in started:
        worker.stop()
    for celery in apps:
        celery.close()


def _seed(flask_app) -> None:
    """Two employees and three audit events: numbers a worker on another database could not report."""
    with flask_app.app_context():
        session = db.session()
        session.add_all([employee(1), employee(2)])
        for number in range(3):
            record(session, SYSTEM, "uji.kejadian", "uji", number)
        session.commit()
        db.session.remove()


def assert_reached_same_database(outcome, dialect: str) -> None:
    health, beat, seen = outcome
    assert health == {"employees": 2, "audit_seq": 3, "dialect": dialect}
    assert seen == beat


@pytest.mark.redis
def test_roundtrip_through_redis(tmp_path, roundtrip):
    """With Redis as broker and result store, does a real worker answer from the caller's SQLite database,
    and is its heartbeat visible here?"""
    redis = require_redis()
    env = simasn_env(tmp_path, database_url=f"sqlite:///{tmp_path / 'simasn.sqlite'}", broker_url=redis,
                     result_backend=redis)
    assert_reached_same_database(roundtrip(env), "sqlite")


@pytest.mark.filterwarnings("ignore:The ``noload`` loader strategy:DeprecationWarning")  # inside kombu
def test_roundtrip_embedded_default(tmp_path, roundtrip):
    """With no broker configured (the embedded default: SQLite broker and results under instance/),
    does a real worker answer from the default database?"""
    outcome = roundtrip(simasn_env(tmp_path))
    assert_reached_same_database(outcome, "sqlite")
    assert {"simasn.sqlite", "broker.sqlite", "celery-results.sqlite"} <= {p.name for p in tmp_path.iterdir()}


@pytest.mark.postgres
@pytest.mark.redis
def test_roundtrip_on_postgresql(tmp_path, postgres_schema, roundtrip):  # noqa: F811
    """On PostgreSQL with a Redis broker, does the worker report the caller's data and dialect?"""
    redis = require_redis()
    env = simasn_env(tmp_path, database_url=postgres_schema, broker_url=redis, result_backend=redis)
    assert_reached_same_database(roundtrip(env), "postgresql")
