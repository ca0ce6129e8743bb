"""The answer to a request too large to read at all: in the page's own layout, naming the limit.

A file between MAX_UPLOAD_MB and MAX_APPLY_REQUEST_MB comes back on the form itself (see
app/intake/requests.py); what lands here is larger still, or came to another endpoint.
"""

from __future__ import annotations

from flask import jsonify, render_template, request, url_for

from app.intake.uploads import too_large_message
from app.settings import current as current_settings


def refuse_too_large(max_bytes: int):
    """JSON for the autofill script, the embed's error page (the host hears `careers:error`),
    or the site's page with a link back to a fresh form: never a dead end."""
    message = too_large_message(max_bytes)
    limit = max_bytes // (1024 * 1024)
    if request.blueprint == "api":
        return jsonify(ok=False, error_code="too_large", message=message, max_mb=limit), 413
    job_id = (request.view_args or {}).get("job_id")
    if request.blueprint == "embed":
        origin = request.args.get("origin", "")
        allowed = origin in current_settings().embed_origins
        page = render_template(
            "embed/error.html",
            code="file_too_large",
            message=message,
            job_id=job_id,
            host_origin=origin if allowed else None,
        )
        return page, 413
    form_url = url_for("careers.apply", job_id=job_id) if request.endpoint == "careers.apply" else None
    return render_template("errors/too_large.html", limit=limit, form_url=form_url), 413
