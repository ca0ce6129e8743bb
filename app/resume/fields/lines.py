"""Resume text as clean lines, and the separators resumes use inside a line."""

from __future__ import annotations

import re
import unicodedata
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


_HYPHENS = str.maketrans({"\u00ad": None, "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2212": "-"})
_ICON = re.compile(r"\(cid:\d+\)|[\ue000-\uf8ff]")
_SPACING_ACCENT = re.compile(r"([´¨`ˆ˜¸˚ˇ])\s?([^\W\d_])")
_COMBINING = {"´": "\u0301", "¨": "\u0308", "`": "\u0300", "ˆ": "\u0302", "˜": "\u0303", "¸": "\u0327"}
_COMBINING |= {"˚": "\u030a", "ˇ": "\u030c"}
_GAP = re.compile(r"[ \t]+")
RUNS_EVERYWHERE = 0.6  # share of multi-word lines spaced only by runs that marks a whole text layer


def normalise(text: str) -> str:
    """What PDF text layers and Word files put between the characters a reader sees.

    Icon fonts come out as "(cid:123)" or private-use glyphs; LaTeX writes "N´EMET" for
    "NÉMET"; soft and Unicode hyphens split phone numbers ("+33\u00ad6", "555\u20111234"); some
    text layers put a run of spaces or a tab between every word, which would otherwise read
    as column gaps.
    """
    text = _ICON.sub(" ", text.translate(_SYMBOL_BULLETS).translate(_HYPHENS))
    text = _SPACING_ACCENT.sub(_compose, text)
    return _close_runs(text)


def _compose(match: re.Match) -> str:
    composed = unicodedata.normalize("NFC", match.group(2) + _COMBINING[match.group(1)])
    return composed if len(composed) == 1 else match.group(0)


def _close_runs(text: str) -> str:
    """One space between words when nearly every multi-word line is spaced only by runs."""
    spaced, everywhere = 0, 0
    for line in text.split("\n"):
        gaps = _GAP.findall(line.strip())
        if len(gaps) >= 2:
            spaced += 1
            everywhere += all(gap != " " for gap in gaps)
    if spaced < 3 or everywhere < RUNS_EVERYWHERE * spaced:
        return text
    return "\n".join(_GAP.sub(" ", line) for line in text.split("\n"))


def to_lines(text: str) -> list[Line]:
    """Non-empty lines; a leading bullet glyph is removed and remembered, page numbers dropped.

    At most MAX_LINES lines of at most MAX_LINE_CHARS each: every field pattern then works on
    a bounded amount of text, whatever the document holds.
    """
    result: list[Line] = []
    for raw in normalise(text).replace("\r", "\n").split("\n"):
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
