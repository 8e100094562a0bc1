"""The `simasn` command: set-up steps, configuration check, the demo guard, and audit verification
that names the first tampered or missing event (SQLite and the real PostgreSQL)."""
from __future__ import annotations

import os
import uuid

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from app.cli import main
from app.extensions import db, make_engine
from app.services.audit import SYSTEM, record
from tests.engines import preserved_shared_engine
from tests.services import require_postgres

SECRET = "c" * 40


@pytest.fixture(scope="module")
def keep_shared_engine():
    """The CLI points the shared engine at its own database; put the suite's engine back afterwards."""
    with preserved_shared_engine():
        yield


def cli_env(instance, database_url: str, **extra) -> dict:
    """Only our SIMASN_* variables: every other one the shell may have set is removed."""
    env = {key: None for key in os.environ if key.startswith("SIMASN_")}
    env.update(SIMASN_INSTANCE_PATH=str(instance), SIMASN_DATABASE_URL=database_url, SIMASN_SECRET_KEY=SECRET)
    env.update(extra)
    return env


def run(env: dict, *args: str):
    result = CliRunner().invoke(main, list(args), env=env)
    db.session.remove()  # the commands leave the scoped session open; a real process would exit here
    return result


# --- set-up, configuration, demo guard (SQLite) -------------------------------------------------

@pytest.fixture(scope="module")
def installed(tmp_path_factory, keep_shared_engine):
    """A SQLite database under a temporary instance directory after one `simasn setup`."""
    instance = tmp_path_factory.mktemp("cli-instance")
    env = cli_env(instance, f"sqlite:///{instance / 'simasn-cli.sqlite'}")
    first = run(env, "setup")
    assert first.exit_code == 0, first.output
    return env, first.output


def test_setup_loads_everything(installed):
    """Does the first `setup` migrate and load the reference tables and the org tree?"""
    _env, output = installed
    lines = output.splitlines()
    assert lines[0] == "Migrasi selesai."
    assert lines[1].startswith("Referensi: ") and " 0 baris" not in lines[1]
    assert lines[2].startswith("Organisasi: ") and lines[2] != "Organisasi: 0 unit."


def test_setup_twice_loads_nothing_new(installed):
    """Is a second `setup` idempotent: no table reloaded, no unit changed?"""
    env, _output = installed
    second = run(env, "setup")
    assert second.exit_code == 0, second.output
    assert second.output.splitlines()[1].endswith(", 0 dimuat ulang, 0 baris.")
    assert second.output.splitlines()[2] == "Organisasi: 0 unit."


def test_load_processes_seeds_the_forms_once(installed):
    """Does `setup` publish every shipped form as v1, and does `load-processes` again publish nothing new?"""
    env, output = installed
    assert "\n  usul_hapus: v1\n" in output
    again = run(env, "load-processes")
    assert again.exit_code == 0, again.output
    forms, processes = again.output.splitlines()[:2]
    assert forms.startswith("Formulir: ") and forms.endswith(" berkas") and processes.endswith(", 0 versi baru")


def test_check_config_names_the_database(installed):
    """Does `check-config` show the database file and that demo mode is off?"""
    env, _output = installed
    result = run(env, "check-config")
    assert result.exit_code == 0, result.output
    assert f"Basis data : {env['SIMASN_DATABASE_URL']}" in result.output
    assert "Mode demo  : tidak" in result.output


def test_check_config_reports_a_broken_variable(installed):
    """Does a malformed variable stop the command with a message naming it?"""
    env, _output = installed
    result = run({**env, "SIMASN_SMTP_PORT": "abc"}, "check-config")
    assert result.exit_code == 1
    assert "Konfigurasi tidak sah — SIMASN_SMTP_PORT: 'abc' bukan bilangan bulat." in result.output


def test_demo_refused_without_demo_mode(installed):
    """Is `demo` refused, saying how to allow it, when SIMASN_DEMO_MODE is not set?"""
    env, _output = installed
    result = run(env, "demo", "--count", "1")
    assert result.exit_code == 1
    assert "Data dan akun demo hanya dibuat bila SIMASN_DEMO_MODE=true." in result.output


# --- audit chain, on both backends --------------------------------------------------------------

class AuditDatabase:
    """A migrated database with three audit events, and the ways an attacker could get around the triggers."""

    def __init__(self, backend: str, url: str, env: dict):
        self.backend, self.url, self.env = backend, url, env
        self.engine = make_engine(url)

    def add_events(self, count: int) -> None:
        with Session(self.engine) as session:
            for number in range(1, count + 1):
                record(session, SYSTEM, "uji.kejadian", "uji", number, nomor=number)
            session.commit()

    def execute(self, sql: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(text(sql))

    def disable_trigger(self, event: str) -> None:
        if self.backend == "postgresql":
            self.execute("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_change")
        else:
            self.execute(f"DROP TRIGGER audit_events_no_{event}")


def _postgres_schema():
    base = require_postgres()
    schema = f"simasn_cli_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    return admin, schema, f"{base}?options=-csearch_path%3D{schema}"


@pytest.fixture(params=["sqlite", "postgresql"])
def audited(request, tmp_path, keep_shared_engine):
    admin = schema = None
    if request.param == "postgresql":
        admin, schema, url = _postgres_schema()
    else:
        url = f"sqlite:///{tmp_path / 'audit.sqlite'}"
    database = AuditDatabase(request.param, url, cli_env(tmp_path, url))
    try:
        migrated = run(database.env, "migrate")
        assert migrated.exit_code == 0, migrated.output
        database.add_events(3)
        yield database
    finally:
        _release(database, admin, schema)


def _release(database: AuditDatabase, admin, schema) -> None:
    db.session.remove()
    if db.engine is not None and db.engine.url == database.engine.url:
        db.engine.dispose()
    database.engine.dispose()
    if admin is not None:
        with admin.begin() as conn:
            conn.execute(text("SET LOCAL lock_timeout = '10s'"))
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def test_clean_chain_verifies(audited):
    """Does `verify-audit` pass an untouched chain and say how many events it checked?"""
    result = run(audited.env, "verify-audit")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Rantai audit utuh: 3 kejadian diperiksa."


@pytest.mark.parametrize("statement", ["UPDATE audit_events SET actor_label = 'penyusup' WHERE seq = 2",
                                       "DELETE FROM audit_events WHERE seq = 3"])
def test_trigger_refuses_changes(audited, statement):
    """While the triggers are installed, does the database itself refuse an UPDATE or DELETE of an event?"""
    with pytest.raises(DBAPIError, match="append-only"):
        audited.execute(statement)
    assert run(audited.env, "verify-audit").exit_code == 0


def test_tampered_row_is_named(audited):
    """With the trigger out of the way, is an edited event found and named by its number?"""
    audited.disable_trigger("update")
    audited.execute("""UPDATE audit_events SET details = '{"nomor": 99}' WHERE seq = 2""")
    result = run(audited.env, "verify-audit")
    assert result.exit_code == 1
    assert result.stderr.strip() == ("RUSAK: kejadian #2 — isi baris telah diubah (hash tidak cocok) "
                                     "(1 kejadian sebelumnya utuh).")


def test_deleted_last_row_is_detected(audited):
    """Is deleting the newest event detected, although the rest of the chain still links up?"""
    audited.disable_trigger("delete")
    audited.execute("DELETE FROM audit_events WHERE seq = 3")
    result = run(audited.env, "verify-audit")
    assert result.exit_code == 1
    assert result.stderr.startswith("RUSAK: kejadian #3 — baris terakhir hilang: ujung rantai tercatat #3")


def test_deleted_middle_row_is_detected(audited):
    """Is deleting an event in the middle reported as a gap in the numbering?"""
    audited.disable_trigger("delete")
    audited.execute("DELETE FROM audit_events WHERE seq = 2")
    result = run(audited.env, "verify-audit")
    assert result.exit_code == 1
    assert "urutan melompat: diharapkan #2, ditemukan #3" in result.stderr
