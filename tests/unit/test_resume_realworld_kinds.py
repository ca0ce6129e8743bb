"""Failure kinds seen on real resumes written by other people, each on a small made-up fixture.

Every name, number and address here is invented; the real files stay out of the repository
(tests/corpus). One test per kind, so a kind that comes back names itself.
"""

from __future__ import annotations

import io
import pathlib
import re
import time
import zipfile

import docx
import pytest

from app.resume import find_fields, parse_resume
from app.resume.errors import ScannedResume
from app.resume.extract import extract_text
from app.resume.extract.docx import check_docx
from app.resume.extract.ocr import ocr_pdf, tesseract_environment, tesseract_path
from app.resume.extract.pdf import MAX_DOCUMENT_CHARS
from app.resume.fields.lines import normalise
from tests.hostile.pdfs import FONT, RESUME_LINES, pdf, stream, text_ops
from tests.support.engine_hooks import in_ci
from tests.support.resume_files import simple_pdf


def value(fields: dict, key: str):
    found = fields.get(key)
    return found.get("value") if isinstance(found, dict) else None


def name_of(text: str) -> tuple[str, str]:
    fields = find_fields(text)
    return value(fields, "first_name"), value(fields, "last_name")


def test_a_text_layer_with_runs_between_every_word_still_reads_the_name():
    text = (
        "Ines\t\tMarlow\n"
        "Senior   Data   Engineer\n"
        "ines.marlow@example.org\t\t+44\t20\t7946\t0958\n"
        "Experience\n"
        "Built   the   billing   pipeline   at   Northwind\n"
    )
    assert name_of(text) == ("Ines", "Marlow")


def test_soft_and_unicode_hyphens_inside_a_phone_are_read_as_one_number():
    text = "Ines Marlow\nines.marlow@example.org\nPhone: +44\u00ad20\u20117946\u20110958\n"
    assert value(find_fields(text), "phone") == "+442079460958"


def test_icon_glyphs_and_spacing_accents_from_latex_are_cleaned():
    assert normalise("(cid:1051) +44 20 7946 0958") == "  +44 20 7946 0958"
    assert normalise("Attila N´EMET, H¨ochstadt") == "Attila NÉMET, Höchstadt"
    assert name_of("Tamás N´EMETH\ntamas@example.org\n") == ("Tamás", "Németh")


def test_the_wrapped_end_of_a_heading_is_not_taken_as_the_name():
    text = "Honors\nAnd Awards\nDean's list\nOrla Brennan\norla@example.org\n"
    assert name_of(text) == ("Orla", "Brennan")


def test_a_name_glued_to_the_heading_after_it_loses_the_heading():
    assert name_of("ORLA BRENNAN PROFILE\norla@example.org\n") == ("Orla", "Brennan")


def test_a_name_sharing_its_line_with_an_email_is_still_found():
    assert name_of("Gideon Farr\tgideon.farr@example.org\n+44 20 7946 0958\n") == ("Gideon", "Farr")


def test_a_list_with_commas_is_not_read_as_family_name_first():
    text = "SKILLS\nPython, C, LaTeX, Git\nWren Ashdown\nwren@example.org\n"
    assert name_of(text) != ("Git", "Python Latex")


def test_a_nickname_in_brackets_is_left_out_of_the_name():
    assert name_of("Qi (Kestrel) Yuen\nqi.yuen@example.org\n") == ("Qi", "Yuen")


def test_a_second_persons_name_on_the_same_line_is_not_joined_to_the_candidates():
    text = "Marta Keel Oskar Brandt\nmarta.keel@example.org\nReference: Oskar Brandt\n"
    assert name_of(text) == ("Marta", "Keel")


def test_a_number_from_another_fields_table_cell_is_not_taken_as_the_phone():
    text = "Wren Ashdown\nwren@example.org\nPassport No | 4471 2390 8812\nDate of birth | 12 03 1990\n"
    assert value(find_fields(text), "phone") is None


def test_two_numbers_on_one_line_are_not_assembled_into_one():
    glued = "Wren Ashdown\nwren@example.org\nSan Jose, CA 95123\nHome: 408-555-0142Work: 408-555-0199\n"
    assert value(find_fields(glued), "phone") == "+14085550142"
    unknown_country = "Wren Ashdown\nwren@example.org\nTel 0161 496 0000 / 0161 496 0001\n"
    assert value(find_fields(unknown_country), "phone") == "0161 496 0000"


def test_italian_local_and_bracketed_country_code_phones_are_read():
    assert value(find_fields("Lia Conte\nlia@example.org\n+(39) 345 172 9892\n"), "phone") == "+393451729892"
    local = "Lia Conte\nVia Roma 3, 10121 Torino, Italia\nCell 345 172 9892\n"
    assert value(find_fields(local), "phone") == "+393451729892"


def test_singapore_and_indian_local_numbers_take_the_country_of_the_address():
    singapore = "Wei Ling Tan\n5 Orchard Walk #04-12, Singapore 238801\nMobile 9123 4567\n"
    assert value(find_fields(singapore), "phone") == "+6591234567"
    india = "Arjun Mehta\nPune, India\nMobile: 98765 43210\n"
    assert value(find_fields(india), "phone") == "+919876543210"


def test_a_postal_address_gives_the_city_and_the_phones_country():
    fields = find_fields("Dale Whitcombe\n2400 West Seventh Street, Saint Paul, MN 55105\n(651) 555-0142\n")
    assert value(fields, "location") == "Saint Paul, MN"
    assert value(fields, "phone") == "+16515550142"


def test_european_and_british_addresses_give_the_city_not_the_street():
    cities = {
        "Lindenweg 4, 78462 Konstanz": "Konstanz",
        "9 Elm Row, London SW8 1UQ": "London",
        "Via Galli 2, 12044 Centallo, Italia": "Centallo",
        "Thiene (VI), Italy": "Thiene",
    }
    for address, city in cities.items():
        assert value(find_fields(f"Noor Haddad\n{address}\nnoor@example.org\n"), "location") == city
    street_first = "Noor Haddad\n2642 Heritage Park Circle\nSan Jose, CA 95123\n"
    assert value(find_fields(street_first), "location") == "San Jose, CA"


def test_a_host_only_link_does_not_swallow_the_next_line():
    fields = find_fields("Noor Haddad\nwww.noorhaddad.dev\nnoorhaddad\nnoor@example.org\n")
    assert "https://noorhaddad.dev" in [u["value"] for u in fields["urls"]]


def test_a_long_pdf_is_parsed_on_its_first_pages_instead_of_refused():
    outcome = parse_resume(simple_pdf(pages=25), timeout=8)
    assert outcome.ok and 1 <= outcome.pages <= 20
    assert value(outcome.fields, "email") == "jane.doe@example.com"
    assert extract_text(simple_pdf(pages=25), "pdf").pages == 20


def test_a_pdf_stops_taking_pages_when_its_share_of_the_budget_is_spent():
    extracted = extract_text(simple_pdf(pages=5), "pdf", pages_until=time.monotonic() - 1)
    assert extracted.pages == 1 and "jane.doe@example.com" in extracted.text


def test_a_long_docx_is_read_not_refused_for_its_saved_page_count():
    data = _docx_with_saved_pages(_header_footer_docx(), 40)
    assert check_docx(data) == 40
    assert "hana.weiss@example.org" in extract_text(data, "docx").text


def test_contact_details_only_in_header_footer_text_and_table_are_found():
    fields = parse_resume(_header_footer_docx(), timeout=8).fields
    assert value(fields, "email") == "hana.weiss@example.org"
    assert value(fields, "phone") == "+4930901820"
    assert (value(fields, "first_name"), value(fields, "last_name")) == ("Hana", "Weiss")


def _header_footer_docx() -> bytes:
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "Hana Weiss"
    document.sections[0].footer.paragraphs[0].text = "hana.weiss@example.org"
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Telefon"
    table.cell(0, 1).text = "+49 30 901820"
    document.add_heading("Berufserfahrung", level=1)
    document.add_paragraph("Werkstudentin, Beispiel GmbH, Berlin")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _docx_with_saved_pages(data: bytes, pages: int) -> bytes:
    source, target = io.BytesIO(data), io.BytesIO()
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            body = old.read(item)
            if item.filename == "docProps/app.xml":
                body = re.sub(rb"<Pages>\d+</Pages>", f"<Pages>{pages}</Pages>".encode(), body)
            new.writestr(item, body)
    return target.getvalue()


def test_a_company_and_place_header_takes_its_title_from_the_next_line():
    text = (
        "Rory Calder\nrory@example.org\nExperience\n"
        "BRIGHTWATER • Leeds, England • March 2019 to Present\nOperations Manager\n"
        "• Ran a fleet of twenty vans\n"
    )
    fields = find_fields(text)
    assert (value(fields, "current_title"), value(fields, "current_company")) == (
        "Operations Manager",
        "BRIGHTWATER",
    )


DEJAVU = pathlib.Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def test_a_scanned_pdf_is_read_by_ocr_with_a_lower_confidence():
    if tesseract_path() is None or not DEJAVU.exists():
        missing = "OCR test NOT RUN: install tesseract-ocr and fonts-dejavu-core (make test does, as root)"
        if in_ci():
            pytest.fail(f"{missing}. CI needs them.", pytrace=False)
        pytest.skip(missing)
    outcome = parse_resume(_scanned_text_pdf(), timeout=15)
    assert outcome.ok, outcome.error_code
    assert value(outcome.fields, "email") == "marek.hollis@example.org"
    assert (value(outcome.fields, "first_name"), value(outcome.fields, "last_name")) == ("Marek", "Hollis")
    assert outcome.fields["email"]["confidence"] < 0.9


def test_without_tesseract_a_scan_stays_a_scan():
    with pytest.raises(ScannedResume):
        ocr_pdf(simple_pdf(), tesseract=None)


def _scanned_text_pdf() -> bytes:
    """A page image of a short resume and no text layer, as a scanner makes."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.image(io.BytesIO(_resume_picture()), x=10, y=10, w=190)
    return bytes(pdf.output())


def _resume_picture() -> bytes:
    """A PNG of a short resume's first lines, in a real font."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(str(DEJAVU), 36)
    image = Image.new("L", (1700, 700), 255)
    draw = ImageDraw.Draw(image)
    for n, line in enumerate(["Marek Hollis", "marek.hollis@example.org", "+44 20 7946 0958"]):
        draw.text((100, 100 + n * 70), line, font=font, fill=0)
    png = io.BytesIO()
    image.save(png, "PNG")
    return png.getvalue()


def test_a_page_drawn_as_a_form_xobject_is_read_not_taken_for_a_scan():
    content = text_ops(RESUME_LINES)
    form = b"<< /Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >>"
    data = pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792]"
            b" /Resources << /XObject << /Fm1 5 0 R >> >> /Contents 6 0 R >>",
            FONT,
            form + b" /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
            stream(b"q /Fm1 Do Q"),
        ]
    )
    assert "jane.doe@example.com" in extract_text(data, "pdf").text


def current_job(text: str) -> tuple[str, str]:
    fields = find_fields(text)
    return value(fields, "current_title"), value(fields, "current_company")


def test_a_job_dated_with_two_digit_years_is_the_current_one():
    text = (
        "Wren Ashdown\nwren@example.org\nExperience\n"
        "May 98- Present, Accountant 2, Harbour County Parks Office, Fleet Division\n"
        "Kept the books.\n"
        "Oct 97-May 98, Accountant 1, Harbour County Parks Office\n"
    )
    assert current_job(text) == ("Accountant 2", "Harbour County Parks Office")


def test_a_job_dated_day_month_year_is_found():
    text = (
        "Lia Conte\nlia@example.org\nEsperienza professionale\n"
        "Developer, Northwind S.r.l.\n19/01/2026 – Present\nBuilt things.\n"
        "Intern, Acme S.p.A.\n24/03/2025 – 04/07/2025\n"
    )
    assert current_job(text) == ("Developer", "Northwind S.r.l.")


def test_a_corporate_experience_heading_and_a_title_for_a_company_give_the_current_job():
    text = (
        "Noor Haddad\nnoor@example.org\nCorporate Experience\nSince 2013\n"
        "Data Scientist for Skyline Analytics (Lyon, France). https://skyline.example.org/\n"
        "Forecast demand.\n2009-2012\nResearcher with Example Labs\n"
    )
    assert current_job(text) == ("Data Scientist", "Skyline Analytics")


def test_a_label_and_colon_before_a_dated_entry_does_not_start_a_new_section():
    text = (
        "Linus Vogt\nlinus@example.org\nBildung und berufliche Laufbahn\n"
        "Abitur : Gymnasium Nordstadt 2008-2016\n"
        "Ausbildung : Fachinformatiker bei Beispiel GmbH von 2022 - 2024\n"
        "Beispiel Holding GmbH & Co. KG : System Engineer seit Januar 2025\n"
    )
    assert current_job(text) == ("System Engineer", "Beispiel Holding GmbH & Co. KG")


def test_contact_lines_above_the_first_job_are_not_its_company():
    text = (
        "Wren Ashdown\nExperience\n715-555-0142\nEMAIL ADDRESS: wren@example.org\n"
        "May 98- Present, Accountant, Harbour County Parks Office, Fleet Division\n"
    )
    assert current_job(text)[1] == "Harbour County Parks Office"


def test_a_date_range_broken_over_two_lines_still_anchors_the_job():
    text = (
        "Wren Ashdown\nwren@example.org\nProfessional Experience\n"
        "Apr, 2016-\npresent\nNorthwind Capital Group\tHong Kong\nInvestment manager, private equity fund\n"
        "Built models.\nJun, 2014-\nApr, 2016\nAcme Research\nResearch analyst\n"
    )
    assert current_job(text) == ("Investment manager", "Northwind Capital Group")


def test_the_title_under_a_line_about_the_company_is_the_current_title():
    text = (
        "Wren Ashdown\nwren@example.org\nExperience\n"
        "NORTHWIND TRADING COMPANY\t\t\tFeb 2017 - present\n"
        "Northwind is one of the largest professional services networks in the whole wide world\n"
        "Executive Assistant - Management Office - Hong Kong\nManage schedules\n"
    )
    assert current_job(text) == ("Executive Assistant", "NORTHWIND TRADING COMPANY")


def test_the_line_the_email_spells_is_the_name_even_under_a_sidebar_of_skills():
    text = (
        "PROGRAMMING\nPython, C, LaTeX, Git\nOCaml, Isabelle(HOL)\nCONTACT\n+33 7 00 00 00 01\n"
        "tomas.verdier@example.org\nTOMAS VERDIER\nSoftware engineer\n"
    )
    assert name_of(text) == ("Tomas", "Verdier")


def test_a_family_name_wrapped_onto_the_next_line_is_joined():
    assert name_of("JOÃO PEDRO\nALVES COSTA\nDesenvolvedor Backend\njp@example.org\n") == (
        "João Pedro",
        "Alves Costa",
    )
    assert name_of("Guy Marcel\nTabor\n+49 176 0000 0000\nguy@example.org\n") == ("Guy", "Marcel Tabor")
    assert name_of("Ines Marlow\nData Engineer\nines@example.org\n") == ("Ines", "Marlow")
    assert name_of("Attila Kovacs\nMobile\t+36 30 000 0000\nak@example.org\n") == ("Attila", "Kovacs")


def test_a_long_dense_pdf_stops_taking_pages_once_it_has_enough_text():
    extracted = extract_text(dense_pdf(pages=12, lines_per_page=60), "pdf")
    assert 1 < extracted.pages < 12
    assert len(extracted.text) < MAX_DOCUMENT_CHARS + 8_000
    assert "wren@example.org" in extracted.text


def dense_pdf(*, pages: int, lines_per_page: int) -> bytes:
    """Pages of 60 lines of 90 characters each, the contact line on the first."""
    line = b"Published a long paper on the numerical methods of the example field, with co-authors"
    kids = b" ".join(b"%d 0 R" % (4 + 2 * n) for n in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages),
    ]
    objects.append(FONT)
    for number in range(pages):
        first = [b"Wren Ashdown", b"wren@example.org"] if number == 0 else []
        content = text_ops(first + [line] * lines_per_page)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >>"
            b" /Contents %d 0 R >>" % (5 + 2 * number)
        )
        objects.append(stream(content))
    return pdf(objects)


def test_a_docx_whose_relationships_use_backslashes_is_read():
    document = docx.Document()
    document.add_paragraph("Wren Ashdown")
    document.add_paragraph("wren@example.org")
    buffer = io.BytesIO()
    document.save(buffer)
    image = (
        '<Relationship Id="rId99" Target="media\\image1.png" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image"/></Relationships>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(out, "w") as target:
        for member in source.infolist():
            body = source.read(member)
            if member.filename == "word/_rels/document.xml.rels":
                body = body.replace(b"</Relationships>", image.encode())
            if member.filename == "[Content_Types].xml":
                body = body.replace(
                    b"</Types>", b'<Default Extension="png" ContentType="image/png"/></Types>'
                )
            target.writestr(member.filename, body)
        target.writestr("word/media/image1.png", b"\x89PNG\r\n\x1a\n")
    assert "wren@example.org" in extract_text(out.getvalue(), "docx").text


def test_tesseract_runs_on_one_thread_so_a_busy_machine_does_not_slow_it_fourfold():
    assert tesseract_environment()["OMP_THREAD_LIMIT"] == "1"


def test_a_docx_of_pictures_only_is_read_by_ocr_with_a_lower_confidence():
    if tesseract_path() is None or not DEJAVU.exists():
        missing = "OCR test NOT RUN: install tesseract-ocr and fonts-dejavu-core (make test does, as root)"
        if in_ci():
            pytest.fail(f"{missing}. CI needs them.", pytrace=False)
        pytest.skip(missing)
    document = docx.Document()
    document.add_picture(io.BytesIO(_resume_picture()))
    buffer = io.BytesIO()
    document.save(buffer)
    outcome = parse_resume(buffer.getvalue(), timeout=15)
    assert outcome.ok, outcome.error_code
    assert value(outcome.fields, "email") == "marek.hollis@example.org"
    assert outcome.fields["email"]["confidence"] < 0.9
