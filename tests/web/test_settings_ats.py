"""The ATS connection saved in the browser: credentials sealed at rest, refused without a key,
a connection test against a served sandbox, and the next delivery using what was saved."""

from __future__ import annotations

import base64

import pytest
from sqlalchemy import select, text

from app import create_app
from app.ats.sandbox.skailer import create_app as skailer_sandbox
from app.ats.sandbox.skailer import sandbox_of
from app.extensions import db
from app.intake.tasks import run_delivery
from app.models import Setting, SettingChange
from tests.conftest import app_config, login
from tests.support.applications import submit_application
from tests.support.servers import serving
from tests.web.settings_support import SETTINGS_KEY, post_form, signed_in

TOKEN = "sk-live-0123456789"


@pytest.fixture
def skailer():
    """The Skailer sandbox served on 127.0.0.1, taking only TOKEN."""
    app = skailer_sandbox({"token": TOKEN})
    with serving(app) as url:
        yield url, sandbox_of(app)


def connection(url: str, token: str = TOKEN, **fields) -> dict:
    return {
        "kind": "skailer",
        "base_url": url,
        "options": "stage = New\nsource = Careers site",
        "token": token,
    } | fields


def test_credentials_are_stored_sealed_and_never_shown_back(make_app, skailer):
    app = make_app(SETTINGS_KEY=SETTINGS_KEY)
    admin = signed_in(app)
    saved = post_form(admin, "/admin/settings/ats", connection(skailer[0]))
    assert saved.status_code == 302
    with app.app_context():
        raw = db.session.execute(text("SELECT key, value FROM setting")).all()
        assert TOKEN not in repr(raw)  # no column holds the secret itself
        sealed = db.session.get(Setting, "ATS.skailer.token")
        assert sealed.secret and sealed.value.startswith("gAAAA")  # a Fernet token
        changes = db.session.scalars(select(SettingChange.keys)).all()
        assert changes == ["ATS, ATS.skailer.token"] and TOKEN not in repr(changes)
    page = admin.get("/admin/settings/ats").text
    assert TOKEN not in page
    assert "Set. Type a new one only to replace it." in page
    assert f'value="{skailer[0]}"' in page and "stage = New" in page


def test_secrets_are_refused_without_the_settings_key_and_nothing_is_saved(app, skailer):
    admin = signed_in(app)
    refused = post_form(admin, "/admin/settings/ats", connection(skailer[0]))
    assert refused.status_code == 400
    assert "Secrets cannot be stored: CAREERS_SETTINGS_KEY is not set" in refused.text
    assert f'value="{skailer[0]}"' in refused.text  # what was typed is kept, but the secret
    assert TOKEN not in refused.text
    with app.app_context():
        assert db.session.scalars(select(Setting)).all() == []


def test_options_that_name_a_secret_or_do_not_make_a_connection_are_refused_keeping_what_was_typed(
    make_app, skailer
):
    admin = signed_in(make_app(SETTINGS_KEY=SETTINGS_KEY))
    secret_in_options = post_form(admin, "/admin/settings/ats", connection(skailer[0], options="token = abc"))
    assert secret_in_options.status_code == 400
    assert "token is a secret; enter it in its own field below." in secret_in_options.text
    assert "token = abc</textarea>" in secret_in_options.text
    bad_policy = post_form(
        admin, "/admin/settings/ats", connection(skailer[0], options="comment = sometimes")
    )
    assert bad_policy.status_code == 400
    assert "These settings do not make a skailer connection: ATS comment must be one of" in bad_policy.text


def test_test_connection_shows_the_jobs_stages_and_sources_the_ats_holds(make_app, skailer):
    admin = signed_in(make_app(SETTINGS_KEY=SETTINGS_KEY))
    post_form(admin, "/admin/settings/ats", connection(skailer[0]))
    report = post_form(admin, "/admin/settings/ats/test", {}, page="/admin/settings/ats")
    assert report.status_code == 200
    assert (
        "The connection works. Found 3 jobs: Data Engineer, Backend Engineer, Office Manager." in report.text
    )
    assert "Stages of “Data Engineer”: New, Screening, Interview." in report.text
    assert "Sources: Careers site, LinkedIn, Referral." in report.text


def test_test_connection_with_a_refused_token_says_so(make_app, skailer):
    admin = signed_in(make_app(SETTINGS_KEY=SETTINGS_KEY))
    post_form(admin, "/admin/settings/ats", connection(skailer[0], token="sk-revoked"))
    report = post_form(admin, "/admin/settings/ats/test", {}, page="/admin/settings/ats")
    assert report.status_code == 200
    assert "The ATS refused the credentials (HTTP 401)" in report.text
    assert "sk-revoked" not in report.text


def test_the_next_delivery_uses_a_saved_connection_without_a_restart(make_app, skailer):
    url, sandbox = skailer
    app = make_app(SETTINGS_KEY=SETTINGS_KEY, ATS={"kind": "skailer", "base_url": url, "token": "sk-revoked"})
    adapters = app.extensions["careers.adapters"]
    with app.app_context():
        adapters.get("skailer")  # built from config, with the revoked token, and kept
    admin = signed_in(app)
    assert "Set. Type a new one only to replace it." in admin.get("/admin/settings/ats").text  # config's
    assert post_form(admin, "/admin/settings/ats", connection(url)).status_code == 302
    application_id = submit_application(app)
    with app.app_context():
        assert run_delivery(app, adapters, application_id) == "delivered"
    assert sandbox.count_applications("ada@example.com", "311") == 1


def test_a_secret_sealed_with_another_key_asks_for_the_secret_again(make_app, skailer, tmp_path):
    first = make_app(SETTINGS_KEY=SETTINGS_KEY)
    post_form(signed_in(first), "/admin/settings/ats", connection(skailer[0]))
    other_key = base64.urlsafe_b64encode(b"another-key-for-tests-32-bytes!!").decode()
    rekeyed = create_app(app_config(tmp_path, SETTINGS_KEY=other_key))  # the same database
    try:
        admin = rekeyed.test_client()
        assert login(admin, "admin@example.com").status_code == 302
        report = post_form(admin, "/admin/settings/ats/test", {}, page="/admin/settings/ats")
        assert "A stored secret does not open with CAREERS_SETTINGS_KEY" in report.text
        assert "Enter the secret again in Settings." in report.text
    finally:
        with rekeyed.app_context():
            db.engine.dispose()
