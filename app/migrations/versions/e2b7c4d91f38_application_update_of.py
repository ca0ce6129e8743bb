"""application update_of

Revision ID: e2b7c4d91f38
Revises: e4b7c9a2d810
Create Date: 2026-12-03 16:00:00

An application a candidate confirmed as an update of their earlier one (same email, same job,
within 30 days) names that one by its public id, so it is delivered marked as an update and
never as a second, unexplained application. A plain column, not a foreign key: the retention
sweep may delete the earlier application first.
"""

import sqlalchemy as sa
from alembic import op

revision = "e2b7c4d91f38"
down_revision = "e4b7c9a2d810"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("application") as batch_op:
        batch_op.add_column(sa.Column("update_of", sa.String(length=32), nullable=True))


def downgrade():
    with op.batch_alter_table("application") as batch_op:
        batch_op.drop_column("update_of")
