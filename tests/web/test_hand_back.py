"""A process about to stop hands back the deliveries it still runs: due at once for the next
start, fenced off from the threads that ran them, the cut-short attempt not counted."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.extensions import db
from app.intake import delivery
from app.intake.tasks import release_in_flight
from tests.unit.test_delivery import NOW, new_application, row


def test_a_stopping_process_hands_back_the_deliveries_it_runs_and_only_those(app):
    ours = new_application(app, email="ada@example.com")
    elsewhere = new_application(app, email="grace@example.com")
    with app.app_context():
        token = delivery.claim(db.session(), row(app, ours).id, NOW)
        assert delivery.claim(db.session(), row(app, elsewhere).id, NOW)
    in_flight = app.extensions["careers.tasks"].in_flight
    with in_flight.holding(ours):
        assert release_in_flight(app, NOW + timedelta(seconds=1)) == 1
    with app.app_context():
        assert delivery.due_deliveries(db.session(), NOW + timedelta(seconds=2)) == [ours]
        hold = delivery.Hold(db.session(), row(app, ours).id, token, lambda: NOW, delivery.LEASE)
        with pytest.raises(delivery.LostClaim):
            hold.renew()  # the thread that ran it, waking before the exit
    assert row(app, ours).attempts == 0
    assert row(app, elsewhere).attempts == 1


def test_a_delivery_leaves_the_in_flight_list_when_its_task_ends_even_by_an_error(app):
    in_flight = app.extensions["careers.tasks"].in_flight
    with pytest.raises(RuntimeError), in_flight.holding(7):
        assert in_flight.ids() == [7]
        raise RuntimeError("the task failed")
    assert in_flight.ids() == []
    assert release_in_flight(app, NOW) == 0
