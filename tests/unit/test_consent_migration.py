"""The migration that moves consent into its own table carries every stored application's
consent over as its processing consent, kept the 12 months its text promised, leaves the rows
that cascade from an application alone, and goes back."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app.extensions import db

BEFORE = "e4b7c2d9a183"
GIVEN_AT = datetime(2026, 2, 28, 9, 30)


def filler(column: sa.Column) -> Any:
    """A value for a required column the test does not care about."""
    kind = column.type
    if isinstance(kind, sa.Boolean):
        return False
    if isinstance(kind, sa.Integer):
        return 0
    if isinstance(kind, sa.DateTime):
        return GIVEN_AT
    if isinstance(kind, sa.JSON):
        return {}
    return "x"


def insert(connection, name: str, **values: Any) -> None:
    table = sa.Table(name, sa.MetaData(), autoload_with=connection)
    row = dict(values)
    for column in table.columns:
        needed = not column.nullable and not column.primary_key and column.server_default is None
        if needed and column.name not in row:
            row[column.name] = filler(column)
    connection.execute(table.insert().values(row))


def test_each_stored_consent_becomes_the_applications_processing_consent_and_comes_back(make_app, tmp_path):
    app = make_app(DATABASE_URL=f"sqlite:///{tmp_path / 'old.db'}")
    with app.app_context():
        upgrade(revision=BEFORE)
        with db.engine.begin() as connection:
            insert(connection, "job", id=1, title="Engineer")
            insert(
                connection,
                "application",
                id=7,
                job_id=1,
                public_id="pub7",
                submission_key="key7",
                consent_text="I agree, as I read it then.",
                consent_version="2026-11-01",
                consent_at=GIVEN_AT,
            )
            insert(connection, "demographic_answer", application_id=7, section="eeoc", question_ref="gender")
        upgrade()
        with db.engine.connect() as connection:
            rows = connection.execute(sa.text("SELECT * FROM application_consent")).mappings().all()
            columns = {c["name"] for c in sa.inspect(connection).get_columns("application")}
            cascading = connection.execute(sa.text("SELECT count(*) FROM demographic_answer")).scalar()
        assert [dict(r) | {"id": None} for r in rows] == [
            {
                "id": None,
                "application_id": 7,
                "purpose": "processing",
                "text": "I agree, as I read it then.",
                "version": "2026-11-01",
                "language": "",
                "given_at": "2026-02-28 09:30:00.000000",
                "keep_until": "2027-02-28 09:30:00.000000",
            }
        ]
        assert "consent_text" not in columns
        assert cascading == 1  # rows that go with an application stay while its table changes
        downgrade(revision=BEFORE)
        with db.engine.connect() as connection:
            back = connection.execute(sa.text("SELECT consent_text, consent_version FROM application")).one()
        assert tuple(back) == ("I agree, as I read it then.", "2026-11-01")
        db.engine.dispose()
