"""JSON endpoints used by the apply form's script and by monitoring."""

from __future__ import annotations

from flask import current_app, jsonify, request
from sqlalchemy import text

from app.api import bp
from app.embed.tokens import allows_autofill
from app.extensions import csrf, db, db_session, limiter
from app.intake.uploads import UploadRejected, read_upload
from app.resume.service import parse_cached


@bp.get("/health")
def health():
    db.session.execute(text("SELECT 1"))
    return jsonify(status="ok")


@bp.post("/resume/parse")
@csrf.exempt  # checked below: the session's CSRF token, or an embed form's token (no cookies)
@limiter.limit("30 per minute")
def parse_resume():
    """Autofill suggestions for the apply form; CSRF-protected like every POST."""
    config = current_app.config
    if not (
        request.headers.get("X-Embed-Token")
        and allows_autofill(request, config["SECRET_KEY"], config["EMBED_ALLOWED_ORIGINS"])
    ):
        csrf.protect()
    try:
        checked = read_upload(request.files.get("resume"), config["MAX_UPLOAD_BYTES"])
    except UploadRejected as exc:
        return jsonify(ok=False, error_code="rejected", message=str(exc)), 422
    if checked is None:
        return jsonify(ok=False, error_code="missing", message="Choose a resume file."), 400
    result = parse_cached(db_session(), checked.upload.content(), checked.upload.sha256)
    return jsonify({k: v for k, v in result.items() if k != "text"}), 200  # autofill needs no text
