"""A plain PDF made from a resume's extracted text.

Some ATSs (Dover) accept PDF resumes only. A DOC or DOCX applicant still deserves to arrive with a
readable resume, so we send a rendition of the text we extracted, clearly labelled as such. Layout
is lost on purpose: converting Word files faithfully would need LibreOffice on every worker.
"""

from __future__ import annotations

import unicodedata

from fpdf import FPDF

# The built-in PDF fonts only cover Latin-1; map the punctuation resumes use most to close ASCII.
_PUNCTUATION = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2022": "-",
        "\u25cf": "-",
        "\u25aa": "-",
        "\u2026": "...",
        "\u00a0": " ",
        "\u2212": "-",
        "\t": "    ",
    }
)


def latin1_text(text: str) -> str:
    """Text the core fonts can draw: accents kept where Latin-1 has them, else stripped, else '?'."""
    out = []
    for char in text.translate(_PUNCTUATION):
        if char in "\n" or (char.isprintable() and ord(char) < 256):
            out.append(char)
            continue
        if not char.isprintable():
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
        out.append(base if base and all(ord(c) < 256 for c in base) else "?")
    return "".join(out)


def render_text_pdf(text: str, *, title: str = "", footer: str = "") -> bytes:
    """A multi-page A4 PDF with an optional bold title line and the text below it."""
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_creator("careers-intake")
    if title:
        pdf.set_title(latin1_text(title))
    pdf.add_page()
    if title:
        pdf.set_font("Helvetica", style="B", size=14)
        pdf.multi_cell(0, 8, latin1_text(title), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    pdf.set_font("Helvetica", size=10)
    body = latin1_text(text).strip() or "(no text)"
    pdf.multi_cell(0, 5, body, new_x="LMARGIN", new_y="NEXT")
    if footer:
        pdf.ln(4)
        pdf.set_font("Helvetica", style="I", size=8)
        pdf.multi_cell(0, 4, latin1_text(footer), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
