"""Format detection looks at bytes, never at file names."""

import io
import zipfile

import pytest

from app.resume.formats import ACCEPTED_FORMATS, CONTENT_TYPES, detect_format


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "data, expected",
    [
        (b"%PDF-1.7\n...", "pdf"),
        (b"\r\n%PDF-1.4 junk before the header", "pdf"),
        (_zip({"[Content_Types].xml": b"<x/>", "word/document.xml": b"<w/>"}), "docx"),
        (_zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"}), "odt"),
        (_zip({"xl/workbook.xml": b"<x/>"}), None),
        (_zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"}), None),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600 + "WordDocument".encode("utf-16-le"), "doc"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600 + "Workbook".encode("utf-16-le"), None),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600 + "EncryptedPackage".encode("utf-16-le"), "docx"),
        (b"{\\rtf1\\ansi hello}", "rtf"),
        (b"<!DOCTYPE html><html><body>Jane</body></html>", "html"),
        (b"\xef\xbb\xbf<html><p>Jane</p></html>", "html"),
        (b"MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=x\r\n", "mht"),
        (b"Jane Doe\njane@example.com\n", "txt"),
        ("Zoë Müller\nBerlin".encode(), "txt"),
        ("Zoë Müller\nBerlin".encode("utf-16"), "txt"),
        (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", None),
        (b"\xff\xd8\xff\xe0\0\x10JFIF", None),
        (b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff", None),
        (b"\x7fELF\x02\x01\x01\0", None),
        (b"", None),
        (b"PK\x03\x04 truncated zip", None),
    ],
)
def test_detect_format_decides_by_content(data, expected):
    assert detect_format(data) == expected


def test_every_accepted_format_has_a_content_type():
    assert set(CONTENT_TYPES) == ACCEPTED_FORMATS
