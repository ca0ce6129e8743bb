"""ParseJobs: a bounded number of parses in flight, one per file, results kept for polls."""

from __future__ import annotations

import threading

import pytest

from app.resume.jobs import ParseJobs, ParserBusy


class HeldParser:
    """A parse function that finishes only when the test says so."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.calls: list[str] = []

    def __call__(self, data: bytes, sha256: str, until: float) -> dict:
        self.calls.append(sha256)
        self.release.wait(30)
        return {"ok": True, "fields": {"size": len(data)}}


def test_past_its_capacity_a_new_file_is_refused_at_once_as_busy():
    parser = HeldParser()
    jobs = ParseJobs(parser, capacity=2, answer_seconds=4)
    try:
        jobs.submit(b"a", "a")
        jobs.submit(b"b", "b")
        with pytest.raises(ParserBusy):
            jobs.submit(b"c", "c")
    finally:
        parser.release.set()
        jobs.close()


def test_the_same_file_sent_twice_is_parsed_once():
    parser = HeldParser()
    jobs = ParseJobs(parser, capacity=1, answer_seconds=4)
    try:
        first = jobs.submit(b"a", "a")
        assert jobs.submit(b"a", "a") is first
    finally:
        parser.release.set()
    assert first.future.result(30)["ok"] is True
    jobs.close()
    assert parser.calls == ["a"]


def test_a_finished_parse_frees_its_slot_and_stays_readable_for_polls():
    parser = HeldParser()
    jobs = ParseJobs(parser, capacity=1, answer_seconds=4)
    parser.release.set()
    jobs.submit(b"abc", "a").future.result(30)
    assert not jobs.running("a")
    assert jobs.result("a") == {"ok": True, "fields": {"size": 3}}
    jobs.submit(b"b", "b").future.result(30)  # the slot is free again
    jobs.close()


def test_a_parser_that_raises_gives_an_unreadable_answer():
    def broken(data: bytes, sha256: str, until: float) -> dict:
        raise RuntimeError("database gone")

    jobs = ParseJobs(broken, capacity=1, answer_seconds=4)
    assert jobs.submit(b"a", "a").future.result(30)["error_code"] == "unreadable"
    assert jobs.result("a")["error_code"] == "unreadable" and not jobs.running("a")
    jobs.close()


def test_each_parse_is_told_to_answer_a_fixed_time_after_it_was_handed_over():
    told: list[float] = []

    def parse(data: bytes, sha256: str, until: float) -> dict:
        told.append(until)
        return {"ok": True}

    jobs = ParseJobs(parse, capacity=1, answer_seconds=4, clock=lambda: 1000.0)
    submitted = jobs.submit(b"a", "a")
    submitted.future.result(30)
    jobs.close()
    assert told == [1004.0] and submitted.until == 1004.0
