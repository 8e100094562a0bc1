"""A SIMASN web server for the browser tests, in a process of its own so that it shares no engine
with the other tests. Configuration comes from the SIMASN_* variables, as in production.

    python -m tests.browser.live_server PORT [--setup --count N --seed S --facts FILE]

With --setup it first migrates, loads the reference tables and the org tree, generates the demo
employees and accounts, and writes to FILE the facts the tests check the pages against.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from sqlalchemy import func, select
from werkzeug.serving import make_server

from app import create_app
from app.config import load_settings
from app.extensions import db
from app.migrate import upgrade
from app.models import Employee, OrgUnit, User

EMPLOYEES, SEED = 300, 11
SCOPED_OPDS = ("Dinas Kesehatan", "Dinas Pendidikan")


def set_up(count: int, seed: int) -> None:
    # Imported here: a demo module that does not import yet fails the browser tests, not collection.
    from app.demo.accounts import ensure_demo_accounts
    from app.demo.generator import generate_employees
    from app.services.organization import load_org_tree
    from app.services.reference import load_reference

    url = load_settings().database_url
    upgrade(url)
    db.configure(url)
    session = db.session()
    load_reference(session)
    load_org_tree(session)
    session.commit()
    generate_employees(session, count=count, seed=seed)
    session.commit()
    ensure_demo_accounts(session)
    load_processes(session)
    db.session.remove()


def load_processes(session) -> None:
    """Publish the shipped workflows/ and forms/, as `simasn load-processes` does; a refused
    definition stops the server (and so the browser tests) with the refusal's message."""
    from app.services import operators
    from app.services.audit import SYSTEM
    from app.services.definitions import load_shipped

    root = Path(__file__).resolve().parents[2]
    load_shipped(session, root / "workflows", root / "forms", operators.operator_names(), SYSTEM)
    session.commit()


def _person(employee: Employee) -> dict:
    return {"id": employee.id, "nip": employee.nip, "nama": employee.nama}


def _opd_facts(session, name: str, asn_id: int | None) -> dict:
    opd = session.scalar(select(OrgUnit).where(OrgUnit.parent_id.is_(None), OrgUnit.name == name))
    people = session.scalars(select(Employee).where(Employee.opd_id == opd.id).order_by(Employee.id)).all()
    others = [e for e in people if e.id != asn_id]
    return {"id": opd.id, "name": opd.name, "nips": [e.nip for e in people], "someone": _person(others[0])}


def facts() -> dict:
    """What the pages should show: totals, the ASN's own record, the employees of two OPDs."""
    session = db.session()
    asn = session.scalar(select(User).where(User.username == "asn"))
    me = session.get(Employee, asn.employee_id) if asn.employee_id else None
    result = {
        "total": session.scalar(select(func.count(Employee.id))),
        "asn": _person(me) if me else None,
        "opds": {name: _opd_facts(session, name, asn.employee_id) for name in SCOPED_OPDS},
    }
    db.session.remove()
    return result


def serve(port: int) -> None:
    app = create_app({"TESTING": False, "RATELIMIT_ENABLED": False})
    make_server("127.0.0.1", port, app, threaded=True).serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("port", type=int)
    parser.add_argument("--setup", action="store_true")
    parser.add_argument("--count", type=int, default=EMPLOYEES)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--facts", type=Path)
    args = parser.parse_args()
    if args.setup:
        set_up(args.count, args.seed)
    if args.facts:
        db.configure(load_settings().database_url)
        args.facts.write_text(json.dumps(facts(), indent=1))
    serve(args.port)


if __name__ == "__main__":
    main()
