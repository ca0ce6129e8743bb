"""The job form: a Markdown description with its preview, countries and currencies from lists,
salary ranges that make sense, workplace and employment type, and what HR typed kept on error."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
from sqlalchemy import select

from app.extensions import db
from app.jobs_markdown import render_markdown
from app.models import Job
from tests.conftest import add_job, add_user, csrf_token_from, login
from tests.web.helpers import error_for, field_value


@pytest.fixture
def hr(app, client):
    add_user(app)
    login(client)
    return client


def job_values(**changes) -> dict:
    values = {
        "title": "Data Engineer",
        "department": "Data",
        "location": "Berlin",
        "country": "DE",
        "workplace": "on_site",
        "employment_type": "FULL_TIME",
        "description": "We move data.",
        "resume_required": "y",
        "published": "y",
    }
    values.update(changes)
    return {key: value for key, value in values.items() if value is not None}


def create(hr, **changes):
    token = csrf_token_from(hr.get("/admin/jobs/new").text)
    return hr.post("/admin/jobs/new", data={"csrf_token": token, **job_values(**changes)})


def saved(app, title="Data Engineer") -> Job:
    with app.app_context():
        job = db.session.scalar(select(Job).where(Job.title == title))
        assert job is not None, f"no job titled {title!r}"
        db.session.expunge(job)
        return job


def selected(html: str, name: str) -> str:
    select_tag = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select_tag, f"no select named {name}"
    option = re.search(
        r'<option[^>]*selected[^>]*value="([^"]*)"|<option[^>]*value="([^"]*)"[^>]*selected',
        select_tag.group(1),
    )
    return unescape((option.group(1) or option.group(2)) if option else "")


def json_ld(html: str) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert match
    return json.loads(match.group(1))


def test_a_markdown_description_is_stored_as_written_and_as_sanitised_html(app, hr):
    source = "## What you do\n\n- **Build** pipelines\n- [Read more](https://example.com)\n\n<script>alert(1)</script>[x](javascript:alert(1))"
    assert create(hr, description=source).status_code == 302
    job = saved(app)
    assert job.description_md == source
    assert "<h3>What you do</h3>" in job.description_html  # the title is the page's h1
    assert "<li><strong>Build</strong> pipelines</li>" in job.description_html
    assert "<script" not in job.description_html and 'href="javascript' not in job.description_html
    page = hr.get(f"/jobs/{job.id}").text
    assert "<li><strong>Build</strong> pipelines</li>" in page
    assert field_value(hr.get(f"/admin/jobs/{job.id}").text, "description") == source


def test_an_html_description_from_an_ats_is_shown_for_editing_and_kept_as_it_is(app, hr):
    html = "<p>Synced <em>from</em> the ATS</p><ul><li>one</li></ul>"
    job_id = add_job(app, title="Data Engineer", description_html=html, ats_kind="skailer", ref="311")
    form = hr.get(f"/admin/jobs/{job_id}").text
    assert field_value(form, "description") == html
    response = hr.post(
        f"/admin/jobs/{job_id}",
        data={
            "csrf_token": csrf_token_from(form),
            **job_values(title="Lead Data Engineer", description=html),
        },
    )
    assert response.status_code == 302
    job = saved(app, "Lead Data Engineer")
    assert job.description_html == html and job.description_md == ""


def test_the_live_preview_renders_markdown_with_the_public_pages_sanitiser(app, hr):
    token = csrf_token_from(hr.get("/admin/jobs/new").text)
    source = "# Team\n\n*Small* and <img src=x onerror=alert(1)> kind"
    response = hr.post("/admin/jobs/description-preview", data={"csrf_token": token, "description": source})
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert response.text == render_markdown(source)
    assert "<h2>Team</h2>" in response.text and "<em>Small</em>" in response.text
    assert "onerror" not in response.text and "<img" not in response.text


def test_the_live_preview_refuses_a_post_without_a_csrf_token(app, hr):
    response = hr.post("/admin/jobs/description-preview", data={"description": "**hi**"})
    assert response.status_code == 400 and "<strong>" not in response.text


def test_the_job_form_loads_the_preview_script_and_names_its_endpoint(app, hr):
    page = hr.get("/admin/jobs/new").text
    assert "admin-preview.js" in page
    assert 'data-preview-url="/admin/jobs/description-preview"' in page
    assert hr.get("/static/admin-preview.js").status_code == 200


def test_the_preview_button_shows_the_description_and_saves_nothing(app, hr):
    response = create(hr, description="Ship **often**.", preview="1")
    assert response.status_code == 200
    assert "<strong>often</strong>" in response.text
    assert field_value(response.text, "title") == "Data Engineer"  # the form, as typed
    with app.app_context():
        assert db.session.scalar(select(Job)) is None


def test_germany_typed_as_the_country_is_saved_as_de_never_ge(app, hr):
    assert create(hr, country="Germany").status_code == 302
    assert saved(app).country == "DE"
    assert create(hr, title="Analyst", country="germany").status_code == 302
    assert saved(app, "Analyst").country == "DE"
    assert create(hr, title="Tbilisi lead", country="GE").status_code == 302
    assert saved(app, "Tbilisi lead").country == "GE"  # the code of Georgia stays Georgia


def test_the_country_is_chosen_from_a_list_of_localised_names(app, hr):
    job_id = add_job(app, country="DE")
    page = hr.get(f"/admin/jobs/{job_id}").text
    assert selected(page, "country") == "DE"
    assert (
        '<option selected value="DE">Germany</option>' in page
        or '<option value="DE" selected>Germany</option>' in page
    )
    assert 'maxlength="2"' not in page


def test_a_country_that_is_no_country_is_refused_with_the_text_kept(app, hr):
    response = create(hr, country="Atlantis")
    assert response.status_code == 200
    assert error_for(response.text, "country") == "Choose the country from the list."
    assert field_value(response.text, "title") == "Data Engineer"
    with app.app_context():
        assert db.session.scalar(select(Job)) is None


def test_a_minimum_salary_above_the_maximum_is_refused_on_the_field_with_the_values_kept(app, hr):
    response = create(hr, salary_min="90000", salary_max="60000", salary_currency="EUR")
    assert response.status_code == 200
    assert (
        error_for(response.text, "salary_max") == "The maximum salary must be at least the minimum (90000)."
    )
    assert field_value(response.text, "salary_min") == "90000"
    assert field_value(response.text, "salary_max") == "60000"
    assert selected(response.text, "salary_currency") == "EUR"
    with app.app_context():
        assert db.session.scalar(select(Job)) is None
    assert create(hr, salary_min="60000", salary_max="90000", salary_currency="EUR").status_code == 302
    job = saved(app)
    assert (job.salary_min, job.salary_max, job.salary_currency) == (60000, 90000, "EUR")


def test_a_salary_needs_a_currency_from_the_iso_list(app, hr):
    response = create(hr, salary_min="50000")
    assert error_for(response.text, "salary_currency") == "Choose the currency the salary is paid in."
    response = create(hr, salary_min="50000", salary_currency="EURO")
    assert error_for(response.text, "salary_currency") == "Not a valid choice."
    with app.app_context():
        assert db.session.scalar(select(Job)) is None
    assert '<option value="CHF">CHF · Swiss Franc</option>' in response.text


def test_a_hybrid_job_says_so_and_only_a_remote_one_is_telecommute_in_json_ld(app, hr):
    assert create(hr, workplace="hybrid").status_code == 302
    job = saved(app)
    assert job.workplace == "hybrid" and job.remote is False
    page = hr.get(f"/jobs/{job.id}").text
    assert "Hybrid" in page
    assert "jobLocationType" not in json_ld(page)
    form = hr.get(f"/admin/jobs/{job.id}").text
    hr.post(
        f"/admin/jobs/{job.id}", data={"csrf_token": csrf_token_from(form), **job_values(workplace="remote")}
    )
    job = saved(app)
    assert job.workplace == "remote" and job.remote is True
    assert json_ld(hr.get(f"/jobs/{job.id}").text)["jobLocationType"] == "TELECOMMUTE"


def test_the_employment_type_is_one_of_the_schema_org_values(app, hr):
    response = create(hr, employment_type="FULLTIME")
    assert error_for(response.text, "employment_type") == "Not a valid choice."
    assert create(hr, employment_type="PART_TIME").status_code == 302
    job = saved(app)
    assert job.employment_type == "PART_TIME"
    assert json_ld(hr.get(f"/jobs/{job.id}").text)["employmentType"] == "PART_TIME"


def test_a_closing_date_before_the_opening_date_is_refused(app, hr):
    response = create(hr, opens_on="2030-05-10", valid_through="2030-05-01")
    assert (
        error_for(response.text, "valid_through") == "The closing date must be on or after the opening date."
    )
    assert field_value(response.text, "opens_on") == "2030-05-10"


def test_the_opening_and_closing_dates_are_saved_and_shown_again(app, hr):
    assert create(hr, opens_on="2030-05-01", valid_through="2030-06-30").status_code == 302
    job = saved(app)
    assert job.opens_at.isoformat() == "2030-05-01T00:00:00"
    assert job.valid_through.isoformat() == "2030-06-30T23:59:59"
    form = hr.get(f"/admin/jobs/{job.id}").text
    assert (
        field_value(form, "opens_on") == "2030-05-01" and field_value(form, "valid_through") == "2030-06-30"
    )
    assert hr.get(f"/jobs/{job.id}").status_code == 404  # not open before its opening date


def test_a_job_marked_remote_without_a_workplace_opens_as_remote_and_stays_so(app, hr):
    job_id = add_job(app, title="Data Engineer", remote=True)  # as a jobs file or an older row has it
    form = hr.get(f"/admin/jobs/{job_id}").text
    assert selected(form, "workplace") == "remote"
    assert "(remote)" in hr.get("/admin/jobs").text
    values = job_values(workplace=selected(form, "workplace"), title="Data Engineer")
    hr.post(f"/admin/jobs/{job_id}", data={"csrf_token": csrf_token_from(form), **values})
    job = saved(app)
    assert job.remote is True and job.workplace == "remote"


def test_a_country_stored_as_a_name_shows_as_its_country_and_is_saved_as_its_code(app, hr):
    job_id = add_job(app, title="Data Engineer", country="Germany")  # as a jobs file could leave it
    form = hr.get(f"/admin/jobs/{job_id}").text
    assert selected(form, "country") == "DE"
    values = job_values(country=selected(form, "country"))
    assert (
        hr.post(f"/admin/jobs/{job_id}", data={"csrf_token": csrf_token_from(form), **values}).status_code
        == 302
    )
    assert saved(app).country == "DE"
