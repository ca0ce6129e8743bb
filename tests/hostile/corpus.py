"""A corpus of hostile uploads, generated on demand (no files are kept in the repository).

Each entry says whether it is garbage, which the apply form must refuse with a reason and
never store; every other entry may be taken or refused, but must get a clear answer quickly.
Sizes stay under the 10 MB upload limit so each file reaches the checks behind it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from tests.hostile import documents as d
from tests.hostile import pdfs as p

KB = 1024
MB = 1024 * KB


@dataclass(frozen=True)
class Hostile:
    name: str
    filename: str
    build: Callable[[], bytes] = field(repr=False)
    garbage: bool = False


def _entries() -> Iterator[Hostile]:
    yield from _garbage()
    yield from _pdf_traps()
    yield from _word_traps()
    yield from _other_traps()
    yield from _names()


def _garbage() -> Iterator[Hostile]:
    yield Hostile("pdf header only", "resume.pdf", lambda: b"%PDF-1.7\n", garbage=True)
    yield Hostile("one byte", "resume.pdf", lambda: b"a", garbage=True)
    yield Hostile("one byte text", "resume.txt", lambda: b"a", garbage=True)
    yield Hostile(
        "pdf header and 9 MB of noise", "resume.pdf", lambda: p.garbage_after_header(9 * MB, 1), garbage=True
    )
    yield Hostile(
        "pdf header and 1 KB of noise", "resume.pdf", lambda: p.garbage_after_header(KB, 2), garbage=True
    )
    yield Hostile("pdf without pages", "resume.pdf", p.no_xref, garbage=True)
    yield Hostile("pdf with an empty page tree", "resume.pdf", lambda: p.many_pages(0), garbage=True)
    yield Hostile(
        "pdf truncated in half", "resume.pdf", lambda: p.plain()[: len(p.plain()) // 2], garbage=True
    )
    for name, body in _polyglots().items():
        yield Hostile(f"polyglot {name}", "resume.pdf", lambda body=body: body, garbage=True)
    yield Hostile("whitespace only", "resume.txt", lambda: b" \n\t" * 1000, garbage=True)
    yield Hostile("nul bytes", "resume.pdf", lambda: b"\x00" * 4096, garbage=True)
    yield Hostile("png named pdf", "resume.pdf", lambda: b"\x89PNG\r\n\x1a\n" + b"\x00" * 2000, garbage=True)
    yield Hostile("executable named pdf", "resume.pdf", lambda: b"MZ\x90\x00" + b"\x00" * 4000, garbage=True)
    yield Hostile("zip without a document", "resume.docx", d.docx_without_document, garbage=True)
    yield Hostile("docx with broken xml", "resume.docx", d.docx_broken_xml, garbage=True)
    yield Hostile("docx truncated", "resume.docx", d.docx_truncated, garbage=True)
    yield Hostile("doc stub", "resume.doc", d.doc_stub, garbage=True)
    yield Hostile("doc of noise", "resume.doc", lambda: d.doc_random(3), garbage=True)
    yield Hostile(
        "html named pdf",
        "resume.pdf",
        lambda: b"<html><body><p>Jane Doe, jane.doe@example.com, +44 20 7946 0958</p></body></html>",
        garbage=True,
    )
    yield Hostile("svg named pdf", "resume.pdf", lambda: _svg(), garbage=True)
    yield Hostile("svg named txt", "resume.txt", lambda: _svg(), garbage=True)
    yield Hostile(
        "javascript named pdf", "resume.pdf", lambda: b"alert(document.cookie);\n" * 50, garbage=True
    )
    yield Hostile("html with a script", "resume.html", d.html_script_only, garbage=True)


def _svg() -> bytes:
    return (
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
        b"<script>alert(2)</script></svg>"
    )


def _polyglots() -> dict[str, bytes]:
    script = b"<html><body><script>alert(document.domain)</script></body></html>"
    return {
        "pdf header then html": b"%PDF-1.4\n" + script,
        "html then a pdf": script + b"\n" + p.plain(),
        "pdf with html before the first object": p.plain().replace(
            b"%PDF-1.7\n", b"%PDF-1.7\n%" + script + b"\n", 1
        ),
        "svg with a pdf header": b"%PDF-1.4\n" + _svg(),
        "javascript with a pdf header": b"%PDF-1.4\n/*\n*/alert(1)//\n",
        "pdf header in a zip": d.zipped({"a.txt": "%PDF-1.4 " * 10}),
        "pdf with a trailing zip": p.garbage_after_header(100, 4) + d.zipped({"x": "y"}),
    }


def _pdf_traps() -> Iterator[Hostile]:
    yield Hostile("pdf kids cycle", "resume.pdf", p.kids_cycle)
    yield Hostile("pdf kids pair cycle", "resume.pdf", p.kids_pair_cycle)
    yield Hostile("pdf reference cycle", "resume.pdf", p.reference_cycle)
    yield Hostile("pdf length cycle", "resume.pdf", p.length_cycle)
    yield Hostile("pdf form xobject fan-out", "resume.pdf", p.xobject_fanout)
    yield Hostile("pdf form xobject fan-out wide", "resume.pdf", lambda: p.xobject_fanout(width=40, depth=5))
    yield Hostile("pdf form xobject drawing itself", "resume.pdf", p.xobject_self)
    yield Hostile("pdf 500 pages", "resume.pdf", lambda: p.many_pages(500))
    yield Hostile("pdf 20000 pages", "resume.pdf", lambda: p.many_pages(20_000))
    yield Hostile("pdf page count a billion", "resume.pdf", p.huge_count)
    yield Hostile("pdf arrays nested 200k deep", "resume.pdf", lambda: p.deep_array(200_000))
    yield Hostile("pdf arrays nested 200 deep", "resume.pdf", lambda: p.deep_array(200))
    yield Hostile("pdf dictionaries nested 100k deep", "resume.pdf", lambda: p.deep_dict(100_000))
    yield Hostile("pdf 300k text operators", "resume.pdf", lambda: p.many_text_ops(300_000))
    yield Hostile("pdf 30k positioned characters", "resume.pdf", lambda: p.many_tiny_chars(30_000))
    for unit in ("a%", "a@", "1 ", "a dot ", "2020 - "):
        yield Hostile(
            f"pdf long line of {unit.strip()!r}",
            "resume.pdf",
            lambda u=unit: p.long_text_line(u.encode(), 80 * KB),
        )
    yield Hostile("pdf flate bomb 500 MB", "resume.pdf", lambda: p.flate_bomb(500 * MB))
    yield Hostile("pdf huge inline image", "resume.pdf", p.huge_inline_image)
    yield Hostile("pdf huge media box", "resume.pdf", p.huge_mediabox)
    yield Hostile("pdf startxref out of the file", "resume.pdf", p.bad_xref)
    yield Hostile("pdf unknown encryption", "resume.pdf", p.encrypted_stub)
    yield Hostile("pdf object stream loop", "resume.pdf", p.object_stream_loop)
    yield Hostile("pdf plain but named docx", "resume.docx", p.plain)


def _word_traps() -> Iterator[Hostile]:
    yield Hostile("docx 150k paragraphs", "resume.docx", lambda: d.docx_many_paragraphs(150_000))
    yield Hostile("docx 20k paragraphs", "resume.docx", lambda: d.docx_many_paragraphs(20_000))
    for unit in ("a%", "a@", "1 "):
        yield Hostile(
            f"docx long paragraph of {unit.strip()!r}",
            "resume.docx",
            lambda u=unit: d.docx_long_paragraph(u, 200 * KB),
        )
    yield Hostile("docx tables nested 5000 deep", "resume.docx", lambda: d.docx_deep_tables(5_000))
    yield Hostile("docx runs nested 100k deep", "resume.docx", lambda: d.docx_deep_elements(100_000))
    yield Hostile("docx billion laughs", "resume.docx", d.docx_billion_laughs)
    yield Hostile("docx external entity", "resume.docx", d.docx_xxe)
    yield Hostile("docx zip bomb 200 MB", "resume.docx", lambda: d.docx_zip_bomb(200 * MB))
    yield Hostile("docx lying sizes", "resume.docx", d.docx_lying_size)
    yield Hostile("docx 5000 members", "resume.docx", lambda: d.docx_many_members(5_000))
    yield Hostile("docx path traversal members", "resume.docx", d.docx_traversal_members)
    yield Hostile("docx with a zip inside", "resume.docx", d.docx_nested_zip)
    yield Hostile("odt billion laughs", "resume.odt", d.odt_billion_laughs)
    yield Hostile("odt spans nested 100k deep", "resume.odt", lambda: d.odt_deep(100_000))
    yield Hostile("odt 150k paragraphs", "resume.odt", lambda: d.odt_many_paragraphs(150_000))


def _other_traps() -> Iterator[Hostile]:
    yield Hostile("rtf groups nested 100k deep", "resume.rtf", lambda: d.rtf_deep(100_000))
    yield Hostile("rtf 100k unclosed groups", "resume.rtf", lambda: d.rtf_unclosed(100_000))
    yield Hostile("rtf huge bin", "resume.rtf", d.rtf_huge_bin)
    yield Hostile("rtf 1M paragraph marks", "resume.rtf", lambda: d.rtf_many_controls(1_000_000))
    yield Hostile("rtf unicode flood", "resume.rtf", lambda: d.rtf_unicode_flood(500_000))
    yield Hostile("rtf 1 MB control word", "resume.rtf", lambda: d.rtf_long_word(MB))
    yield Hostile("html divs nested 100k deep", "resume.html", lambda: d.html_deep(100_000))
    yield Hostile("html 100k unclosed tags", "resume.html", lambda: d.html_unclosed(100_000))
    yield Hostile("html 300k entities", "resume.html", lambda: d.html_entities(300_000))
    yield Hostile("html unterminated comment", "resume.html", lambda: d.html_comment_bomb(5 * MB))
    yield Hostile("xhtml billion laughs", "resume.html", d.html_billion_laughs)
    for unit in (b"a%", b"a@", b"1 ", b"a dot "):
        yield Hostile(
            f"html long line of {unit.strip()!r}", "resume.html", lambda u=unit: d.html_long_line(u, 200 * KB)
        )
    yield Hostile("mht 100k parts", "resume.mht", lambda: d.mht_bomb(100_000))
    for unit in (
        "a%",
        "a@",
        "a.",
        "1 ",
        "a at ",
        "a dot ",
        "2020 - ",
        "(1) ",
        "+1 ",
        "linkedin.com/in/",
        "@ ",
    ):
        yield Hostile(
            f"text long line of {unit.strip()!r}", "resume.txt", lambda u=unit: d.text_lines(u, 200 * KB)
        )
        yield Hostile(
            f"text lines of {unit.strip()!r}", "resume.txt", lambda u=unit: d.text_lines(u, 2 * MB, line=999)
        )
    yield Hostile(
        "text utf-16 without a bom",
        "resume.txt",
        lambda: "Jane Doe jane@example.com\n".encode("utf-16-le") * 100,
    )
    yield Hostile("text utf-16 lone surrogates", "resume.txt", lambda: b"\xff\xfe" + b"\x00\xd8" * 5000)
    yield Hostile(
        "text bad utf-8", "resume.txt", lambda: b"Jane Doe \xc3\x28 \xa0\xa1 \xf0\x28\x8c\xbc\n" * 500
    )
    yield Hostile("text zero-width flood", "resume.txt", lambda: ("Jane\u200b" * 50_000).encode())
    yield Hostile(
        "text bidi overrides",
        "resume.txt",
        lambda: ("Jane \u202eeoD\u202c jane@example.com\n" * 2000).encode(),
    )
    yield Hostile(
        "text combining marks", "resume.txt", lambda: ("J" + "\u0301" * 100_000 + "ane Doe").encode()
    )
    yield Hostile("text 10 MB of one word", "resume.txt", lambda: b"a" * (10 * MB - 1))


def _names() -> Iterator[Hostile]:
    names = {
        "5000-character name": "r" * 5000 + ".pdf",
        "unicode name": "Lebenslauf – Jürgen Müller 履歴書 🚀.pdf",
        "path traversal": "../../../../etc/passwd.pdf",
        "windows path traversal": "..\\..\\windows\\win.ini.pdf",
        "nul in the name": "resume\x00.exe.pdf",
        "line break in the name": "resume\r\nX-Injected: 1.pdf",
        "markup in the name": "<script>alert(1)</script>.pdf",
        "extension only": ".pdf",
        "no extension": "resume",
        "right-to-left override": "resume\u202efdp.exe",
        "reserved device name": "CON.pdf",
        "absolute path": "/tmp/resume.pdf",
        "shell characters": "$(reboot);`id`|resume.pdf",
        "percent-encoded traversal": "%2e%2e%2f%2e%2e%2fresume.pdf",
    }
    for label, filename in names.items():
        yield Hostile(f"name: {label}", filename, p.plain)


def corpus() -> list[Hostile]:
    """Every hostile upload, in a stable order, with unique names."""
    entries = list(_entries())
    assert len({entry.name for entry in entries}) == len(entries), "names must be unique"
    return entries
