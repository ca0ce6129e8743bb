"""The candidate's status page: what they sent, when we received it, where it is, the stage the
ATS reported, their receipt as a PDF and their data as a ZIP, behind a signed link only."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import re
import zipfile
from datetime import datetime
from html import unescape

import pytest
from pdfminer.high_level import extract_text as pdf_text
from sqlalchemy import select

from app.extensions import db
from app.intake.status_links import status_token
from app.models import Application
from app.privacy.wipe import wipe_application
from app.storage import storage_for
from tests.conftest import add_job
from tests.support.applications import submit_application
from tests.web.helpers import open_form, post_application, resume_file, valid_answers
from tests.web.test_embed import HOST, open_embed, post_embed

QUESTIONS = [
    {"label": "Years of Rust?", "kind": "short_text", "required": True},
    {"label": "Can you work in the EU?", "kind": "yes_no"},
    {"label": "Work sample", "kind": "file"},
]
PRIVATE = {"Referrer-Policy": "no-referrer", "Cache-Control": "private, no-store", "X-Robots-Tag": "noindex"}


def apply(app, **answers) -> str:
    """Apply through the form with three questions; the status page's path, from the thanks page."""
    client = app.test_client()
    job_id = add_job(app, title="Compiler Engineer", questions=QUESTIONS)
    hidden = open_form(client, job_id)
    fields = question_fields(client, job_id)
    answers = {fields[0]: "4", fields[1]: "yes", **answers}
    files = {"resume": resume_file(), fields[2]: resume_file("resume.docx", "sample.docx")}
    response = post_application(client, job_id, hidden, valid_answers(**answers), files)
    assert response.status_code == 302, response.text
    thanks = client.get(response.location)
    return status_link_in(thanks.text)


def question_fields(client, job_id: int) -> list[str]:
    page = client.get(f"/jobs/{job_id}/apply").text
    return list(dict.fromkeys(re.findall(r'name="(q_\d+)"', page)))


def status_link_in(html: str) -> str:
    match = re.search(r'href="(/(?:[a-z]{2}/)?status/[^"/]+)"', html)
    assert match, "no link to the status page"
    return match.group(1)


def text_of(html: str) -> str:
    main = html[html.index("<main") :]
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", main)).split())


def path_for(app, application_id: int) -> str:
    with app.app_context():
        application = db.session.get(Application, application_id)
        return f"/status/{status_token(app.config['SECRET_KEY'], application.id, application.public_id)}"


def update(app, application_id: int, **values) -> None:
    with app.app_context():
        application = db.session.get(Application, application_id)
        for name, value in values.pop("delivery", {}).items():
            setattr(application.delivery, name, value)
        for name, value in values.items():
            setattr(application, name, value)
        db.session.commit()


def test_the_page_shows_what_was_sent_with_the_questions_as_asked_and_when_it_arrived(app, client):
    path = apply(app)
    page = client.get(path)
    assert page.status_code == 200
    text = text_of(page.text)
    for shown in (
        "Your application for Compiler Engineer",
        "First name Grace",
        "Last name Hopper",
        "Email grace@example.com",
        "Location New York",
        "Resume resume.pdf",
        "Cover letter I like compilers.",
        "Years of Rust? 4",
        "Can you work in the EU? Yes",
        "Work sample sample.docx",
    ):
        assert shown in text, shown
    with app.app_context():
        received = db.session.scalar(select(Application.created_at))
    assert f"Received {received:%B} {received.day}, {received.year}" in text
    assert "Safe with us, waiting to be passed on to the hiring team." in text


@pytest.mark.parametrize(
    "delivery, words",
    [
        ({"status": "pending", "attempts": 0}, "Safe with us, waiting to be passed on"),
        ({"status": "pending", "attempts": 2}, "On its way to the hiring team."),
        ({"status": "in_progress", "attempts": 1}, "On its way to the hiring team."),
        ({"status": "failed", "attempts": 8}, "taking longer than usual"),
        ({"status": "needs_review", "attempts": 1}, "taking longer than usual"),
        ({"status": "paused", "attempts": 1}, "taking longer than usual"),
        (
            {"status": "delivered", "delivered_at": datetime(2026, 11, 5, 9, 30)},
            "Delivered to the hiring team on November 5, 2026",
        ),
        (
            {"status": "already_in_ats", "delivered_at": datetime(2026, 11, 5, 9, 30)},
            "Delivered to the hiring team on November 5, 2026",
        ),
    ],
)
def test_the_page_says_where_the_application_is_in_words_for_the_candidate_never_an_error(
    app, client, delivery, words
):
    application_id = submit_application(app, kind="local", ref="1")
    error = "skailer: POST /api/v1/candidates -> 422 (field first_name)"
    update(app, application_id, delivery={**delivery, "last_error": error})
    text = text_of(client.get(path_for(app, application_id)).text)
    assert words in text
    assert "skailer" not in text and "422" not in text and "needs_review" not in text


def test_a_stage_the_ats_reports_by_webhook_shows_on_the_page(make_app):
    secret = "whsec-test"
    app = make_app(WEBHOOK_SECRETS={"nexivohr": secret})
    application_id = submit_application(app, kind="nexivohr", ref="j-1")
    update(
        app,
        application_id,
        delivery={"status": "delivered", "checkpoints": {"submit_to_job": {"submission_ref": "s-42"}}},
    )
    client = app.test_client()
    path = path_for(app, application_id)
    assert "Stage" not in text_of(client.get(path).text)
    body = {
        "id": "evt_1",
        "event": "submission.stage_changed",
        "created_at": "2026-11-22T10:00:00Z",
        "data": {"id": "s-42", "job_id": "j-1", "candidate_id": "c-9", "stage": "interview"},
    }
    raw = json.dumps(body).encode()
    signature = hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    headers = {"X-NexivoHR-Signature": signature, "Content-Type": "application/json"}
    assert client.post("/webhooks/nexivohr", data=raw, headers=headers).status_code == 200
    text = text_of(client.get(path).text)
    assert "Stage Interview (since November 22, 2026" in text


def test_a_forged_mistyped_or_foreign_link_is_a_friendly_404(app, client):
    path = path_for(app, submit_application(app, kind="local", ref="1"))
    token = path.rsplit("/", 1)[1]
    with app.app_context():
        public_id = db.session.scalar(select(Application.public_id))
    forged = [
        path[:-2] + ("xx" if not path.endswith("xx") else "yy"),  # the signature no longer fits
        "/status/" + status_token("another site's key", 1, public_id),
        "/status/" + status_token(app.config["SECRET_KEY"], 1, "someone-else"),
        "/status/" + status_token(app.config["SECRET_KEY"], 999, public_id),
        "/status/not-a-token",
        "/status/" + token * 5,
    ]
    for link in forged:
        for suffix in ("", "/receipt.pdf", "/data"):
            response = client.get(link + suffix)
            assert response.status_code == 404, link + suffix
            assert "We could not find that application" in response.text
            assert "Send me my links again" in response.text
    assert client.get(path).status_code == 200


def test_the_link_of_a_deleted_application_is_a_friendly_404(app, client):
    application_id = submit_application(app, kind="local", ref="1")
    path = path_for(app, application_id)
    assert client.get(path).status_code == 200
    with app.app_context():
        wipe_application(db.session(), storage_for(app), db.session.get(Application, application_id))
    for suffix in ("", "/receipt.pdf", "/data"):
        response = client.get(path + suffix)
        assert response.status_code == 404 and "We could not find that application" in response.text


def test_every_status_answer_keeps_the_link_out_of_referers_caches_and_search_engines(app, client):
    path = path_for(app, submit_application(app, kind="local", ref="1"))
    for url in (path, "/de" + path, path + "/receipt.pdf", path + "/data", "/status/forged", "/status"):
        response = client.get(url)
        for name, value in PRIVATE.items():
            assert response.headers[name] == value, (url, name)
    assert 'name="robots" content="noindex"' in client.get(path).text


def test_the_page_reads_in_german_under_the_german_prefix(app, client):
    path = apply(app)
    page = client.get("/de" + path)
    assert page.status_code == 200 and page.headers["Content-Language"] == "de"
    text = text_of(page.text)
    for german in ("Vorname Grace", "Lebenslauf resume.pdf", "Can you work in the EU? Ja", "Eingegangen"):
        assert german in text
    assert "What you sent" not in text and "Where it is" not in text and "Download your data" not in text
    assert f'href="/de{path}/data"' in page.text and f'href="/de{path}/receipt.pdf"' in page.text


@pytest.mark.parametrize(
    "language, words",
    [
        ("de", ["Was Sie gesendet haben", "Ihre Daten herunterladen", "Löschung Ihrer Daten"]),
        ("fr", ["Ce que vous avez envoyé", "Télécharger vos données", "effacer vos données"]),
        ("es", ["Lo que envió", "Descargar sus datos", "borremos sus datos"]),
    ],
)
def test_the_page_is_translated(app, client, language, words):
    page = client.get(f"/{language}" + path_for(app, submit_application(app, kind="local", ref="1")))
    text = text_of(page.text)
    for word in words:
        assert word in text, word


def test_the_rights_links_lead_to_the_data_download_and_the_erasure_request(app, client):
    path = path_for(app, submit_application(app, kind="local", ref="1"))
    page = client.get(path).text
    assert re.search(rf'<a href="{re.escape(path)}/data"[^>]*>Download your data</a>', page)
    assert f'<a href="{path}/erase">Ask us to erase your data</a>' in page
    assert client.get(f"{path}/erase").status_code == 200
    german = client.get("/de" + path).text
    assert f'href="/de{path}/erase"' in german  # in the language the candidate reads
    assert 'lang="de"' in client.get(f"/de{path}/erase").text


def test_the_receipt_pdf_lists_what_was_sent_and_when(app, client):
    path = apply(app)
    response = client.get(path + "/receipt.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == 'attachment; filename="application-receipt.pdf"'
    text = " ".join(pdf_text(io.BytesIO(response.data)).split())
    with app.app_context():
        application = db.session.scalar(select(Application))
        received, public_id = application.created_at, application.public_id
    for shown in (
        "Receipt of your application",
        "Position: Compiler Engineer",
        f"Received: {received:%B} {received.day}, {received.year}",
        f"Reference: {public_id}",
        "First name: Grace",
        "Email: grace@example.com",
        "Resume: resume.pdf",
        "Years of Rust?: 4",
        "Work sample: sample.docx",
    ):
        assert shown in text, shown


def test_the_receipt_of_a_name_in_other_scripts_is_drawn(app, client):
    application_id = submit_application(
        app, kind="local", ref="1", first_name="Пётр", last_name="Ильич 李雷", location="Αθήνα"
    )
    response = client.get(path_for(app, application_id) + "/receipt.pdf")
    assert response.status_code == 200
    text = pdf_text(io.BytesIO(response.data))
    assert "Пётр" in text and "Αθήνα" in text


def test_the_data_download_holds_every_field_and_the_files_sent(make_app):
    app = make_app()
    client = app.test_client()
    path = apply(app)
    with app.app_context():
        application_id = db.session.scalar(select(Application.id))
    update(
        app,
        application_id,
        parsed={"ok": True, "fields": {"headline": "Compiler pioneer"}},
        attribution={"utm_source": "newsletter"},
        stage_label="Interview",
        stage_changed_at=datetime(2026, 11, 22, 10, 0),
        delivery={"status": "delivered", "delivered_at": datetime(2026, 11, 5, 9, 30)},
    )
    response = client.get(path + "/data")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"] == 'attachment; filename="application-data.zip"'
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert archive.namelist() == ["data.json", "files/resume/resume.pdf", "files/answers/3-sample.docx"]
    data = json.loads(archive.read("data.json"))
    assert data["fields"] == {
        "first_name": "Grace",
        "last_name": "Hopper",
        "email": "grace@example.com",
        "phone": "+12125550142",
        "url": "https://www.linkedin.com/in/grace",
        "location": "New York",
        "cover_letter": "I like compilers.",
    }
    assert data["job"]["title"] == "Compiler Engineer"
    assert [a["question"] for a in data["answers"]] == [q["label"] for q in QUESTIONS]
    assert data["answers"][0]["value"] == "4" and data["answers"][1]["value"] is True
    assert data["answers"][2]["value"]["file"] == "files/answers/3-sample.docx"
    assert "file_key" not in json.dumps(data)
    (consent,) = data["consents"]
    assert consent["purpose"] == "processing" and consent["text"].startswith("I agree") and consent["version"]
    assert consent["given_at"].endswith("Z") and consent["kept_until"] > consent["given_at"]
    assert data["attribution"] == {"utm_source": "newsletter"}
    assert data["parsed_resume"]["fields"]["headline"] == "Compiler pioneer"
    assert (
        data["delivery"]["status"] == "delivered"
        and data["delivery"]["delivered_at"] == "2026-11-05T09:30:00Z"
    )
    assert data["stage"] == {"label": "Interview", "changed_at": "2026-11-22T10:00:00Z"}
    assert data["resume"]["file"] == "files/resume/resume.pdf"
    assert archive.read("files/resume/resume.pdf") == resume_file()[0].read()
    assert archive.read("files/answers/3-sample.docx") == resume_file("resume.docx")[0].read()


def test_a_file_name_cannot_leave_its_folder_in_the_data_download(app, client):
    application_id = submit_application(app, kind="local", ref="1")
    update(app, application_id, resume_filename="../../etc/passwd\x00.pdf")
    archive = zipfile.ZipFile(io.BytesIO(client.get(path_for(app, application_id) + "/data").data))
    assert archive.namelist() == ["data.json", "files/resume/passwd_.pdf"]


def test_the_thank_you_pages_link_to_the_status_page(make_app):
    app = make_app(EMBED_ALLOWED_ORIGINS=[HOST])
    client = app.test_client()
    job_id = add_job(app)
    hidden, _ = open_embed(client, job_id)
    thanks = client.get(post_embed(client, job_id, hidden).location)
    path = status_link_in(thanks.text)
    assert 'target="_blank"' in thanks.text
    assert "Grace" in client.get(path).text
    sent = post_application(client, job_id, open_form(client, job_id), valid_answers(email="b@example.com"))
    german = client.get("/de" + sent.location)
    assert status_link_in(german.text).startswith("/de/status/")
