"""Absolute links come from PUBLIC_BASE_URL, and a request for a host we do not serve is refused,
so one forged Host or X-Forwarded-Host cannot poison the pages cached for every visitor."""

from __future__ import annotations

import json
import re

import pytest

from tests.conftest import add_job

PUBLIC = "https://careers.example.com"
EVIL = "evil.example"


@pytest.fixture
def site(make_app):
    app = make_app(PUBLIC_BASE_URL=PUBLIC, ALLOWED_HOSTS=["www.careers.example.com"], PAGE_CACHE_SECONDS=60)
    add_job(app, title="Backend Engineer")
    return app


def json_ld_url(html: str) -> str:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert match
    return json.loads(match.group(1))["url"]


def test_a_request_for_an_unknown_host_is_refused(site):
    client = site.test_client()
    for path in ("/jobs", "/jobs/1", "/sitemap.xml", "/admin/login"):
        assert client.get(path, headers={"Host": EVIL}).status_code == 400, path
        assert client.get(path).status_code == 200, path


def test_the_public_host_the_allowed_hosts_and_the_test_server_name_are_answered(site):
    client = site.test_client()
    for host in ("careers.example.com", "www.careers.example.com", "careers.test", "careers.test:443"):
        assert client.get("/jobs", headers={"Host": host}).status_code == 200, host


def test_absolute_links_come_from_the_public_base_url_whatever_host_was_asked(site):
    client = site.test_client()
    sitemap = client.get("/sitemap.xml", headers={"Host": "www.careers.example.com"}).text
    assert re.findall(r"<loc>([^<]+)</loc>", sitemap) == [f"{PUBLIC}/jobs", f"{PUBLIC}/jobs/1"]
    page = client.get("/jobs/1", headers={"Host": "www.careers.example.com"}).text
    assert json_ld_url(page) == f"{PUBLIC}/jobs/1"
    assert f'<link rel="canonical" href="{PUBLIC}/jobs/1">' in page


@pytest.mark.parametrize("proxies", [0, 1])
def test_a_forged_forwarded_host_never_reaches_a_cached_page(make_app, proxies):
    app = make_app(PUBLIC_BASE_URL=PUBLIC, TRUSTED_PROXIES=proxies, PAGE_CACHE_SECONDS=60)
    add_job(app, title="Backend Engineer")
    client = app.test_client()
    forged = {"X-Forwarded-Host": EVIL, "X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    for path in ("/sitemap.xml", "/jobs/1", "/jobs"):
        first = client.get(path, headers=forged)
        # behind a trusted proxy the forwarded host is the host, and it is not ours
        assert first.status_code == (400 if proxies else 200), path
        if first.status_code == 200:
            assert EVIL not in first.text
        assert EVIL not in client.get(path).text, path  # what the next visitor gets from the cache
