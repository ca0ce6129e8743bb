"""session version, stage time, parse-result purge index

Revision ID: a7c3e51d9b20
Revises: c3a91f0d5e27
Create Date: 2026-12-03 10:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7c3e51d9b20'
down_revision = 'c3a91f0d5e27'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='1', nullable=False))
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stage_changed_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('parsed_resume', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_parsed_resume_created_at'), ['created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('parsed_resume', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_parsed_resume_created_at'))
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.drop_column('stage_changed_at')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('session_version')
