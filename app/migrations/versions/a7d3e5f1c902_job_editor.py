"""job editor: Markdown source, opening date, workplace, the ATS's lists, question library

Revision ID: a7d3e5f1c902
Revises: b7e1d4c92a60
Create Date: 2026-12-03 19:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7d3e5f1c902'
down_revision = 'b7e1d4c92a60'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('description_md', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('opens_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('workplace', sa.String(length=10), nullable=False, server_default='on_site'))
    op.execute("UPDATE job SET workplace = 'remote' WHERE remote")

    op.create_table('ats_choice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ats_kind', sa.String(length=32), nullable=False),
    sa.Column('list_name', sa.String(length=10), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(length=128), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('synced_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['job_id'], ['job.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('ats_choice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ats_choice_job_id'), ['job_id'], unique=False)

    op.create_table('library_question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=500), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('question_set',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('question_set_item',
    sa.Column('set_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['library_question.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['set_id'], ['question_set.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('set_id', 'question_id')
    )


def downgrade():
    op.drop_table('question_set_item')
    op.drop_table('question_set')
    op.drop_table('library_question')
    with op.batch_alter_table('ats_choice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ats_choice_job_id'))
    op.drop_table('ats_choice')
    # In place (SQLite 3.35+), never batch's copy of the table: with foreign keys on, dropping
    # the old job table would fail, or take every row that refers to a job with it.
    for column in ('workplace', 'opens_at', 'description_md'):
        op.drop_column('job', column)
