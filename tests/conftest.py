"""Shared fixtures: one app per database backend (SQLite and the real PostgreSQL), each test in a
transaction that is rolled back, and a small, known world of OPDs, employees and accounts."""
from __future__ import annotations

import os
import re
import uuid

import pytest
from sqlalchemy import event, text

from app import create_app
from app.extensions import db, make_engine
from app.migrate import upgrade
from app.services.organization import load_org_tree
from app.services.reference import load_reference
from tests import world as world_module
from tests.services import require_postgres

BACKENDS = ["sqlite", "postgresql"]
PG_SCHEMA = f"simasn_test_{os.getpid()}"  # one per run: two suites at once do not collide


def _sqlite_savepoints(engine) -> None:
    # pysqlite's own transaction handling breaks SAVEPOINT; let SQLAlchemy emit BEGIN itself.
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN")


def _database_url(backend: str, tmp_path_factory) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'simasn-test.sqlite'}"
    base = require_postgres()
    engine = make_engine(base)
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {PG_SCHEMA}"))
    engine.dispose()
    return f"{base}?options=-csearch_path%3D{PG_SCHEMA}"


@pytest.fixture(scope="session", params=BACKENDS)
def app(request, tmp_path_factory):
    """A migrated database with reference data, the org tree and the test world, per backend."""
    url = _database_url(request.param, tmp_path_factory)
    instance = tmp_path_factory.mktemp("instance")
    upgrade(url)
    flask_app = create_app({"TESTING": True, "RATELIMIT_ENABLED": False}, database_url=url,
                           instance_path=instance, document_store=instance / "dokumen",
                           secret_key="t" * 40, demo_mode=False)
    if request.param == "sqlite":
        _sqlite_savepoints(db.engine)
    flask_app.config["BACKEND"] = request.param
    with flask_app.app_context():
        session = db.session()
        load_reference(session)
        load_org_tree(session)
        session.commit()
        flask_app.config["WORLD"] = world_module.build(session)
        db.session.remove()
    yield flask_app
    db.session.remove()
    if request.param == "postgresql":
        db.engine.dispose()
        _drop_schema()


def _drop_schema() -> None:
    engine = make_engine(require_postgres())
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE"))
    engine.dispose()


@pytest.fixture()
def dbs(app):
    """The scoped session, inside a transaction rolled back after the test.

    No app context stays pushed during the test: each request gets its own, as in production,
    so nothing (such as Flask-Login's cached user) leaks from one request to the next."""
    connection = db.engine.connect()
    outer = connection.begin()
    db.bind_session(connection)
    try:
        yield db.session()
    finally:
        db.session.remove()
        outer.rollback()
        connection.close()
        db.unbind_session()


@pytest.fixture()
def world(app, dbs):
    return app.config["WORLD"]


@pytest.fixture()
def client(app, dbs):
    return app.test_client()


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(client, path: str = "/masuk") -> str:
    page = client.get(path)
    match = CSRF.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client, username: str, password: str = world_module.PASSWORD):
    token = csrf_token(client)
    return client.post("/masuk", data={"username": username, "password": password, "csrf_token": token})


@pytest.fixture()
def login_as(client):
    def _login(username: str):
        response = login(client, username)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return client
    return _login


def unique(prefix: str = "") -> str:
    return f"{prefix}{uuid.uuid4().hex[:8]}"


def pytest_terminal_summary(terminalreporter):
    """Say how many tests ran against each real service, so a CI log shows they were not skipped."""
    passed = terminalreporter.stats.get("passed", [])
    groups = {
        "SQLite": lambda r: "[sqlite" in r.nodeid,
        "PostgreSQL": lambda r: "[postgresql" in r.nodeid or "postgres" in r.keywords,
        "Redis/Celery": lambda r: "redis" in r.keywords or "celery" in r.nodeid,
        "Chromium": lambda r: "browser" in r.keywords,
    }
    counts = ", ".join(f"{name}: {sum(1 for r in passed if match(r))}" for name, match in groups.items())
    terminalreporter.write_line(f"Uji yang lulus per layanan nyata — {counts}")
