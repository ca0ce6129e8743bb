"""The audit log: who did what, to which object, when and from where.

`record()` adds an entry to the caller's session, so an action and its entry commit (or roll
back) together. Diffs are masked once, on the way in (masking.py): secrets never reach a row,
personal values show only that they changed, long texts are kept as a hash and a length. The
log is append-only: an ORM guard (guard.py) refuses every update or delete of an entry except
the retention purge's.
"""

from __future__ import annotations

import ipaddress
import logging
from datetime import datetime, timedelta
from typing import Any

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import delete, inspect
from sqlalchemy.orm import Session

from app.audit.guard import PURGE_OPTION
from app.audit.masking import masked, unchanged
from app.extensions import db
from app.logging_setup import current_request_id
from app.models import AuditEvent, User, utcnow

log = logging.getLogger(__name__)

ACTIONS = frozenset(
    {
        "sign_in",
        "sign_in_failed",
        "sign_out",
        "lockout",
        "application_viewed",
        "resume_viewed",
        "file_downloaded",
        "export_csv",
        "retry",
        "bulk_retry",
        "job_created",
        "job_changed",
        "job_published",
        "job_unpublished",
        "job_closed",
        "job_reopened",
        "job_duplicated",
        "job_deleted",
        "question_added",
        "question_changed",
        "question_removed",
        "question_set_added",
        "question_set_changed",
        "question_set_removed",
        "erasure_requested",
        "erasure_task_done",
        "erasure_finished",
        "user_invited",
        "invitation_revoked",
        "role_changed",
        "user_deactivated",
        "user_reactivated",
        "sessions_ended",
        "two_factor_changed",
        "password_set",
        "settings_changed",
        "audit_purged",
    }
)

SYSTEM = "system"


class UnknownAction(ValueError):
    """An action outside the audit vocabulary: a typo would make entries unsearchable."""


def record(
    action: str,
    *,
    obj_kind: str | None = None,
    obj_id: Any = None,
    diff: dict[str, Any] | None = None,
    actor: User | str | None = None,
    detail: str = "",
    session: Session | None = None,
    at: datetime | None = None,
) -> AuditEvent:
    """Add an entry to `session` (default: the app context's; the caller commits). `actor`
    defaults to the signed-in user; "system" for tasks, "candidate" for a candidate's own
    request. `diff` maps field -> [before, after] and is masked. `at` is the present unless a
    task passes its own clock's time."""
    if action not in ACTIONS:
        raise UnknownAction(action)
    diff = {field: pair for field, pair in (diff or {}).items() if not unchanged(pair)}
    actor_id, role = _actor(actor)
    entry = AuditEvent(
        at=at or utcnow(),
        actor_id=actor_id,
        actor_role=role,
        action=action,
        obj_kind=obj_kind or "",
        obj_id="" if obj_id is None else str(obj_id)[:64],
        detail=detail[:100],
        diff=masked(diff) if diff else None,
        ip=_client_ip(),
        request_id=(current_request_id() or "")[:64],
    )
    (session or db.session()).add(entry)
    return entry


def record_now(action: str, **kwargs: Any) -> AuditEvent:
    """Record and commit at once: for reads (a resume viewed, an export) with nothing else to commit."""
    entry = record(action, **kwargs)
    db.session.commit()
    return entry


def record_change(action: str, obj: Any, *, detail: str = "") -> AuditEvent:
    """Record what changed on an ORM object since it was loaded (before the flush that would
    forget it); a new object is flushed first so the entry carries its id."""
    changes = changed_fields(obj)
    if inspect(obj).pending:
        db.session.flush()
    return record(action, obj_kind=obj.__tablename__, obj_id=obj.id, diff=changes, detail=detail)


def record_settings(changes: dict[str, tuple[Any, Any]], *, detail: str = "") -> AuditEvent | None:
    """One entry for a save of settings: each changed key with its value before and after
    (secrets masked by their names); nothing when no value changed."""
    diff = {key: [before, after] for key, (before, after) in changes.items() if before != after}
    if not diff:
        return None
    return record(
        "settings_changed", obj_kind="setting", obj_id=",".join(sorted(diff))[:64], diff=diff, detail=detail
    )


def changed_fields(obj: Any) -> dict[str, list[Any]]:
    state = inspect(obj)
    changes: dict[str, list[Any]] = {}
    for attr in state.mapper.column_attrs:
        history = state.attrs[attr.key].history
        if not history.has_changes():
            continue
        before = history.deleted[0] if history.deleted else None
        after = history.added[0] if history.added else None
        if before != after:
            changes[attr.key] = [before, after]
    return changes


def _actor(actor: User | str | None) -> tuple[int | None, str]:
    if isinstance(actor, str):
        return None, actor
    if isinstance(actor, User):
        return actor.id, actor.role or ""
    if has_request_context() and current_user.is_authenticated:
        return current_user.id, getattr(current_user, "role", "") or ""
    return None, ""


def _client_ip() -> str:
    """The client's address with its host part dropped (/24 for IPv4, /48 for IPv6)."""
    if not has_request_context() or not request.remote_addr:
        return ""
    try:
        address = ipaddress.ip_address(request.remote_addr)
    except ValueError:
        return ""
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False).network_address)


def purge(session: Session, now: datetime, days: int) -> int:
    """Delete the entries older than `days` at `now` (the retention purge, the one delete the
    log allows) and record that it ran; the caller commits."""
    cutoff = now - timedelta(days=days)
    result = session.execute(
        delete(AuditEvent).where(AuditEvent.at < cutoff), execution_options={PURGE_OPTION: True}
    )
    count = int(getattr(result, "rowcount", 0) or 0)
    record("audit_purged", actor=SYSTEM, detail=f"{count} older than {days} days", session=session, at=now)
    log.info("audit log purge removed %d entries older than %d days", count, days)
    return count
