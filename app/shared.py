"""Where state shared by every web and worker process lives: one Redis when configured.

Vendor request budgets and quotas (`limits`), inbound request limits (Flask-Limiter) and the
page and lookup caches (Flask-Caching) all use the Redis at `REDIS_URL`. Without one, `make run`
keeps them in its one process (and the vendor budgets in a SQLite file every local process
shares), which is right for one machine and wrong for several.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from limits.storage import Storage, storage_from_string

REDIS_SCHEMES = ("redis", "rediss", "unix")
# A Redis that does not answer must not hold a web request or a worker for long: the callers
# fall back (inbound limits, caches) or retry later (vendor budgets). Redis answers in a
# millisecond; a web request touches it a few times (limit, cache, queue), so each wait is short.
REDIS_TIMEOUTS: dict[str, Any] = {"socket_timeout": 0.5, "socket_connect_timeout": 0.5}


try:
    from redis.exceptions import RedisError as StoreDown
except ImportError:  # without the Redis client there is no Redis to be down

    class StoreDown(Exception):  # type: ignore[no-redef]
        """Never raised: stands in for redis.exceptions.RedisError."""


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


def namespace(settings: Mapping[str, Any]) -> str:
    """The prefix of every key this service writes to Redis: `REDIS_PREFIX`, else one derived
    from the database, so processes of one service share their keys and two services (or two
    test runs) on one Redis never read each other's."""
    if settings.get("REDIS_PREFIX"):
        return str(settings["REDIS_PREFIX"])
    return "careers-" + hashlib.sha256(str(settings.get("DATABASE_URL")).encode()).hexdigest()[:12]


def cache_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    """Flask-Caching's settings: Redis when set (every process sees one cache), else a
    SimpleCache in this process."""
    url = redis_url(settings)
    if url is None:
        return {"CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": 1024}
    return {
        "CACHE_TYPE": "RedisCache",
        "CACHE_REDIS_URL": url,
        "CACHE_KEY_PREFIX": namespace(settings) + ":cache:",
        "CACHE_OPTIONS": dict(REDIS_TIMEOUTS),
    }
