"""What an audit entry may hold of a change: no secret (masked by the field's name), no
personal value (only that it changed), no long text (a hash and a length)."""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from decimal import Decimal
from typing import Any

MASK = "***"
CHANGED = "(changed)"
SECRET_WORDS = ("password", "secret", "token", "nonce", "credential", "api_key", "totp")
PERSONAL_FIELDS = frozenset(
    {"email", "first_name", "last_name", "full_name", "phone", "notify_emails", "receipt_to"}
)
HASHED_FIELDS = frozenset({"description_md", "description_html"})
LONGEST_KEPT = 200  # characters of a text value kept as it is; longer ones become a hash


def masked(diff: dict[str, Any]) -> dict[str, Any]:
    """The diff as it may be stored: no secret, no personal value, no long text."""
    out: dict[str, Any] = {}
    for field, pair in diff.items():
        before, after = pair if isinstance(pair, list | tuple) and len(pair) == 2 else (None, pair)
        out[field] = [masked_value(field, before), masked_value(field, after)]
    return out


def unchanged(pair: Any) -> bool:
    return isinstance(pair, list | tuple) and len(pair) == 2 and pair[0] == pair[1]


def masked_value(field: str, value: Any) -> Any:
    name = field.lower()
    if value is None or value == "":
        return value
    if any(word in name for word in SECRET_WORDS):
        return MASK
    if name in PERSONAL_FIELDS or "email" in name:
        return CHANGED
    if isinstance(value, dict):
        return {key: masked_value(str(key), item) for key, item in value.items()}
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
