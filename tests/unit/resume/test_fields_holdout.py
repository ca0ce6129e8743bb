"""The rules added after scoring the held-out corpus, on tricky lines, and every held-out file parsing."""

import pathlib

import pytest

from app.resume import find_fields, parse_resume
from app.resume.extract.columns import order_lines
from app.resume.fields.contacts import find_urls, reveal_emails
from app.resume.fields.dates import find_span
from app.resume.fields.lines import to_lines
from app.resume.fields.names import split_name
from app.resume.fields.sections import heading_of

HOLDOUT = pathlib.Path(__file__).resolve().parents[2] / "fixtures" / "resumes_holdout"


def value(fields: dict, key: str):
    return (fields.get(key) or {}).get("value")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("lucia.fernandez(at)correo.es", "lucia.fernandez@correo.es"),
        ("camille.rd (at) laposte.net", "camille.rd@laposte.net"),
        ("sophie.martin @ exemple.fr", "sophie.martin@exemple.fr"),
        ("rebecca dot lindgren at gmail dot com", "rebecca.lindgren@gmail.com"),
        ("jane [at] example [dot] com", "jane@example.com"),
        ("Engineer at Acme Corp", "Engineer at Acme Corp"),
    ],
)
def test_obfuscated_emails_are_revealed_and_ordinary_prose_is_left_alone(text, expected):
    assert reveal_emails(text) == expected


def test_an_obfuscated_email_is_found_and_is_not_taken_for_a_link():
    fields = find_fields("Camille Rousseau\nNantes, France · camille.rd (at) laposte.net")
    assert value(fields, "email") == "camille.rd@laposte.net"
    assert fields["urls"] == []


@pytest.mark.parametrize(
    "text, expected",
    [
        ("NGUYEN Thi Lan", ("Thi Lan", "Nguyen")),
        ("KIM Min-jun", ("Min-jun", "Kim")),
        ("VAN DER MEER Sanne", ("Sanne", "van der Meer")),
        ("Zoë MÜLLER", ("Zoë", "Müller")),
        ("JANE WHITAKER", ("Jane", "Whitaker")),
        ("María José García López", ("María José", "García López")),
        ("Ana Beatriz Souza Ramos", ("Ana Beatriz", "Souza Ramos")),
        ("Lars van der Berg", ("Lars", "van der Berg")),
        ("Sophie Martin-Leclerc", ("Sophie", "Martin-Leclerc")),
    ],
)
def test_family_name_first_and_compound_names(text, expected):
    assert split_name(text) == expected


def test_a_family_name_note_under_the_name_sets_the_order():
    fields = find_fields("Tanaka Hiroshi\n(family name: Tanaka)\nOsaka, Japan")
    assert (value(fields, "first_name"), value(fields, "last_name")) == ("Hiroshi", "Tanaka")


def test_a_wrapped_address_line_is_not_the_name():
    fields = find_fields("Contato\nPorto Alegre,\nBrasil\nAna Souza\nAnalista")
    assert (value(fields, "first_name"), value(fields, "last_name")) == ("Ana", "Souza")
    assert value(fields, "location") == "Porto Alegre, Brasil"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Professional Experience", "experience"),
        ("Work History", "experience"),
        ("Career", "experience"),
        ("Employment", "experience"),
        ("Professional Background", "experience"),
        ("Experiencia laboral", "experience"),
        ("Parcours professionnel", "experience"),
        ("Esperienza lavorativa", "experience"),
        ("Doświadczenie zawodowe", "experience"),
        ("Academic Background", "education"),
        ("Qualifications", "education"),
        ("Diplômes", "education"),
        ("Estudios", "education"),
        ("Formação académica", "education"),
        ("Istruzione e formazione", "education"),
        ("Conocimientos", "skills"),
        ("Competenze", "skills"),
        ("Contato", "contact"),
    ],
)
def test_section_names_across_languages(text, expected):
    assert heading_of(to_lines(text)[0])[0] == expected


@pytest.mark.parametrize(
    "text, start, end, current",
    [
        ("Jan 2019 – Present", "2019-01", None, True),
        ("03/2017 - 11/2020", "2017-03", "2020-11", False),
        ("2015–2018", "2015", "2018", False),
        ("Since 2021", "2021", None, True),
        ("seit 2020", "2020", None, True),
        ("depuis mars 2021", "2021-03", None, True),
        ("dal 2020", "2020", None, True),
        ("Enero 2020 - Actual", "2020-01", None, True),
        ("mar/2020 – atual", "2020-03", None, True),
        ("2021.03 – Present", "2021-03", None, True),
        ("ene. 2019 – actualidad", "2019-01", None, True),
        ("2019 – obecnie", "2019", None, True),
    ],
)
def test_date_grammar(text, start, end, current):
    span = find_span(text)
    assert (span.start, span.end, span.current) == (start, end, current)


@pytest.mark.parametrize(
    "line, region_hint, expected",
    [
        ("Cork, Ireland — 087 123 4567", "", "+353871234567"),
        ("Kraków, Polska · 601 234 567", "", "+48601234567"),
        ("Osaka, Japan · 090-1234-5678", "", "+819012345678"),
        ("Seoul, South Korea · 010-1234-5678", "", "+821012345678"),
    ],
)
def test_local_phones_take_their_country_from_a_dash_or_dot_separated_location(line, region_hint, expected):
    fields = find_fields(f"Jane Doe\n{line}")
    assert value(fields, "phone") == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("github.com/htanaka · tanakah.jp", ["https://github.com/htanaka", "https://tanakah.jp"]),
        (
            "linkedin.com/in/x-y · seunadeyemi.co.uk",
            ["https://www.linkedin.com/in/x-y", "https://seunadeyemi.co.uk"],
        ),
        ("Node.js, Vue.js, ASP.NET", []),
        (
            "priyaraman.design · behance.net/priyaraman",
            ["https://priyaraman.design", "https://behance.net/priyaraman"],
        ),
    ],
)
def test_scheme_less_links(text, expected):
    assert [url.value for url in find_urls(to_lines(text))] == expected


def test_a_whole_job_written_as_a_bullet_is_an_entry_but_an_achievement_is_not():
    fields = find_fields(
        "Liam O'Connell\nCareer\n▪ Site Manager, Harbour Construction Ltd, Since 2021\n"
        "▪ Assistant Site Manager, Munster Builders Ltd, 2015–2021\n"
        "• Cut rework by 20% on three sites, 2019–2020, with weekly audits."
    )
    jobs = [(job["title"], job["company"], job["start"], job["end"]) for job in fields["experience"]]
    assert jobs == [
        ("Site Manager", "Harbour Construction Ltd", "2021", None),
        ("Assistant Site Manager", "Munster Builders Ltd", "2015", "2021"),
    ]


@pytest.mark.parametrize(
    "line, title, company",
    [
        (
            "Ingeniera de software — Grupo Alba S.L., ene. 2019 – actualidad",
            "Ingeniera de software",
            "Grupo Alba S.L.",
        ),
        (
            "Engenheira de dados — Tejo Analytics, Lda., 2018 – 2020",
            "Engenheira de dados",
            "Tejo Analytics, Lda.",
        ),
    ],
)
def test_romance_titles_and_company_suffixes(line, title, company):
    job = find_fields(f"Jane Doe\nExperience\n{line}")["experience"][0]
    assert (job["title"], job["company"]) == (title, company)


def test_a_one_line_education_entry_does_not_lend_its_school_to_the_line_above():
    fields = find_fields(
        "Jane Doe\nEducation\nACCA, Association of Chartered Certified Accountants, 2018\n"
        "BSc Accounting and Finance, University of Kent, 2013 – 2016"
    )
    assert ("University of Kent", "BSc", "2016") in [
        (e["school"], e["degree"], e["end"]) for e in fields["education"]
    ]


@pytest.mark.parametrize(
    "line, school, degree",
    [
        ("Politechnika Krakowska — magister, Informatyka, 2011 – 2016", "Politechnika Krakowska", "magister"),
        (
            "Bacharelado em Ciência da Computação, Universidade Federal do Paraná, 2012 – 2016",
            "Universidade Federal do Paraná",
            "Bacharelado",
        ),
        (
            "Diplom-Informatiker, Universität Hamburg, 2008 – 2013",
            "Universität Hamburg",
            "Diplom-Informatiker",
        ),
        (
            "National Institute of Design — M.Des Interaction Design — 2016 – 2018",
            "National Institute of Design",
            "M.Des",
        ),
    ],
)
def test_more_degrees_and_schools(line, school, degree):
    entry = find_fields(f"Jane Doe\nEducation\n{line}")["education"][0]
    assert (entry["school"], entry["degree"]) == (school, degree)


def test_a_narrow_left_sidebar_is_read_as_its_own_column():
    sidebar = [(22, 100 + 12 * n, 95, 110 + 12 * n, f"side {n}") for n in range(6)]
    main = [(130, 100 + 12 * n, 560, 110 + 12 * n, f"main line {n} with enough words") for n in range(8)]
    assert order_lines(sidebar + main, 595)[:6] == [f"side {n}" for n in range(6)]


@pytest.mark.parametrize(
    "path",
    sorted(p for p in HOLDOUT.iterdir() if p.suffix in (".pdf", ".docx", ".doc")),
    ids=lambda p: p.name,
)
def test_every_held_out_resume_parses_with_a_name(path):
    outcome = parse_resume(path.read_bytes())
    assert outcome.ok, outcome.error_code
    assert value(outcome.fields, "first_name") and value(outcome.fields, "last_name")
