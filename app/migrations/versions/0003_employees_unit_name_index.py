"""Index employees by (unit, search name) for a validator's name search; it replaces the unit index.

Revision ID: 0003
Revises: 0002
"""
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("employees") as batch_op:
        batch_op.create_index("ix_employees_unor_nama", ["unor_id", "nama_cari"])
        batch_op.drop_index("ix_employees_unor_id")


def downgrade() -> None:
    with op.batch_alter_table("employees") as batch_op:
        batch_op.create_index("ix_employees_unor_id", ["unor_id"])
        batch_op.drop_index("ix_employees_unor_nama")
