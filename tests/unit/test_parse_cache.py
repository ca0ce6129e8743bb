"""The parse cache keeps what the same file would get again, and nothing that depended on load."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.resume.service import cached_result, parse_cached

FIELDS = {"ok": True, "format": "pdf", "fields": {"skills": ["Python"]}, "error_code": None}


class Parser:
    """Answers from a script, one per call, and counts the calls."""

    def __init__(self, *answers: dict) -> None:
        self.answers = list(answers)
        self.calls = 0

    def __call__(self, data: bytes) -> dict:
        self.calls += 1
        return self.answers.pop(0)


def failure(code: str) -> dict:
    return {"ok": False, "format": "pdf", "fields": {}, "error_code": code}


def test_a_file_whose_parse_timed_out_is_parsed_again_on_the_next_call(app):
    parser = Parser(failure("timeout"), FIELDS)
    with app.app_context():
        assert parse_cached(db.session, b"%PDF", "sha-slow", parse=parser)["error_code"] == "timeout"
        assert cached_result(db.session, "sha-slow") is None
        assert parse_cached(db.session, b"%PDF", "sha-slow", parse=parser) == FIELDS
        assert parse_cached(db.session, b"%PDF", "sha-slow", parse=parser) == FIELDS
    assert parser.calls == 2


@pytest.mark.parametrize("code", ["unreadable", "unsupported", "scanned", "too_large", "encrypted"])
def test_a_failure_that_lies_in_the_file_is_kept_and_never_parsed_again(app, code):
    parser = Parser(failure(code))
    with app.app_context():
        parse_cached(db.session, b"%PDF", "sha-broken", parse=parser)
        assert parse_cached(db.session, b"%PDF", "sha-broken", parse=parser)["error_code"] == code
    assert parser.calls == 1
