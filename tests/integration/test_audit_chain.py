"""The hash-chained audit trail on each backend."""
from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from app.services import audit
from app.services.audit import SYSTEM, Actor


def test_chain_links_each_event_to_the_previous(dbs):
    """Does each new event carry the previous event's hash and verify as a whole chain?"""
    first = audit.record(dbs, SYSTEM, "uji.satu", details_value=1)
    second = audit.record(dbs, Actor(7, "uji", "127.0.0.1"), "uji.dua", "employee", 5, tanggal="2026-01-01")
    assert second.seq == first.seq + 1 and second.prev_hash == first.hash
    report = audit.verify_chain(dbs)
    assert report.ok and report.checked >= 2


def test_database_refuses_to_change_an_audit_row(dbs):
    """Does the database itself refuse an UPDATE of an audit row?"""
    event = audit.record(dbs, SYSTEM, "uji.tetap")
    dbs.commit()
    with pytest.raises(DatabaseError):
        with dbs.begin_nested():
            dbs.execute(text("UPDATE audit_events SET action = 'diubah' WHERE seq = :s"), {"s": event.seq})


def test_database_refuses_to_delete_an_audit_row(dbs):
    """Does the database itself refuse a DELETE of an audit row?"""
    event = audit.record(dbs, SYSTEM, "uji.tetap")
    dbs.commit()
    with pytest.raises(DatabaseError):
        with dbs.begin_nested():
            dbs.execute(text("DELETE FROM audit_events WHERE seq = :s"), {"s": event.seq})


def test_admin_page_verifies_the_chain(login_as):
    """Does the admin's verify button report an intact chain?"""
    client = login_as("admin")
    from tests.conftest import csrf_token
    response = client.post("/admin/audit/verifikasi", data={"csrf_token": csrf_token(client, "/admin/audit")},
                           follow_redirects=True)
    assert "Rantai audit utuh" in response.get_data(as_text=True)
