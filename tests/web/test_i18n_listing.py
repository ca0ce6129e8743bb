"""The listing, job page, board and form in the reader's language, with everything they gained:
filters, salary, closing date, share links, attribution, file picker, hashed static files."""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import quote

import pytest

from app.models import utcnow
from tests.conftest import add_job

HOST = "https://www.corp.example"
BASE = "http://127.0.0.1:5000"
ATTRIBUTES = ("placeholder", "aria-label", "title", "alt", "content")
# What no catalog translates: the jobs' own words, names, the switcher's language names (each
# in its own language), and the words German shares with English.
UNTRANSLATED = (
    "Data Engineer", "Second Job", "Data", "Berlin", "Pipelines.", "Build things.", "Example Corp",
    "LinkedIn", "X (Twitter)", "English", "Deutsch", "Français", "Español", "Team", "Remote",
    "width=device-width, initial-scale=1",
)  # fmt: skip


class _Words(HTMLParser):
    """What a reader sees or hears of a page: its text, labels, placeholders, and the words
    it hands to its scripts in data attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.words: set[str] = set()
        self._script = 0

    def handle_starttag(self, tag, attrs) -> None:
        self._script += tag in ("script", "style")
        for name, value in attrs:
            worded = name in ATTRIBUTES or name.startswith("data-")
            if worded and value and re.search(r"[A-Za-z]{2}.* ", value):
                self.words.add(" ".join(value.split()))

    def handle_endtag(self, tag) -> None:
        self._script -= tag in ("script", "style")

    def handle_data(self, data) -> None:
        if not self._script and re.search(r"[A-Za-z]", data):
            self.words.add(" ".join(data.split()))


def words(html: str) -> set[str]:
    parser = _Words()
    parser.feed(html)
    return parser.words


@pytest.fixture
def listed(make_app):
    app = make_app(EMBED_ALLOWED_ORIGINS=[HOST], JOBS_PER_PAGE=1)
    add_job(app, title="Second Job", department="Data", location="Berlin")
    job_id = add_job(
        app,
        title="Data Engineer",
        department="Data",
        location="Berlin",
        remote=True,
        salary_min=70000,
        salary_max=95000,
        salary_currency="EUR",
        valid_through=utcnow() + timedelta(days=30),
        description_html="<p>Pipelines.</p>",
    )
    return app, job_id  # the newest, first on page 1


def pages(job_id: int) -> list[str]:
    board = f"origin={quote(HOST)}"
    return [
        "/jobs",
        "/jobs?page=9",
        f"/jobs/{job_id}",
        f"/jobs/{job_id}/apply",
        f"/embed/jobs?{board}",
        f"/embed/jobs?{board}&page=9",
        f"/embed/jobs/{job_id}?{board}",
        f"/embed/jobs/{job_id}/apply?{board}",
        "/embed/jobs?origin=https://elsewhere.example",
    ]


def in_language(path: str, language: str) -> str:
    if path.startswith("/embed/"):
        return f"{path}&lang={language}"
    return f"/{language}{path}"


def translatable(text: str) -> bool:
    for name in sorted(UNTRANSLATED, key=len, reverse=True):
        text = text.replace(name, "")
    return bool(re.search(r"[A-Za-z]", text))


def test_no_english_is_left_on_a_german_page(listed):
    app, job_id = listed
    client = app.test_client()
    for path in pages(job_id):
        english = words(client.get(in_language(path, "en")).text)
        german = words(client.get(in_language(path, "de")).text)
        untranslated = {text for text in english & german if translatable(text)}
        assert not untranslated, f"{path} keeps English in German: {sorted(untranslated)}"


def test_the_listings_additions_read_as_a_german_reader_expects(listed):
    app, job_id = listed
    client = app.test_client()
    listing = client.get("/de/jobs").text
    assert '<label for="q">Suchen</label>' in listing
    assert "70.000\xa0€ – 95.000\xa0€ pro Jahr" in listing
    assert "Data · Berlin · Remote" in listing
    past_the_end = client.get("/de/jobs?page=9")
    assert past_the_end.status_code == 404
    assert "Eine Seite 9 gibt es nicht: Die offenen Stellen passen auf 2 Seiten." in past_the_end.text
    job_page = client.get(f"/de/jobs/{job_id}").text
    assert re.search(r'<p class="closing">Bewerbungsschluss: \d+\. \w+ \d{4}</p>', job_page)
    assert "Data · Berlin · Remote · Vollzeit" in job_page
    assert '<h2 id="share-heading">Diese Stelle teilen</h2>' in job_page
    assert ">E-Mail</a>" in job_page and ">Link kopieren</a>" in job_page
    form = client.get(f"/de/jobs/{job_id}/apply").text
    assert 'aria-hidden="true">Datei auswählen</span>' in form
    assert ">Keine Datei ausgewählt</span>" in form


def test_a_localised_job_page_is_canonical_and_shared_at_its_own_language_address(listed):
    app, job_id = listed
    page = app.test_client().get(f"/fr/jobs/{job_id}?utm_source=ads").text
    url = f"{BASE}/fr/jobs/{job_id}"
    assert f'<link rel="canonical" href="{url}">' in page
    assert f'<meta property="og:url" content="{url}">' in page
    assert '<meta property="og:site_name" content="Carrières chez Example Corp">' in page
    assert quote(f"{url}?utm_source=linkedin&utm_medium=share", safe="") in page
    assert f'<a href="{url}" data-copy-link>Copier le lien</a>' in page
    assert f'<link rel="alternate" hreflang="de" href="{BASE}/de/jobs/{job_id}">' in page
    assert f'hreflang="x-default" href="{BASE}/jobs/{job_id}">' in page
    assert f'<a href="/de/jobs/{job_id}?utm_source=ads" hreflang="de"' in page  # the switcher keeps it


def test_attribution_is_carried_to_the_form_within_the_readers_language(listed):
    app, job_id = listed
    client = app.test_client()
    listing = client.get("/es/jobs?utm_source=ads&src=newsletter").text
    assert f'href="/es/jobs/{job_id}?utm_source=ads&amp;src=newsletter"' in listing
    job_page = client.get(f"/es/jobs/{job_id}?utm_source=ads").text
    assert f'href="/es/jobs/{job_id}/apply?utm_source=ads"' in job_page
    assert 'href="/es/jobs?utm_source=ads"' in job_page
    form = client.get(f"/es/jobs/{job_id}/apply?utm_source=ads").text
    assert re.search(r'name="utm" type="hidden" value="[^"]*utm_source[^"]*ads', form.replace("&#34;", '"'))


def test_a_site_not_allowed_to_embed_sends_the_reader_to_the_careers_site_in_their_language(listed):
    app, _job_id = listed
    response = app.test_client().get("/embed/jobs?origin=https://elsewhere.example&lang=de")
    assert response.status_code == 403
    assert '<html lang="de">' in response.text
    assert f'<a href="{BASE}/de/jobs" target="_top">' in response.text


def test_a_localised_page_is_compressed_and_its_static_files_keep_one_hashed_address(listed):
    app, job_id = listed
    client = app.test_client()
    response = client.get(f"/de/jobs/{job_id}", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.headers["Content-Language"] == "de"
    response.direct_passthrough = False
    page = client.get(f"/de/jobs/{job_id}").text
    stylesheet = re.search(r'<link rel="stylesheet" href="(/static/site\.css\?v=[0-9a-f]+)">', page)
    assert stylesheet, "the stylesheet has no hashed address on a localised page"
    assert stylesheet.group(1) in client.get(f"/fr/jobs/{job_id}").text
    static = client.get(stylesheet.group(1), headers={"Accept-Language": "de"})
    assert "immutable" in static.headers["Cache-Control"] and "Content-Language" not in static.headers
    unprefixed = client.get("/jobs", headers={"Accept-Encoding": "gzip", "Accept-Language": "de"})
    assert {"Accept-Encoding", "Accept-Language"} <= set(unprefixed.vary)
