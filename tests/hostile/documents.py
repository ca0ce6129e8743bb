"""Hostile Word, OpenDocument, RTF, HTML and text files, built in memory."""

from __future__ import annotations

import io
import random
import zipfile

DOCX_TYPES = (
    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
DOCX_RELS = (
    '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="word/document.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/></Relationships>'
)
W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def zipped(members: dict[str, bytes | str], *, compress: bool = True) -> bytes:
    buffer = io.BytesIO()
    mode = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    with zipfile.ZipFile(buffer, "w", mode) as archive:
        for name, body in members.items():
            archive.writestr(name, body)
    return buffer.getvalue()


def docx(body: str, *, prolog: str = "", extra: dict[str, bytes | str] | None = None) -> bytes:
    document = f'<?xml version="1.0"?>{prolog}<w:document {W_NS}><w:body>{body}</w:body></w:document>'
    members: dict[str, bytes | str] = {
        "[Content_Types].xml": DOCX_TYPES,
        "_rels/.rels": DOCX_RELS,
        "word/document.xml": document,
    }
    members.update(extra or {})
    return zipped(members)


def paragraphs(texts) -> str:
    return "".join(f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>" for text in texts)


def docx_plain() -> bytes:
    return docx(paragraphs(["Jane Doe", "jane.doe@example.com", "+44 20 7946 0958"]))


def docx_many_paragraphs(count: int) -> bytes:
    return docx(paragraphs(f"Line {n}" for n in range(count)))


def docx_long_paragraph(unit: str, size: int) -> bytes:
    return docx(paragraphs([unit * (size // len(unit))]))


def docx_deep_tables(depth: int) -> bytes:
    return docx("<w:tbl><w:tr><w:tc>" * depth + paragraphs(["x"]) + "</w:tc></w:tr></w:tbl>" * depth)


def docx_deep_elements(depth: int) -> bytes:
    return docx("<w:p>" + "<w:r>" * depth + "<w:t>x</w:t>" + "</w:r>" * depth + "</w:p>")


def laughs(levels: int = 10) -> str:
    entities = ['<!ENTITY lol "lol">']
    entities += [
        f'<!ENTITY lol{n} "{("&lol%s;" % (n - 1 if n > 1 else "")) * 10}">' for n in range(1, levels)
    ]
    return "<!DOCTYPE w:document [" + "".join(entities) + "]>"


def docx_billion_laughs() -> bytes:
    return docx(paragraphs(["&lol9;"]), prolog=laughs())


def docx_xxe() -> bytes:
    return docx(
        paragraphs(["&xxe;"]), prolog='<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    )


def docx_zip_bomb(size: int) -> bytes:
    """A document.xml of `size` bytes, written in chunks so building it stays small."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", DOCX_TYPES)
        archive.writestr("_rels/.rels", DOCX_RELS)
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            member.write(f'<?xml version="1.0"?><w:document {W_NS}><w:body><w:p><w:r><w:t>'.encode())
            chunk = b"A" * (1024 * 1024)
            for _ in range(size // len(chunk)):
                member.write(chunk)
            member.write(b"</w:t></w:r></w:p></w:body></w:document>")
    return buffer.getvalue()


def docx_many_members(count: int) -> bytes:
    extra: dict[str, bytes | str] = {f"word/media/x{n}.bin": b"" for n in range(count)}
    return docx(paragraphs(["x"]), extra=extra)


def docx_traversal_members() -> bytes:
    return docx(paragraphs(["Jane Doe"]), extra={"../../../../tmp/evil.txt": "x", "/etc/evil": "x"})


def docx_nested_zip() -> bytes:
    inner = zipped({"a.txt": "A" * 1_000_000})
    return docx(paragraphs(["Jane Doe"]), extra={"word/embeddings/inner.zip": inner})


def docx_without_document() -> bytes:
    return zipped({"[Content_Types].xml": DOCX_TYPES, "word/other.xml": "<x/>"})


def docx_broken_xml() -> bytes:
    return zipped(
        {"[Content_Types].xml": DOCX_TYPES, "_rels/.rels": DOCX_RELS, "word/document.xml": "<w:document"}
    )


def docx_truncated() -> bytes:
    data = docx_plain()
    return data[: len(data) // 2]


def docx_lying_size() -> bytes:
    """The central directory claims a tiny document.xml that really inflates to 50 MB."""
    data = bytearray(docx_zip_bomb(50_000_000))
    marker = b"PK\x01\x02"
    at = 0
    while (at := data.find(marker, at)) != -1:
        data[at + 24 : at + 28] = (100).to_bytes(4, "little")
        at += 4
    return bytes(data)


def odt(content: str, *, prolog: str = "") -> bytes:
    return zipped(
        {
            "mimetype": "application/vnd.oasis.opendocument.text",
            "content.xml": f'<?xml version="1.0"?>{prolog}<office:document-content '
            'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
            'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0">'
            f"<office:body><office:text>{content}</office:text></office:body></office:document-content>",
        },
        compress=False,
    )


def odt_billion_laughs() -> bytes:
    return odt("<text:p>&lol9;</text:p>", prolog=laughs().replace("w:document", "office:document-content"))


def odt_deep(depth: int) -> bytes:
    return odt("<text:span>" * depth + "x" + "</text:span>" * depth)


def odt_many_paragraphs(count: int) -> bytes:
    return odt("".join(f"<text:p>Line {n}</text:p>" for n in range(count)))


def doc_stub() -> bytes:
    """OLE magic and a WordDocument name, nothing readable behind them."""
    return (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 504
        + "WordDocument".encode("utf-16-le")
        + b"\x00" * 4000
    )


def doc_random(seed: int) -> bytes:
    noise = random.Random(seed).randbytes(20_000)
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + noise + "WordDocument".encode("utf-16-le")


def rtf_deep(depth: int) -> bytes:
    return b"{\\rtf1 " + b"{" * depth + b"x" + b"}" * depth + b"}"


def rtf_unclosed(depth: int) -> bytes:
    return b"{\\rtf1 " + b"{\\b " * depth


def rtf_huge_bin() -> bytes:
    return b"{\\rtf1 Jane Doe \\bin999999999 abc}"


def rtf_many_controls(count: int) -> bytes:
    return b"{\\rtf1 " + b"\\par " * count + b"}"


def rtf_unicode_flood(count: int) -> bytes:
    return b"{\\rtf1 " + b"\\u-1?" * count + b"}"


def rtf_long_word(size: int) -> bytes:
    return b"{\\rtf1 \\" + b"a" * size + b"}"


def html_deep(depth: int) -> bytes:
    return b"<html><body>" + b"<div>" * depth + b"x" + b"</div>" * depth + b"</body></html>"


def html_unclosed(depth: int) -> bytes:
    return b"<html><body>" + b"<b><i>" * depth


def html_entities(count: int) -> bytes:
    return b"<html><body><p>" + b"&amp;&#x41;&nbsp;" * count + b"</p></body></html>"


def html_comment_bomb(size: int) -> bytes:
    return b"<html><body><!--" + b"-" * size + b"</body></html>"


def html_billion_laughs() -> bytes:
    return (
        '<?xml version="1.0"?>'
        + laughs().replace("w:document", "html")
        + '<html xmlns="http://www.w3.org/1999/xhtml"><body><p>&lol9;</p></body></html>'
    ).encode()


def html_script_only() -> bytes:
    return b"<html><head><script>" + b"alert(1);" * 10_000 + b"</script></head><body></body></html>"


def html_long_line(unit: bytes, size: int) -> bytes:
    return b"<html><body><p>" + unit * (size // len(unit)) + b"</p></body></html>"


def mht_bomb(parts: int) -> bytes:
    head = b"MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=b\r\n\r\n"
    part = b"--b\r\nContent-Type: text/html\r\n\r\n<p>x</p>\r\n"
    return head + part * parts + b"--b--\r\n"


def text_lines(unit: str, size: int, *, line: int | None = None) -> bytes:
    body = unit * (size // len(unit))
    if line:
        body = "\n".join(body[i : i + line] for i in range(0, len(body), line))
    return body.encode()
