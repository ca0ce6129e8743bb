"""The listing, the job page and the embedded board as a candidate meets them: filters, salary,
closing dates, attribution carried to the form, snippets, paging, and the job page's metadata."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Application, utcnow
from tests.conftest import add_job, add_user, login
from tests.web.helpers import hidden_fields, post_application, valid_answers

HOST = "https://www.corp.example"


@pytest.fixture
def app(make_app):
    return make_app(EMBED_ALLOWED_ORIGINS=[HOST])


def links(html: str, pattern: str) -> list[str]:
    return [unescape(href) for href in re.findall(rf'href="({pattern}[^"]*)"', html)]


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def filter_groups(html: str) -> list[str]:
    form = re.search(r'<form[^>]*class="filters".*?</form>', html, re.S)
    assert form, "no filter bar"
    return re.findall(r'<div class="filter[^"]*">(.*?)</div>', form.group(0), re.S)


@pytest.mark.parametrize("path", ["/jobs", f"/embed/jobs?origin={HOST}", "/admin/applications"])
def test_each_filter_label_is_kept_with_its_own_control(app, client, path):
    add_job(app, title="Designer", department="Design", location="Lisbon")
    if path.startswith("/admin"):
        add_user(app)
        login(client)
    groups = filter_groups(client.get(path).text)
    labelled = [g for g in groups if "<label" in g]
    assert labelled
    for group in labelled:
        target = re.search(r'<label for="([^"]+)"', group)
        if target:  # a text label: its control is in the same group, right after it
            assert group.index("<label") < group.index(f'id="{target.group(1)}"'), group
        else:  # a checkbox inside its label
            assert re.search(r"<label[^>]*>\s*<input", group), group


def test_the_board_filters_by_team_and_location(app, client):
    add_job(app, title="Designer", department="Design", location="Lisbon")
    add_job(app, title="Backend Engineer", department="Engineering", location="Berlin")
    board = client.get(f"/embed/jobs?origin={HOST}").text
    assert '<select id="department"' in board and '<select id="location"' in board
    assert '<option value="Design">' in board and '<option value="Berlin">' in board
    narrowed = client.get(f"/embed/jobs?origin={HOST}&department=Design").text
    assert "Designer" in narrowed and "Backend Engineer" not in narrowed
    hidden = hidden_fields(narrowed)
    assert hidden == {"origin": HOST}  # the host origin is kept; the filters are not doubled


def test_a_salary_is_shown_with_currency_and_period_on_cards_and_the_job_page(app, client):
    paid = add_job(
        app, title="Paid", salary_min=70000, salary_max=95000, salary_currency="EUR", department="Pay"
    )
    add_job(app, title="Unstated", department="Quiet")
    listing = client.get("/jobs").text
    assert listing.count('class="salary"') == 1
    assert "€70,000 – €95,000 per year" in listing
    assert "€70,000 – €95,000 per year" in client.get(f"/jobs/{paid}").text
    assert "€70,000 – €95,000 per year" in client.get(f"/embed/jobs?origin={HOST}").text


def test_a_job_past_its_closing_date_is_closed_everywhere(app, client):
    now = utcnow()
    expired = add_job(app, title="Expired Role", department="Gone", valid_through=now - timedelta(minutes=1))
    current = add_job(app, title="Current Role", valid_through=now + timedelta(days=2))
    listing = client.get("/jobs").text
    assert "Expired Role" not in listing and "Current Role" in listing
    assert '<option value="Gone">' not in listing  # nor among the teams to filter by
    assert client.get(f"/jobs/{expired}").status_code == 404
    assert client.get(f"/jobs/{expired}/apply").status_code == 410  # the closed-job page
    assert f"/jobs/{expired}<" not in client.get("/sitemap.xml").text
    assert f"/jobs/{current}<" in client.get("/sitemap.xml").text
    assert "Expired Role" not in client.get(f"/embed/jobs?origin={HOST}").text
    assert client.get(f"/embed/jobs/{expired}/apply?origin={HOST}").status_code == 410
    page = client.get(f"/jobs/{current}").text
    assert "Open until" in page
    assert f'"validThrough": "{(now + timedelta(days=2)).isoformat(timespec="seconds")}+00:00"' in page


def test_attribution_on_the_listing_reaches_the_form_through_the_job_page(app, client):
    job_id = add_job(app, title="Tracked")
    campaign = {"utm_source": "newsletter", "utm_campaign": "spring", "src": "tw42"}
    listing = client.get("/jobs?utm_source=newsletter&utm_campaign=spring&src=tw42&other=x").text
    (job_link,) = links(listing, f"/jobs/{job_id}")
    assert query_of(job_link) == campaign
    assert {k: hidden_fields(listing)[k] for k in campaign} == campaign  # a search keeps them too
    page = client.get(job_link).text
    apply_links = links(page, f"/jobs/{job_id}/apply")
    assert apply_links and all(query_of(link) == campaign for link in apply_links)
    assert f'<link rel="canonical" href="{app.config["PUBLIC_BASE_URL"]}/jobs/{job_id}">' in page
    hidden = hidden_fields(client.get(apply_links[0]).text)
    assert post_application(client, job_id, hidden, valid_answers()).status_code == 302
    with app.app_context():
        attribution = db.session.scalar(select(Application)).attribution
    assert {k: attribution[k] for k in campaign} == campaign


def test_card_snippets_keep_headings_list_items_and_paragraphs_apart(app, client):
    add_job(
        app,
        title="Writer",
        description_html=(
            "<h3>About</h3><p>We write</p><ul><li>Guides</li><li>API docs</li></ul><p>Join us.</p>"
        ),
    )
    assert "About: We write · Guides · API docs · Join us." in client.get("/jobs").text


def test_a_remote_job_located_remote_says_remote_once(app, client):
    job_id = add_job(app, title="Anywhere", department="Data", location="Remote", remote=True)
    add_job(app, title="Hybrid", department="Data", location="Berlin", remote=True)
    listing = client.get("/jobs").text
    assert "Remote · Remote" not in listing
    assert "Data · Remote</p>" in listing and "Data · Berlin · Remote</p>" in listing
    assert "Remote · Remote" not in client.get(f"/jobs/{job_id}").text


def test_a_page_past_the_end_says_so_and_links_to_page_one(make_app):
    app = make_app(JOBS_PER_PAGE=4)
    for i in range(6):
        add_job(app, title=f"Job {i}")
    response = app.test_client().get("/jobs?page=99&utm_source=ads")
    assert response.status_code == 404
    assert "6 open positions</p>" not in response.text
    assert "There is no page 99: the open positions fit on 2 pages." in response.text
    assert '<a href="/jobs?utm_source=ads">Go to page 1</a>' in response.text


def test_the_favicon_is_served_and_named_in_every_page(client):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.mimetype in ("image/vnd.microsoft.icon", "image/x-icon")
    assert icon.data[:4] == b"\x00\x00\x01\x00"  # an ICO file
    head = client.get("/jobs").text.split("</head>")[0]
    assert 'rel="icon" href="/favicon.ico"' in head and "favicon.svg" in head


def test_a_job_page_has_opengraph_twitter_and_canonical_meta(app, client):
    job_id = add_job(app, title="Site Reliability Engineer", description_html="<p>Keep intake up.</p>")
    head = client.get(f"/jobs/{job_id}?utm_source=x").text.split("</head>")[0]
    url = f"{app.config['PUBLIC_BASE_URL']}/jobs/{job_id}"
    assert f'<link rel="canonical" href="{url}">' in head
    assert f'<meta property="og:url" content="{url}">' in head
    assert '<meta property="og:title" content="Site Reliability Engineer · Example Corp">' in head
    assert '<meta property="og:description" content="Keep intake up.">' in head
    assert '<meta name="twitter:card" content="summary">' in head
    assert '<meta name="twitter:title" content="Site Reliability Engineer · Example Corp">' in head


def test_a_job_page_offers_plain_share_links_and_runs_no_script_of_theirs(app, client):
    job_id = add_job(app, title="Designer")
    page = client.get(f"/jobs/{job_id}").text
    share = page.split('class="share"', 1)[1].split("</section>", 1)[0]
    hrefs = [unescape(h) for h in re.findall(r'href="([^"]+)"', share)]
    assert [urlsplit(h).netloc or urlsplit(h).scheme for h in hrefs] == [
        "www.linkedin.com",
        "x.com",
        "mailto",
        "127.0.0.1:5000",
    ]
    shared = query_of(hrefs[0])["url"]
    assert shared == f"http://127.0.0.1:5000/jobs/{job_id}?utm_source=linkedin&utm_medium=share"
    assert "Copy link" in share
    assert all(src.startswith("/static/") for src in re.findall(r'<script[^>]* src="([^"]+)"', page))
