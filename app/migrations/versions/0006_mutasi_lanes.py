"""Lanes of the mutasi_unit_kerja process: the origin and the destination OPD's validators

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 05:50:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

LANES = ("OPD asal", "OPD tujuan")


def upgrade() -> None:
    lanes = sa.table("lane_roles", sa.column("lane", sa.String), sa.column("role", sa.String),
                     sa.column("scope_variable", sa.String), sa.column("description", sa.String))
    op.bulk_insert(lanes, [
        {"lane": "OPD asal", "role": "validator_opd", "scope_variable": "opd_asal",
         "description": "Validator OPD asal pegawai yang dimutasi (variabel proses 'opd_asal')"},
        {"lane": "OPD tujuan", "role": "validator_opd", "scope_variable": "opd_tujuan",
         "description": "Validator OPD tujuan mutasi (variabel proses 'opd_tujuan')"},
    ])


def downgrade() -> None:
    lanes = sa.table("lane_roles", sa.column("lane", sa.String))
    op.execute(lanes.delete().where(lanes.c.lane.in_(LANES)))
