"""The audit log page, for admins: search by action, actor, object, dates and free text, page
through the entries, export the current filter as CSV. Entries are only read here."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import Response, render_template, request, stream_with_context
from sqlalchemy import Select, or_, select

from app.admin import bp
from app.admin.inbox import csv_lines
from app.admin.users import admin_only
from app.audit import ACTIONS, SYSTEM
from app.extensions import db, db_session
from app.models import AuditEvent, User

PER_PAGE = 50
EXPORT_BATCH = 500
CSV_HEADER = (
    "Time (UTC)",
    "Actor",
    "Role",
    "Action",
    "Object",
    "Object id",
    "Detail",
    "Changes",
    "IP",
    "Request",
)


@dataclass(frozen=True)
class AuditQuery:
    action: str = ""
    actor: str = ""  # a user id, or "system"
    obj_kind: str = ""
    obj_id: str = ""
    q: str = ""
    since: date | None = None
    until: date | None = None
    page: int = 1

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> AuditQuery:
        """The filter in a query string; values that make no sense are dropped, not refused."""
        action = args.get("action", "")
        actor = args.get("actor", "").strip()
        page = args.get("page", "1")
        return cls(
            action=action if action in ACTIONS else "",
            actor=actor if actor == SYSTEM or actor.isdigit() else "",
            obj_kind=args.get("obj_kind", "").strip()[:40],
            obj_id=args.get("obj_id", "").strip()[:64],
            q=args.get("q", "").strip()[:100],
            since=_day(args.get("from")),
            until=_day(args.get("to")),
            page=int(page) if page.isdigit() and int(page) > 0 else 1,
        )

    def args(self, **changes: Any) -> dict[str, Any]:
        """The query string of this filter with `changes`, empty values left out."""
        values = {
            "action": self.action,
            "actor": self.actor,
            "obj_kind": self.obj_kind,
            "obj_id": self.obj_id,
            "q": self.q,
            "from": self.since.isoformat() if self.since else None,
            "to": self.until.isoformat() if self.until else None,
            "page": self.page if self.page > 1 else None,
        }
        values.update(changes)
        return {key: value for key, value in values.items() if value}


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def matching(query: AuditQuery) -> Select[AuditEvent]:
    """The entries of the filter, newest first."""
    statement = select(AuditEvent).order_by(AuditEvent.id.desc())
    if query.action:
        statement = statement.where(AuditEvent.action == query.action)
    if query.actor == SYSTEM:
        statement = statement.where(AuditEvent.actor_role == SYSTEM)
    elif query.actor:
        statement = statement.where(AuditEvent.actor_id == int(query.actor))
    if query.obj_kind:
        statement = statement.where(AuditEvent.obj_kind == query.obj_kind)
    if query.obj_id:
        statement = statement.where(AuditEvent.obj_id == query.obj_id)
    if query.since:
        statement = statement.where(AuditEvent.at >= datetime.combine(query.since, time()))
    if query.until:
        statement = statement.where(AuditEvent.at < datetime.combine(query.until + timedelta(days=1), time()))
    if query.q:
        pattern = "%" + query.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        columns = (AuditEvent.action, AuditEvent.obj_kind, AuditEvent.obj_id, AuditEvent.detail)
        statement = statement.where(or_(*(column.ilike(pattern, escape="\\") for column in columns)))
    return statement


def user_emails() -> dict[int, str]:
    """Who the actor ids are, for the page and the export (the entries themselves hold ids only)."""
    return {row.id: row.email for row in db_session().execute(select(User.id, User.email))}


@bp.get("/audit")
@admin_only
def audit_log():
    query = AuditQuery.from_args(request.args)
    page = db.paginate(matching(query), page=query.page, per_page=PER_PAGE, error_out=False)
    users = user_emails()
    return render_template(
        "admin/audit.html",
        query=query,
        page=page,
        users=users,
        actions=sorted(ACTIONS),
        changes=changes_text,
    )


@bp.get("/audit/export.csv")
@admin_only
def audit_export():
    """Every entry of the current filter (not only the page), streamed in batches."""
    query = AuditQuery.from_args(request.args)
    users = user_emails()

    @stream_with_context
    def lines() -> Iterator[str]:
        statement = matching(query).execution_options(yield_per=EXPORT_BATCH)
        rows = (_csv_row(entry, users) for entry in db_session().scalars(statement))
        yield from csv_lines([CSV_HEADER], rows)

    return Response(
        lines(),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=audit.csv", "Cache-Control": "no-store"},
    )


def actor_text(entry: AuditEvent, users: Mapping[int, str]) -> str:
    if entry.actor_role == SYSTEM:
        return SYSTEM
    if entry.actor_id is None:
        return "-"
    return users.get(entry.actor_id, f"user {entry.actor_id}")


def changes_text(entry: AuditEvent) -> str:
    if not entry.diff:
        return ""
    return "; ".join(
        f"{field}: {json.dumps(pair[0], ensure_ascii=False)} → {json.dumps(pair[1], ensure_ascii=False)}"
        for field, pair in sorted(entry.diff.items())
    )


def _csv_row(entry: AuditEvent, users: Mapping[int, str]) -> list[str]:
    return [
        f"{entry.at:%Y-%m-%d %H:%M:%S}",
        actor_text(entry, users),
        entry.actor_role,
        entry.action,
        entry.obj_kind,
        entry.obj_id,
        entry.detail,
        changes_text(entry),
        entry.ip,
        entry.request_id,
    ]
