"""Resume files for tests: the labelled corpus, and hostile or edge-case files built in memory
for each run (encrypted, scanned, nested, zip bombs, looping OLE chains)."""

from __future__ import annotations

import io
import pathlib
import struct
import zipfile

import olefile
from fpdf import FPDF
from PIL import Image

CORPUS = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "resumes"


def corpus_file(prefix: str) -> bytes:
    """The corpus resume whose name starts with prefix (not its JSON labels)."""
    return next(p for p in sorted(CORPUS.glob(f"{prefix}*")) if p.suffix != ".json").read_bytes()


def simple_pdf(
    lines=("Jane Doe", "jane.doe@example.com", "+44 20 7946 0958"), pages: int = 1, **encryption
) -> bytes:
    pdf = FPDF()
    if encryption:
        pdf.set_encryption(**encryption)
    pdf.set_font("Helvetica", size=12)
    for _ in range(pages):
        pdf.add_page()
        for line in lines:
            pdf.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 60), "white").save(buffer, "PNG")
    return buffer.getvalue()


def scanned_pdf() -> bytes:
    """A page image and no text layer, as a scanner makes."""
    pdf = FPDF()
    pdf.add_page()
    pdf.image(io.BytesIO(png_bytes()), x=10, y=10, w=180)
    return bytes(pdf.output())


def nested_pdf(depth: int = 200_000) -> bytes:
    """A catalog whose value is an array nested 200,000 levels deep."""
    return (
        b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R /Deep "
        + b"[" * depth
        + b"]" * depth
        + b" >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
        b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
    )


def docx_bomb(declared: int = 200 * 1024 * 1024) -> bytes:
    """A DOCX whose document.xml claims (and would inflate to) 200 MB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            chunk = b"<w:t>" + b"A" * (1024 * 1024) + b"</w:t>"
            for _ in range(declared // len(chunk)):
                member.write(chunk)
    return buffer.getvalue()


def docx_with_many_members(count: int = 5000) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
        for n in range(count):
            archive.writestr(f"word/media/x{n}.bin", b"")
    return buffer.getvalue()


def cyclic_ole_doc() -> bytes:
    """A real .doc whose WordDocument stream's FAT chain loops back on itself."""
    data = bytearray(corpus_file("30-doc"))
    ole = olefile.OleFileIO(io.BytesIO(bytes(data)))
    entry = next(e for e in ole.direntries if e is not None and e.name == "WordDocument")
    start, sector_size = entry.isectStart, ole.sectorsize
    fat_sector = struct.unpack_from("<I", data, 0x4C + 4 * ((start * 4) // sector_size))[0]
    ole.close()
    offset = (fat_sector + 1) * sector_size + (start * 4) % sector_size
    struct.pack_into("<I", data, offset, start)
    return bytes(data)


# One small resume in every format we accept, for delivery and rendition tests. Each holds the
# same text: a name, two headings, list items, and lines in Greek and Cyrillic.
RESUME_NAME = "Ada Lovelace"
RESUME_HEADINGS = ("Experience", "Languages")
RESUME_ITEMS = ("Analytical Engine programmer, 1842-1843", "Translated the Menabrea memoir")
RESUME_GREEK = "Ελληνικά: άριστα"
RESUME_CYRILLIC = "Русский язык: свободно"
ACCEPTED_KINDS = ("pdf", "doc", "docx", "rtf", "odt", "txt", "html", "mht")


def resume_document(fmt: str) -> bytes:
    """The small resume above as a `fmt` file (DOC is the stored fixture, which has other text;
    PDF is drawn in a core font, so it holds no Greek or Cyrillic)."""
    if fmt == "pdf":
        return simple_pdf((RESUME_NAME, "ada@example.com", *RESUME_HEADINGS, *RESUME_ITEMS))
    if fmt == "doc":
        return (CORPUS.parent / "files" / "resume.doc").read_bytes()
    return _BUILDERS[fmt]()


def _docx() -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph(RESUME_NAME)
    document.add_paragraph("ada@example.com")
    document.add_heading(RESUME_HEADINGS[0], level=1)
    for item in RESUME_ITEMS:
        document.add_paragraph(item, style="List Bullet")
    document.add_heading(RESUME_HEADINGS[1], level=1)
    document.add_paragraph(RESUME_GREEK)
    document.add_paragraph(RESUME_CYRILLIC)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


_ODT_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)


def _odt() -> bytes:
    items = "".join(f"<text:list-item><text:p>{item}</text:p></text:list-item>" for item in RESUME_ITEMS)
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODT_NS} office:version="1.2">'
        f"<office:body><office:text><text:p>{RESUME_NAME}</text:p><text:p>ada@example.com</text:p>"
        f'<text:h text:outline-level="1">{RESUME_HEADINGS[0]}</text:h><text:list>{items}</text:list>'
        f'<text:h text:outline-level="1">{RESUME_HEADINGS[1]}</text:h>'
        f"<text:p>{RESUME_GREEK}</text:p><text:p>{RESUME_CYRILLIC}</text:p>"
        "</office:text></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.text"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text", zipfile.ZIP_STORED)
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def _rtf_escape(text: str) -> str:
    return "".join(c if ord(c) < 128 else f"\\u{ord(c) if ord(c) < 32768 else ord(c) - 65536}?" for c in text)


def _rtf() -> bytes:
    lines = [
        r"{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0 Arial;}}\uc1",
        rf"\pard {RESUME_NAME}\par",
        r"ada@example.com\par",
        rf"{{\b {RESUME_HEADINGS[0]}}}\par",
        *(rf"\bullet\tab {item}\par" for item in RESUME_ITEMS),
        rf"{{\b {RESUME_HEADINGS[1]}}}\par",
        rf"{_rtf_escape(RESUME_GREEK)}\par",
        rf"{_rtf_escape(RESUME_CYRILLIC)}\par",
        "}",
    ]
    return "\n".join(lines).encode("ascii")


def _html_page() -> str:
    items = "".join(f"<li>{item}</li>" for item in RESUME_ITEMS)
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>CV</title></head><body>'
        f"<p>{RESUME_NAME}</p><p>ada@example.com</p><h2>{RESUME_HEADINGS[0]}</h2><ul>{items}</ul>"
        f"<h2>{RESUME_HEADINGS[1]}</h2><p>{RESUME_GREEK}</p><p>{RESUME_CYRILLIC}</p></body></html>"
    )


def _html() -> bytes:
    return _html_page().encode("utf-8")


def _mht() -> bytes:
    import base64

    body = base64.encodebytes(_html_page().encode("utf-8")).decode("ascii")
    return (
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/related; boundary="part"\r\n\r\n'
        "--part\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        f"{body}\r\n--part--\r\n"
    ).encode("ascii")


def _txt() -> bytes:
    lines = [
        RESUME_NAME,
        "ada@example.com",
        RESUME_HEADINGS[0],
        *(f"• {item}" for item in RESUME_ITEMS),
        RESUME_HEADINGS[1],
        RESUME_GREEK,
        RESUME_CYRILLIC,
    ]
    return "\n".join(lines).encode("utf-8")


_BUILDERS = {"docx": _docx, "odt": _odt, "rtf": _rtf, "html": _html, "mht": _mht, "txt": _txt}
