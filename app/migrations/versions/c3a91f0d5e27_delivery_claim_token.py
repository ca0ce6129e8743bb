"""delivery claim token

Revision ID: c3a91f0d5e27
Revises: bddc7299c0b8
Create Date: 2026-12-03 10:15:00

Each claim of a delivery stores a fresh token; a worker's later writes match on it, so a
worker that lost its lease cannot overwrite the row. Batch mode keeps SQLite happy; on
PostgreSQL it is a plain ALTER TABLE.
"""

import sqlalchemy as sa
from alembic import op

revision = "c3a91f0d5e27"
down_revision = "bddc7299c0b8"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("delivery") as batch_op:
        batch_op.add_column(sa.Column("claim_token", sa.String(length=32), nullable=True))


def downgrade():
    with op.batch_alter_table("delivery") as batch_op:
        batch_op.drop_column("claim_token")
