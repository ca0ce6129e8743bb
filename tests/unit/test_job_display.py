"""When a job is open (in Python and in SQL alike), and how its salary, facts and snippet read."""

from __future__ import annotations

from datetime import timedelta

import pytest
from babel import Locale
from sqlalchemy import select

from app.extensions import db
from app.job_display import job_facts, salary_text, snippet
from app.models import Job
from tests.clock import FakeClock
from tests.conftest import add_job


def test_a_job_closes_at_its_closing_moment_in_python_and_in_sql_alike(app):
    clock = FakeClock()
    closing = clock.datetime() + timedelta(hours=1)
    job_id = add_job(app, valid_through=closing)
    add_job(app, title="Draft", published=False)
    add_job(app, title="Closed", closed=True)
    add_job(app, title="No end")
    with app.app_context():
        for moment, expected in (
            (clock.datetime(), True),
            (closing - timedelta(seconds=1), True),
            (closing, False),
        ):
            job = db.session.get(Job, job_id)
            in_sql = db.session.scalars(select(Job.id).where(Job.is_open(moment))).all()
            assert job.is_open(moment) is expected
            assert (job_id in in_sql) is expected
            titles = {j.title for j in db.session.scalars(select(Job)) if j.is_open(moment)}
            assert "Draft" not in titles and "Closed" not in titles and "No end" in titles


@pytest.mark.parametrize(
    "locale, minimum, maximum, currency, expected",
    [
        ("en", 70000, 95000, "EUR", "€70,000 – €95,000"),
        ("de", 70000, 95000, "EUR", "70.000\xa0€ – 95.000\xa0€"),
        ("en", 60000, None, "USD", "from $60,000"),
        ("en", None, 80000, "GBP", "up to £80,000"),
        ("en", 50000, 50000, "EUR", "€50,000"),
        ("en", 50000, 60000, "", ""),
        ("en", None, None, "EUR", ""),
    ],
)
def test_a_salary_is_written_as_the_pages_locale_writes_money(locale, minimum, maximum, currency, expected):
    assert salary_text(minimum, maximum, currency, Locale.parse(locale)) == expected


def test_facts_say_each_thing_once_and_skip_what_is_missing():
    assert job_facts(Job(department="", location="Remote (EU)", remote=True)) == ["Remote (EU)"]
    assert job_facts(Job(department="Data", location="", remote=True)) == ["Data", "Remote"]


def test_a_snippet_reads_as_text_however_the_description_is_built():
    html = "<h2>Role</h2><div>Lead <b>the</b> team<br>and ship</div><script>x()</script><p>&amp; more</p>"
    assert snippet(html) == "Role: Lead the team · and ship · & more"
    assert snippet("<p>" + "word " * 100 + "</p>", limit=30) == "word word word word word word…"
    assert snippet(None) == ""
