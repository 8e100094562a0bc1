"""Inbox filters on human_tasks: process, request category and OPD copied from the instance; indexes in
the Kotak Tugas order

process_instances.category is filled for existing change requests from their start data (`jenis`).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 07:00:00
"""
import json

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

# history table (the `jenis` of a change request) -> its category of Lampiran II.3, as of this revision
KIND_CATEGORY = {
    "riwayat_pasangan": "keluarga", "riwayat_anak": "keluarga", "riwayat_jabatan": "jabatan",
    "riwayat_pendidikan": "pendidikan", "riwayat_diklat": "diklat", "riwayat_golongan": "golongan",
    "riwayat_penghargaan": "penghargaan", "riwayat_hukdis": "hukdis", "riwayat_pindah_instansi": "pindah_instansi",
    "riwayat_pindah_unit": "pindah_unit", "data_utama": "data_utama",
}
DUE_ORDER = ["due_at", "created_at", "id"]  # ascending: NULLs last on PostgreSQL, the inbox order
INDEXES = {'ix_human_tasks_inbox': [], 'ix_human_tasks_scope': ['scope_opd_id'],
           'ix_human_tasks_process': ['process_key'], 'ix_human_tasks_category': ['category'],
           'ix_human_tasks_opd': ['opd_id']}


def upgrade() -> None:
    op.add_column('human_tasks', sa.Column('process_key', sa.String(length=64), nullable=True))
    op.add_column('human_tasks', sa.Column('category', sa.String(length=32), nullable=True))
    op.add_column('human_tasks', sa.Column('opd_id', sa.String(length=32), nullable=True))
    _backfill_instance_categories()
    op.execute("UPDATE human_tasks SET "
               "process_key = (SELECT p.process_key FROM process_instances p WHERE p.id = human_tasks.instance_id), "
               "category = (SELECT p.category FROM process_instances p WHERE p.id = human_tasks.instance_id), "
               "opd_id = COALESCE(scope_opd_id, (SELECT e.opd_id FROM employees e "
               "WHERE e.id = human_tasks.subject_employee_id))")
    with op.batch_alter_table('human_tasks', schema=None) as batch_op:
        batch_op.alter_column('process_key', existing_type=sa.String(length=64), nullable=False)
        batch_op.drop_index('ix_human_tasks_role_scope')
    for name, columns in INDEXES.items():
        op.create_index(name, 'human_tasks', ['role', *columns, *DUE_ORDER])


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name='human_tasks')
    with op.batch_alter_table('human_tasks', schema=None) as batch_op:
        batch_op.create_index('ix_human_tasks_role_scope', ['role', 'scope_opd_id', 'due_at'], unique=False)
        batch_op.drop_column('opd_id')
        batch_op.drop_column('category')
        batch_op.drop_column('process_key')


def _backfill_instance_categories() -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, state FROM process_instances WHERE category IS NULL")).all()
    for instance_id, state in rows:
        category = KIND_CATEGORY.get(_start_kind(state))
        if category:
            connection.execute(sa.text("UPDATE process_instances SET category = :c WHERE id = :i"),
                               {"c": category, "i": instance_id})


def _start_kind(state) -> str | None:
    """The `jenis` in the root task's data of a stored workflow state (None if absent or unreadable)."""
    try:
        state = json.loads(state) if isinstance(state, (str, bytes)) else state
        kind = state["tasks"][state["root"]]["data"].get("jenis")
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    return kind if isinstance(kind, str) else None
