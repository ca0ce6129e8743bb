"""Word 97-2003 (.doc) text from the OLE container, without Word or LibreOffice.

The text lives in the WordDocument stream as pieces; the piece table (CLX)
in the 0Table/1Table stream says where each piece starts and whether it is
one byte per character (cp1252) or UTF-16. Every offset comes from the file,
so every offset is checked before it is used.
"""

from __future__ import annotations

import io
import struct

import olefile

from ..errors import EncryptedResume, ResumeTooLarge, UnreadableResume
from .result import Extracted
from .wordtext import clean_word_text

WORD_IDENT = 0xA5EC
FLAG_ENCRYPTED = 0x0100
FLAG_TABLE_1 = 0x0200
MAX_STREAM = 32 * 1024 * 1024
MAX_PIECES = 100_000
MAX_CHARS = 2_000_000
CLX_INDEX = 33  # fcClx is the 34th fc/lcb pair of FibRgFcLcb97


def open_ole(data: bytes) -> olefile.OleFileIO:
    """Open the container and sanity-check it before reading streams."""
    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except Exception as exc:  # olefile raises OSError, ValueError, IndexError... on junk
        raise UnreadableResume(f"bad OLE container: {exc}") from exc
    if not ole.exists("WordDocument"):
        raise UnreadableResume("no WordDocument stream")
    for name in ("WordDocument", "1Table", "0Table"):
        if ole.exists(name) and ole.get_size(name) > MAX_STREAM:
            raise ResumeTooLarge(f"{name} stream too large")
        if ole.exists(name):
            check_chain(ole, name)
    return ole


def check_chain(ole: olefile.OleFileIO, name: str) -> None:
    """Refuse a stream whose sector chain loops or runs off the table.

    olefile follows a looping chain without complaint and hands back the same
    sectors again and again; we walk the chain ourselves with a visited set.
    """
    entry = ole.direntries[ole._find(name)]
    small = entry.size < ole.minisectorcutoff
    if small:
        if not getattr(ole, "minifat", None):
            ole.loadminifat()
        table, sector_size = ole.minifat, ole.minisectorsize
    else:
        table, sector_size = ole.fat, ole.sectorsize
    needed = (entry.size + sector_size - 1) // sector_size
    sector, seen = entry.isectStart, set[int]()
    while len(seen) < needed:
        if sector in seen or not 0 <= sector < len(table):
            raise UnreadableResume(f"broken sector chain in {name}")
        seen.add(sector)
        sector = table[sector]


def extract_doc(data: bytes, *, max_pages: int = 20) -> Extracted:
    ole = open_ole(data)
    try:
        pages = _page_count(ole)  # a long CV is read, not refused; the text cap bounds the work
        word = _read_stream(ole, "WordDocument")
        flags = _u16(word, 0x0A)
        if _u16(word, 0) != WORD_IDENT:
            raise UnreadableResume("not a Word 97 document")
        if flags & FLAG_ENCRYPTED:
            raise EncryptedResume("fEncrypted")
        table = _read_stream(ole, "1Table" if flags & FLAG_TABLE_1 else "0Table")
        fc_clx, lcb_clx = _clx_location(word)
        text = "".join(read_pieces(word, _slice(table, fc_clx, lcb_clx)))
        main_length = _main_text_length(word)
    finally:
        ole.close()
    main, stories = text[:main_length], text[main_length:]
    return Extracted(text=clean_word_text(stories) + "\n" + clean_word_text(main), pages=pages)


def _read_stream(ole: olefile.OleFileIO, name: str) -> bytes:
    if not ole.exists(name):
        raise UnreadableResume(f"missing {name} stream")
    try:
        return ole.openstream(name).read()
    except Exception as exc:  # broken FAT chains surface as OSError/IndexError
        raise UnreadableResume(f"cannot read {name}: {exc}") from exc


def _page_count(ole: olefile.OleFileIO) -> int | None:
    try:
        return ole.get_metadata().num_pages
    except Exception:  # noqa: BLE001 - metadata is optional and often malformed
        return None


def _main_text_length(word: bytes) -> int:
    """ccpText: characters of the main story. Headers and text boxes follow it in the
    piece table; they hold contact details, so we read them first."""
    position = 32 + 2 + _u16(word, 32) * 2 + 2
    return _u32(word, position + 3 * 4)


def _clx_location(word: bytes) -> tuple[int, int]:
    """Walk the FIB's variable-length blocks to the fcClx/lcbClx pair."""
    position = 32
    csw = _u16(word, position)
    position += 2 + csw * 2
    cslw = _u16(word, position)
    position += 2 + cslw * 4
    cb_fc_lcb = _u16(word, position)
    position += 2
    if cb_fc_lcb <= CLX_INDEX:
        raise UnreadableResume("FIB too short")
    return _u32(word, position + CLX_INDEX * 8), _u32(word, position + CLX_INDEX * 8 + 4)


def read_pieces(word: bytes, clx: bytes):
    """Yield the text of each piece listed in the CLX."""
    position = 0
    while position < len(clx) and clx[position] == 0x01:
        position += 3 + _u16(clx, position + 1)
    if position >= len(clx) or clx[position] != 0x02:
        raise UnreadableResume("no piece table")
    plc = _slice(clx, position + 5, _u32(clx, position + 1))
    count = (len(plc) - 4) // 12
    if count <= 0 or count > MAX_PIECES:
        raise UnreadableResume("bad piece count")
    total = 0
    for index in range(count):
        start, end = _u32(plc, index * 4), _u32(plc, index * 4 + 4)
        chars = end - start
        total += max(chars, 0)
        if chars <= 0 or total > MAX_CHARS:
            if total > MAX_CHARS:
                raise ResumeTooLarge("too much text")
            continue
        fc = _u32(plc, (count + 1) * 4 + index * 8 + 2)
        if fc & 0x40000000:
            yield _slice(word, (fc & 0x3FFFFFFF) // 2, chars).decode("cp1252", errors="replace")
        else:
            yield _slice(word, fc, chars * 2).decode("utf-16-le", errors="replace")


def _slice(data: bytes, start: int, length: int) -> bytes:
    if start < 0 or length < 0 or start + length > len(data):
        raise UnreadableResume("offset outside stream")
    return data[start : start + length]


def _u16(data: bytes, offset: int) -> int:
    return struct.unpack_from("<H", _slice(data, offset, 2))[0]


def _u32(data: bytes, offset: int) -> int:
    return struct.unpack_from("<I", _slice(data, offset, 4))[0]
