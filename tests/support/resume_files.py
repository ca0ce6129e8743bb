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
