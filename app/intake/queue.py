"""The Huey instance behind delivery: SQLite file by default, Redis by URL, memory for tests."""

from __future__ import annotations

from urllib.parse import urlparse

from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey

# redis-py's own URL schemes: TCP, TLS, and a Unix socket on the same machine (unix:///path?db=N).
REDIS_SCHEMES = ("redis", "rediss", "unix")


def make_huey(url: str, *, name: str = "careers") -> Huey:
    scheme = urlparse(url).scheme
    if scheme == "sqlite":
        path = url.split("sqlite:///", 1)[1]
        return SqliteHuey(name=name, filename=path, results=False, timeout=15)
    if scheme in REDIS_SCHEMES:
        return RedisHuey(name=name, url=url, results=False)
    if url == "memory://":
        return MemoryHuey(name=name, results=False)
    raise ValueError(
        f"unsupported queue URL scheme {scheme!r} (use sqlite:///, redis://, rediss://, unix:// or memory://)"
    )
