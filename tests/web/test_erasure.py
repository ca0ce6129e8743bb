"""Erasure from the candidate's side: the confirmation page behind their status link (in each
language), the request itself (CSRF, forged links), the wipe here, and the receipt through a
real SMTP server. The helpers are shared by the other tests/web/test_erasure_*.py files."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.ats.local import LocalAdapter
from app.erasure.flow import AlreadyErased, Requester, start_erasure
from app.erasure.letters import Letters
from app.erasure.run import erase_one
from app.extensions import db
from app.intake import delivery as delivery_service
from app.intake import outbox
from app.intake.post import EXTENSION as POST_EXTENSION
from app.intake.status_links import status_token
from app.intake.tasks import sweep_once
from app.mail.settings import mail_settings
from app.mail.transport import SmtpTransport
from app.models import Answer, Application, Delivery, Erasure, OutboxMessage
from app.storage import storage_for
from tests.clock import FakeClock
from tests.conftest import csrf_token_from
from tests.support.applications import submit_application
from tests.support.smtp import smtp_server

HR = "hiring@corp.test"
EMAIL = "ada@example.com"


@pytest.fixture
def smtp():
    with smtp_server() as server:
        yield server


@pytest.fixture
def erasure_app(make_app, smtp):
    return make_app(MAIL_HR_RECIPIENTS=[HR], MAIL_SENDER="jobs@corp.test", **smtp.settings())


def stored(app, kind: str = "local", ref: str = "1", **fields) -> int:
    return submit_application(app, kind=kind, ref=ref, **fields)


def link(app, application_id: int, prefix: str = "") -> str:
    with app.app_context():
        public_id = db.session.get(Application, application_id).public_id
    return f"{prefix}/status/{status_token(app.config['SECRET_KEY'], application_id, public_id)}/erase"


def no_parse(_session, _data, _sha256) -> dict:
    """The resume parser's part of a delivery, skipped: erasure does not read its result."""
    return {}


def deliver(app, application_id: int, adapter, **kwargs) -> str:
    with app.app_context():
        return delivery_service.deliver(
            db.session(), application_id, adapter=adapter, storage=storage_for(app), parse=no_parse, **kwargs
        ).status


def request_erasure(app, application_id: int, prefix: str = ""):
    client = app.test_client()
    url = link(app, application_id, prefix)
    page = client.get(url)
    assert page.status_code == 200
    return client.post(url, data={"csrf_token": csrf_token_from(page.text)})


def erasure(app) -> Erasure:
    with app.app_context():
        row = db.session.scalars(select(Erasure).order_by(Erasure.id.desc())).first()
        db.session.expunge_all()
        return row


def run_erasure(app, adapter, clock: FakeClock | None = None, **kwargs) -> str:
    clock = clock or FakeClock(start=4_000_000_000)  # after any lease the real clock set
    with app.app_context():
        return erase_one(
            db.session(),
            erasure(app).id,
            adapter=adapter,
            letters=Letters(app.extensions[POST_EXTENSION]),
            now=clock.datetime,
            jitter=lambda: 0.0,
            **kwargs,
        ).status


def mail(app, kind: str) -> list[OutboxMessage]:
    with app.app_context():
        rows = list(db.session.scalars(select(OutboxMessage).filter_by(kind=kind).order_by(OutboxMessage.id)))
        db.session.expunge_all()
        return rows


def send_all(app, kind: str) -> None:
    with app.app_context():
        settings = mail_settings(app.config)
        for row in mail(app, kind):
            sent = outbox.send_one(db.session(), row.id, transport=SmtpTransport(settings), settings=settings)
            assert sent.status == "sent"


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def uploads(app) -> list[Path]:
    return [p for p in Path(app.config["UPLOAD_DIR"]).rglob("*") if p.is_file()]


def test_the_confirmation_page_says_what_goes_here_and_in_the_ats(erasure_app):
    application_id = stored(erasure_app, kind="greenhouse", ref="4101")
    with erasure_app.app_context():
        delivery = db.session.scalar(select(Delivery))
        delivery.checkpoints = {"create_candidate": {"candidate_ref": "7000"}}
        db.session.commit()
    page = erasure_app.test_client().get(link(erasure_app, application_id))
    assert page.status_code == 200
    assert "Erase my data" in page.text and EMAIL in page.text
    assert "reached Greenhouse" in page.text
    assert '<meta name="robots" content="noindex">' in page.text
    assert count(erasure_app, Application) == 1  # looking erases nothing


def test_an_application_not_yet_sent_anywhere_is_said_to_need_nothing_more(erasure_app):
    page = erasure_app.test_client().get(link(erasure_app, stored(erasure_app)))
    assert "nothing more to erase" in page.text


@pytest.mark.parametrize(
    ("prefix", "words"),
    [("/de", "Meine Daten löschen"), ("/fr", "Effacer mes données"), ("/es", "Borrar mis datos")],
)
def test_the_erase_page_speaks_the_language_of_its_prefix(erasure_app, prefix, words):
    page = erasure_app.test_client().get(link(erasure_app, stored(erasure_app), prefix))
    assert page.status_code == 200
    assert words in page.text


def test_a_forged_or_altered_link_gets_404_and_erases_nothing(erasure_app):
    application_id = stored(erasure_app)
    genuine = link(erasure_app, application_id)
    client = erasure_app.test_client()
    with erasure_app.app_context():
        public_id = db.session.get(Application, application_id).public_id
    other_key = status_token("another-secret", application_id, public_id)
    wrong_public_id = status_token(erasure_app.config["SECRET_KEY"], application_id, "not-its-public-id")
    for url in (
        "/status/forged/erase",
        genuine[:-10] + "x" + genuine[-9:],
        f"/status/{other_key}/erase",
        f"/status/{wrong_public_id}/erase",
    ):
        assert client.get(url).status_code == 404, url
    token = csrf_token_from(client.get(genuine).text)
    assert client.post(f"/status/{other_key}/erase", data={"csrf_token": token}).status_code == 404
    assert count(erasure_app, Application) == 1 and count(erasure_app, Erasure) == 0


def test_erasing_without_the_csrf_token_is_refused(erasure_app):
    application_id = stored(erasure_app)
    client = erasure_app.test_client()
    url = link(erasure_app, application_id)
    client.get(url)
    assert client.post(url, data={}).status_code == 400
    assert client.post(url, data={"csrf_token": "made-up"}).status_code == 400
    assert count(erasure_app, Application) == 1 and count(erasure_app, Erasure) == 0


def test_an_application_never_delivered_is_erased_at_once_with_its_receipt(erasure_app, smtp):
    application_id = stored(erasure_app, question=None)
    assert uploads(erasure_app)
    response = request_erasure(erasure_app, application_id, "/fr")
    assert response.status_code == 302 and response.headers["Location"].endswith("/fr/status/erased")
    assert "effacées" in erasure_app.test_client().get(response.headers["Location"]).text
    for model in (Application, Answer, Delivery):
        assert count(erasure_app, model) == 0
    assert uploads(erasure_app) == []
    row = erasure(erasure_app)
    assert (row.status, row.target, row.refs, row.requested_by) == ("erased", "", {}, "candidate")
    assert row.receipt_to == ""  # the address goes once the receipt is queued
    (receipt,) = mail(erasure_app, "erasure_receipt")
    assert receipt.application_id is None and receipt.to_address == EMAIL
    send_all(erasure_app, "erasure_receipt")
    (received,) = smtp.recorder.to(EMAIL)
    assert "Data Engineer" in received.message["Subject"]
    assert "aucun autre système" in received.body("plain")  # in French, as it was asked
    assert "Lovelace" not in received.data.decode()


def test_the_link_stops_working_once_the_application_is_erased(erasure_app):
    application_id = stored(erasure_app)
    url = link(erasure_app, application_id)
    request_erasure(erasure_app, application_id)
    assert erasure_app.test_client().get(url).status_code == 404


def test_an_application_delivered_to_the_local_inbox_is_erased_end_to_end(erasure_app, smtp):
    application_id = stored(erasure_app)
    assert deliver(erasure_app, application_id, LocalAdapter()) == "delivered"
    request_erasure(erasure_app, application_id)
    row = erasure(erasure_app)
    assert (row.status, row.target, row.refs) == ("pending", "local", {"inbox_ref": str(application_id)})
    assert row.receipt_to == EMAIL and mail(erasure_app, "erasure_receipt") == []
    assert run_erasure(erasure_app, LocalAdapter()) == "erased"
    assert erasure(erasure_app).receipt_to == ""
    send_all(erasure_app, "erasure_receipt")
    (received,) = smtp.recorder.to(EMAIL)
    assert "nothing more needed erasing" in received.body("plain")
    assert "nothing more needed erasing" in received.body("html")


def test_the_erasure_row_keeps_nothing_personal_once_the_receipt_is_queued(erasure_app):
    application_id = stored(erasure_app, phone="+44 20 7946 0958", location="London")
    deliver(erasure_app, application_id, LocalAdapter())
    request_erasure(erasure_app, application_id)
    run_erasure(erasure_app, LocalAdapter())
    with erasure_app.app_context():
        (values,) = db.session.execute(select(Erasure.__table__)).all()
    kept = " ".join(str(v) for v in values)
    for personal in ("Ada", "Lovelace", EMAIL, "7946", "London", "ada.pdf"):
        assert personal not in kept


def test_a_second_request_for_an_erased_application_changes_nothing(erasure_app):
    """Two tabs, or a second click: the first request wiped it, the second finds it gone."""
    application_id = stored(erasure_app)
    with erasure_app.app_context():
        seen = db.session.get(Application, application_id)  # as the second request loaded it
        seen.delivery  # noqa: B018 - loaded before the first request wipes it
        request_erasure(erasure_app, application_id)
        with pytest.raises(AlreadyErased):
            start_erasure(
                db.session(),
                storage_for(erasure_app),
                seen,
                Requester("candidate"),
                letters=Letters(erasure_app.extensions[POST_EXTENSION]),
                now=FakeClock().datetime(),
            )
    assert count(erasure_app, Erasure) == 1 and len(mail(erasure_app, "erasure_receipt")) == 1


def test_the_erase_task_of_a_finished_erasure_does_nothing(erasure_app):
    """A wake-up that comes late, for an erasure that needed no ATS (and names none)."""
    request_erasure(erasure_app, stored(erasure_app))
    row = erasure(erasure_app)
    assert (row.status, row.target) == ("erased", "")
    assert erasure_app.extensions["careers.tasks"].erase.call_local(row.id) == "skipped"


def test_the_workers_erase_task_finishes_an_erasure_and_the_sweep_finds_a_lost_wake_up(erasure_app):
    application_id = stored(erasure_app)
    deliver(erasure_app, application_id, LocalAdapter())
    tasks = erasure_app.extensions["careers.tasks"]
    tasks.huey.flush()
    request_erasure(erasure_app, application_id)
    assert tasks.huey.pending_count() == 1  # the request woke the worker
    tasks.huey.flush()  # and the wake-up was lost
    with erasure_app.app_context():
        sweep_once(erasure_app)
    assert [t.name for t in tasks.huey.pending()].count("erase") == 1
    assert tasks.erase.call_local(erasure(erasure_app).id) == "erased"
    assert len(mail(erasure_app, "erasure_receipt")) == 1


def test_the_erase_page_keeps_its_link_out_of_referers_caches_and_search_engines(erasure_app):
    page = erasure_app.test_client().get(link(erasure_app, stored(erasure_app)))
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert page.headers["Cache-Control"] == "private, no-store"
    assert page.headers["X-Robots-Tag"] == "noindex"
