"""The `limits`-backed budget keeps the delivery's heartbeat while it waits."""

from __future__ import annotations

import time

from limits.storage import MemoryStorage

from app.ats.ratelimit import SharedWindow, heartbeat


def test_a_shared_window_waits_for_the_moving_window_and_beats_while_it_waits():
    limiter = SharedWindow(MemoryStorage(), "skailer:https://t.example", 2, 1.0, margin=0.0)
    beats: list[float] = []
    start = time.monotonic()
    assert limiter.acquire() == 0
    assert limiter.acquire() == 0
    asked = time.monotonic()  # a busy machine may start the third call late: it waits less
    with heartbeat(lambda: beats.append(time.monotonic() - start), every=0.3):
        waited = limiter.acquire()
    assert time.monotonic() - start >= 0.95  # the third call within one second of the first: never
    assert 1.0 - (asked - start) - 0.05 <= waited < 1.5  # it waited what was left of the window
    assert len(beats) >= 1 + int(waited / 0.3)  # before each sleep of at most 0.3 s, and when granted
    assert all(later - earlier <= 0.75 for earlier, later in zip(beats, beats[1:], strict=False))


def test_the_window_is_kept_a_margin_longer_than_the_vendors():
    limiter = SharedWindow(MemoryStorage(), "skailer:https://t.example", 1, 1.0, margin=1.0)
    limiter.acquire()
    assert limiter.acquire() > 1.5
