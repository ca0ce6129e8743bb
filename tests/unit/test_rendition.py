"""The PDF rendition of a resume: its text in order, headings bold, list items, every script."""

from __future__ import annotations

import io
import logging

import pytest
from pdfminer.high_level import extract_pages
from pdfminer.high_level import extract_text as pdf_text
from pdfminer.layout import LTChar, LTTextContainer

from app.ats.pdf_rendition import BOLD, REGULAR, Block, Fonts, find_fonts, render_pdf, system_fonts
from app.intake.delivery import delivery_notes
from app.intake.rendition import document_blocks

BLOCKS = [
    Block("paragraph", "Ada Lovelace"),
    Block("heading", "Experience"),
    Block("item", "Analytical Engine programmer"),
    Block("paragraph", "Ελληνικά: άριστα"),
    Block("paragraph", "Русский язык: свободно"),
]
unicode_font = pytest.mark.skipif(
    not system_fonts().unicode, reason="no DejaVu Sans: apt-get install fonts-dejavu-core"
)


def lines_with_fonts(data: bytes) -> dict[str, set[str]]:
    """Each text line of the PDF, with the names of the fonts its letters are drawn in."""
    found: dict[str, set[str]] = {}
    for page in extract_pages(io.BytesIO(data)):
        for box in page:
            if not isinstance(box, LTTextContainer):
                continue
            for line in box:
                fonts = {char.fontname for char in line if isinstance(char, LTChar)}
                found[" ".join(line.get_text().split())] = fonts
    return found


@unicode_font
def test_a_rendition_holds_every_block_in_order_with_greek_and_cyrillic_drawn():
    text = " ".join(pdf_text(io.BytesIO(render_pdf(BLOCKS, footer="PDF rendition of cv.odt"))).split())
    expected = ["Ada Lovelace", "Experience", "• Analytical Engine programmer", "Ελληνικά: άριστα"]
    expected += ["Русский язык: свободно", "PDF rendition of cv.odt"]
    positions = [text.index(line) for line in expected]
    assert positions == sorted(positions)


@unicode_font
def test_headings_are_bold_and_paragraphs_are_not():
    fonts = lines_with_fonts(render_pdf(BLOCKS))
    assert fonts["Experience"] and all("Bold" in name for name in fonts["Experience"])
    assert fonts["Ada Lovelace"] and not any("Bold" in name for name in fonts["Ada Lovelace"])


def test_a_long_resume_flows_onto_more_pages():
    blocks = [Block("paragraph", f"Line {n} of a long career") for n in range(200)]
    data = render_pdf(blocks)
    assert len(list(extract_pages(io.BytesIO(data)))) > 1
    assert "Line 199 of a long career" in pdf_text(io.BytesIO(data))


def test_without_a_unicode_font_the_core_font_draws_latin1_and_a_warning_is_logged(caplog):
    with caplog.at_level(logging.WARNING, logger="app.ats.pdf_rendition"):
        data = render_pdf(BLOCKS + [Block("paragraph", "Zoë Müller – Café")], fonts=Fonts())
    text = pdf_text(io.BytesIO(data))
    assert "Ada Lovelace" in text and "Zoë Müller - Café" in text
    assert "Ελληνικά" not in text
    assert "fonts-dejavu-core" in caplog.text


def test_the_font_is_found_in_the_first_folder_that_holds_dejavu(tmp_path):
    empty, debian, other = tmp_path / "empty", tmp_path / "debian", tmp_path / "other"
    for folder in (empty, debian, other):
        folder.mkdir()
    (debian / REGULAR).write_bytes(b"")
    (debian / BOLD).write_bytes(b"")
    (other / REGULAR).write_bytes(b"")
    assert find_fonts([empty, debian, other]) == Fonts(debian / REGULAR, debian / BOLD)
    assert find_fonts([empty, other]) == Fonts(other / REGULAR, None)
    assert find_fonts([empty]) == Fonts()


def test_an_empty_document_still_renders_a_page():
    assert "(no text)" in pdf_text(io.BytesIO(render_pdf([])))


def test_extracted_lines_become_headings_list_items_and_paragraphs():
    text = "Ada Lovelace\n\nExperience\n• Programmer\n- Translator\n\tSkills: Python, Go\nEDUCATION\n"
    assert document_blocks(text) == [
        Block("paragraph", "Ada Lovelace"),
        Block("heading", "Experience"),
        Block("item", "Programmer"),
        Block("item", "Translator"),
        Block("paragraph", "Skills: Python, Go"),
        Block("heading", "EDUCATION"),
    ]


def test_two_notes_on_the_same_topic_are_both_kept():
    checkpoints = {
        "_resume_rendition": {"note:resume": "Sent as a PDF rendition."},
        "upload_cv": {"cv_ref": "5"},
        "comment": {"comment_ref": "9", "note:resume": "Linked in the comment."},
    }
    assert delivery_notes(checkpoints) == {"resume": "Sent as a PDF rendition. Linked in the comment."}
