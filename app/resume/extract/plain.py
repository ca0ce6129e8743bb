"""Plain text resumes and the character-set guessing other formats share."""

from __future__ import annotations

import re

from .result import Extracted

_META_CHARSET = re.compile(rb"""charset=["']?([A-Za-z0-9_\-]+)""")


def decode_text(data: bytes, *, html: bool = False) -> str:
    """BOM first, then a declared HTML charset, then UTF-8, then Windows-1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    if html:
        declared = _META_CHARSET.search(data[:4096])
        if declared:
            try:
                return data.decode(declared.group(1).decode("ascii"), errors="replace")
            except LookupError:
                pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def extract_txt(data: bytes, **_limits) -> Extracted:
    lines = (line.rstrip() for line in decode_text(data).splitlines())
    return Extracted(text="\n".join(lines))
