"""Lookups (jobs, stages, sources, questions) reused for a while: they change rarely, and every
call saved is one fewer against the vendor's rate limit."""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from typing import Any


class TtlCache:
    """Values loaded on first use and kept for `ttl` seconds; `clear()` on signs of change."""

    def __init__(self, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl, self._clock = ttl, clock
        self._values: dict[Hashable, tuple[float, Any]] = {}

    def get(self, key: Hashable, load: Callable[[], Any]) -> Any:
        hit = self._values.get(key)
        if hit is not None and self._clock() - hit[0] < self.ttl:
            return hit[1]
        value = load()
        self._values[key] = (self._clock(), value)
        return value

    def clear(self) -> None:
        self._values.clear()
