"""Hostile PDFs, written object by object so each one is small and exact."""

from __future__ import annotations

import random
import zlib


def pdf(objects: list[bytes], *, root: int = 1, header: bytes = b"%PDF-1.7\n", xref: bool = True) -> bytes:
    """A PDF whose objects are numbered from 1, with a correct xref table and trailer."""
    out = bytearray(header)
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    start = len(out)
    if xref:
        out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
        out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, root, start)
    return bytes(out)


def stream(content: bytes, extra: bytes = b"", *, compress: bool = False) -> bytes:
    if compress:
        content = zlib.compress(content, 9)
        extra += b" /Filter /FlateDecode"
    return b"<< /Length %d%s >>\nstream\n" % (len(content), extra) + content + b"\nendstream"


FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def one_page(
    content: bytes,
    resources: bytes = b"<< /Font << /F1 4 0 R >> >>",
    extra: list[bytes] = (),
    *,
    compress: bool = False,
) -> bytes:
    """Catalog 1, Pages 2, Page 3, Font 4, content 5, then any extra objects from 6."""
    return pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources %s /Contents 5 0 R >>"
            % resources,
            FONT,
            stream(content, compress=compress),
            *extra,
        ]
    )


def text_ops(lines: list[bytes]) -> bytes:
    ops = [b"BT /F1 10 Tf 40 750 Td 12 TL"]
    ops += [
        b"(" + line.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b") '"
        for line in lines
    ]
    return b"\n".join(ops + [b"ET"])


RESUME_LINES = [
    b"Jane Doe",
    b"jane.doe@example.com",
    b"+44 20 7946 0958",
    b"Experience",
    b"Engineer at Acme 2019 - 2023",
]


def plain() -> bytes:
    return one_page(text_ops(RESUME_LINES))


def kids_cycle() -> bytes:
    """The page tree's Kids point back at the tree itself (about 250 bytes)."""
    return pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [2 0 R] /Count 1 >>"])


def kids_pair_cycle() -> bytes:
    return pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Pages /Kids [2 0 R] /Count 1 /Parent 2 0 R >>",
        ]
    )


def reference_cycle() -> bytes:
    """Objects that only refer to each other: Length, Resources and Contents resolve in a loop."""
    return pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /Resources 4 0 R /Contents 5 0 R >>",
            b"5 0 R",
            b"4 0 R",
        ]
    )


def length_cycle() -> bytes:
    return pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>",
            b"<< /Length 5 0 R >>\nstream\nBT ET\nendstream",
            b"5 0 R",
        ]
    )


def xobject_fanout(width: int = 10, depth: int = 8) -> bytes:
    """Form XObjects that each draw the next one `width` times: width**depth drawings."""
    extra = []
    for level in range(depth):
        number = 6 + level
        if level + 1 < depth:
            body = b" ".join([b"/X Do"] * width)
            resources = b" /Resources << /XObject << /X %d 0 R >> /Font << /F1 4 0 R >> >>" % (number + 1)
        else:
            body = text_ops([b"a"])
            resources = b" /Resources << /Font << /F1 4 0 R >> >>"
        extra.append(stream(body, b" /Type /XObject /Subtype /Form /BBox [0 0 612 792]" + resources))
    resources = b"<< /XObject << /X 6 0 R >> /Font << /F1 4 0 R >> >>"
    return one_page(b" ".join([b"/X Do"] * width), resources, extra)


def xobject_self() -> bytes:
    """A form XObject that draws itself."""
    own = stream(
        b"/X Do /X Do",
        b" /Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources << /XObject << /X 6 0 R >> >>",
    )
    return one_page(b"/X Do", b"<< /XObject << /X 6 0 R >> >>", [own])


def many_pages(count: int) -> bytes:
    kids = b" ".join(b"%d 0 R" % (3 + n) for n in range(count))
    pages = [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>" for _ in range(count)]
    return pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, count),
            *pages,
        ]
    )


def huge_count() -> bytes:
    return pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 999999999 >>"])


def deep_array(depth: int) -> bytes:
    return pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R /Deep " + b"[" * depth + b"]" * depth + b" >>",
            b"<< /Type /Pages /Kids [] /Count 0 >>",
        ]
    )


def deep_dict(depth: int) -> bytes:
    return pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R /Deep " + b"<< /A " * depth + b"1" + b" >>" * depth + b" >>",
            b"<< /Type /Pages /Kids [] /Count 0 >>",
        ]
    )


def many_text_ops(count: int, *, compress: bool = False) -> bytes:
    return one_page(b"BT /F1 1 Tf " + b"(ab) Tj " * count + b"ET", compress=compress)


def long_text_line(unit: bytes, size: int) -> bytes:
    return one_page(text_ops([unit * (size // len(unit))]))


def flate_bomb(size: int) -> bytes:
    """A 100 KB content stream that inflates to `size` bytes of spaces."""
    packer = zlib.compressobj(9)
    chunk = b" " * (1024 * 1024)
    content = b"".join(packer.compress(chunk) for _ in range(size // len(chunk))) + packer.flush()
    return pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(content) + content + b"\nendstream",
        ]
    )


def huge_inline_image() -> bytes:
    return one_page(b"q 100 0 0 100 0 0 cm BI /W 100000 /H 100000 /CS /RGB /BPC 8 ID \x00\x00\x00 EI Q")


def huge_mediabox() -> bytes:
    content = text_ops(RESUME_LINES)
    return pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 1e30 1e30] /Resources << /Font << /F1 4 0 R >> >>"
            b" /Contents 5 0 R >>",
            FONT,
            stream(content),
        ]
    )


def many_tiny_chars(count: int) -> bytes:
    """Thousands of one-character moves: layout analysis with many boxes."""
    ops = b"".join(b"1 0 0 1 %d %d Tm (x) Tj " % (n % 600, (n // 600) % 790) for n in range(count))
    return one_page(b"BT /F1 1 Tf " + ops + b"ET")


def bad_xref() -> bytes:
    good = plain()
    return good.replace(b"startxref\n", b"startxref\n9999999").rstrip(b"\n")


def no_xref() -> bytes:
    return pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"], xref=False)


def garbage_after_header(size: int, seed: int) -> bytes:
    return b"%PDF-" + random.Random(seed).randbytes(size)


def encrypted_stub() -> bytes:
    return plain().replace(b"/Root 1 0 R", b"/Root 1 0 R /Encrypt << /Filter /Standard /V 9 /R 9 >>")


def object_stream_loop() -> bytes:
    """An object stream that claims to hold itself."""
    inner = b"6 0 " + b"<< /Type /ObjStm /N 1 /First 4 >>"
    return one_page(text_ops(RESUME_LINES), extra=[stream(inner, b" /Type /ObjStm /N 1 /First 4")])
