"""Where state shared by every web and worker process lives: one Redis when configured.

Vendor request budgets and quotas (`limits`), inbound request limits (Flask-Limiter) and the
page and lookup caches (Flask-Caching) all use the Redis at `REDIS_URL`. Without one, `make run`
keeps them in its one process (and the vendor budgets in a SQLite file every local process
shares), which is right for one machine and wrong for several.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from limits.storage import Storage, storage_from_string

REDIS_SCHEMES = ("redis", "rediss", "unix")
# A Redis that does not answer must not hold a web request or a worker for long: the callers
# fall back (inbound limits, caches) or retry later (vendor budgets).
REDIS_TIMEOUTS: dict[str, Any] = {"socket_timeout": 2.0, "socket_connect_timeout": 2.0}


def is_redis(url: str | None) -> bool:
    return bool(url) and urlsplit(str(url)).scheme in REDIS_SCHEMES


def redis_url(settings: Mapping[str, Any]) -> str | None:
    """`REDIS_URL`, else the queue's URL when the queue is on Redis, else None."""
    if settings.get("REDIS_URL"):
        return str(settings["REDIS_URL"])
    queue = settings.get("QUEUE_URL")
    return str(queue) if is_redis(queue) else None


def limits_uri(url: str) -> str:
    """The `limits` library's name for a redis-py URL: `unix://` is `redis+unix://` there."""
    scheme, _, rest = url.partition("://")
    return f"redis+unix://{rest}" if scheme == "unix" else url


def counter_storage(settings: Mapping[str, Any]) -> Storage | None:
    """The `limits` storage shared by every process (Redis), or None when there is none.

    Errors come out as `limits.errors.StorageError`, which callers classify.
    """
    url = redis_url(settings)
    if url is None:
        return None
    storage = storage_from_string(limits_uri(url), wrap_exceptions=True, **REDIS_TIMEOUTS)
    assert isinstance(storage, Storage)  # a redis:// URI never names an asyncio storage
    return storage
