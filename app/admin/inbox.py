"""The applications inbox at volume: the filtered list, its CSV export and the bulk retry.

The search, filters and sort come from the query string (app/admin/inbox_query.py), so the
export and the "retry all failed" button act on exactly the view HR is looking at.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select

from app import audit
from app.admin import bp
from app.admin.forms import ActionForm
from app.admin.inbox_page import duplicates_among, filter_choices, page_of
from app.admin.inbox_query import (
    NO_SOURCE,
    PER_PAGE,
    RETRYABLE,
    STATUS_WORDS,
    InboxQuery,
    matching,
    paused_targets,
    shown_status,
)
from app.admin.roles import visible_jobs
from app.extensions import db_session
from app.intake.delivery import retry_now
from app.models import Application, Integration

EXPORT_BATCH = 500
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BULK_LIMIT = 5000  # one click retries at most this many; HR clicks again for the rest


@bp.get("/applications")
def applications():
    query = InboxQuery.from_args(request.args)
    paused = paused_targets(db_session())
    page = page_of(db_session(), query, paused)
    return render_template(
        "admin/applications.html",
        page=page,
        query=query,
        choices=filter_choices(db_session(), query.source),
        duplicates=duplicates_among(db_session(), page.items),
        paused=list(paused.values()),
        paused_kinds=set(paused),
        status_of=shown_status,
        words=STATUS_WORDS,
        per_page_choices=PER_PAGE,
        no_source=NO_SOURCE,
        action=ActionForm(),
    )


@dataclass(frozen=True)
class Details:
    """What the application page shows beyond the row itself: its readable delivery status,
    the paused target if any, and the other applications of the same person to the same job."""

    status: str
    words: str
    paused: Integration | None
    duplicates: list[Application] = field(default_factory=list)


def details_for(application: Application) -> Details:
    paused = paused_targets(db_session())
    status = shown_status(application.delivery, paused)
    return Details(
        status=status,
        words=STATUS_WORDS.get(status, status),
        paused=paused.get(application.delivery.target) if status == "paused" else None,
        duplicates=duplicates_among(db_session(), [application])[application.id],
    )


CSV_HEADER = (
    "Application",
    "Received (UTC)",
    "First name",
    "Last name",
    "Email",
    "Phone",
    "Location",
    "Job",
    "Team",
    "Source",
    "Delivery",
    "Delivered (UTC)",
)


@bp.get("/applications/export.csv")
def export_applications():
    """Every row of the current filter (not only the page), streamed in batches."""
    query = InboxQuery.from_args(request.args)
    audit.record_now(
        "export_csv", obj_kind="applications", detail="filter: " + ",".join(sorted(query.args()))
    )

    # The statement is built here, while the signed-in user (whose departments scope it) is
    # loaded; rows are read inside the stream, whose session is its own.
    statement = matching(query, paused_targets(db_session())).execution_options(yield_per=EXPORT_BATCH)

    @stream_with_context
    def lines() -> Iterator[str]:
        paused = paused_targets(db_session())
        rows = (_csv_row(a, paused) for a in db_session().scalars(statement))
        yield from csv_lines([CSV_HEADER], rows)

    return Response(
        lines(),
        mimetype="text/csv",
        headers={
            "Content-Disposition": "attachment; filename=applications.csv",
            "Cache-Control": "no-store",
        },
    )


def _csv_row(application: Application, paused: dict[str, Integration]) -> list[str]:
    delivery = application.delivery
    attribution = application.attribution or {}
    return [
        str(application.id),
        f"{application.created_at:%Y-%m-%d %H:%M}",
        application.first_name,
        application.last_name,
        application.email,
        application.phone,
        application.location,
        application.job.title,
        application.job.department,
        attribution.get("utm_source") or attribution.get("src") or "",
        STATUS_WORDS.get(shown_status(delivery, paused), delivery.status),
        f"{delivery.delivered_at:%Y-%m-%d %H:%M}" if delivery.delivered_at else "",
    ]


def csv_lines(*parts: Iterable[Iterable[str]]) -> Iterator[str]:
    """CSV text a line at a time, every cell neutralised against formula injection."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for rows in parts:
        for row in rows:
            writer.writerow([safe_cell(cell) for cell in row])
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()


def safe_cell(value: str) -> str:
    """A cell a spreadsheet will show as text: one that could start a formula gets a leading
    apostrophe (the OWASP advice), so `=HYPERLINK(...)` typed into a form never runs."""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


@bp.post("/applications/retry")
def retry_applications():
    """Retry the selected deliveries, or every failed one in the current filter."""
    if not ActionForm().validate_on_submit():
        abort(400)
    query = InboxQuery.from_args(request.form)
    every_failed = request.form.get("scope") == "failed"
    if every_failed:
        statement = matching(query.with_status("failed"), paused_targets(db_session())).limit(BULK_LIMIT)
    else:
        ids = [int(i) for i in request.form.getlist("id") if i.isdigit()][:BULK_LIMIT]
        statement = (
            select(Application)
            .join(Application.job)
            .where(Application.id.in_(ids), *visible_jobs(current_user))
        )
    chosen = list(db_session().scalars(statement))
    retried = [a for a in chosen if a.delivery.status in RETRYABLE]
    for application in retried:
        retry_now(db_session(), application.delivery)
        current_app.extensions["careers.tasks"].enqueue_delivery(application.id)
    audit.record_now(
        "bulk_retry", obj_kind="applications", diff={"application_ids": [None, [a.id for a in retried]]}
    )
    flash(_bulk_message(len(retried), len(chosen) - len(retried), every_failed))
    return redirect(url_for("admin.applications", **query.args()))


def _bulk_message(retried: int, left: int, every_failed: bool) -> str:
    if not retried and not left:
        return "No delivery in this view has failed." if every_failed else "No application was selected."
    message = f"{retried} {'delivery' if retried == 1 else 'deliveries'} queued again."
    if left:
        message += f" {left} not retried: only failed deliveries and those needing review can be retried."
    return message
