"""Settings pages: only admins, each validation error keeps what was typed, every change recorded."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from sqlalchemy import select

from app.extensions import db
from app.intake.apply import Intake
from app.intake.post import EXTENSION as POST_EXTENSION
from app.models import AuditEvent, OutboxMessage, SettingChange
from tests.conftest import add_job
from tests.web.settings_support import PAGES, branding, post_form, signed_in


def png(width: int = 2, height: int = 1) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height)))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


@pytest.fixture
def admin(app):
    return signed_in(app)


def test_each_settings_page_opens_for_an_admin(admin):
    for url in PAGES:
        page = admin.get(url)
        assert page.status_code == 200, url
        assert "<h1>Settings</h1>" in page.text
    assert admin.get("/admin/settings").headers["Location"].endswith("/admin/settings/branding")


@pytest.mark.parametrize("role", ["recruiter", "viewer"])
def test_a_recruiter_and_a_viewer_are_refused_every_settings_page_and_save(app, role):
    client = signed_in(app, role)
    assert client.get("/admin/applications").status_code == 200  # signed in, only not an admin
    token_page = client.get("/admin/applications").text
    for url in (*PAGES, "/admin/settings"):
        assert client.get(url).status_code == 403, url
    posts = (
        *PAGES[:3],
        "/admin/settings/notifications",
        "/admin/settings/ats/test",
        "/admin/settings/consent/processing",
    )
    for url in posts:
        assert (
            post_form(client, url, {"company_name": "Evil"}, page="/admin/applications").status_code == 403
        ), url
    assert "/admin/settings" not in token_page  # no link to a page they cannot open
    with app.app_context():
        assert db.session.scalars(select(SettingChange)).all() == []


def test_signed_out_visitors_are_sent_to_sign_in(client):
    for url in PAGES:
        assert "/admin/login" in client.get(url).headers["Location"]


def test_saved_branding_shows_on_the_careers_pages(app, admin):
    add_job(app)
    data = branding(
        company_name="Acme Robotics",
        home_intro="We build robots.\n\nJoin us.",
        accent="#0a7d5a",
        logo=(io.BytesIO(png()), "logo.png"),
    )
    saved = post_form(admin, "/admin/settings/branding", data)
    assert saved.status_code == 302
    home = app.test_client().get("/jobs").text
    assert "Acme Robotics careers" in home and "Example Corp" not in home
    assert '<p class="intro">We build robots.</p>' in home and '<p class="intro">Join us.</p>' in home
    assert "theme.css?accent=%230a7d5a" in home
    logo_url = home.split('class="brand-logo" src="')[1].split('"')[0]
    logo = app.test_client().get(logo_url)
    assert logo.status_code == 200 and logo.mimetype == "image/png" and logo.data == png()
    assert app.test_client().get("/embed/logo/0000000000000000").status_code == 404


def test_a_logo_that_is_not_a_png_or_jpeg_is_refused_and_the_form_keeps_what_was_typed(app, admin):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    data = branding(company_name="Typed Name Ltd", logo=(io.BytesIO(svg), "logo.png"))
    refused = post_form(admin, "/admin/settings/branding", data)
    assert refused.status_code == 400
    assert "must be a PNG or JPEG image" in refused.text
    assert 'value="Typed Name Ltd"' in refused.text
    assert "Typed Name Ltd" not in app.test_client().get("/jobs").text


def test_text_without_enough_contrast_is_refused_keeping_what_was_typed(app, admin):
    refused = post_form(admin, "/admin/settings/branding", branding(text="#999999", company_name="Grey Co"))
    assert refused.status_code == 400
    assert "Text on the background reads 2.8:1; it needs at least 4.5:1" in refused.text
    assert 'value="#999999"' in refused.text and 'value="Grey Co"' in refused.text
    same = post_form(admin, "/admin/settings/branding", branding(accent="#ffcc00", accent_text="#ffffff"))
    assert same.status_code == 400 and "Button text on the accent reads" in same.text


def test_an_accent_too_light_for_links_is_saved_with_a_warning_naming_the_darker_link(app, admin):
    saved = post_form(admin, "/admin/settings/branding", branding(accent="#ffcc00"))
    assert saved.status_code == 302
    page = admin.get(saved.headers["Location"]).text
    assert "The accent reads 1.5:1 on the background, too little for links: links will use #" in page


def test_an_unsafe_embed_origin_is_refused_keeping_what_was_typed(admin):
    typed = "https://good.example\nhttp://plain.example"
    refused = post_form(admin, "/admin/settings/embed", {"origins": typed})
    assert refused.status_code == 400
    assert "uses plain http: only https is allowed" in refused.text
    assert "https://good.example\nhttp://plain.example</textarea>" in refused.text
    wildcard = post_form(admin, "/admin/settings/embed", {"origins": "https://*.example"})
    assert wildcard.status_code == 400 and "no wildcards" in wildcard.text


def test_saved_embed_origins_may_frame_the_embed_at_once(app, admin):
    job_id = add_job(app)
    before = app.test_client().get(f"/embed/jobs/{job_id}/apply?origin=https://corp.example")
    assert "frame-ancestors https://corp.example" not in before.headers["Content-Security-Policy"]
    saved = post_form(admin, "/admin/settings/embed", {"origins": "https://corp.example"})
    assert saved.status_code == 302
    after = app.test_client().get(f"/embed/jobs/{job_id}/apply?origin=https://corp.example")
    assert after.status_code == 200
    assert after.headers["Content-Security-Policy"].endswith("frame-ancestors https://corp.example")
    assert 'data-embed-origin="https://corp.example"' in after.text
    assert "<code>https://corp.example</code>" in admin.get("/admin/embed").text


def test_a_saved_consent_is_what_candidates_read_and_its_version_is_stored(app, admin):
    job_id = add_job(app)
    data = {"processing-text": "I agree to Acme keeping my data.", "processing-version": "2026-12"}
    saved = post_form(
        admin,
        "/admin/settings/consent/processing",
        data,
        page="/admin/settings/consent",
        token_name="processing-csrf_token",
    )
    assert saved.status_code == 302
    assert "I agree to Acme keeping my data." in app.test_client().get(f"/jobs/{job_id}/apply").text
    with app.test_request_context():
        intake = Intake.for_app(app, db.session)
        processing = intake.consents["processing"]
        assert (processing.text, processing.version) == (
            "I agree to Acme keeping my data.",
            "2026-12",
        )


def test_a_consent_without_a_version_is_refused_keeping_the_text(admin):
    data = {"processing-text": "My new consent text", "processing-version": ""}
    refused = post_form(
        admin,
        "/admin/settings/consent/processing",
        data,
        page="/admin/settings/consent",
        token_name="processing-csrf_token",
    )
    assert refused.status_code == 400
    assert "My new consent text</textarea>" in refused.text
    assert "This field is required." in refused.text
    assert (
        post_form(admin, "/admin/settings/consent/unknown", {}, page="/admin/settings/embed").status_code
        == 404
    )


def test_saved_recipients_receive_the_alerts(app, admin):
    saved = post_form(
        admin, "/admin/settings/notifications", {"recipients": "Ops@Acme.example\nhr@acme.example"}
    )
    assert saved.status_code == 302
    with app.app_context():
        post = app.extensions[POST_EXTENSION]
        post.queue_alert(db.session, target="skailer", kind="paused", application_id=1, error="401")
        db.session.commit()
        sent_to = db.session.scalars(
            select(OutboxMessage.to_address).where(OutboxMessage.kind == "alert")
        ).all()
    assert sorted(sent_to) == ["hr@acme.example", "ops@acme.example"]


def test_a_recipient_that_is_not_an_address_is_refused_keeping_what_was_typed(admin):
    refused = post_form(
        admin, "/admin/settings/notifications", {"recipients": "hr@acme.example\nnot-an-address"}
    )
    assert refused.status_code == 400
    assert "not-an-address is not an email address." in refused.text
    assert "hr@acme.example\nnot-an-address</textarea>" in refused.text


def test_every_change_is_recorded_with_who_when_and_which_keys_but_no_value(app, admin):
    post_form(admin, "/admin/settings/branding", branding(company_name="Recorded Co"))
    post_form(admin, "/admin/settings/notifications", {"recipients": "secret-person@acme.example"})
    unchanged = post_form(
        admin, "/admin/settings/notifications", {"recipients": "secret-person@acme.example"}
    )
    assert "Nothing changed." in admin.get(unchanged.headers["Location"]).text
    with app.app_context():
        changes = db.session.scalars(select(SettingChange).order_by(SettingChange.id)).all()
        assert [(c.user_email, c.keys) for c in changes] == [
            ("admin@example.com", "COMPANY_NAME"),
            ("admin@example.com", "MAIL_HR_RECIPIENTS"),
        ]
        assert all(c.at is not None for c in changes)
        audited = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "settings_changed").order_by(AuditEvent.id)
        ).all()
        assert [entry.obj_id for entry in audited] == ["COMPANY_NAME", "MAIL_HR_RECIPIENTS"]
        assert "secret-person" not in repr([(e.diff, e.detail) for e in audited])
    page = admin.get("/admin/settings/branding").text
    assert "Recent changes" in page and "MAIL_HR_RECIPIENTS" in page
    assert "secret-person" not in page
