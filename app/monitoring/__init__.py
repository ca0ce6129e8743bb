"""What operators look at: readiness (/api/ready), Prometheus metrics (/metrics), and the
request id on every response and log record. Liveness stays at /api/health."""

from __future__ import annotations

from flask import Blueprint, Flask, Response, abort, current_app, jsonify, request

from app.extensions import csrf, db, db_session, limiter
from app.models import utcnow
from app.monitoring.metrics import DeliveryGauges, exposition, may_read
from app.monitoring.readiness import database_check, queue_check, run_checks, storage_check
from app.monitoring.requests import register_request_ids
from app.storage import storage_for

bp = Blueprint("monitoring", __name__)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def register_monitoring(app: Flask) -> None:
    app.register_blueprint(bp)
    register_request_ids(app)


@bp.get("/api/ready")
@limiter.exempt
def ready():
    """200 when the database, the queue and the file storage all answer; else 503 naming the
    checks that failed. Load balancers send traffic only to a ready process."""
    app = current_app
    readiness = run_checks(
        {
            "database": database_check(db.engine),
            "queue": queue_check(app.extensions["careers.tasks"].huey),
            "storage": storage_check(storage_for(app)),
        }
    )
    if readiness.ready:
        return jsonify(status="ready", checks=readiness.checks)
    return jsonify(status="unavailable", failed=readiness.failed, checks=readiness.checks), 503


@bp.get("/metrics")
@csrf.exempt
@limiter.exempt
def metrics():
    if not may_read(request, current_app.config["METRICS_TOKEN"]):
        abort(403)
    body = exposition(DeliveryGauges(db_session(), utcnow))
    return Response(body, content_type=CONTENT_TYPE, headers={"Cache-Control": "no-store"})
