"""The step runner: checkpoints, in-flight markers, lookups before repeated creates, backoff."""

from __future__ import annotations

import pytest

from app.ats.base import NeedsReviewError, PermanentError, RetryableError, named
from app.intake.runner import INFLIGHT, Abandon, StepCrashed, backoff_delay, refs, run_steps


class FakeAts:
    """Three steps; `plan` maps a step name to an error to raise on its next call, and
    `commit_first` marks errors raised after the fake already saved the record."""

    name = "fake"

    def __init__(self, *, lookup: bool = True) -> None:
        self.calls: list[str] = []
        self.records: dict[str, str] = {}
        self.plan: dict[str, Exception] = {}
        self.commit_first: set[str] = set()
        self.lookup = lookup
        self.seen: dict[str, dict] = {}

    def steps(self):
        return (
            named("upload", self._make("upload", "file_ref"), creates=False),
            named("create", self._make("create", "person_ref")),
            named("assign", self._make("assign", "link_ref")),
        )

    def find_existing(self, submission):
        if not self.lookup:
            raise NeedsReviewError("fake: no lookup", ats="fake")
        self.calls.append("find_existing")
        return {key: value for key, value in self.records.items() if key != "file_ref"}

    def _make(self, name, key):
        def run(submission, done):
            self.calls.append(name)
            self.seen[name] = dict(done)
            error = self.plan.pop(name, None)
            if error is not None and name not in self.commit_first:
                raise error
            self.records[key] = f"{key}-{len(self.calls)}"
            if error is not None:
                self.commit_first.discard(name)
                raise error
            return {key: self.records[key]}

        return run


def ambiguous():
    return RetryableError("fake: POST /x -> 500", ats="fake", status=500, ambiguous=True)


class Store:
    def __init__(self, initial=None):
        self.value = dict(initial or {})
        self.history: list[dict] = []

    def save(self, checkpoints):
        self.value = dict(checkpoints)
        self.history.append(dict(checkpoints))


def deliver(ats, store, **kw):
    return run_steps(ats, "submission", store.value, store.save, **kw)


def test_a_clean_run_records_every_step_and_clears_the_marker():
    ats, store = FakeAts(), Store()
    final = deliver(ats, store)
    assert set(final) == {"upload", "create", "assign"}
    assert store.value == final
    assert ats.calls == ["upload", "create", "assign"]


def test_later_steps_receive_the_ids_of_earlier_ones():
    ats, store = FakeAts(), Store()
    deliver(ats, store)
    assert ats.seen["assign"] == {"file_ref": "file_ref-1", "person_ref": "person_ref-2"}


def saves_with_calls(ats, store):
    """Each saved checkpoint next to the calls the ATS had received when it was written."""
    seen = []

    def save(checkpoints):
        store.save(checkpoints)
        seen.append((list(ats.calls), dict(checkpoints)))

    run_steps(ats, "submission", store.value, save)
    return seen


def test_the_marker_is_saved_with_the_last_result_before_a_create_is_sent():
    ats, store = FakeAts(), Store()
    seen = saves_with_calls(ats, store)
    assert seen[0] == (["upload"], {"upload": {"file_ref": "file_ref-1"}, INFLIGHT: "create"})
    assert seen[1] == (
        ["upload", "create"],
        {"upload": {"file_ref": "file_ref-1"}, "create": {"person_ref": "person_ref-2"}, INFLIGHT: "assign"},
    )


def test_every_result_is_on_disk_before_the_next_request_and_nothing_is_written_twice():
    ats, store = FakeAts(), Store()
    seen = saves_with_calls(ats, store)
    assert [calls for calls, _ in seen] == [["upload"], ["upload", "create"], ["upload", "create", "assign"]]
    assert INFLIGHT not in seen[-1][1] and set(seen[-1][1]) == {"upload", "create", "assign"}


def test_a_step_that_creates_nothing_is_sent_without_a_marker():
    class UploadLast(FakeAts):
        def steps(self):
            return tuple(reversed(super().steps()))

    ats, store = UploadLast(), Store()
    seen = saves_with_calls(ats, store)
    before_upload = seen[-2]
    assert before_upload[0] == ["assign", "create"] and INFLIGHT not in before_upload[1]


def test_retry_resumes_after_the_last_finished_step():
    ats, store = FakeAts(), Store()
    ats.plan["assign"] = RetryableError("fake: 429", ats="fake", status=429)
    with pytest.raises(RetryableError):
        deliver(ats, store)
    deliver(ats, store)
    assert ats.calls == ["upload", "create", "assign", "assign"]


def test_a_clear_failure_removes_the_marker_so_no_lookup_is_needed():
    ats, store = FakeAts(), Store()
    ats.plan["create"] = PermanentError("fake: 422", ats="fake", status=422)
    with pytest.raises(PermanentError):
        deliver(ats, store)
    assert INFLIGHT not in store.value
    deliver(ats, store)
    assert "find_existing" not in ats.calls


def test_an_ambiguous_failure_after_the_ats_saved_adopts_the_record_instead_of_creating():
    ats, store = FakeAts(), Store()
    ats.plan["create"] = ambiguous()
    ats.commit_first.add("create")
    with pytest.raises(RetryableError):
        deliver(ats, store)
    assert store.value[INFLIGHT] == "create"
    final = deliver(ats, store)
    assert ats.calls.count("create") == 1
    assert final["create"] == {"person_ref": "person_ref-2"}
    assert ats.seen["assign"]["person_ref"] == "person_ref-2"


def test_an_ambiguous_failure_that_saved_nothing_creates_again_after_the_lookup():
    ats, store = FakeAts(), Store()
    ats.plan["create"] = ambiguous()
    with pytest.raises(RetryableError):
        deliver(ats, store)
    deliver(ats, store)
    assert ats.calls == ["upload", "create", "find_existing", "create", "assign"]


def test_a_worker_killed_between_commit_and_checkpoint_does_not_create_twice():
    class Killed(Exception):
        pass

    def kill_after_create(name, ids):
        if name == "create":
            raise Killed

    ats, store = FakeAts(), Store()
    with pytest.raises(Killed):
        deliver(ats, store, after_step=kill_after_create)
    assert "create" not in store.value and store.value[INFLIGHT] == "create"
    deliver(ats, store)
    assert ats.calls.count("create") == 1
    assert set(store.value) == {"upload", "create", "assign"}


def test_an_unknown_outcome_without_a_lookup_needs_review():
    ats, store = FakeAts(lookup=False), Store()
    ats.plan["assign"] = ambiguous()
    with pytest.raises(RetryableError):
        deliver(ats, store)
    with pytest.raises(NeedsReviewError):
        deliver(ats, store)
    assert ats.calls.count("assign") == 1


def test_a_body_a_step_cannot_read_fails_permanently_and_keeps_the_marker_for_a_lookup():
    ats, store = FakeAts(), Store()
    ats.plan["create"] = KeyError("id")  # 201 with a body lacking the id: the record exists
    ats.commit_first.add("create")
    with pytest.raises(StepCrashed, match=r"^fake: create -> unexpected KeyError 'id'$") as raised:
        deliver(ats, store)
    assert isinstance(raised.value, PermanentError)
    assert store.value[INFLIGHT] == "create"
    final = deliver(ats, store)  # HR's Retry: the ATS is asked first
    assert ats.calls.count("create") == 1 and final["create"] == {"person_ref": "person_ref-2"}


def test_an_unexpected_error_is_named_by_its_type_never_by_its_text():
    ats, store = FakeAts(), Store()
    ats.plan["assign"] = ValueError("invalid literal for int(): 'ada@example.com'")
    with pytest.raises(StepCrashed) as raised:
        deliver(ats, store)
    assert str(raised.value) == "fake: assign -> unexpected ValueError"


def test_a_lookup_that_cannot_read_the_ats_answer_fails_permanently():
    class BrokenLookup(FakeAts):
        def find_existing(self, submission):
            return {"person_ref": None}.items()  # a list where a mapping belongs

    ats, store = BrokenLookup(), Store({"upload": {"file_ref": "f"}, INFLIGHT: "create"})
    with pytest.raises(StepCrashed, match="create lookup -> unexpected AttributeError"):
        deliver(ats, store)


def test_the_callers_own_stop_passes_through_a_step_untouched():
    class Stop(Abandon):
        pass

    ats, store = FakeAts(), Store()
    ats.plan["assign"] = Stop()
    with pytest.raises(Stop):
        deliver(ats, store)
    assert store.value[INFLIGHT] == "assign"


def test_a_finished_delivery_calls_nothing_again():
    ats, store = FakeAts(), Store()
    deliver(ats, store)
    deliver(ats, store)
    assert ats.calls == ["upload", "create", "assign"]


def test_refs_merges_step_ids_and_ignores_markers():
    assert refs({"a": {"x": "1"}, "b": {"y": "2"}, INFLIGHT: "c"}) == {"x": "1", "y": "2"}


def test_backoff_doubles_per_attempt_within_the_jitter_band():
    assert backoff_delay(1, base=2, jitter=lambda: 0.0) == 1.0
    assert backoff_delay(1, base=2, jitter=lambda: 1.0) == 2.0
    assert backoff_delay(4, base=2, jitter=lambda: 1.0) == 16.0


def test_backoff_is_capped():
    assert backoff_delay(30, base=2, cap=300, jitter=lambda: 1.0) == 300


def test_retry_after_wins_when_larger_and_only_then():
    assert backoff_delay(1, base=2, jitter=lambda: 1.0, retry_after=45) == 45
    assert backoff_delay(5, base=2, jitter=lambda: 1.0, retry_after=3) == 32
