"""The timer sweep in a real Celery worker: timers that fell due while nothing ran fire once when the
worker sweeps; and the beat schedule carries the sweep at the configured interval."""
from __future__ import annotations

import uuid

import pytest
import time_machine
from sqlalchemy import select

from app import create_app
from app.config import ConfigError, load_settings
from app.extensions import db
from app.migrate import upgrade
from app.models import ProcessTimer, ValidationLateness
from app.services.organization import load_org_tree
from app.services.reference import load_reference
from tests import world as world_module
from tests.services import require_redis
from tests.timing import MONDAY_9_WIB, publish, start
from tests.workers import Worker, keep_shared_engine, postgres_schema, simasn_env, use_env  # noqa: F401
from worker import init_celery


def test_the_beat_schedule_sweeps_at_the_configured_interval(tmp_path, monkeypatch, keep_shared_engine):  # noqa: F811
    """Does SIMASN_TIMER_SWEEP_SECONDS set the sweep's beat interval, with stale sweeps expiring?"""
    use_env(monkeypatch, simasn_env(tmp_path, timer_sweep_seconds="7"))
    celery = init_celery(create_app())
    entry = celery.conf.beat_schedule["timer-sweep"]
    assert (entry["task"], entry["schedule"], entry["options"]["expires"]) == ("simasn.timers.sweep", 7.0, 7.0)
    assert "heartbeat" in celery.conf.beat_schedule
    celery.close()


@pytest.mark.parametrize("value, message", [("0", "minimal 1"), ("setengah", "bukan bilangan bulat")])
def test_a_bad_sweep_interval_stops_start_up_naming_the_variable(tmp_path, value, message):
    """Is a sweep interval that is not a positive whole number refused with the variable's name?"""
    with pytest.raises(ConfigError, match=f"SIMASN_TIMER_SWEEP_SECONDS: .*{message}"):
        load_settings(simasn_env(tmp_path, timer_sweep_seconds=value))


@pytest.mark.postgres
@pytest.mark.redis
def test_a_real_worker_fires_overdue_timers_once(tmp_path, monkeypatch, postgres_schema, keep_shared_engine):  # noqa: F811
    """A request started on 6 January 2025 and never swept: does the worker's sweep fire its reminder and
    escalation once (lateness recorded), and a second sweep nothing?"""
    redis = require_redis()
    env = simasn_env(tmp_path, database_url=postgres_schema, broker_url=redis, result_backend=redis)
    use_env(monkeypatch, env)
    flask_app = create_app()
    upgrade(flask_app.config["DATABASE_URL"])
    with flask_app.app_context():
        session = db.session()
        load_reference(session)
        load_org_tree(session)
        session.commit()
        built = world_module.build(session)
        with time_machine.travel(MONDAY_9_WIB, tick=False):  # the worker lives in the present, long after
            publish(session, tmp_path, "uji_tenggat")
            instance_id = start(session, built).id
        db.session.remove()
    queue = f"simasn-timers-{uuid.uuid4().hex}"
    worker = Worker(env, queue, tmp_path / "timer-worker.log")
    celery = init_celery(flask_app)
    try:
        first = worker.result(celery.send_task("simasn.timers.sweep", queue=queue))
        second = worker.result(celery.send_task("simasn.timers.sweep", queue=queue))
    finally:
        worker.stop()
        celery.close()
    assert (first["fired"], first["instances"], first["failed"]) == (2, 1, [])
    assert second["fired"] == 0
    with flask_app.app_context():
        session = db.session()
        statuses = session.scalars(select(ProcessTimer.status).where(ProcessTimer.instance_id == instance_id)).all()
        late = session.scalars(select(ValidationLateness).where(ValidationLateness.instance_id == instance_id)).all()
        db.session.remove()
    assert sorted(statuses) == ["fired", "fired"] and len(late) == 1
