"""Extraction and field finding do a bounded amount of work, whatever the file holds."""

from __future__ import annotations

import re
import re._constants as sre_constants
import re._parser as sre_parse
import signal

import pytest

from app.resume import parse_resume
from app.resume.budget import OverBudget, TimeBudget
from app.resume.errors import UnreadableResume
from app.resume.extract.docx import MAX_PARAGRAPHS, extract_docx
from app.resume.extract.pdf import MAX_PAGE_CHARS, extract_pdf, open_document
from app.resume.extract.pdfium_traps import forms_draw, inflates_hugely, may_nest_forms
from app.resume.fields import find_fields
from app.resume.fields.contacts import _EMAIL, _SPELLED
from app.resume.fields.lines import MAX_LINE_CHARS, MAX_LINES, to_lines
from tests.hostile import documents, pdfs


def unbounded_repeats(pattern: re.Pattern) -> list[str]:
    """Quantifiers without an upper bound anywhere in a compiled pattern."""
    found: list[str] = []

    def walk(items) -> None:
        for op, value in items:
            if op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT, sre_constants.POSSESSIVE_REPEAT):
                low, high, inner = value
                if high == sre_constants.MAXREPEAT:
                    found.append(str(op))
                walk(inner)
            elif op == sre_constants.SUBPATTERN:
                walk(value[-1])
            elif op == sre_constants.BRANCH:
                for branch in value[1]:
                    walk(branch)
            elif op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
                walk(value[1])

    walk(sre_parse.parse(pattern.pattern, pattern.flags))
    return found


@pytest.mark.parametrize("pattern", [_EMAIL, _SPELLED], ids=["email", "spelled email"])
def test_the_email_patterns_repeat_nothing_without_a_bound(pattern):
    """A bounded pattern tries a bounded number of steps from each start: linear in the line."""
    assert unbounded_repeats(pattern) == []


def test_a_200_kb_line_of_percent_signs_is_answered():
    fields = find_fields("a%" * 100_000)
    assert fields["email"] is None


def test_an_email_after_a_long_run_of_percent_signs_is_still_found():
    fields = find_fields("Jane Doe\n" + "a%" * 200 + " jane.doe@example.com")
    assert fields["email"]["value"] == "jane.doe@example.com"


def test_field_finding_reads_a_bounded_number_of_bounded_lines():
    lines = to_lines(("x" * 5_000 + "\n") * 10_000)
    assert len(lines) == MAX_LINES
    assert max(len(line.text) for line in lines) == MAX_LINE_CHARS


@pytest.mark.parametrize("build", [pdfs.reference_cycle, pdfs.length_cycle], ids=["objects", "stream length"])
def test_a_pdf_whose_references_go_round_in_a_circle_is_unreadable(build):
    with pytest.raises(UnreadableResume, match="reference cycle"):
        extract_pdf(build())


def test_a_fan_out_of_form_drawings_ends_by_its_drawing_limit_not_by_the_clock():
    outcome = parse_resume(pdfs.xobject_fanout(), timeout=10, budget=10)
    assert outcome.error_code != "timeout"


def test_a_page_lays_out_a_bounded_number_of_characters():
    text = extract_pdf(pdfs.many_tiny_chars(12_000)).text
    assert len(text.replace("\n", "").replace(" ", "")) <= MAX_PAGE_CHARS


def test_a_docx_with_150k_paragraphs_is_read_up_to_the_paragraph_limit():
    assert len(extract_docx(documents.docx_many_paragraphs(150_000)).text.splitlines()) == MAX_PARAGRAPHS


def test_a_time_budget_interrupts_a_loop_that_catches_every_exception():
    spins = 0
    with pytest.raises(OverBudget), TimeBudget(0.05):
        while True:
            try:
                spins += 1
            except Exception:  # noqa: BLE001,S112 - the parser bug the budget must get past
                continue
    assert spins > 0


def test_a_finished_budget_leaves_no_timer_behind():
    with TimeBudget(0.01):
        pass

    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_a_stream_that_inflates_hugely_is_kept_from_pdfium_which_cannot_be_interrupted():
    assert inflates_hugely(pdfs.flate_bomb(80 * 1024 * 1024))  # 80 KB compressed
    assert not inflates_hugely(pdfs.plain())


def test_form_drawings_that_draw_forms_are_kept_from_pdfium_which_would_follow_them_all():
    assert forms_draw(open_document(pdfs.xobject_fanout()))
    assert forms_draw(open_document(pdfs.xobject_self()))
    assert not may_nest_forms(pdfs.plain())


def test_a_small_pdf_whose_page_inflates_to_millions_of_text_operations_is_kept_from_pdfium():
    data = pdfs.many_text_ops(3_000_000, compress=True)
    assert len(data) < 100_000 and inflates_hugely(data)
