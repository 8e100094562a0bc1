"""Make the audit trail append-only in the database itself (UPDATE and DELETE refused).

Revision ID: 0002
Revises: 0001
"""
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

MESSAGE = "audit_events hanya boleh ditambah (append-only)"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION '{MESSAGE}'; END $$;""")
        op.execute("""CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events
                      FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();""")
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(f"""CREATE TRIGGER audit_events_no_{event.lower()} BEFORE {event} ON audit_events
                           BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;""")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_events_no_change ON audit_events")
        op.execute("DROP FUNCTION audit_events_append_only()")
    else:
        op.execute("DROP TRIGGER audit_events_no_update")
        op.execute("DROP TRIGGER audit_events_no_delete")
