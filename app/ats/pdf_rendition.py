"""A PDF made from a resume's text, for an ATS that does not take the file's own format.

Skailer takes no RTF or ODT, Dover nothing but PDF. A candidate who uploaded one of those still
deserves to arrive with a readable resume, so the delivery sends a rendition of the document's
text: its paragraphs, headings in bold and list items with a bullet, in the order read. Page
layout, fonts and images are lost on purpose: converting Word files faithfully would need
LibreOffice on every worker.

Names and places in resumes are written in every script, so the text is drawn with a Unicode
TrueType font (DejaVu Sans, from the `fonts-dejavu-core` package). Without one the PDF core font
is used, which draws Latin-1 only: other letters lose their accents or become "?".
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from fpdf import FPDF

log = logging.getLogger(__name__)

# Where Debian/Ubuntu (fonts-dejavu-core), Fedora and Arch put DejaVu Sans.
FONT_FOLDERS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu-sans-fonts"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/share/fonts/TTF"),
)
REGULAR, BOLD = "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"
UNICODE_FAMILY = "DejaVu"
CORE_FAMILY = "Helvetica"

BlockKind = Literal["heading", "paragraph", "item"]


@dataclass(frozen=True)
class Block:
    """One unit of the document as read: a heading, a paragraph or a list item."""

    kind: BlockKind
    text: str


@dataclass(frozen=True)
class Fonts:
    """The TrueType files to draw with; both None means the Latin-1 core font."""

    regular: Path | None = None
    bold: Path | None = None

    @property
    def unicode(self) -> bool:
        return self.regular is not None


def find_fonts(folders: Iterable[Path] = FONT_FOLDERS) -> Fonts:
    """DejaVu Sans from the first folder that has it (bold when present there too)."""
    for folder in folders:
        regular = folder / REGULAR
        if regular.is_file():
            bold = folder / BOLD
            return Fonts(regular, bold if bold.is_file() else None)
    return Fonts()


@lru_cache(maxsize=1)
def system_fonts() -> Fonts:
    return find_fonts()


# The core fonts only cover Latin-1; map the punctuation resumes use most to close ASCII.
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
    }
)


def latin1_text(text: str) -> str:
    """Text the core fonts can draw: accents kept where Latin-1 has them, else stripped, else '?'."""
    out = []
    for char in text.translate(_PUNCTUATION):
        if char == "\n" or (char.isprintable() and ord(char) < 256):
            out.append(char)
            continue
        if not char.isprintable():
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
        out.append(base if base and all(ord(c) < 256 for c in base) else "?")
    return "".join(out)


def unicode_text(text: str) -> str:
    """Printable characters only: control codes left by extraction would draw as boxes."""
    return "".join(c for c in text if c == "\n" or c.isprintable())


def render_pdf(blocks: Sequence[Block], *, footer: str = "", fonts: Fonts | None = None) -> bytes:
    """An A4 PDF of the blocks in order, with an optional small italic footer line at the end."""
    fonts = system_fonts() if fonts is None else fonts
    pdf = _Page(fonts)
    for block in blocks:
        pdf.draw_block(block)
    if not blocks:
        pdf.draw_block(Block("paragraph", "(no text)"))
    if footer:
        pdf.draw_note(footer)
    return bytes(pdf.output())


class _Page(FPDF):
    """FPDF with one way to draw each kind of block, in the font chosen once."""

    def __init__(self, fonts: Fonts) -> None:
        super().__init__(format="A4")
        self.set_auto_page_break(auto=True, margin=15)
        self.set_creator("careers-intake")
        self.c_margin = 0
        if fonts.regular is not None:
            self.add_font(UNICODE_FAMILY, "", str(fonts.regular))
            self.add_font(UNICODE_FAMILY, "B", str(fonts.bold or fonts.regular))
            self._family, self._clean = UNICODE_FAMILY, unicode_text
        else:
            log.warning("no Unicode font found (install fonts-dejavu-core): rendition drawn in Latin-1")
            self._family, self._clean = CORE_FAMILY, latin1_text
        self._bullet = "\u2022" if fonts.unicode else "-"
        self.add_page()

    def draw_block(self, block: Block) -> None:
        text = self._clean(block.text).strip()
        if not text:
            return
        if block.kind == "heading":
            self.ln(3)
            self.set_font(self._family, style="B", size=12)
            self.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
            self.ln(1)
        elif block.kind == "item":
            self.set_font(self._family, size=10)
            self.set_x(self.l_margin + 3)
            self.multi_cell(0, 5, f"{self._bullet} {text}", new_x="LMARGIN", new_y="NEXT")
        else:
            self.set_font(self._family, size=10)
            self.multi_cell(0, 5, text, new_x="LMARGIN", new_y="NEXT")

    def draw_note(self, text: str) -> None:
        self.ln(6)
        style = "" if self._family == UNICODE_FAMILY else "I"  # DejaVu's oblique is not loaded
        self.set_font(self._family, style=style, size=8)
        self.set_text_color(90)
        self.multi_cell(0, 4, self._clean(text), new_x="LMARGIN", new_y="NEXT")
