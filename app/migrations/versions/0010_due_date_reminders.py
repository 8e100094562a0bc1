"""Due-date reminders: reminders_sent, employees.jabatan_fungsional_id (derived), birth-date and golongan-TMT indexes

The current jabatan fungsional decides an employee's BUP (retirement age), so it joins the derived
"current" columns; it is backfilled from the latest live position record, exactly as
services.current.derive_current does (nothing when that record is a pemberhentian).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 07:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

BACKFILL = """
UPDATE employees SET jabatan_fungsional_id = (
    SELECT CASE WHEN rj.jenis_riwayat = 'pemberhentian' THEN NULL ELSE rj.jabatan_fungsional_id END
    FROM riwayat_jabatan rj
    WHERE rj.employee_id = employees.id AND rj.deleted_at IS NULL
    ORDER BY rj.tmt_jabatan DESC, rj.id DESC
    LIMIT 1)
"""


def upgrade() -> None:
    with op.batch_alter_table("employees") as batch_op:
        batch_op.add_column(sa.Column("jabatan_fungsional_id", sa.String(length=64), nullable=True))
        batch_op.create_index("ix_employees_tanggal_lahir", ["tanggal_lahir"])
        batch_op.create_index("ix_employees_tmt_golongan", ["tmt_golongan"])
    op.execute(BACKFILL)
    op.create_table(
        "reminders_sent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.Column("summary_run", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(["employee_id"], ["employees.id"], ondelete="CASCADE",
                                name=op.f("fk_reminders_sent_employee_id_employees")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminders_sent")),
        sa.UniqueConstraint("kind", "employee_id", "due_date", name=op.f("uq_reminders_sent_kind")),
    )
    op.create_index(op.f("ix_reminders_sent_employee_id"), "reminders_sent", ["employee_id"])
    op.create_index(op.f("ix_reminders_sent_summary_run"), "reminders_sent", ["summary_run"])


def downgrade() -> None:
    op.drop_index(op.f("ix_reminders_sent_summary_run"), table_name="reminders_sent")
    op.drop_index(op.f("ix_reminders_sent_employee_id"), table_name="reminders_sent")
    op.drop_table("reminders_sent")
    with op.batch_alter_table("employees") as batch_op:
        batch_op.drop_index("ix_employees_tmt_golongan")
        batch_op.drop_index("ix_employees_tanggal_lahir")
        batch_op.drop_column("jabatan_fungsional_id")
