"""The record of settings changes: who, when and which keys, never a value.

Everything goes through `record_change`, which also writes the change into the audit log
(app/audit), where admins search every kind of action together."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import audit
from app.models import SettingChange, User


def record_change(
    session: Session, user: User | None, keys: Iterable[str], *, now: datetime
) -> SettingChange:
    """Add the record, and its entry in the audit log, to the caller's transaction, so they are
    kept exactly when the change is. Keys only: values (credentials among them) stay out."""
    names = ", ".join(sorted(set(keys)))
    audit.record(
        "settings_changed", obj_kind="setting", obj_id=names[:64], actor=user, session=session, at=now
    )
    change = SettingChange(
        at=now,
        user_id=user.id if user is not None else None,
        user_email=user.email if user is not None else "",
        keys=names,
    )
    session.add(change)
    return change


def recent_changes(session: Session, limit: int = 20) -> list[SettingChange]:
    return list(session.scalars(select(SettingChange).order_by(SettingChange.id.desc()).limit(limit)))
