"""Runs an adapter's delivery steps so that a retry never repeats finished work.

Pure: no database, no Flask. The caller (the delivery task) keeps `checkpoints` in the
Delivery row and persists it through `save`, which is called before every request that
follows a change and once at the end. A step's ids and the next create's marker are saved in
one write, since no request goes out between the two.

Checkpoints look like::

    {"upload_cv": {"cv_ref": "5501"}, "create_applicant": {"applicant_ref": "8802"},
     "_inflight": "assign_to_job"}

A key per finished step holding the ids it returned, and `_inflight` naming a create that was
sent but whose outcome was not recorded. A marker left behind means the last attempt died in
the dark (a dropped connection, a 5xx after the ATS saved, a worker killed between the ATS
commit and our save), so the ATS is asked (`find_existing`) before the create is repeated.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from typing import Any

from app.ats.base import AtsError, RetryableError

INFLIGHT = "_inflight"

Save = Callable[[dict], None]
AfterStep = Callable[[str, Mapping[str, str]], None]


def refs(checkpoints: Mapping[str, Any]) -> dict[str, str]:
    """All ids returned so far, flat, as the steps receive them."""
    merged: dict[str, str] = {}
    for name, ids in checkpoints.items():
        if not name.startswith("_"):
            merged.update(ids)
    return merged


def run_steps(
    adapter: Any,
    submission: Any,
    checkpoints: Mapping[str, Any],
    save: Save,
    *,
    after_step: AfterStep | None = None,
) -> dict:
    """Run the steps not yet done, in order; return the final checkpoints.

    `after_step(name, ids)` runs after a step returned and before its checkpoint is saved;
    tests raise from it to act out a worker killed at that instant. Errors propagate as
    AtsError subclasses for the caller to retry, fail or pause.
    """
    state = dict(checkpoints)
    unsaved = False
    for step in adapter.steps():
        if step.name in state:
            continue
        if state.get(INFLIGHT) == step.name and _adopt_existing(adapter, submission, step.name, state):
            save(dict(state))
            unsaved = False
            continue
        if getattr(step, "creates", True):
            state[INFLIGHT] = step.name
            unsaved = True
        if unsaved:
            # One write holds the last step's ids and this create's marker: both are on disk
            # before anything more is sent, and nothing was sent in between.
            save(dict(state))
            unsaved = False
        ids = _call(step, submission, state, save)
        if after_step is not None:
            after_step(step.name, ids)
        state[step.name] = dict(ids)
        state.pop(INFLIGHT, None)
        unsaved = True
    if unsaved:
        save(dict(state))
    return state


def _call(step: Any, submission: Any, state: dict, save: Save) -> Mapping[str, str]:
    try:
        return step(submission, refs(state))
    except AtsError as exc:
        if state.get(INFLIGHT) == step.name and not _maybe_committed(exc):
            state.pop(INFLIGHT)
            save(dict(state))
        raise


def _maybe_committed(exc: AtsError) -> bool:
    """Only an ambiguous retryable error can hide a create the ATS went on to save."""
    return isinstance(exc, RetryableError) and exc.ambiguous


def _adopt_existing(adapter: Any, submission: Any, name: str, state: dict) -> bool:
    """Record as the in-flight step's result whatever ids the ATS holds that we lack.

    Raises NeedsReviewError when the adapter has no lookup: then nobody can tell whether the
    create went through, and repeating it could deliver the application twice.
    """
    known = refs(state)
    found = {key: str(value) for key, value in adapter.find_existing(submission).items() if key not in known}
    state.pop(INFLIGHT, None)
    if not found:
        return False
    state[name] = found
    return True


def backoff_delay(
    attempt: int,
    *,
    base: float = 2.0,
    cap: float = 600.0,
    jitter: Callable[[], float] = random.random,
    retry_after: float | None = None,
) -> float:
    """Seconds to wait before attempt `attempt + 1` (attempt counts from 1).

    Exponential with "equal jitter": at least half the exponential delay, so retries from many
    workers spread out without collapsing to zero. A server's Retry-After wins when larger.
    """
    exponential = min(cap, base * 2 ** max(attempt - 1, 0))
    delay = exponential / 2 + jitter() * exponential / 2
    if retry_after is not None:
        delay = max(delay, retry_after)
    return delay
