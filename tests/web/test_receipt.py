"""An application's admin page shows HR, field by field, where each value went in the ATS.

Applications are delivered for real, by the delivery runner to the vendor's sandbox in-process,
so the receipt reads the checkpoints a true delivery leaves; the page is read as HR sees it.
"""

from __future__ import annotations

import html
import re

from sqlalchemy import select

from app.extensions import db
from app.intake.delivery import deliver
from app.models import Delivery
from app.storage import storage_for
from tests.ats.harnesses import skailer as skailer_harness
from tests.ats.harnesses import workable as workable_harness
from tests.conftest import add_user, login
from tests.support.applications import submit_application

SKAILER = {"kind": "skailer", "base_url": "http://skailer.test", "token": "test-token"}
WORKABLE = {
    "kind": "workable",
    "base_url": "http://acme.workable.test/spi/v3",
    "token": "test-token",
    "member_id": "m-100",
    "domain": "careers.example.com",
}
PARSED = {"ok": True, "fields": {"headline": "Engine designer", "skills": ["Analysis", "Poetry"]}}
ROW = re.compile(
    r'<tr class="(sent|not-sent)"><th scope="row">(.*?)</th><td>(.*?)</td><td>(.*?)</td></tr>', re.S
)


def hr_client(app):
    """A test client signed in as HR."""
    add_user(app)
    client = app.test_client()
    login(client)
    return client


def receipt(client, application_id: int) -> dict[str, tuple[str, str]]:
    """Field -> (our value, in the ATS), as the page shows them."""
    page = client.get(f"/admin/applications/{application_id}")
    assert page.status_code == 200
    return {html.unescape(f): (html.unescape(v), html.unescape(p)) for _, f, v, p in ROW.findall(page.text)}


def delivered(app, application_id: int, harness) -> None:
    with app.app_context():
        outcome = deliver(
            db.session,
            application_id,
            adapter=harness.adapter,
            storage=storage_for(app),
            parse=lambda session, data, sha: dict(PARSED),
        )
    assert outcome.status == "delivered"


def test_a_skailer_receipt_names_the_place_of_every_field_we_hold(make_app):
    app = make_app(ATS=SKAILER)
    application_id = submit_application(
        app,
        phone="+44 20 7946 0958",
        url="https://www.linkedin.com/in/ada",
        location="London, UK",
        cover_letter="I would love to work on engines.",
        attribution={"utm_source": "newsletter"},
        question={"label": "Favourite tool", "kind": "short_text"},
        answer="Difference engine",
    )
    delivered(app, application_id, skailer_harness.make())
    client = hr_client(app)

    rows = receipt(client, application_id)

    assert rows["First name"] == ("Ada", "Skailer applicant · first name")
    assert rows["Last name"] == ("Lovelace", "Skailer applicant · last name")
    assert rows["Email"] == ("ada@example.com", "Skailer applicant · email")
    assert rows["Phone"] == ("+44 20 7946 0958", "Skailer applicant · phone")
    assert rows["Link"] == ("https://www.linkedin.com/in/ada", "Skailer applicant · LinkedIn URL")
    assert rows["Location"] == ("London, UK", "Skailer applicant · city and country")
    assert rows["Resume"] == ("ada.pdf", "Skailer CV file, linked to the applicant")
    assert rows["Cover letter"] == (
        "I would love to work on engines.",
        "Skailer candidate · comment (as text)",
    )
    assert rows["Consent"] == (rows["Consent"][0], "Skailer candidate · comment (as text)")
    assert rows["Consent"][0].endswith("I agree.")
    assert rows["Where they came from"][1].startswith("Skailer candidate · comment (as text)")
    assert rows["Answer: Favourite tool"] == ("Difference engine", "Skailer candidate · comment (as text)")
    assert rows["Resume data: headline"] == ("Engine designer", "not sent: this ATS has no place for it")
    assert rows["Resume data: skills"] == ("Analysis; Poetry", "not sent: this ATS has no place for it")
    assert "Resume data: education" not in rows  # nothing parsed, nothing to list


def test_consent_alone_needs_no_skailer_comment_and_the_receipt_says_it_was_not_sent(make_app):
    app = make_app(ATS=SKAILER)
    application_id = submit_application(app)  # no letter, no answers, no attribution
    delivered(app, application_id, skailer_harness.make())
    client = hr_client(app)

    rows = receipt(client, application_id)

    assert (
        rows["Consent"][1] == "not sent: Skailer has no field for it, and this application needed no comment"
    )
    assert rows["Cover letter"] == ("—", "nothing to send")


def test_a_workable_receipt_shows_a_link_that_is_no_social_profile_went_to_the_comment(make_app):
    app = make_app(ATS=WORKABLE)
    application_id = submit_application(
        app,
        kind="workable",
        ref="DA2",
        url="https://ada.example.org/notes",
        location="London, UK",
        cover_letter="I would love to work on engines.",
    )
    delivered(app, application_id, workable_harness.make())
    client = hr_client(app)

    rows = receipt(client, application_id)

    assert rows["Email"] == ("ada@example.com", "Workable candidate · email")
    assert rows["Location"] == ("London, UK", "Workable candidate · address")
    assert rows["Resume"] == ("ada.pdf", "Workable candidate · resume")
    assert rows["Cover letter"][1] == "Workable candidate · cover letter"
    assert rows["Consent"][1] == "Workable candidate · comment (as text)"
    assert rows["Resume data: headline"] == ("Engine designer", "Workable candidate · headline")
    assert rows["Link"] == ("https://ada.example.org/notes", "Workable candidate · comment (as text)")


def test_a_note_from_the_delivery_about_a_field_shows_on_its_row(make_app):
    app = make_app(ATS=SKAILER)
    application_id = submit_application(app)
    with app.app_context():
        row = db.session.scalar(select(Delivery).where(Delivery.application_id == application_id))
        row.status = "delivered"
        row.checkpoints = {
            "upload_cv": {
                "cv_ref": "5001",
                "note:resume": "sent as a PDF rendition; the original stays here",
            },
            "comment": {"comment_ref": ""},
        }
        db.session.commit()
    client = hr_client(app)

    rows = receipt(client, application_id)

    assert rows["Resume"][1] == (
        "Skailer CV file, linked to the applicant · sent as a PDF rendition; the original stays here"
    )


def test_before_delivery_a_conditional_place_says_when_it_applies(make_app):
    app = make_app(ATS=SKAILER)
    application_id = submit_application(app)
    client = hr_client(app)

    page = client.get(f"/admin/applications/{application_id}").text
    rows = receipt(client, application_id)

    assert "Not delivered yet" in page
    assert (
        rows["Consent"][1] == "Skailer candidate · comment (as text) (when the application needs a comment)"
    )
