"""saved drafts of applications, HR daily digests sent

Revision ID: c61d0a7e4f52
Revises: c0a5e1d7f342
Create Date: 2026-12-03 19:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c61d0a7e4f52'
down_revision = 'c0a5e1d7f342'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('draft',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('typed', sa.JSON(), nullable=False),
    sa.Column('files', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['job_id'], ['job.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('secret_hash')
    )
    with op.batch_alter_table('draft', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_draft_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_draft_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_draft_job_id'), ['job_id'], unique=False)

    op.create_table('digest_sent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('application_ids', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('recipient', 'day', name='uq_digest_recipient_day')
    )


def downgrade():
    op.drop_table('digest_sent')
    with op.batch_alter_table('draft', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_draft_job_id'))
        batch_op.drop_index(batch_op.f('ix_draft_expires_at'))
        batch_op.drop_index(batch_op.f('ix_draft_email'))
    op.drop_table('draft')
