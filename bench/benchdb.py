"""Shared by the benchmarks: a PostgreSQL database dropped and created anew for one run, and the data
every run starts from."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from app.demo.generator import generate_employees
from app.services import definitions, operators
from app.services.audit import SYSTEM
from app.services.organization import load_org_tree
from app.services.reference import load_reference

ROOT = Path(__file__).resolve().parent.parent


def fresh_database(url: str) -> str:
    """Drop and create the database named in `url` (through the server's `postgres` database)."""
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()
    return url


def load_base_data(engine: Engine, process_key: str, employees: int, seed: int) -> tuple[int, int]:
    """Fill a migrated, empty database: reference tables, the org tree, the shipped process `process_key`
    published, `employees` generated employees. Returns the published version's (id, version number)."""
    with Session(engine) as session:
        load_reference(session)
        load_org_tree(session)
        session.commit()
        candidate = definitions._candidate(ROOT / "workflows" / f"{process_key}.bpmn", ROOT / "forms",
                                           operators.operator_names())
        version = definitions.publish(session, SYSTEM, candidate.xml, candidate.loaded, candidate.forms)
        session.commit()
        published = version.id, version.version
    generate_employees(engine, count=employees, seed=seed)
    return published
