"""PostgreSQL itself: the migrations build the schema the models describe, from an empty database
and again after going down to the revision before the latest; and the delivery claim holds when
two workers, each on its own connection, race for the same row: never both take it."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from app.extensions import db
from app.intake.delivery import claim
from app.models import Delivery
from tests.support.applications import submit_application

pytestmark = pytest.mark.pg_redis

LEASE = timedelta(seconds=30)
ROUNDS = 300


def schema_differences(app) -> list:
    """What Alembic's autogenerate would write to make the database match the models."""
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def revisions(app) -> tuple[str | None, str | None]:
    """The database's current revision and the head of the migration scripts."""
    with app.app_context():
        migrate = app.extensions["migrate"]
        script = ScriptDirectory.from_config(migrate.migrate.get_config(migrate.directory))
        with db.engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
        return current, script.get_current_head()


def test_migrations_build_on_an_empty_database_the_schema_the_models_describe(make_app, new_database):
    app = make_app(DATABASE_URL=new_database())
    with app.app_context():
        upgrade()
    current, head = revisions(app)
    assert current == head
    assert schema_differences(app) == []


def test_the_latest_migration_goes_down_to_the_previous_revision_and_up_again(make_app, new_database):
    app = make_app(DATABASE_URL=new_database())
    with app.app_context():
        upgrade()
        _, head = revisions(app)
        downgrade(revision="-1")
        previous, _ = revisions(app)
        assert previous is not None and previous != head
        upgrade()
    assert revisions(app) == (head, head)
    assert schema_differences(app) == []


class Racer(threading.Thread):
    """A worker with its own engine (so its own connection), claiming at each barrier."""

    def __init__(self, url: str, delivery_id: int, moments: list[datetime], barrier: threading.Barrier):
        super().__init__(daemon=True)
        self.engine = create_engine(url, pool_size=1)
        self.delivery_id, self.moments, self.barrier = delivery_id, moments, barrier
        self.tokens: list[str | None] = []

    def run(self) -> None:
        with Session(self.engine) as session:
            for moment in self.moments:
                self.barrier.wait(10)
                self.tokens.append(claim(session, self.delivery_id, moment, LEASE, max_attempts=10 * ROUNDS))
        self.engine.dispose()


def test_two_workers_claiming_the_same_delivery_at_once_never_both_take_it(make_app, pg_redis):
    """Each round both claim at the same moment, the row free again (its last lease expired, or
    pending in the first round): PostgreSQL makes the second UPDATE wait for the first and then
    re-check the lease, so exactly one wins every round."""
    app = make_app(**pg_redis)
    application_id = submit_application(app)
    with app.app_context():
        delivery_id = db.session.scalar(select(Delivery.id).where(Delivery.application_id == application_id))
    start = datetime(2026, 12, 1, 9, 0)
    moments = [start + i * 2 * LEASE for i in range(ROUNDS)]  # every lease has run out by the next
    barrier = threading.Barrier(2)
    racers = [Racer(pg_redis["DATABASE_URL"], delivery_id, moments, barrier) for _ in range(2)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join(60)
    assert [len(racer.tokens) for racer in racers] == [ROUNDS, ROUNDS]
    winners = [[token for token in pair if token] for pair in zip(*(r.tokens for r in racers), strict=True)]
    assert [len(tokens) for tokens in winners] == [1] * ROUNDS
    with app.app_context():
        row = db.session.get(Delivery, delivery_id)
        assert row.attempts == ROUNDS
        assert row.claim_token == winners[-1][0]
    assert all(any(racer.tokens) for racer in racers)  # a real race: each won some rounds
