"""users: the departments a recruiter works on, and a viewer's grant to download files

Revision ID: b8e4f2a6c913
Revises: f6a1d3c8b2e7
Create Date: 2026-12-03 19:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b8e4f2a6c913'
down_revision = 'f6a1d3c8b2e7'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('departments', sa.JSON(), server_default='[]', nullable=False))
        batch_op.add_column(sa.Column('can_download', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('can_download')
        batch_op.drop_column('departments')
