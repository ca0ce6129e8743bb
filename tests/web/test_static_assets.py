"""Static files under content-hashed addresses cached for a year, and compressed answers."""

from __future__ import annotations

import gzip
import hashlib
import re

import brotli

from tests.conftest import TESTS, add_job, add_user, login

STATIC = TESTS.parent / "static"


def stylesheet_url(html: str) -> str:
    match = re.search(r'<link rel="stylesheet" href="(/static/site\.css[^"]*)"', html)
    assert match, "no stylesheet link"
    return match.group(1)


def test_pages_link_static_files_by_a_hash_of_their_content(client):
    url = stylesheet_url(client.get("/jobs").text)
    digest = hashlib.sha256((STATIC / "site.css").read_bytes()).hexdigest()[:12]
    assert url == f"/static/site.css?v={digest}"


def test_a_hashed_static_address_is_cached_for_a_year_and_any_other_is_revalidated(client):
    hashed = client.get(stylesheet_url(client.get("/jobs").text))
    assert hashed.status_code == 200
    assert hashed.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    for other in ("/static/site.css", "/static/site.css?v=0123456789ab"):
        assert client.get(other).headers["Cache-Control"] == "no-cache", other


def test_the_loader_host_sites_paste_keeps_its_plain_address(app, client):
    add_user(app)
    login(client)
    snippets = client.get("/admin/embed").text
    assert "/static/embed.js&#34;" in snippets and "embed.js?v=" not in snippets


def test_public_pages_and_static_files_are_compressed(app, client):
    job_id = add_job(app, description_html="<p>" + "Build reliable things. " * 50 + "</p>")
    for number in range(8):  # a sitemap long enough to be worth compressing
        add_job(app, title=f"Engineer {number}")
    for path in ("/jobs", f"/jobs/{job_id}", "/sitemap.xml"):
        plain = client.get(path).data
        squeezed = client.get(path, headers={"Accept-Encoding": "br"})
        assert squeezed.headers["Content-Encoding"] == "br", path
        assert brotli.decompress(squeezed.data) == plain
        assert "Accept-Encoding" in squeezed.headers["Vary"]
    css = client.get("/static/site.css", headers={"Accept-Encoding": "gzip"})
    assert css.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(css.data) == (STATIC / "site.css").read_bytes()


def test_pages_with_a_form_token_are_never_compressed(app, client):
    job_id = add_job(app)
    form = client.get(f"/jobs/{job_id}/apply?utm_source=guess", headers={"Accept-Encoding": "br, gzip"})
    assert form.status_code == 200 and "Content-Encoding" not in form.headers
    login_page = client.get("/admin/login", headers={"Accept-Encoding": "br, gzip"})
    assert "Content-Encoding" not in login_page.headers
