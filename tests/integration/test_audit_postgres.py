"""On PostgreSQL the database itself keeps the audit log append-only: a trigger refuses every
update of an entry, whatever the client, while the retention purge can still delete."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app import audit
from app.extensions import db
from tests.integration.conftest import TEMPLATE

pytestmark = pytest.mark.pg_redis


def test_postgres_refuses_an_update_of_an_audit_entry_but_lets_the_purge_delete(make_app, new_database):
    app = make_app(DATABASE_URL=new_database(TEMPLATE))
    with app.app_context():
        audit.record("retry", obj_kind="application", obj_id=1, actor=audit.SYSTEM)
        db.session.commit()
        with db.engine.connect() as connection, pytest.raises(DBAPIError, match="append-only"):
            connection.execute(text("UPDATE audit_event SET action = 'sign_in'"))
        with db.engine.begin() as connection:
            connection.execute(text("DELETE FROM audit_event"))
        assert db.session.scalar(text("SELECT count(*) FROM audit_event")) == 0
