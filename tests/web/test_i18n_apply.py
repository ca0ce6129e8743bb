"""The apply form's answers in German as in English: the closed-job page, the warning before a
second application, the form kept over the apply limit and over the file size limit."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.extensions import db
from app.models import OutboxMessage
from tests.conftest import add_job
from tests.web.helpers import hidden_fields, resume_file, valid_answers
from tests.web.test_apply_closed import close
from tests.web.test_apply_too_large import MB, pdf_of
from tests.web.test_i18n_listing import translatable, words

# What the candidate typed comes back as they typed it, in every language.
TYPED = (
    "Grace", "Hopper", "grace@example.com", "+1 212 555 0142", "https://www.linkedin.com/in/grace",
    "New York", "I like compilers.", "resume.pdf", "scan.pdf", "Backend Engineer", "Engineering",
    "Berlin, Germany", "Berlin", "Frontend Engineer",
)  # fmt: skip


def send(client, language: str, job_id: int, answers: dict | None = None, files: dict | None = None):
    form = client.get(f"/{language}/jobs/{job_id}/apply")
    assert form.status_code == 200
    data = {**hidden_fields(form.text), **(answers or valid_answers())}
    data.update(files if files is not None else {"resume": resume_file()})
    return client.post(f"/{language}/jobs/{job_id}/apply", data=data, content_type="multipart/form-data")


def closed_job_page(make_app, language: str):
    app = make_app()
    job_id = add_job(app)
    add_job(app, title="Frontend Engineer")
    client = app.test_client()
    form = client.get(f"/{language}/jobs/{job_id}/apply")
    close(app, job_id)
    data = {**hidden_fields(form.text), **valid_answers(), "resume": resume_file()}
    return client.post(f"/{language}/jobs/{job_id}/apply", data=data, content_type="multipart/form-data")


def second_application_warning(make_app, language: str):
    app = make_app()
    client = app.test_client()
    job_id = add_job(app)
    assert send(client, language, job_id).status_code == 302
    return send(client, language, job_id)


def over_the_apply_limit(make_app, language: str):
    app = make_app(APPLY_RATE_LIMIT="1 per hour")
    client = app.test_client()
    assert send(client, language, add_job(app)).status_code == 302
    return send(client, language, add_job(app))


def file_too_large(make_app, language: str):
    app = make_app(MAX_UPLOAD_MB=1)
    return send(app.test_client(), language, add_job(app), files={"resume": pdf_of(4 * MB)})


def german_left_in_english(make_app, page) -> set[str]:
    english, german = page(make_app, "en"), page(make_app, "de")
    assert english.status_code == german.status_code
    shared = words(english.text) & words(german.text)
    return {text for text in shared if translatable(strip(text))}


def strip(text: str) -> str:
    for name in sorted(TYPED, key=len, reverse=True):
        text = text.replace(name, "")
    return text


def test_no_english_is_left_on_the_german_closed_job_page(make_app):
    assert closed_job_page(make_app, "de").status_code == 410
    assert german_left_in_english(make_app, closed_job_page) == set()


def test_no_english_is_left_on_the_german_warning_before_a_second_application(make_app):
    warning = second_application_warning(make_app, "de")
    assert warning.status_code == 409
    assert "Als Aktualisierung senden" in warning.text
    assert german_left_in_english(make_app, second_application_warning) == set()


def test_no_english_is_left_on_the_german_form_kept_over_the_apply_limit(make_app):
    limited = over_the_apply_limit(make_app, "de")
    assert limited.status_code == 429
    assert re.search(
        r"Bitte versuchen Sie es in \d+ (Stunde|Minuten)[ \w]* erneut: Ihre Antworten", limited.text
    )
    assert german_left_in_english(make_app, over_the_apply_limit) == set()


def test_no_english_is_left_on_the_german_form_kept_over_the_file_size_limit(make_app):
    too_large = file_too_large(make_app, "de")
    assert too_large.status_code == 413
    assert "Diese Datei ist größer als 1 MB" in too_large.text
    assert german_left_in_english(make_app, file_too_large) == set()


def test_the_wait_over_the_apply_limit_is_said_in_each_language(make_app):
    assert re.search(
        r"Veuillez réessayer dans \d+ (heure|minutes)", over_the_apply_limit(make_app, "fr").text
    )
    assert re.search(
        r"Vuelva a intentarlo dentro de \d+ (hora|minutos)", over_the_apply_limit(make_app, "es").text
    )


def test_the_confirmation_is_written_in_the_language_the_candidate_applied_in_and_hr_reads_english(make_app):
    app = make_app(MAIL_HR_RECIPIENTS=["hiring@corp.test"], MAIL_SENDER="jobs@corp.test")
    job_id = add_job(app)
    assert send(app.test_client(), "de", job_id).status_code == 302
    with app.app_context():
        letters = {row.kind: row for row in db.session.scalars(select(OutboxMessage))}
    confirmation = letters["confirmation"]
    assert confirmation.subject == "Wir haben Ihre Bewerbung erhalten: Backend Engineer"
    assert "Guten Tag Grace," in confirmation.text_body
    assert "Das haben Sie gesendet" in confirmation.html_body
    assert "Lebenslauf: resume.pdf" in confirmation.text_body
    assert letters["new_application"].subject == "New application for Backend Engineer: Grace Hopper"
