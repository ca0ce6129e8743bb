"""Webhook receivers and the signed resume download."""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, datetime

from flask import abort, current_app, request
from sqlalchemy import String, cast, select
from sqlalchemy.exc import IntegrityError

from app import audit
from app.ats.webhooks import MAX_BODY_BYTES, SIGNATURE_HEADER, receive
from app.extensions import csrf, db
from app.hooks import bp
from app.intake.downloads import send_stored
from app.intake.links import application_for_token
from app.intake.runner import refs
from app.models import Application, Delivery, WebhookEvent, column_length, fit, utcnow
from app.storage import storage_for

log = logging.getLogger(__name__)


def event_key(event_id: str) -> str:
    """The id as stored: one longer than its column is kept as its digest, still unique."""
    if len(event_id) <= (column_length(WebhookEvent, "event_id") or 0):
        return event_id
    return "sha256:" + hashlib.sha256(event_id.encode()).hexdigest()


def first_time(source: str):
    def record(event_id: str) -> bool:
        db.session.add(WebhookEvent(source=source, event_id=event_key(event_id)))
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            return False
        return True

    return record


@bp.post("/webhooks/nexivohr")
@csrf.exempt  # authenticated by its HMAC signature, not by a browser session
def nexivohr_webhook():
    secret = str(current_app.config["WEBHOOK_SECRETS"].get("nexivohr", "")).encode()
    if not secret:
        abort(404)
    if (request.content_length or 0) > MAX_BODY_BYTES:
        return "", 413
    raw = request.get_data(cache=False)
    receipt = receive(secret, raw, request.headers.get(SIGNATURE_HEADER), first_time("nexivohr"))
    if receipt.update is not None and receipt.event is not None:
        application = application_by_ref("nexivohr", "submission_ref", receipt.update.submission_ref)
        if application is not None:
            apply_stage(application, receipt.update.label, occurred_at(receipt.event.occurred_at))
            db.session.commit()
        else:
            log.info("nexivohr submission %s is not one of ours", receipt.update.submission_ref)
    return "", receipt.status


def occurred_at(raw: str, *, received: datetime | None = None) -> datetime:
    """When the ATS says the event happened, as naive UTC; when it does not say, when it came."""
    try:
        when = datetime.fromisoformat(raw)
    except ValueError:
        return received or utcnow()
    if when.tzinfo is not None:
        when = when.astimezone(UTC).replace(tzinfo=None)
    return when


def apply_stage(application: Application, label: str, when: datetime) -> None:
    """Show the stage unless a later event already set one: webhooks may arrive out of order."""
    if application.stage_changed_at is not None and when < application.stage_changed_at:
        return
    application.stage_label = fit(Application, "stage_label", label)
    application.stage_changed_at = when


def application_by_ref(target: str, key: str, ref: str) -> Application | None:
    """The application whose delivery recorded `key` = `ref` among its checkpoints."""
    candidates = db.session.scalars(
        select(Delivery).where(
            Delivery.target == target, cast(Delivery.checkpoints, String).like(f'%"{ref}"%')
        )
    )
    for delivery in candidates:
        if refs(delivery.checkpoints or {}).get(key) == ref:
            return delivery.application
    return None


@bp.get("/files/resume/<token>")
def signed_resume(token: str):
    found = application_for_token(
        current_app.config["SECRET_KEY"], token, int(current_app.config["RESUME_LINK_DAYS"])
    )
    if found is None:
        abort(404)
    application = db.session.get(Application, found[0])
    if application is None or application.public_id != found[1] or not application.resume_key:
        abort(404)
    audit.record_now(
        "resume_viewed", obj_kind="application", obj_id=application.id, actor="link", detail="signed link"
    )
    response = send_stored(
        storage_for(current_app),
        application.resume_key,
        content_type=application.resume_content_type,
        filename=application.resume_filename or "resume",
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response
