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

A step or lookup that raises anything but an AtsError (most often `body["id"]` on a vendor
body without it) ends as `StepCrashed`, a PermanentError: the same body comes back on every
try, so retrying only delays the failure HR has to see. Its marker stays, because a create
answered with a body we could not read was most likely saved, and the next attempt (HR's
Retry) must ask the ATS before sending it again.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from app.ats.base import AtsAdapter, AtsError, PermanentError, RetryableError, Step, Submission

INFLIGHT = "_inflight"

Checkpoints = dict[str, Any]  # step name -> its ids; INFLIGHT -> a step name
Save = Callable[[Checkpoints], None]
AfterStep = Callable[[str, Mapping[str, str]], None]


class Abandon(Exception):
    """Raised by the caller's own hooks (`save`, a limiter's heartbeat) to stop the run at once:
    passed through untouched, never taken for a failure of the step it interrupted."""


class StepCrashed(PermanentError):
    """A step or lookup raised something other than an AtsError. The message names the step and
    the exception's type (and a missing key), never its text, which may quote a vendor body."""

    def __init__(self, ats: str, step: str, error: Exception) -> None:
        super().__init__(f"{ats}: {step} -> unexpected {describe(error)}", ats=ats)


def describe(error: Exception) -> str:
    """The type of an unexpected error, and for a KeyError the key our code looked up."""
    key = error.args[0] if isinstance(error, KeyError) and error.args else None
    if isinstance(key, str | int) and len(str(key)) <= 40:
        return f"{type(error).__name__} {key!r}"
    return type(error).__name__


@contextmanager
def crashes_as_permanent(ats: str, step: str) -> Iterator[None]:
    try:
        yield
    except (AtsError, Abandon):
        raise
    except Exception as exc:
        raise StepCrashed(ats, step, exc) from exc


def refs(checkpoints: Mapping[str, Any]) -> dict[str, str]:
    """All ids returned so far, flat, as the steps receive them."""
    merged: dict[str, str] = {}
    for name, ids in checkpoints.items():
        if not name.startswith("_"):
            merged.update(ids)
    return merged


def run_steps(
    adapter: AtsAdapter,
    submission: Submission,
    checkpoints: Mapping[str, Any],
    save: Save,
    *,
    after_step: AfterStep | None = None,
) -> Checkpoints:
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
        if step.creates:
            state[INFLIGHT] = step.name
            unsaved = True
        if unsaved:
            # One write holds the last step's ids and this create's marker: both are on disk
            # before anything more is sent, and nothing was sent in between.
            save(dict(state))
            unsaved = False
        ids = _call(adapter, step, submission, state, save)
        if after_step is not None:
            after_step(step.name, ids)
        state[step.name] = dict(ids)
        state.pop(INFLIGHT, None)
        unsaved = True
    if unsaved:
        save(dict(state))
    return state


def _call(
    adapter: AtsAdapter, step: Step, submission: Submission, state: Checkpoints, save: Save
) -> Mapping[str, str]:
    try:
        with crashes_as_permanent(adapter.name, step.name):
            return step(submission, refs(state))
    except StepCrashed:
        raise
    except AtsError as exc:
        if state.get(INFLIGHT) == step.name and not _maybe_committed(exc):
            state.pop(INFLIGHT)
            save(dict(state))
        raise


def _maybe_committed(exc: AtsError) -> bool:
    """Only an ambiguous retryable error can hide a create the ATS went on to save."""
    return isinstance(exc, RetryableError) and exc.ambiguous


def _adopt_existing(adapter: AtsAdapter, submission: Submission, name: str, state: Checkpoints) -> bool:
    """Record as the in-flight step's result whatever ids the ATS holds that we lack.

    Raises NeedsReviewError when the adapter has no lookup: then nobody can tell whether the
    create went through, and repeating it could deliver the application twice.
    """
    known = refs(state)
    with crashes_as_permanent(adapter.name, f"{name} lookup"):
        existing = adapter.find_existing(submission)
        found = {key: str(value) for key, value in existing.items() if key not in known}
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
