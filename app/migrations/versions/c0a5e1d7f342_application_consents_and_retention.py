"""each consent of an application in its own row (processing, future openings), with the end of
the period it promised; anonymous counts of applications the retention task deleted

Revision ID: c0a5e1d7f342
Revises: f1a6c3e8b925
Create Date: 2026-12-03 19:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c0a5e1d7f342'
down_revision = 'f1a6c3e8b925'
branch_labels = None
depends_on = None

# The consent text of every application stored so far promised 12 months.
CARRIED_MONTHS = 12


def upgrade():
    op.create_table(
        'application_consent',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('application_id', sa.Integer(), nullable=False),
        sa.Column('purpose', sa.String(length=20), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('version', sa.String(length=40), nullable=False),
        sa.Column('language', sa.String(length=8), nullable=False),
        sa.Column('given_at', sa.DateTime(), nullable=False),
        sa.Column('keep_until', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['application_id'], ['application.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('application_id', 'purpose', name='uq_application_consent_purpose'),
    )
    with op.batch_alter_table('application_consent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_consent_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_application_consent_keep_until'), ['keep_until'], unique=False)
    op.create_table(
        'retention_tally',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('job_id', sa.Integer(), nullable=False),
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('channel', sa.String(length=80), nullable=False),
        sa.Column('outcome', sa.String(length=20), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('job_id', 'month', 'channel', 'outcome', name='uq_retention_tally'),
    )
    with op.batch_alter_table('retention_tally', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_retention_tally_job_id'), ['job_id'], unique=False)
    carry_consents_over()
    # ALTER TABLE ... DROP COLUMN in place (SQLite 3.35+), never batch's copy of the table: with
    # foreign keys on, SQLite's DROP of the old copy deletes every row that cascades from it
    # (the consents just carried over, answers, mail).
    for column in ('consent_text', 'consent_version', 'consent_at'):
        op.drop_column('application', column)


def carry_consents_over():
    """Each application's one consent becomes its processing consent, in the site's language
    (the only one before), kept the 12 months its text promised."""
    bind = op.get_bind()
    rows = bind.execute(sa.text('SELECT id, consent_text, consent_version, consent_at FROM application')).all()
    consent = sa.table(
        'application_consent',
        sa.column('application_id', sa.Integer()),
        sa.column('purpose', sa.String()),
        sa.column('text', sa.Text()),
        sa.column('version', sa.String()),
        sa.column('language', sa.String()),
        sa.column('given_at', sa.DateTime()),
        sa.column('keep_until', sa.DateTime()),
    )
    if rows:
        op.bulk_insert(consent, [carried(row) for row in rows])


def carried(row) -> dict:
    given_at = row.consent_at
    if isinstance(given_at, str):  # SQLite hands back text
        from datetime import datetime

        given_at = datetime.fromisoformat(given_at)
    return {
        'application_id': row.id,
        'purpose': 'processing',
        'text': row.consent_text,
        'version': row.consent_version,
        'language': '',
        'given_at': given_at,
        'keep_until': add_months(given_at, CARRIED_MONTHS),
    }


def add_months(moment, months: int):
    """The same day `months` later, or the month's last day when it has no such day."""
    import calendar

    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


def downgrade():
    op.add_column('application', sa.Column('consent_text', sa.Text(), nullable=False, server_default=''))
    op.add_column('application', sa.Column('consent_version', sa.String(length=40), nullable=False, server_default=''))
    op.add_column('application', sa.Column('consent_at', sa.DateTime(), nullable=True))
    op.execute(
        'UPDATE application SET '
        "consent_text = (SELECT text FROM application_consent c WHERE c.application_id = application.id AND c.purpose = 'processing'), "
        "consent_version = (SELECT version FROM application_consent c WHERE c.application_id = application.id AND c.purpose = 'processing'), "
        "consent_at = (SELECT given_at FROM application_consent c WHERE c.application_id = application.id AND c.purpose = 'processing')"
    )
    with op.batch_alter_table('retention_tally', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_retention_tally_job_id'))
    op.drop_table('retention_tally')
    with op.batch_alter_table('application_consent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_consent_keep_until'))
        batch_op.drop_index(batch_op.f('ix_application_consent_application_id'))
    op.drop_table('application_consent')
