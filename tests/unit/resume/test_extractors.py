"""Every extractor on corpus files and on the structures that trip naive readers."""

import json
import struct

import docx
import pytest
from docx.oxml import parse_xml

from app.resume.errors import EncryptedResume, UnreadableResume
from app.resume.extract import extract_text
from app.resume.extract.columns import order_lines
from app.resume.extract.doc import read_pieces
from app.resume.extract.docx import part_lines
from app.resume.extract.pdfium_lines import whole_characters
from app.resume.extract.rtf import rtf_to_text
from app.resume.extract.wordtext import clean_word_text
from app.resume.formats import detect_format
from tests.support.resume_files import CORPUS, corpus_file


@pytest.mark.parametrize(
    "prefix",
    [
        "00-pdf-one",
        "02-pdf-header",
        "16-docx-table",
        "17-docx-header",
        "18-docx-textbox",
        "30-doc",
        "32-doc-header",
        "33-doc-textbox",
        "40-html",
        "41-mht",
        "42-rtf",
        "43-odt",
        "44-txt",
    ],
)
def test_each_format_yields_the_contact_text(prefix):
    data = corpus_file(prefix)
    labels = json.loads(next(CORPUS.glob(f"{prefix}*.json")).read_text())
    text = extract_text(data, detect_format(data)).text
    assert labels["last_name"] in text or labels["last_name"].upper() in text
    assert (labels["email"] or "") in text


def test_a_two_column_pdf_reads_the_sidebar_before_the_main_column():
    text = extract_text(corpus_file("01-pdf-two"), "pdf").text
    lines = text.splitlines()
    assert lines.index("HABILIDADES") < lines.index("Experiencia profesional")
    assert not any("\t" in line and "Python" in line for line in lines)


def test_lines_on_one_row_stay_together_and_columns_are_read_in_turn():
    side = [(20, 100 + 15 * n, 160, 110 + 15 * n, f"side {n}") for n in range(6)]
    main = [(200, 100 + 15 * n, 560, 110 + 15 * n, f"main {n}") for n in range(6)]
    header = [(20, 50, 560, 60, "Full width name")]
    order = order_lines(header + main + side, 595)
    assert order == ["Full width name", *[f"side {n}" for n in range(6)], *[f"main {n}" for n in range(6)]]


def test_a_title_and_its_right_aligned_dates_stay_on_one_line():
    lines = [(20, 100 + 15 * n, 300, 110 + 15 * n, f"Engineer {n}") for n in range(6)]
    lines += [(480, 100 + 15 * n, 560, 110 + 15 * n, f"201{n} – 202{n}") for n in range(6)]
    assert order_lines(lines, 595)[0] == "Engineer 0\t2010 – 2020"


def test_docx_hyperlink_targets_are_kept_when_the_text_hides_them():
    text = extract_text(corpus_file("19-docx-links"), "docx").text
    assert "https://www.linkedin.com/in/" in text and "LinkedIn" in text


def test_docx_text_box_is_read_once_despite_its_fallback_copy():
    document = docx.Document()
    paragraph = document.add_paragraph("Name")
    box = "<w:txbxContent><w:p><w:r><w:t>box@example.com</w:t></w:r></w:p></w:txbxContent>"
    paragraph._p.append(
        parse_xml(
            '<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
            'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
            'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
            'xmlns:v="urn:schemas-microsoft-com:vml"><mc:AlternateContent>'
            f'<mc:Choice Requires="wps"><w:drawing><wps:txbx>{box}</wps:txbx></w:drawing></mc:Choice>'
            f"<mc:Fallback><w:pict><v:textbox>{box}</v:textbox></w:pict></mc:Fallback>"
            "</mc:AlternateContent></w:r>"
        )
    )
    document.add_table(rows=1, cols=1).cell(0, 0).add_table(rows=1, cols=1).cell(0, 0).text = "nested cell"
    assert part_lines(document.part) == ["Name", "box@example.com", "nested cell"]


def test_an_encrypted_docx_container_is_reported_as_encrypted():
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600 + "EncryptedPackage".encode("utf-16-le")
    with pytest.raises(EncryptedResume):
        extract_text(data, detect_format(data))


def _clx(pieces: list[tuple[int, int, bool]]) -> bytes:
    """A piece table: (character count, file offset, compressed) per piece."""
    cps, position = [0], 0
    for count, _, _ in pieces:
        position += count
        cps.append(position)
    descriptors = b"".join(
        struct.pack("<HIH", 0, (fc * 2) | 0x40000000 if packed else fc, 0) for _, fc, packed in pieces
    )
    plc = b"".join(struct.pack("<I", cp) for cp in cps) + descriptors
    return b"\x02" + struct.pack("<I", len(plc)) + plc


def test_doc_pieces_decode_both_cp1252_and_utf16():
    word = b"\0" * 16 + "Café ".encode("cp1252") + "Łukasz".encode("utf-16-le")
    clx = _clx([(5, 16, True), (6, 21, False)])
    assert "".join(read_pieces(word, clx)) == "Café Łukasz"


def test_doc_piece_outside_the_stream_is_refused():
    with pytest.raises(UnreadableResume):
        list(read_pieces(b"\0" * 32, _clx([(500, 16, False)])))


def test_word_fields_keep_the_result_and_the_hyperlink_target():
    raw = 'Profile \x13 HYPERLINK "https://www.linkedin.com/in/jane" \x14LinkedIn\x15\rNext\x07cell'
    assert clean_word_text(raw) == "Profile LinkedIn https://www.linkedin.com/in/jane\nNext\ncell"


def test_rtf_unicode_and_hex_escapes_become_text():
    rtf = rb"{\rtf1\ansi\ansicpg1252{\fonttbl{\f0 Arial;}}\f0 Zo\'eb M\u252?ller\par Berlin\tab Germany}"
    assert rtf_to_text(rtf).split("\n")[:2] == ["Zoë Müller", "Berlin\tGermany"]


def test_a_doc_without_a_word_stream_is_unreadable():
    import olefile  # noqa: F401  (the container itself is fine, the stream is missing)

    data = corpus_file("30-doc").replace(
        "WordDocument".encode("utf-16-le"), "WordDocumenX".encode("utf-16-le")
    )
    with pytest.raises(UnreadableResume):
        extract_text(data, "doc")


def test_plain_text_in_windows_1252_is_decoded():
    data = "Zoë Müller\nBerlin".encode("cp1252")
    assert extract_text(data, detect_format(data)).text.startswith("Zoë Müller")


def test_pdfium_surrogate_halves_become_whole_characters_and_lone_halves_a_replacement():
    assert whole_characters("a\ud835\udc00b") == "a\U0001d400b"
    assert whole_characters("x\ud835y") == "x\ufffdy"
    whole_characters("Ada \ud83d\ude00 \ud83d").encode("utf-8")
