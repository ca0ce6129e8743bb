"""Sign-in rules an admin sets in the browser, kept in the security_setting table."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.models import SecuritySetting

REQUIRE_TWO_FACTOR = "require_two_factor"


def read_setting(session: Session, name: str, default: Any = None) -> Any:
    row = session.get(SecuritySetting, name)
    return default if row is None else row.value


def write_setting(session: Session, name: str, value: Any) -> None:
    """Store the value (the caller commits)."""
    row = session.get(SecuritySetting, name)
    if row is None:
        session.add(SecuritySetting(name=name, value=value))
    else:
        row.value = value


def two_factor_required(session: Session) -> bool:
    return bool(read_setting(session, REQUIRE_TWO_FACTOR, False))
