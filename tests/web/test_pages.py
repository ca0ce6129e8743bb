"""Listings, job pages, JSON-LD, sitemap, sanitising and headers."""

from __future__ import annotations

import json
import re
from datetime import date, datetime

import pytest

from tests.conftest import add_job


def titles(html: str) -> list[str]:
    return re.findall(r'<h2><a href="/jobs/\d+">([^<]+)</a></h2>', html)


@pytest.fixture
def board(app):
    add_job(app, title="Backend Engineer", department="Engineering", location="Berlin, Germany")
    add_job(app, title="Designer", department="Design", location="Lisbon, Portugal", remote=True)
    add_job(
        app,
        title="Data Analyst",
        department="Data",
        location="Berlin, Germany",
        description_html="<p>SQL and dashboards.</p>",
    )
    add_job(app, title="Secret Draft", published=False)
    add_job(app, title="Filled Role", closed=True)
    return app


def test_the_home_page_leads_to_the_listing(client):
    response = client.get("/")
    assert response.status_code == 302 and response.location.endswith("/jobs")


def test_the_listing_shows_only_published_open_jobs(board, client):
    shown = titles(client.get("/jobs").text)
    assert sorted(shown) == ["Backend Engineer", "Data Analyst", "Designer"]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("q=design", ["Designer"]),
        ("q=dashboards", ["Data Analyst"]),
        ("department=Engineering", ["Backend Engineer"]),
        ("location=Berlin%2C+Germany", ["Backend Engineer", "Data Analyst"]),
        ("remote=1", ["Designer"]),
        ("q=nothing-matches", []),
    ],
)
def test_search_and_filters_narrow_the_listing(board, client, query, expected):
    response = client.get(f"/jobs?{query}")
    assert sorted(titles(response.text)) == expected
    if not expected:
        assert "No open positions match your search" in response.text


def test_the_listing_pages_through_many_jobs(make_app):
    app = make_app(JOBS_PER_PAGE=4)
    for i in range(10):
        add_job(app, title=f"Job {i:02d}", date_posted=datetime(2026, 11, 1 + i))
    client = app.test_client()
    first, third = client.get("/jobs").text, client.get("/jobs?page=3").text
    assert titles(first) == ["Job 09", "Job 08", "Job 07", "Job 06"]
    assert titles(third) == ["Job 01", "Job 00"]
    assert "Page 1 of 3" in first and 'rel="next" href="/jobs?page=2"' in first
    assert titles(client.get("/jobs?page=99").text) == []


def json_ld(html: str) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert match, "no JSON-LD on the page"
    return json.loads(match.group(1))


def test_a_job_page_carries_a_valid_job_posting(app, client):
    job_id = add_job(
        app,
        title="Site Reliability Engineer",
        location="Amsterdam, Netherlands",
        country="NL",
        remote=True,
        employment_type="FULL_TIME",
        date_posted=datetime(2026, 11, 3, 9),
        valid_through=datetime(2027, 1, 31, 23, 59),
        salary_min=70000,
        salary_max=90000,
        salary_currency="EUR",
    )
    posting = json_ld(client.get(f"/jobs/{job_id}").text)
    assert posting["@context"] == "https://schema.org/" and posting["@type"] == "JobPosting"
    assert posting["title"] == "Site Reliability Engineer"
    assert date.fromisoformat(posting["datePosted"]) == date(2026, 11, 3)
    assert datetime.fromisoformat(posting["validThrough"]).year == 2027
    assert posting["hiringOrganization"]["name"] == app.config["COMPANY_NAME"]
    assert posting["jobLocation"]["address"]["addressLocality"] == "Amsterdam"
    assert posting["jobLocation"]["address"]["addressCountry"] == "NL"
    assert posting["jobLocationType"] == "TELECOMMUTE"
    assert posting["employmentType"] == "FULL_TIME"
    assert posting["directApply"] is True
    assert posting["baseSalary"]["value"]["minValue"] == 70000
    assert posting["description"]


def test_script_in_a_job_description_is_neutralised(app, client):
    job_id = add_job(
        app,
        title="Engineer",
        description_html=(
            '<p onclick="steal()">Hi</p><script>alert(1)</script><img src=x onerror=alert(2)>'
            '<a href="javascript:alert(3)">x</a></script><b>bold</b>'
        ),
    )
    html = client.get(f"/jobs/{job_id}").text
    body = html.split('<div class="description">', 1)[1].split("</div>", 1)[0]
    assert "<script" not in body and "onerror" not in body and "onclick" not in body
    assert "javascript:" not in body
    assert "<b>bold</b>" in body
    posting = json_ld(html)  # the JSON-LD block cannot be broken out of either
    assert "<script" not in posting["description"]
    assert html.count("<script") == html.count("</script>")


def test_unknown_unpublished_and_closed_jobs_are_not_found(app, client):
    draft = add_job(app, published=False)
    closed = add_job(app, closed=True)
    for job_id in (draft, closed, 9999):
        response = client.get(f"/jobs/{job_id}")
        assert response.status_code == 404
        assert "position may have been filled" in response.text


def test_the_sitemap_lists_every_open_job_page(app, board, client):
    response = client.get("/sitemap.xml")
    assert response.mimetype == "application/xml"
    locations = re.findall(r"<loc>([^<]+)</loc>", response.text)
    assert len(locations) == 4  # the listing and three open jobs
    assert all(loc.startswith(app.config["PUBLIC_BASE_URL"] + "/jobs") for loc in locations)


def test_every_response_carries_the_security_headers(board, client):
    for path in ("/jobs", "/jobs/1", "/jobs/1/apply", "/admin/login", "/sitemap.xml"):
        headers = client.get(path).headers
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"], path
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert headers["X-Frame-Options"] == "DENY"


def test_the_health_endpoint_answers(client):
    assert client.get("/api/health").get_json() == {"status": "ok"}


def test_public_pages_are_served_from_a_short_cache_that_a_change_clears(app, client):
    from sqlalchemy import text

    from app.extensions import db
    from app.models import Job

    job_id = add_job(app, title="Cached Title")
    assert "Cached Title" in client.get("/jobs").text
    with app.app_context():  # a change that bypasses the ORM is not seen until the TTL ends
        db.session.execute(text("UPDATE job SET title = 'Raw Change' WHERE id = :id"), {"id": job_id})
        db.session.commit()
    assert "Cached Title" in client.get("/jobs").text
    with app.app_context():  # a change through the ORM (admin, sync) clears the cache
        db.session.get(Job, job_id).title = "New Title"
        db.session.commit()
    assert "New Title" in client.get("/jobs").text


def test_listing_snippets_are_plain_text_with_word_breaks(app, client):
    add_job(app, title="Writer", description_html="<p>Write docs.</p><ul><li>Guides &amp; APIs</li></ul>")
    assert "Write docs. Guides &amp; APIs" in client.get("/jobs").text
