"""The audit log: who did what, to which object, when and from where.

`record()` adds an entry to the caller's session, so an action and its entry commit (or roll
back) together. Diffs are masked here, once: secrets never reach a row, personal values show
only that they changed, long texts are kept as a hash and a length. The log is append-only: an
ORM guard refuses every update or delete of an entry except the retention purge's.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import delete, event, inspect
from sqlalchemy.orm import ORMExecuteState, Session

from app.extensions import db
from app.logging_setup import current_request_id
from app.models import AuditEvent, AuditRowLocked, User, utcnow

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
MASK = "***"
CHANGED = "(changed)"
SECRET_WORDS = ("password", "secret", "token", "nonce", "credential", "api_key", "totp")
PERSONAL_FIELDS = frozenset(
    {"email", "first_name", "last_name", "full_name", "phone", "notify_emails", "receipt_to"}
)
HASHED_FIELDS = frozenset({"description_md", "description_html"})
LONGEST_KEPT = 200  # characters of a text value kept as it is; longer ones become a hash


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
) -> AuditEvent:
    """Add an entry to `session` (default: the app context's; the caller commits). `actor`
    defaults to the signed-in user; "system" for tasks, "candidate" for a candidate's own
    request. `diff` maps field -> [before, after] and is masked."""
    if action not in ACTIONS:
        raise UnknownAction(action)
    diff = {field: pair for field, pair in (diff or {}).items() if not _unchanged(pair)}
    actor_id, role = _actor(actor)
    entry = AuditEvent(
        at=utcnow(),
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


def masked(diff: dict[str, Any]) -> dict[str, Any]:
    """The diff as it may be stored: no secret, no personal value, no long text."""
    out: dict[str, Any] = {}
    for field, pair in diff.items():
        before, after = pair if isinstance(pair, list | tuple) and len(pair) == 2 else (None, pair)
        out[field] = [_masked_value(field, before), _masked_value(field, after)]
    return out


def _unchanged(pair: Any) -> bool:
    return isinstance(pair, list | tuple) and len(pair) == 2 and pair[0] == pair[1]


def _masked_value(field: str, value: Any) -> Any:
    name = field.lower()
    if value is None or value == "":
        return value
    if any(word in name for word in SECRET_WORDS):
        return MASK
    if name in PERSONAL_FIELDS or "email" in name:
        return CHANGED
    value = _plain(value)
    if isinstance(value, str) and (name in HASHED_FIELDS or len(value) > LONGEST_KEPT):
        digest = hashlib.sha256(value.encode()).hexdigest()[:12]
        return f"sha256:{digest} ({len(value)} chars)"
    return value


def _plain(value: Any) -> Any:
    """A JSON value: dates as ISO text, decimals as text, lists item by item."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, str | int | float | bool | dict):
        return value
    return str(value)


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
    entry = record("audit_purged", actor=SYSTEM, detail=f"{count} older than {days} days")
    entry.at = now
    log.info("audit log purge removed %d entries older than %d days", count, days)
    return count


PURGE_OPTION = "audit_purge"


@event.listens_for(Session, "before_flush")
def _refuse_changed_entries(session: Session, _context: Any, _instances: Any) -> None:
    for obj in session.deleted:
        if isinstance(obj, AuditEvent):
            raise AuditRowLocked("audit entries cannot be deleted")
    for obj in session.dirty:
        if isinstance(obj, AuditEvent) and session.is_modified(obj):
            raise AuditRowLocked("audit entries cannot be changed")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_changes(state: ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) == AuditEvent.__tablename__ and not (
        state.is_delete and state.execution_options.get(PURGE_OPTION)
    ):
        raise AuditRowLocked("audit entries are changed by nobody and deleted only by the purge")
