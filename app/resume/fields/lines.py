"""Resume text as clean lines, and the separators resumes use inside a line."""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_LINE_CHARS = 1_000  # a resume line is a heading, a bullet or a paragraph; longer is not prose
MAX_LINES = 2_000  # about 40 dense pages
BULLETS = "•●▪■◦‣∙·*-–—>○□➢✓"
_BULLET = re.compile(rf"^\s*[{re.escape(BULLETS)}]\s+|^\s*[•●▪■◦‣∙○□➢✓]\s*")
_SPLIT = re.compile(r"\t+|\s{3,}|\s+[|•·●▪◦]\s+|\s+[—–]\s+|\s+-\s+|\s*\|\s*")


@dataclass(frozen=True)
class Line:
    text: str
    bullet: bool = False

    @property
    def source(self) -> str:
        return " ".join(self.text.split())


_PAGE_MARK = re.compile(
    r"^(page|seite|página|pagina)\s+\d+(\s*(of|/|von|de|sur)\s*\d+)?$|^\d+\s*/\s*\d+$", re.I
)
_SYMBOL_BULLETS = str.maketrans(
    {
        "\uf0b7": "•",
        "\uf0a7": "•",
        "\uf076": "•",
        "\uf0d8": "•",
        "\uf0fc": "•",
        "\u200b": None,
        "\ufeff": None,
    }
)


def to_lines(text: str) -> list[Line]:
    """Non-empty lines; a leading bullet glyph is removed and remembered, page numbers dropped.

    At most MAX_LINES lines of at most MAX_LINE_CHARS each: every field pattern then works on
    a bounded amount of text, whatever the document holds.
    """
    result: list[Line] = []
    for raw in text.translate(_SYMBOL_BULLETS).replace("\r", "\n").split("\n"):
        if len(result) >= MAX_LINES:
            break
        stripped = raw.strip()[:MAX_LINE_CHARS].strip()
        if not stripped or _PAGE_MARK.match(stripped):
            continue
        bullet = bool(_BULLET.match(stripped))
        if bullet:
            stripped = _BULLET.sub("", stripped, count=1).strip()
        if stripped:
            result.append(Line(text=stripped, bullet=bullet))
    return result


def pieces(text: str) -> list[str]:
    """Parts of a line split at tabs, pipes, dashes and bullets between words."""
    return [part.strip(" ,;:") for part in _SPLIT.split(text) if part and part.strip(" ,;:")]


def clean(text: str) -> str:
    return " ".join(text.split()).strip(" ,;:|-–—·•")
