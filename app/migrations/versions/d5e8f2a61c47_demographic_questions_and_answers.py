"""voluntary demographic questions and answers, apart from the application

Revision ID: d5e8f2a61c47
Revises: a7c3e51d9b20
Create Date: 2026-12-03 13:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd5e8f2a61c47'
down_revision = 'a7c3e51d9b20'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('demographic_question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('section', sa.String(length=20), nullable=False),
    sa.Column('ref', sa.String(length=128), nullable=False),
    sa.Column('label', sa.String(length=500), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['job_id'], ['job.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('demographic_question', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_demographic_question_job_id'), ['job_id'], unique=False)

    op.create_table('demographic_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('section', sa.String(length=20), nullable=False),
    sa.Column('question_ref', sa.String(length=128), nullable=False),
    sa.Column('option_refs', sa.JSON(), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('demographic_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_demographic_answer_application_id'), ['application_id'], unique=False)


def downgrade():
    with op.batch_alter_table('demographic_answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_demographic_answer_application_id'))
    op.drop_table('demographic_answer')
    with op.batch_alter_table('demographic_question', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_demographic_question_job_id'))
    op.drop_table('demographic_question')
