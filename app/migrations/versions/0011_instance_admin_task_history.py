"""Instances list indexes, human_tasks.bpmn_id and task_history (for the heat map)

The administration list sorts newest first, alone or filtered by process/version or status; the
OPD filter looks into the `opd_ids` JSON list (a GIN index on PostgreSQL). `human_tasks.bpmn_id`
names the diagram element of a task (null on rows mirrored before this revision), and
`task_history` keeps, for every task that left the mirror, when it became ready and when it ended.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 07:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

LIST_INDEXES = {
    "ix_process_instances_created": ["created_at", "id"],
    "ix_process_instances_process_created": ["process_key", "version_id", "created_at", "id"],
    "ix_process_instances_status_created": ["status", "created_at", "id"],
}


def upgrade() -> None:
    for name, columns in LIST_INDEXES.items():
        op.create_index(name, "process_instances", columns)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE INDEX ix_process_instances_opd_ids ON process_instances USING gin ((opd_ids::jsonb))")
    op.add_column("human_tasks", sa.Column("bpmn_id", sa.String(length=100), nullable=True))
    op.create_table(
        "task_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.String(length=36), nullable=False),
        sa.Column("bpmn_id", sa.String(length=100), nullable=True),
        sa.Column("task_name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("assignee_user_id", sa.Integer(), nullable=True),
        sa.Column("ready_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=False),
        sa.Column("seconds", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["instance_id"], ["process_instances.id"], ondelete="CASCADE",
                                name=op.f("fk_task_history_instance_id_process_instances")),
        sa.ForeignKeyConstraint(["version_id"], ["process_versions.id"],
                                name=op.f("fk_task_history_version_id_process_versions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_history")),
    )
    op.create_index(op.f("ix_task_history_instance_id"), "task_history", ["instance_id"])
    op.create_index("ix_task_history_version_element", "task_history", ["version_id", "bpmn_id", "instance_id"])


def downgrade() -> None:
    op.drop_index("ix_task_history_version_element", table_name="task_history")
    op.drop_index(op.f("ix_task_history_instance_id"), table_name="task_history")
    op.drop_table("task_history")
    with op.batch_alter_table("human_tasks") as batch_op:
        batch_op.drop_column("bpmn_id")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_process_instances_opd_ids")
    for name in reversed(list(LIST_INDEXES)):
        op.drop_index(name, table_name="process_instances")
