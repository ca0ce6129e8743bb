"""parse_resume never raises: hostile files get their specific error code in time."""

import json
import os
import tempfile
import threading
import time

import pytest

from app.resume import parse_resume, runner, sha256
from tests.support.resume_files import (
    corpus_file,
    cyclic_ole_doc,
    docx_bomb,
    docx_with_many_members,
    nested_pdf,
    png_bytes,
    scanned_pdf,
    simple_pdf,
)

HOSTILE = {
    "truncated pdf": (lambda: simple_pdf()[:300], "unreadable"),
    "encrypted pdf": (lambda: simple_pdf(owner_password="owner", user_password="secret"), "encrypted"),
    "scanned pdf": (scanned_pdf, "scanned"),
    "deeply nested pdf": (nested_pdf, "unreadable"),
    "docx zip bomb": (docx_bomb, "too_large"),
    "docx with thousands of members": (docx_with_many_members, "too_large"),
    "doc with a looping sector chain": (cyclic_ole_doc, "unreadable"),
    "png renamed to pdf": (png_bytes, "unsupported"),
    "executable": (lambda: b"MZ\x90\x00" + os.urandom(2000), "unsupported"),
    "random bytes": (lambda: b"\x00\x01\x02" + os.urandom(5000), "unsupported"),
    "oversized upload": (lambda: b"%PDF-1.4\n" + b" " * (11 * 1024 * 1024), "too_large"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_file_gets_its_own_error_code_quickly(name):
    build, expected = HOSTILE[name]
    data = build()
    started = time.monotonic()
    outcome = parse_resume(data, timeout=8)
    assert (outcome.ok, outcome.error_code) == (False, expected)
    assert outcome.message and "You can still apply" in outcome.message
    assert time.monotonic() - started < 8
    assert parse_resume(simple_pdf()).ok, "the pool must serve the next parse"


def test_an_encrypted_pdf_says_it_is_password_protected():
    outcome = parse_resume(simple_pdf(owner_password="owner", user_password="secret"))
    assert outcome.message.startswith("This PDF is password protected")


def test_a_pdf_with_only_an_owner_password_is_still_read():
    outcome = parse_resume(simple_pdf(owner_password="owner"))
    assert outcome.ok and outcome.fields["email"]["value"] == "jane.doe@example.com"


def test_a_docx_renamed_to_pdf_is_read_as_docx():
    outcome = parse_resume(corpus_file("20-docx"))
    assert outcome.ok and outcome.format == "docx"
    assert outcome.fields["email"]["value"] == "amara.okafor@example.ca"


def test_a_worker_that_overruns_is_killed_and_replaced():
    before = runner.worker_pids()
    outcome = parse_resume(corpus_file("03-pdf-long"), timeout=0.001, budget=60)
    assert outcome.error_code == "timeout"
    assert runner.worker_pids() != before
    assert parse_resume(corpus_file("00-pdf")).ok


def test_a_parse_over_its_budget_ends_in_the_worker_which_stays_warm():
    before = runner.worker_pids()
    outcome = parse_resume(corpus_file("03-pdf-long"), timeout=30, budget=0.01)
    assert outcome.error_code == "timeout" and outcome.message.startswith("Reading this file took too long")
    assert runner.worker_pids() == before
    assert parse_resume(corpus_file("00-pdf")).ok


def test_the_memory_limit_turns_a_greedy_parse_into_too_large():
    # Fresh workers: one that parsed before may hold freed heap enough for this parse, and a
    # limit on the address space only stops new allocations.
    runner.shutdown()
    outcome = parse_resume(corpus_file("03-pdf-long"), memory_mb=40, timeout=30)
    assert (outcome.ok, outcome.error_code) == (False, "too_large")
    assert parse_resume(corpus_file("03-pdf-long")).ok


def test_parsing_leaves_no_temporary_files(tmp_path, monkeypatch):
    """Fresh workers get a private TMPDIR, so anything they leave behind shows up there."""
    runner.shutdown()
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    try:
        for data in (
            corpus_file("00-pdf"),
            corpus_file("20-docx"),
            corpus_file("30-doc"),
            docx_bomb(),
            scanned_pdf(),
        ):
            parse_resume(data)
        parse_resume(corpus_file("03-pdf-long"), timeout=0.001)
        assert list(tmp_path.iterdir()) == []
    finally:
        runner.shutdown()


def test_parallel_requests_share_the_pool_safely():
    files = [corpus_file(prefix) for prefix in ("00-pdf", "01-pdf", "20-docx", "30-doc")] * 3
    results = [None] * len(files)

    def parse(index):
        # Twelve parses queue for two workers: time enough to wait their turn on a busy machine.
        results[index] = parse_resume(files[index], timeout=30)

    threads = [threading.Thread(target=parse, args=(i,)) for i in range(len(files))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(outcome.ok for outcome in results)
    assert results[0].fields["email"] == results[4].fields["email"]


def test_the_outcome_is_json_serialisable_with_provenance():
    outcome = parse_resume(corpus_file("00-pdf"), timeout=30)
    payload = json.loads(json.dumps(outcome.to_dict()))
    assert payload["ok"] is True and payload["format"] == "pdf" and payload["error_code"] is None
    email = payload["fields"]["email"]
    assert email["value"] in email["source"] and 0 < email["confidence"] <= 1


def test_sha256_is_a_stable_cache_key():
    assert sha256(b"resume") == sha256(b"resume") != sha256(b"resume2")
    assert len(sha256(b"")) == 64
