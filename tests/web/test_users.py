"""The Users page: admins invite by email (the link arrives through a real SMTP server and
sets a password), resend and revoke invitations, change roles, deactivate, and sign users out
everywhere; recruiters and viewers cannot reach it."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from app.accounts.invites import invite_link_token
from app.extensions import db
from app.models import OutboxMessage, User
from tests.conftest import PASSWORD, csrf_token_from
from tests.support.accounts import link_in, make_user, post_form, send_outbox, sign_in, user_row
from tests.support.smtp import smtp_server

USERS = "/admin/users"
NEW_PASSWORD = "a river of quiet stones"


@pytest.fixture
def smtp():
    with smtp_server() as server:
        yield server


@pytest.fixture
def mail_app(make_app, smtp):
    return make_app(MAIL_SENDER="jobs@corp.test", PUBLIC_BASE_URL="https://careers.test", **smtp.settings())


@pytest.fixture
def admin(mail_app):
    make_user(mail_app, "admin@example.com")
    client = mail_app.test_client()
    assert sign_in(client, "admin@example.com").status_code == 302
    return client


def invite(client, email: str, role: str = "recruiter"):
    return post_form(client, USERS, "/admin/users/invite", email=email, role=role)


def act(client, user_id: int, action: str, **data):
    return post_form(client, USERS, f"/admin/users/{user_id}/{action}", **data)


def received_link(app, smtp, email: str) -> str:
    send_outbox(app)
    return link_in(smtp.recorder.to(email)[-1])


def test_an_invited_user_sets_a_password_from_the_emailed_link_and_signs_in(mail_app, admin, smtp):
    response = invite(admin, "New.Recruiter@example.com")
    assert response.status_code == 302
    assert "Invitation sent to new.recruiter@example.com" in admin.get(USERS).text
    assert send_outbox(mail_app) == 1
    (received,) = smtp.recorder.to("new.recruiter@example.com")
    assert "invited" in received.message["Subject"]
    link = link_in(received)
    assert received.body("plain").count("https://careers.test/admin/invite/") == 1
    newcomer = mail_app.test_client()
    page = newcomer.get(link)
    assert page.status_code == 200 and "new.recruiter@example.com" in page.text
    done = newcomer.post(
        link,
        data={"csrf_token": csrf_token_from(page.text), "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert done.status_code == 302 and "/admin/login" in done.location
    assert "@" not in done.location and "%40" not in done.location  # no address in URLs (access logs)
    assert 'value="new.recruiter@example.com"' in newcomer.get(done.location).text
    user = user_row(mail_app, "new.recruiter@example.com")
    assert user.role == "recruiter" and not user.invited and user.check_password(NEW_PASSWORD)
    assert sign_in(newcomer, "new.recruiter@example.com", NEW_PASSWORD).status_code == 302
    assert newcomer.get("/admin/applications").status_code == 200
    assert newcomer.get(link).status_code == 404  # used: the link works once


def test_an_invited_user_cannot_sign_in_before_choosing_a_password(mail_app, admin):
    invite(admin, "pending@example.com")
    other = mail_app.test_client()
    for password in ("", " ", "x" * 12):
        assert sign_in(other, "pending@example.com", password).status_code in (400, 401)
    assert other.get("/admin/applications").status_code == 302


def test_an_invitation_link_older_than_72_hours_has_expired(mail_app, admin):
    invite(admin, "late@example.com")
    with mail_app.app_context():
        user = db.session.scalar(select(User).where(User.email == "late@example.com"))
        key = mail_app.config["SECRET_KEY"]
        fresh = invite_link_token(key, user, time.time() - 71 * 3600)
        stale = invite_link_token(key, user, time.time() - 73 * 3600)
    client = mail_app.test_client()
    assert client.get(f"/admin/invite/{fresh}").status_code == 200
    expired = client.get(f"/admin/invite/{stale}")
    assert expired.status_code == 410 and "72 hours" in expired.text
    assert client.get(f"/admin/invite/{fresh[:-2]}xx").status_code == 404


def test_sending_an_invitation_again_voids_the_first_link(mail_app, admin, smtp):
    invite(admin, "twice@example.com")
    first = received_link(mail_app, smtp, "twice@example.com")
    user_id = user_row(mail_app, "twice@example.com").id
    assert act(admin, user_id, "resend").status_code == 302
    second = received_link(mail_app, smtp, "twice@example.com")
    assert first != second
    client = mail_app.test_client()
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200


def test_a_revoked_invitation_no_longer_works_and_the_user_is_gone(mail_app, admin, smtp):
    invite(admin, "gone@example.com")
    link = received_link(mail_app, smtp, "gone@example.com")
    assert act(admin, user_row(mail_app, "gone@example.com").id, "revoke").status_code == 302
    assert user_row(mail_app, "gone@example.com") is None
    assert mail_app.test_client().get(link).status_code == 404


def test_inviting_an_existing_member_is_refused_with_the_address_kept(mail_app, admin):
    make_user(mail_app, "member@example.com", role="viewer")
    response = invite(admin, "member@example.com")
    assert response.status_code == 400
    assert "exists already" in response.text and 'value="member@example.com"' in response.text
    with mail_app.app_context():
        assert db.session.scalar(select(OutboxMessage.id)) is None
    bad = invite(admin, "not-an-address")
    assert bad.status_code == 400 and 'value="not-an-address"' in bad.text


@pytest.mark.parametrize("role", ["recruiter", "viewer"])
def test_recruiters_and_viewers_get_403_on_every_users_route(make_app, role):
    app = make_app()
    make_user(app, "admin@example.com")
    target = make_user(app, "someone@example.com", role="viewer")
    make_user(app, "me@example.com", role=role)
    client = app.test_client()
    assert sign_in(client, "me@example.com").status_code == 302
    token = csrf_token_from(client.get("/admin/applications").text)
    routes = [
        (rule.rule.replace("<int:user_id>", str(target)), sorted(rule.methods - {"HEAD", "OPTIONS"})[0])
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/admin/users")
    ]
    assert len(routes) >= 9
    for path, method in routes:
        response = client.open(
            path, method=method, data={"csrf_token": token, "role": "admin", "email": "x@example.com"}
        )
        assert response.status_code == 403, (path, method)
    assert user_row(app, "someone@example.com").role == "viewer"
    assert "/admin/users" not in client.get("/admin/applications").text  # no link to it either


def test_an_admin_changes_a_role(mail_app, admin):
    user_id = make_user(mail_app, "viewer@example.com", role="viewer")
    assert act(admin, user_id, "role", role="recruiter").status_code == 302
    assert user_row(mail_app, "viewer@example.com").role == "recruiter"
    assert act(admin, user_id, "role", role="owner").status_code == 302  # not a role: unchanged
    assert user_row(mail_app, "viewer@example.com").role == "recruiter"


def test_a_deactivated_user_is_signed_out_and_cannot_sign_in_until_reactivated(mail_app, admin):
    user_id = make_user(mail_app, "leaver@example.com", role="recruiter")
    leaver = mail_app.test_client()
    assert sign_in(leaver, "leaver@example.com").status_code == 302
    assert act(admin, user_id, "deactivate").status_code == 302
    assert leaver.get("/admin/applications").status_code == 302
    assert sign_in(leaver, "leaver@example.com").status_code == 401
    assert act(admin, user_id, "reactivate").status_code == 302
    assert sign_in(leaver, "leaver@example.com").status_code == 302


def test_an_admin_signs_another_user_out_everywhere(mail_app, admin):
    user_id = make_user(mail_app, "busy@example.com", role="recruiter")
    laptop, phone = mail_app.test_client(), mail_app.test_client()
    sign_in(laptop, "busy@example.com")
    sign_in(phone, "busy@example.com")
    assert act(admin, user_id, "sign-out").status_code == 302
    assert laptop.get("/admin/applications").status_code == 302
    assert phone.get("/admin/applications").status_code == 302
    assert admin.get("/admin/applications").status_code == 200  # the admin stays in


def test_an_admin_cannot_deactivate_or_demote_themselves_nor_the_last_admin(mail_app, admin):
    me = user_row(mail_app, "admin@example.com").id
    assert "cannot deactivate yourself" in admin.get(act(admin, me, "deactivate").location).text
    act(admin, me, "role", role="viewer")
    assert (
        user_row(mail_app, "admin@example.com").role == "admin"
        and user_row(mail_app, "admin@example.com").active
    )
    other = make_user(mail_app, "other.admin@example.com")
    assert act(admin, other, "deactivate").status_code == 302
    assert not user_row(mail_app, "other.admin@example.com").active


def test_the_users_page_lists_members_and_open_invitations(mail_app, admin):
    make_user(mail_app, "viewer@example.com", role="viewer")
    invite(admin, "pending@example.com", role="viewer")
    page = admin.get(USERS)
    assert page.status_code == 200
    for text in (
        "admin@example.com",
        "viewer@example.com",
        "pending@example.com",
        "invited",
        "Send again",
        "Revoke",
    ):
        assert text in page.text, text
    assert PASSWORD not in page.text


def test_any_user_signs_themselves_out_everywhere_from_their_account_page(mail_app):
    make_user(mail_app, "viewer@example.com", role="viewer")
    laptop, phone = mail_app.test_client(), mail_app.test_client()
    sign_in(laptop, "viewer@example.com")
    sign_in(phone, "viewer@example.com")
    assert "Sign out everywhere" in laptop.get("/admin/account").text
    done = post_form(laptop, "/admin/account", "/admin/account/sign-out-everywhere")
    assert done.status_code == 302 and "/admin/login" in done.location
    assert laptop.get("/admin/applications").status_code == 302
    assert phone.get("/admin/applications").status_code == 302
    assert sign_in(phone, "viewer@example.com").status_code == 302  # signing in again works


def test_the_navigation_shows_users_to_admins_only(mail_app, admin):
    assert 'href="/admin/users"' in admin.get("/admin/applications").text
    make_user(mail_app, "recruiter@example.com", role="recruiter")
    recruiter = mail_app.test_client()
    sign_in(recruiter, "recruiter@example.com")
    page = recruiter.get("/admin/applications").text
    assert 'href="/admin/users"' not in page and 'href="/admin/account"' in page
