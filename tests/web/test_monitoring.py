"""Liveness, readiness, who may read /metrics, the gauges read from the database, and the
request id every response carries."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from prometheus_client.parser import text_string_to_metric_families

from app.extensions import db
from app.monitoring.metrics import DeliveryGauges
from app.monitoring.readiness import run_checks
from app.monitoring.requests import request_id_from
from tests.conftest import csrf_token_from
from tests.support.applications import submit_application

UNREACHABLE_REDIS = "redis://:queue-password@127.0.0.1:1/0"  # port 1: refused at once


def test_liveness_answers_without_asking_the_database(make_app, tmp_path):
    app = make_app(DATABASE_URL=f"sqlite:///{tmp_path / 'missing' / 'careers.db'}")
    response = app.test_client().get("/api/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_readiness_is_ok_when_database_queue_and_storage_answer(client):
    response = client.get("/api/ready")
    assert response.status_code == 200
    assert response.get_json() == {
        "status": "ready",
        "checks": {"database": "ok", "queue": "ok", "storage": "ok"},
    }


def test_readiness_names_an_unreachable_database(make_app, tmp_path):
    app = make_app(DATABASE_URL=f"sqlite:///{tmp_path / 'missing' / 'careers.db'}")
    response = app.test_client().get("/api/ready")
    assert response.status_code == 503
    body = response.get_json()
    assert body["failed"] == ["database"]
    assert body["checks"]["database"] == "OperationalError"
    assert body["checks"]["queue"] == body["checks"]["storage"] == "ok"


def test_readiness_names_an_unreachable_queue_and_tells_no_password(make_app):
    app = make_app(QUEUE_URL=UNREACHABLE_REDIS)
    response = app.test_client().get("/api/ready")
    assert response.status_code == 503
    assert response.get_json()["failed"] == ["queue"]
    assert b"queue-password" not in response.data and b"127.0.0.1" not in response.data


def test_readiness_names_storage_that_cannot_take_a_file(make_app, tmp_path):
    blocker = tmp_path / "a-file-not-a-folder"
    blocker.write_text("")
    app = make_app(UPLOAD_DIR=str(blocker / "uploads"))
    response = app.test_client().get("/api/ready")
    assert response.status_code == 503
    assert response.get_json()["failed"] == ["storage"]
    assert response.get_json()["checks"]["storage"] == "StorageUnavailable"


def test_a_check_that_hangs_is_reported_as_a_timeout_within_its_limit():
    release = threading.Event()
    try:
        readiness = run_checks({"quick": lambda: None, "stuck": lambda: release.wait(10)}, within=0.05)
    finally:
        release.set()
    assert readiness.checks == {"quick": "ok", "stuck": "timeout"}
    assert not readiness.ready and readiness.failed == ["stuck"]


def test_metrics_are_read_by_a_scraper_on_this_machine(client):
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    names = {family.name for family in text_string_to_metric_families(response.text)}
    assert {"careers_applications_received", "careers_delivery_queue_depth"} <= names


def test_metrics_are_refused_to_requests_relayed_by_a_proxy_or_from_elsewhere(client):
    assert client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 403
    assert client.get("/metrics", headers={"Forwarded": "for=203.0.113.9"}).status_code == 403
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"}).status_code == 403


def test_with_a_token_metrics_need_it_from_any_address(make_app):
    client = make_app(METRICS_TOKEN="scrape-token").test_client()
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
    bearer = {"Authorization": "Bearer scrape-token"}
    assert client.get("/metrics", headers=bearer, environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 200


def test_queue_depth_and_the_oldest_waiting_application_come_from_the_delivery_rows(app):
    first = submit_application(app, email="a@example.com")
    submit_application(app, email="b@example.com")
    with app.app_context():
        from app.models import Application, Delivery

        created = db.session.get(Application, first).created_at
        db.session.execute(
            db.update(Delivery).where(Delivery.application_id != first).values(status="delivered")
        )
        db.session.commit()
        gauges = DeliveryGauges(db.session(), lambda: created + timedelta(seconds=90))
        values = {(m.name, tuple(s.labels.items()), s.value) for m in gauges.collect() for s in m.samples}
    assert ("careers_delivery_queue_depth", (), 1) in values
    assert ("careers_oldest_undelivered_application_age_seconds", (), 90.0) in values
    assert ("careers_deliveries_now", (("ats", "skailer"), ("status", "pending")), 1) in values
    assert ("careers_deliveries_now", (("ats", "skailer"), ("status", "delivered")), 1) in values


def test_with_nothing_waiting_the_oldest_age_is_zero(app):
    with app.app_context():
        gauges = DeliveryGauges(db.session(), lambda: datetime(2026, 1, 1))
        values = {m.name: m.samples[0].value for m in gauges.collect() if m.samples}
    assert values["careers_oldest_undelivered_application_age_seconds"] == 0.0
    assert values["careers_delivery_queue_depth"] == 0


def test_every_response_carries_a_new_request_id_unless_a_trusted_proxy_gave_one(make_app):
    direct = make_app().test_client()
    first, second = (
        direct.get("/api/health"),
        direct.get("/api/health", headers={"X-Request-ID": "abcdef123"}),
    )
    assert len(first.headers["X-Request-ID"]) == 32
    assert second.headers["X-Request-ID"] not in ("abcdef123", first.headers["X-Request-ID"])
    proxied = make_app(TRUSTED_PROXIES=1).test_client()
    assert (
        proxied.get("/api/health", headers={"X-Request-ID": "abcdef123"}).headers["X-Request-ID"]
        == "abcdef123"
    )


def test_a_request_id_that_is_not_a_plain_token_is_replaced():
    new = lambda: "generated"  # noqa: E731
    assert request_id_from("abc\r\nSet-Cookie: x", trusted=True, new_id=new) == "generated"
    assert request_id_from("x" * 65, trusted=True, new_id=new) == "generated"
    assert request_id_from("nginx-1234abcd", trusted=True, new_id=new) == "nginx-1234abcd"


def test_a_request_refused_by_the_rate_limit_carries_a_request_id_too(make_app):
    client = make_app(LOGIN_RATE_LIMIT="1 per minute").test_client()
    token = csrf_token_from(client.get("/admin/login").text)
    for _ in range(2):
        response = client.post(
            "/admin/login", data={"email": "x@example.com", "password": "no", "csrf_token": token}
        )
    assert response.status_code == 429
    assert len(response.headers["X-Request-ID"]) == 32
