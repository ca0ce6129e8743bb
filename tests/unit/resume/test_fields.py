"""Field extraction on the lines that trip naive parsers."""

import json

import pytest

from app.resume import find_fields
from app.resume.fields.contacts import normalise_url
from app.resume.fields.dates import find_span
from app.resume.fields.names import split_name


def fields_of(*lines: str) -> dict:
    return find_fields("\n".join(lines))


def value(fields: dict, key: str):
    return (fields.get(key) or {}).get("value")


@pytest.mark.parametrize(
    "line, region_hint, expected",
    [
        ("Phone: +44 20 7946 0958", "", "+442079460958"),
        ("Tel. 0151 23456789", "Hamburg, Germany", "+4915123456789"),
        ("(415) 555-2671", "San Francisco, CA", "+14155552671"),
        ("Mobile: 06 12 34 56 78", "Lyon, France", "+33612345678"),
        ("+49 (0) 30 12345678", "", "+493012345678"),
        ("0049 30 12345678", "Berlin, Germany", "+493012345678"),
        ("T: 612 345 678 | M: none", "Madrid, Spain", "+34612345678"),
        ("jane@example.fr · 06 98 76 54 32", "", "+33698765432"),
    ],
)
def test_phone_numbers_are_normalised_to_e164(line, region_hint, expected):
    assert value(fields_of("Jane Doe", region_hint, line), "phone") == expected


def test_a_phone_without_a_known_country_is_kept_as_written_with_low_confidence():
    phone = fields_of("Jane Doe", "Phone: 555 867 5309")["phone"]
    assert phone["value"] == "555 867 5309" and phone["confidence"] < 0.6


def test_date_ranges_are_not_mistaken_for_phone_numbers():
    fields = fields_of(
        "Jane Doe", "Austin, TX", "Experience", "Engineer, Acme Inc", "2015-2019", "2019 – 2021"
    )
    assert fields["phone"] is None


@pytest.mark.parametrize(
    "line, expected",
    [
        ("Email: Jane.Doe@Example.COM", "Jane.Doe@example.com"),
        ("mailto:jane@example.co.uk", "jane@example.co.uk"),
        ("jane_doe+jobs@mail.example.org | +44 20 7946 0958", "jane_doe+jobs@mail.example.org"),
    ],
)
def test_emails(line, expected):
    assert value(fields_of("Jane Doe", line), "email") == expected


def test_a_resume_without_an_email_has_none():
    assert fields_of("Jane Doe", "Berlin, Germany", "+49 30 12345678")["email"] is None


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("linkedin.com/in/Jane-Doe/", "https://www.linkedin.com/in/jane-doe"),
        ("https://de.linkedin.com/in/jane-doe?trk=x", "https://www.linkedin.com/in/jane-doe"),
        ("www.github.com/janedoe/project", "https://github.com/janedoe"),
        ("HTTPS://Jane.Dev/portfolio/", "https://jane.dev/portfolio"),
        ("https://www.linkedin.com/company/acme", None),
    ],
)
def test_urls_have_one_spelling(raw, expected):
    assert normalise_url(raw) == expected


def test_profiles_and_other_links_are_separated():
    fields = fields_of(
        "Jane Doe", "jane@example.com | github.com/janedoe | linkedin.com/in/janedoe | janedoe.dev"
    )
    assert value(fields, "linkedin") == "https://www.linkedin.com/in/janedoe"
    assert value(fields, "github") == "https://github.com/janedoe"
    assert [u["value"] for u in fields["urls"]] == ["https://janedoe.dev"]


def test_a_wrapped_link_in_a_narrow_column_is_rejoined():
    fields = fields_of("Jane Doe", "https://www.linkedin.com/in/jane-", "doe-42", "Skills")
    assert value(fields, "linkedin") == "https://www.linkedin.com/in/jane-doe-42"


@pytest.mark.parametrize(
    "line, expected",
    [
        ("Jane Doe", ("Jane", "Doe")),
        ("JOSÉ ÁLVAREZ GARCÍA", ("José", "Álvarez García")),
        ("Lars van der Berg", ("Lars", "van der Berg")),
        ("Anna-Lena O'Brien", ("Anna-Lena", "O'Brien")),
        ("John A. Smith", ("John", "Smith")),
        ("Smith, John", ("John", "Smith")),
        ("Senior Software Engineer", None),
        ("Curriculum Vitae", None),
        ("Berlin, Germany", None),
        ("Austin, TX", None),
    ],
)
def test_names(line, expected):
    assert split_name(line) == expected


def test_the_name_is_found_below_a_resume_heading_with_its_source_line():
    fields = fields_of("Curriculum Vitae", "Name: Zoë Müller", "zoe@example.de")
    assert (value(fields, "first_name"), value(fields, "last_name")) == ("Zoë", "Müller")
    assert fields["first_name"]["source"] == "Name: Zoë Müller"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Jan 2019 – Present", ("2019-01", None, True)),
        ("03/2016 - 12/2019", ("2016-03", "2019-12", False)),
        ("2012 – 2016", ("2012", "2016", False)),
        ("März 2017 – heute", ("2017-03", None, True)),
        ("sept. 2015 - aujourd'hui", ("2015-09", None, True)),
        ("Since 2020", ("2020", None, True)),
        ("2019-03 to 2021-11", ("2019-03", "2021-11", False)),
        ("Managed 2019 budget", None),
    ],
)
def test_date_ranges(text, expected):
    span = find_span(text)
    assert (span and (span.start, span.end, span.current)) == expected


EXPERIENCE_LAYOUTS = {
    "title dash company, dates below": ["Senior Engineer — Bluefin Labs", "Jan 2020 – Present"],
    "one line with tab and dates": ["Senior Engineer, Bluefin Labs\tJan 2020 – Present"],
    "company first": ["Bluefin Labs", "Senior Engineer", "Jan 2020 - Present"],
    "dates first": ["Jan 2020 – Present", "Senior Engineer at Bluefin Labs"],
    "pipes": ["Senior Engineer | Bluefin Labs | Jan 2020 - Present"],
    "with location": ["Senior Engineer, Bluefin Labs, Berlin, Germany", "Jan 2020 – Present"],
}


@pytest.mark.parametrize("layout", sorted(EXPERIENCE_LAYOUTS))
def test_experience_entries_in_common_layouts(layout):
    fields = fields_of(
        "Jane Doe",
        "Experience",
        *EXPERIENCE_LAYOUTS[layout],
        "• Led the platform team of six.",
        "Data Analyst, Acme Inc.",
        "03/2016 - 12/2019",
        "• Built dashboards for finance.",
    )
    jobs = [(j["title"], j["company"], j["start"], j["end"], j["current"]) for j in fields["experience"]]
    assert jobs == [
        ("Senior Engineer", "Bluefin Labs", "2020-01", None, True),
        ("Data Analyst", "Acme Inc.", "2016-03", "2019-12", False),
    ]
    assert value(fields, "current_company") == "Bluefin Labs"
    assert fields["experience"][0]["summary"] == "Led the platform team of six."


@pytest.mark.parametrize(
    "lines",
    [
        ["University of California, Berkeley", "BSc in Computer Science, 2012 – 2016"],
        ["BSc in Computer Science — University of California, Berkeley (2012–2016)"],
        ["2012 – 2016", "University of California, Berkeley", "BSc in Computer Science"],
    ],
)
def test_education_entries(lines):
    fields = fields_of("Jane Doe", "Education", *lines)
    entry = {k: fields["education"][0][k] for k in ("school", "degree", "field", "start", "end")}
    assert entry == {
        "school": "University of California, Berkeley",
        "degree": "BSc",
        "field": "Computer Science",
        "start": "2012",
        "end": "2016",
    }


def test_location_skills_and_summary():
    fields = fields_of(
        "Jane Doe",
        "Lyon, France | jane@example.fr",
        "Profile",
        "Backend engineer who likes tests.",
        "Skills",
        "Languages: Python, Go; Tools: Docker | Kubernetes",
    )
    assert value(fields, "location") == "Lyon, France"
    assert value(fields, "skills") == ["Python", "Go", "Docker", "Kubernetes"]
    assert value(fields, "summary") == "Backend engineer who likes tests."


def test_fields_are_plain_json_with_confidence_between_zero_and_one():
    fields = fields_of("Jane Doe", "jane@example.com", "Experience", "Engineer, Acme Inc", "2019 – 2021")
    json.dumps(fields)
    assert all(0 < found["confidence"] <= 1 for found in fields.values() if isinstance(found, dict))
