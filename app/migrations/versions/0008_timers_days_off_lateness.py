"""Timers mirror, timer-started runs, extra days off, validation lateness, instance error message

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 07:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('process_timers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.String(length=36), nullable=False),
    sa.Column('bpmn_id', sa.String(length=100), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('due_at', sa.DateTime(), nullable=True),
    sa.Column('interrupting', sa.Boolean(), nullable=True),
    sa.Column('attached_to', sa.String(length=100), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('fired_at', sa.DateTime(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instances.id'], name=op.f('fk_process_timers_instance_id_process_instances'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_process_timers')),
    sa.UniqueConstraint('instance_id', 'task_id', name=op.f('uq_process_timers_instance_id'))
    )
    with op.batch_alter_table('process_timers', schema=None) as batch_op:
        batch_op.create_index('ix_process_timers_status_due', ['status', 'due_at'], unique=False)

    op.create_table('timer_start_runs',
    sa.Column('process_key', sa.String(length=64), nullable=False),
    sa.Column('due_at', sa.DateTime(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instances.id'], name=op.f('fk_timer_start_runs_instance_id_process_instances'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('process_key', 'due_at', name=op.f('pk_timer_start_runs'))
    )
    op.create_table('hari_libur',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tanggal', sa.Date(), nullable=False),
    sa.Column('nama', sa.String(length=200), nullable=False),
    sa.Column('jenis', sa.String(length=20), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_hari_libur_created_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hari_libur')),
    sa.UniqueConstraint('tanggal', name=op.f('uq_hari_libur_tanggal'))
    )
    op.create_table('validation_lateness',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.String(length=36), nullable=False),
    sa.Column('opd_id', sa.String(length=32), nullable=False),
    sa.Column('task_name', sa.String(length=100), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('due_at', sa.DateTime(), nullable=True),
    sa.Column('escalated_at', sa.DateTime(), nullable=False),
    sa.Column('working_days_waited', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instances.id'], name=op.f('fk_validation_lateness_instance_id_process_instances'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_validation_lateness')),
    sa.UniqueConstraint('instance_id', 'task_id', name=op.f('uq_validation_lateness_instance_id'))
    )
    with op.batch_alter_table('validation_lateness', schema=None) as batch_op:
        batch_op.create_index('ix_validation_lateness_period_opd', ['period', 'opd_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_validation_lateness_opd_id'), ['opd_id'], unique=False)

    with op.batch_alter_table('process_instances', schema=None) as batch_op:
        batch_op.add_column(sa.Column('error_message', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('process_instances', schema=None) as batch_op:
        batch_op.drop_column('error_message')
    with op.batch_alter_table('validation_lateness', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_validation_lateness_opd_id'))
        batch_op.drop_index('ix_validation_lateness_period_opd')
    op.drop_table('validation_lateness')
    op.drop_table('hari_libur')
    op.drop_table('timer_start_runs')
    with op.batch_alter_table('process_timers', schema=None) as batch_op:
        batch_op.drop_index('ix_process_timers_status_due')
    op.drop_table('process_timers')
