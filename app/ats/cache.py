"""Lookups (jobs, stages, sources, questions) reused for a while: they change rarely, and every
call saved is one fewer against the vendor's rate limit.

In the service the values live in `SharedLookups`: Flask-Caching's cache (Redis when set, so
every worker process reads one copy), under keys that carry a version. `clear()` and a job
sync bump the version, so every process reads the ATS again at once, not after its own TTL.
Without a shared store (adapter tests, a one-off script) a cache is this object's own, timed
by the injected clock.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Hashable
from typing import Any, Protocol

from app.shared import StoreDown


class Backend(Protocol):
    """What the shared lookups need of a cachelib cache (Flask-Caching's backends)."""

    def get(self, key: str) -> Any: ...
    def set(self, key: str, value: Any, timeout: int | None = None) -> Any: ...
    def add(self, key: str, value: Any, timeout: int | None = None) -> Any: ...


class SharedLookups:
    """The lookups of one target (kind and base URL) in a store every process shares."""

    def __init__(self, backend: Backend, target: str) -> None:
        self._backend, self._target = backend, target

    def get(self, name: str, key: Hashable) -> tuple[Any] | None:
        return self._backend.get(self._key(name, key))

    def put(self, name: str, key: Hashable, value: Any, ttl: float) -> None:
        self._backend.set(self._key(name, key), (value,), timeout=max(int(ttl), 1))

    def forget(self, name: str = "") -> None:
        """Every process reads `name`'s lookups again (all of this target's when empty)."""
        self._backend.set(self._version_key(name), secrets.token_hex(4), timeout=0)

    def _key(self, name: str, key: Hashable) -> str:
        return f"lookups:{self._target}:{self._version('')}:{name}:{self._version(name)}:{key!r}"

    def _version_key(self, name: str) -> str:
        return f"lookups:{self._target}:version:{name}"

    def _version(self, name: str) -> str:
        key = self._version_key(name)
        version = self._backend.get(key)
        if version is None:
            self._backend.add(key, secrets.token_hex(4), timeout=0)
            version = self._backend.get(key)
        return str(version)


class TtlCache:
    """Values loaded on first use and kept for `ttl` seconds; `clear()` on signs of change.

    With `shared`, values are kept there under `name`; a store that does not answer makes the
    lookup go to the ATS, as with an empty cache.
    """

    def __init__(
        self,
        ttl: float,
        clock: Callable[[], float] = time.monotonic,
        *,
        shared: SharedLookups | None = None,
        name: str = "lookups",
    ) -> None:
        self.ttl, self._clock = ttl, clock
        self._shared, self._name = shared, name
        self._values: dict[Hashable, tuple[float, Any]] = {}

    def get(self, key: Hashable, load: Callable[[], Any]) -> Any:
        if self._shared is not None:
            return self._get_shared(self._shared, key, load)
        hit = self._values.get(key)
        if hit is not None and self._clock() - hit[0] < self.ttl:
            return hit[1]
        value = load()
        self._values[key] = (self._clock(), value)
        return value

    def clear(self) -> None:
        self._values.clear()
        if self._shared is not None:
            try:
                self._shared.forget(self._name)
            except StoreDown:
                pass  # nothing is read from a store that does not answer

    def _get_shared(self, shared: SharedLookups, key: Hashable, load: Callable[[], Any]) -> Any:
        try:
            hit = shared.get(self._name, key)
        except StoreDown:
            return load()
        if hit is not None:
            return hit[0]
        value = load()
        try:
            shared.put(self._name, key, value, self.ttl)
        except StoreDown:
            pass  # the next call loads again
        return value
