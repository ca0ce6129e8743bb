"""Public pages in English, German, French and Spanish: the address, then the browser, decide."""

from __future__ import annotations

import re
from datetime import date, datetime
from xml.etree import ElementTree

import pytest
from sqlalchemy import select

from app.extensions import db
from app.job_display import closing_date, job_salary
from app.models import Application, Job
from tests.conftest import add_job, add_user, csrf_token_from
from tests.web.helpers import hidden_fields, resume_file, valid_answers

HOST = "https://www.corp.example"
OPEN_POSITIONS = {
    "en": "Open positions",
    "de": "Offene Stellen",
    "fr": "Postes ouverts",
    "es": "Puestos vacantes",
}


@pytest.fixture
def job_id(app):
    return add_job(app, title="Backend Engineer")


def page_language(html: str) -> str:
    match = re.search(r'<html lang="([^"]+)"', html)
    assert match, "the page has no <html lang>"
    return match.group(1)


@pytest.mark.parametrize("language", sorted(OPEN_POSITIONS))
def test_a_language_prefix_serves_the_listing_in_that_language(client, job_id, language):
    response = client.get(f"/{language}/jobs", headers={"Accept-Language": "ja"})
    assert response.status_code == 200
    assert page_language(response.text) == language
    assert f"<h1>{OPEN_POSITIONS[language]}</h1>" in response.text
    assert response.headers["Content-Language"] == language


def test_links_on_a_localised_page_keep_its_language(client, job_id):
    listing = client.get("/de/jobs").text
    assert f'href="/de/jobs/{job_id}"' in listing
    job_page = client.get(f"/de/jobs/{job_id}").text
    assert f'href="/de/jobs/{job_id}/apply"' in job_page
    assert client.get("/fr/").location.endswith("/fr/jobs")


def test_an_address_without_a_language_follows_the_browser(client, job_id):
    response = client.get("/jobs", headers={"Accept-Language": "fr-CH, fr;q=0.9, en;q=0.8"})
    assert page_language(response.text) == "fr" and "<h1>Postes ouverts</h1>" in response.text
    assert "Accept-Language" in response.headers["Vary"]


def test_a_browser_asking_for_a_language_we_lack_gets_english(client, job_id):
    response = client.get("/jobs", headers={"Accept-Language": "ja, zh;q=0.5"})
    assert page_language(response.text) == "en" and "<h1>Open positions</h1>" in response.text


def test_the_page_cache_keeps_one_copy_per_language(client, job_id):
    german = client.get("/jobs", headers={"Accept-Language": "de"}).text
    spanish = client.get("/jobs", headers={"Accept-Language": "es"}).text
    assert "Offene Stellen" in german and "Puestos vacantes" in spanish


def test_the_job_page_links_to_itself_in_every_language(client, job_id):
    html = client.get(f"/es/jobs/{job_id}").text
    for language in ("en", "de", "fr", "es"):
        assert (
            f'<link rel="alternate" hreflang="{language}" href="http://127.0.0.1:5000/{language}/jobs/{job_id}">'
            in html
        )
        assert f'<a href="/{language}/jobs/{job_id}" hreflang="{language}" lang="{language}"' in html
    assert f'hreflang="x-default" href="http://127.0.0.1:5000/jobs/{job_id}"' in html
    assert 'lang="es" aria-current="true">Español</a>' in html


def test_a_job_written_in_another_language_says_so(app, client):
    job_id = add_job(app, title="Backend-Entwickler", language="de", description_html="<p>Wir bauen.</p>")
    english = client.get(f"/en/jobs/{job_id}").text
    assert "This job is described in German." in english
    assert '<div class="description" lang="de"><p>Wir bauen.</p></div>' in english
    french = client.get(f"/fr/jobs/{job_id}").text
    assert "Cette offre est rédigée en allemand." in french
    german = client.get(f"/de/jobs/{job_id}").text
    assert "beschrieben" not in german and 'lang="de"><p>Wir bauen.</p>' in german


def test_search_engines_learn_each_pages_languages_from_the_sitemap_the_posting_and_its_meta(app, client):
    job_id = add_job(app, title="Backend-Entwickler", language="de")
    sitemap = client.get("/sitemap.xml").text
    ElementTree.fromstring(sitemap)  # well-formed, with the xhtml namespace declared
    for language in ("en", "de", "fr", "es"):
        alternate = f'hreflang="{language}" href="http://127.0.0.1:5000/{language}/jobs/{job_id}"/>'
        assert alternate in sitemap
    assert f'hreflang="x-default" href="http://127.0.0.1:5000/jobs/{job_id}"/>' in sitemap
    assert f"<loc>http://127.0.0.1:5000/jobs/{job_id}</loc>" in sitemap
    french = client.get(f"/fr/jobs/{job_id}").text
    assert '<meta property="og:locale" content="fr">' in french
    assert '"inLanguage": "de"' in french  # the posting's own language, not the page's


def test_hr_sets_the_language_a_job_is_written_in(app, client):
    job_id = add_job(app, title="Ingeniero")
    add_user(app)
    from tests.conftest import login

    login(client)
    form = client.get(f"/admin/jobs/{job_id}").text
    assert '<option value="es">Spanish</option>' in form
    response = client.post(
        f"/admin/jobs/{job_id}",
        data={"csrf_token": csrf_token_from(form), "title": "Ingeniero", "employment_type": "FULL_TIME",
              "language": "es", "published": "y", "resume_required": "y"},
    )  # fmt: skip
    assert response.status_code == 302
    assert 'lang="es"' in client.get(f"/en/jobs/{job_id}").text


def test_validation_messages_are_in_the_page_language(client, job_id):
    hidden = hidden_fields(client.get(f"/de/jobs/{job_id}/apply").text)
    response = client.post(
        f"/de/jobs/{job_id}/apply",
        data={**hidden, **valid_answers(first_name="", email="not-an-email", consent=None)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    html = response.text
    assert "Bei Ihrer Bewerbung gibt es 4 Probleme" in html
    assert "Geben Sie Ihren Vornamen ein." in html
    assert "Geben Sie eine E-Mail-Adresse wie name@example.com ein." in html
    assert "Hängen Sie Ihren Lebenslauf an (PDF, DOC, DOCX, RTF, ODT, TXT, HTML oder MHT)." in html
    assert "Bitte stimmen Sie der Verarbeitung Ihrer Daten zu" in html


def test_the_consent_is_stored_as_the_candidate_read_it(app, client, job_id):
    page = client.get(f"/es/jobs/{job_id}/apply").text
    consent = "Acepto que los datos de mi candidatura y mi currículum se traten para esta oferta"
    assert consent in page
    response = client.post(
        f"/es/jobs/{job_id}/apply",
        data={**hidden_fields(page), **valid_answers(), "resume": resume_file()},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302 and "/es/applications/" in response.location
    assert "¡Gracias, Grace!" in client.get(response.location).text
    with app.app_context():
        assert db.session.scalars(select(Application)).one().consent_text.startswith(consent)


def test_an_unknown_page_under_a_language_prefix_is_not_found_in_that_language(client):
    response = client.get("/fr/no-such-page")
    assert response.status_code == 404
    assert page_language(response.text) == "fr" and "Nous n’avons pas trouvé cette page" in response.text


def test_the_embed_takes_its_language_from_its_query_and_keeps_it(make_app):
    app = make_app(EMBED_ALLOWED_ORIGINS=[HOST])
    job_id = add_job(app)
    client = app.test_client()
    listing = client.get(f"/embed/jobs?origin={HOST}&lang=es", headers={"Accept-Language": "de"}).text
    assert page_language(listing) == "es" and "1 puesto vacante" in listing
    link = re.search(rf'href="(/embed/jobs/{job_id}\?[^"]*)"', listing).group(1)
    assert "lang=es" in link
    description = client.get(link.replace("&amp;", "&")).text
    assert page_language(description) == "es" and "Solicitar este puesto" in description
    link = re.search(rf'href="(/embed/jobs/{job_id}/apply[^"]*)"', description).group(1)
    assert "lang=es" in link
    form = client.get(link.replace("&amp;", "&")).text
    assert page_language(form) == "es" and "Enviar candidatura" in form
    assert 'data-parse-url="/api/resume/parse?lang=es"' in form


def test_the_embed_without_a_language_follows_the_browser(make_app):
    app = make_app(EMBED_ALLOWED_ORIGINS=[HOST])
    add_job(app)
    html = app.test_client().get(f"/embed/jobs?origin={HOST}", headers={"Accept-Language": "de-AT"}).text
    assert page_language(html) == "de" and "1 offene Stelle" in html


def test_the_hr_area_stays_english_whatever_the_browser(client):
    german = {"Accept-Language": "de"}
    token = csrf_token_from(client.get("/admin/login", headers=german).text)
    response = client.post("/admin/login", data={"csrf_token": token, "email": "x"}, headers=german)
    assert "This field is required." in response.text and "Dieses Feld" not in response.text
    assert page_language(response.text) == "en" and "Content-Language" not in response.headers


def salary(minimum: int | None, maximum: int | None, currency: str) -> str:
    return job_salary(Job(salary_min=minimum, salary_max=maximum, salary_currency=currency))


def test_salaries_and_dates_are_written_the_readers_way(app):
    nbsp = "\xa0"
    with app.test_request_context("/de/jobs"):
        from flask_babel import format_date

        assert salary(60000, 80000, "EUR") == f"60.000{nbsp}€ – 80.000{nbsp}€ pro Jahr"
        assert salary(60000, None, "EUR") == f"ab 60.000{nbsp}€ pro Jahr"
        assert format_date(date(2026, 12, 3)) == "03.12.2026"
        assert closing_date(datetime(2026, 12, 3, 18, 0)) == "3. Dezember 2026"
    with app.test_request_context("/en/jobs"):
        assert salary(60000, 80000, "USD") == "$60,000 – $80,000 per year"
        assert salary(None, None, "USD") == ""
    with app.test_request_context("/fr/jobs"):
        assert salary(None, 90000, "EUR") == "jusqu’à 90\u202f000\xa0€ par an"
    with app.test_request_context("/es/jobs"):
        assert closing_date(datetime(2026, 12, 3, 18, 0)) == "3 de diciembre de 2026"


def test_static_files_are_the_same_in_every_language(client):
    response = client.get("/static/site.css", headers={"Accept-Language": "de"})
    assert response.status_code == 200
    assert "Accept-Language" not in response.headers.get("Vary", "")
    assert "Content-Language" not in response.headers


def test_the_autofill_answers_in_the_language_of_the_page_that_asked(client):
    response = client.get("/api/resume/parse/" + "e" * 64 + "?lang=fr")
    assert response.status_code == 404
    assert response.json["message"] == (
        "Nous n’avons pas pu lire ce fichier. Il est peut-être endommagé."
        " Vous pouvez tout de même postuler\xa0: veuillez remplir le formulaire vous-même."
    )
