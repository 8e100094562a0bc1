"""Fault: Redis (the broker) stops. Signing in and completing a task in the web still succeed and the email is
kept in the outbox; once Redis is back, a real Celery worker's sweep delivers it exactly once.

The test starts its own redis-server on a free loopback port and stops only that one."""
from __future__ import annotations

import os
import re

import pytest
from sqlalchemy import select

from app import create_app
from app.extensions import db
from app.migrate import upgrade
from app.models import OutboxMessage, User
from app.services import outbox
from app.services.organization import load_org_tree
from app.services.reference import load_reference
from tests import world as world_module
from tests.conftest import login
from tests.integration.test_processes import inbox_of, publish, start
from tests.smtp import mail_server
from tests.workers import Worker, keep_shared_engine, own_redis, postgres_schema, simasn_env  # noqa: F401

SITI = "siti.nurhaliza@contoh.go.id"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'simasn.sqlite'}"
    return request.getfixturevalue("postgres_schema")


@pytest.fixture()
def fault_app(tmp_path, monkeypatch, keep_shared_engine, own_redis, database_url):  # noqa: F811
    """An app on its own database whose broker is `own_redis` and whose mail goes to an SMTP server here,
    with the test world and the usul_uji process; yields (app, worker environment, mail server)."""
    previous = outbox.configure(outbox.mail_settings())
    with mail_server() as smtp:
        env = simasn_env(tmp_path, database_url=database_url, broker_url=own_redis.url,
                         result_backend=own_redis.url, smtp_host="127.0.0.1", smtp_port=str(smtp.port),
                         base_url="https://simasn.tangerangkota.go.id")
        for key in [k for k in os.environ if k.startswith("SIMASN_")]:
            monkeypatch.delenv(key)
        for key, value in env.items():
            if key.startswith("SIMASN_"):
                monkeypatch.setenv(key, value)
        flask_app = create_app({"TESTING": True})
        upgrade(flask_app.config["DATABASE_URL"])
        flask_app.config["WORLD"] = _seed(flask_app, tmp_path)
        try:
            yield flask_app, env, smtp
        finally:
            outbox.configure(*previous)


def _seed(flask_app, tmp_path) -> dict:
    with flask_app.app_context():
        session = db.session()
        load_reference(session)
        load_org_tree(session)
        session.commit()
        world = world_module.build(session)
        session.get(User, world["users"]["asn.dinkes"]).email = SITI
        session.commit()
        publish(session, tmp_path)
        start(session, world)
        db.session.remove()
    return world


def _complete_validator_task(flask_app, client) -> int:
    """validator.dinkes (signed in on `client`) refuses the proposal through the task page; the HTTP status."""
    world = flask_app.config["WORLD"]
    with flask_app.app_context():
        (task,) = inbox_of(db.session(), world, "validator.dinkes")
        task_id = task.id
        db.session.remove()
    page = client.get(f"/tugas/{task_id}")
    assert page.status_code == 200
    fields = dict(re.findall(r'name="(expected_version|usulan|csrf_token)" value="([^"]*)"',
                             page.get_data(as_text=True)))
    response = client.post(f"/tugas/{task_id}", data={**fields, "keputusan": "tolak", "catatan": "Bukti tidak terbaca"})
    return response.status_code


def _outbox(flask_app) -> list[tuple[str, str]]:
    with flask_app.app_context():
        rows = db.session().execute(select(OutboxMessage.status, OutboxMessage.recipient)).all()
        db.session.remove()
    return [tuple(row) for row in rows]


@pytest.mark.redis
def test_web_keeps_working_without_redis_and_the_outbox_is_delivered_once_it_is_back(tmp_path, own_redis,  # noqa: F811
                                                                                      fault_app):
    """With the broker stopped, do signing in and completing a task succeed with the email pending in the
    outbox; and once Redis is back, does a real worker's sweep deliver it exactly once (a second sweep adds
    nothing)?"""
    flask_app, env, smtp = fault_app
    client = flask_app.test_client()
    assert login(client, "validator.dinkes").status_code == 302  # with Redis up (it keeps the login rate limit)
    own_redis.stop()
    assert _complete_validator_task(flask_app, client) == 302
    assert _outbox(flask_app) == [("pending", SITI)]
    assert login(flask_app.test_client(), "asn.dinkes").status_code == 302  # signing in still works, too
    own_redis.start()
    worker = Worker(env, "celery", tmp_path / "worker.log")
    try:
        from worker import init_celery

        celery = init_celery(flask_app)
        first = worker.result(celery.send_task("simasn.outbox.deliver"))
        second = worker.result(celery.send_task("simasn.outbox.deliver"))
        celery.close()
    finally:
        worker.stop()
    assert (first["sent"], second["sent"]) == (1, 0)
    (mail,) = smtp.received
    assert mail.recipients == [SITI] and mail.subject == "[SIMASN] Usulan ditolak"
    assert _outbox(flask_app) == [("sent", SITI)]
