"""a delivery's timeline of attempts, and the indexes the inbox needs at volume

Revision ID: b7e1d4c92a60
Revises: f1a6c3e8b2d4
Create Date: 2026-12-03 19:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7e1d4c92a60'
down_revision = 'f1a6c3e8b2d4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'delivery_attempt',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('delivery_id', sa.Integer(), nullable=False),
        sa.Column('started_at', sa.DateTime(), nullable=False),
        sa.Column('ended_at', sa.DateTime(), nullable=True),
        sa.Column('outcome', sa.String(length=20), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('detail', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['delivery_id'], ['delivery.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('delivery_attempt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_delivery_attempt_delivery_id'), ['delivery_id'], unique=False)
    op.create_index(
        'ix_application_job_email_lower', 'application', ['job_id', sa.text('lower(email)')], unique=False
    )
    op.create_index('ix_application_job_created', 'application', ['job_id', 'created_at'], unique=False)
    op.create_index(
        'ix_application_name_lower',
        'application',
        [sa.text('lower(first_name)'), sa.text('lower(last_name)'), 'created_at'],
        unique=False,
    )
    op.create_index('ix_job_title_lower', 'job', [sa.text('lower(title)')], unique=False)


def downgrade():
    op.drop_index('ix_job_title_lower', table_name='job')
    op.drop_index('ix_application_name_lower', table_name='application')
    op.drop_index('ix_application_job_created', table_name='application')
    op.drop_index('ix_application_job_email_lower', table_name='application')
    with op.batch_alter_table('delivery_attempt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_delivery_attempt_delivery_id'))
    op.drop_table('delivery_attempt')
