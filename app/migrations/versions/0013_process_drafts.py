"""process_drafts: the studio draft of a process (one per process)

The BPMN XML a process owner is editing in the studio, with the published version it started from;
publishing turns it into version n+1 and removes it.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 08:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "process_drafts",
        sa.Column("process_key", sa.String(length=64), nullable=False),
        sa.Column("bpmn_xml", sa.Text(), nullable=False),
        sa.Column("base_version", sa.Integer(), nullable=True),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(["process_key"], ["process_definitions.key"],
                                name="fk_process_drafts_process_key_process_definitions"),
        sa.ForeignKeyConstraint(["updated_by"], ["users.id"], name="fk_process_drafts_updated_by_users"),
        sa.PrimaryKeyConstraint("process_key", name="pk_process_drafts"),
    )


def downgrade() -> None:
    op.drop_table("process_drafts")
