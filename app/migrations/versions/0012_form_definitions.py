"""form_definitions: forms edited in the studio (published history and one draft per form)

Published rows are never changed; a process version pins their content when it is published.
A draft keeps the owner's text even when it is not valid JSON yet. Seeded from forms/*.json by
`simasn load-processes`.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 07:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

DRAFT_ONLY = sa.text("status = 'draft'")


def upgrade() -> None:
    op.create_table(
        "form_definitions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("schema_text", sa.Text(), nullable=False),
        sa.Column("ui_schema_text", sa.Text(), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("published_by", sa.Integer(), nullable=True),
        sa.Column("published_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("status IN ('draft', 'published')", name="ck_form_definitions_status"),
        sa.ForeignKeyConstraint(["updated_by"], ["users.id"], name="fk_form_definitions_updated_by_users"),
        sa.ForeignKeyConstraint(["published_by"], ["users.id"], name="fk_form_definitions_published_by_users"),
        sa.PrimaryKeyConstraint("id", name="pk_form_definitions"),
        sa.UniqueConstraint("name", "status", "version", name="uq_form_definitions_name"),
    )
    op.create_index("uq_form_definitions_draft", "form_definitions", ["name"], unique=True,
                    postgresql_where=DRAFT_ONLY, sqlite_where=DRAFT_ONLY)


def downgrade() -> None:
    op.drop_index("uq_form_definitions_draft", table_name="form_definitions")
    op.drop_table("form_definitions")
