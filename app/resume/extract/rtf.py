"""RTF text: a small tokenizer that keeps visible text and skips destinations.

Only what resumes need: paragraphs, tabs, cells, hex (\\'e9) and Unicode
(\\u233?) escapes, and hyperlink field results and targets.
"""

from __future__ import annotations

import re

from .result import Extracted
from .wordtext import clean_word_text

_TOKEN = re.compile(rb"\\([a-zA-Z]+)(-?\d+)? ?|\\'([0-9a-fA-F]{2})|\\(.)|([{}])|([^\\{}\r\n]+)|[\r\n]+", re.S)
SKIP_DESTINATIONS = frozenset(
    {
        b"fonttbl",
        b"colortbl",
        b"stylesheet",
        b"info",
        b"pict",
        b"object",
        b"themedata",
        b"datastore",
        b"latentstyles",
        b"listtable",
        b"listoverridetable",
        b"rsidtbl",
        b"generator",
        b"xmlnstbl",
        b"mmathPr",
        b"filetbl",
        b"revtbl",
        b"bkmkstart",
        b"bkmkend",
        b"fldinst_skip",
    }
)
BREAKS = {
    b"par": "\n",
    b"line": "\n",
    b"row": "\n",
    b"cell": "\n",
    b"tab": "\t",
    b"page": "\n",
    b"sect": "\n",
}
SPECIALS = {
    b"emdash": "\u2014",
    b"endash": "\u2013",
    b"bullet": "\u2022",
    b"lquote": "\u2018",
    b"rquote": "\u2019",
    b"ldblquote": "\u201c",
    b"rdblquote": "\u201d",
    b"~": "\xa0",
}


def extract_rtf(data: bytes, **_limits) -> Extracted:
    return Extracted(text=clean_word_text(rtf_to_text(data)))


def rtf_to_text(data: bytes) -> str:
    out: list[str] = []
    stack: list[tuple[bool, int, str]] = []
    skipping, uc_skip, pending_skip, codepage = False, 1, 0, "cp1252"
    destination_next = False
    for match in _TOKEN.finditer(data):
        word, arg, hexbyte, symbol, brace, text = match.groups()
        if brace == b"{":
            stack.append((skipping, uc_skip, codepage))
            continue
        if brace == b"}":
            if stack:
                skipping, uc_skip, codepage = stack.pop()
            continue
        if pending_skip and (hexbyte or text):
            if text and len(text) > pending_skip:
                text = text[pending_skip:]
                pending_skip = 0
            else:
                pending_skip -= 1 if hexbyte else len(text or b"")
                pending_skip = max(pending_skip, 0)
                continue
        if symbol == b"*":
            destination_next = True
            continue
        if word is not None:
            if word in SKIP_DESTINATIONS or destination_next:
                skipping = skipping or word not in (b"fldinst", b"fldrslt")
            destination_next = False
            if word == b"fldinst":
                out.append("\x13")
            elif word == b"fldrslt":
                out.append("\x14")
            if skipping:
                continue
            if word == b"uc" and arg:
                uc_skip = int(arg)
            elif word == b"u" and arg:
                out.append(chr(int(arg) % 65536))
                pending_skip = uc_skip
            elif word == b"ansicpg" and arg:
                codepage = f"cp{int(arg)}"
            elif word in BREAKS:
                out.append(BREAKS[word])
            elif word in SPECIALS:
                out.append(SPECIALS[word])
            continue
        if skipping:
            continue
        if hexbyte:
            out.append(bytes([int(hexbyte, 16)]).decode(codepage, errors="replace"))
        elif symbol:
            out.append(SPECIALS.get(symbol, symbol.decode("latin-1") if symbol in b"{}\\" else ""))
        elif text:
            out.append(text.decode(codepage, errors="replace"))
    return _close_fields("".join(out))


def _close_fields(text: str) -> str:
    """RTF fields have no end marker of their own; end each at its result's line."""
    if "\x13" not in text:
        return text
    lines = []
    for line in text.split("\n"):
        opened = line.count("\x13") - line.count("\x15")
        lines.append(line + "\x15" * max(opened, 0))
    return "\n".join(lines)
