"""audit_head.prev_hash: the tip's previous hash, kept by the same UPDATE that advances it

On PostgreSQL a step advances the chain's tip and computes the new event's hash in one statement
(`UPDATE audit_head SET seq = seq + 1, prev_hash = hash, hash = sha256(…)`); the previous hash, which the
event row needs, can only come back through RETURNING if the row holds it.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 14:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_head") as batch:
        batch.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("audit_head") as batch:
        batch.drop_column("prev_hash")
