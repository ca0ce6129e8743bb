"""The record of settings changes: who, when and which keys, never a value.

Everything goes through `record_change`, so the record can move to a general audit log by
changing this one function."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import SettingChange, User


def record_change(
    session: Session, user: User | None, keys: Iterable[str], *, now: datetime
) -> SettingChange:
    """Add the record to the caller's transaction, so it is kept exactly when the change is."""
    change = SettingChange(
        at=now,
        user_id=user.id if user is not None else None,
        user_email=user.email if user is not None else "",
        keys=", ".join(sorted(set(keys))),
    )
    session.add(change)
    return change


def recent_changes(session: Session, limit: int = 20) -> list[SettingChange]:
    return list(session.scalars(select(SettingChange).order_by(SettingChange.id.desc()).limit(limit)))
