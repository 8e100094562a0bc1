"""Tests that build their own app or CLI run re-point the shared engine; this puts it back."""
from __future__ import annotations

from contextlib import contextmanager

from app.extensions import db


@contextmanager
def preserved_shared_engine():
    engine = db.engine
    try:
        yield
    finally:
        db.session.remove()
        if db.engine is not engine:
            db.engine.dispose()
            db.engine = engine
            db._factory.configure(bind=engine)
