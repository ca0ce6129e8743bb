"""Who may do what in the HR area: one table from every admin endpoint to the permission it
needs, and each role's permissions. The blueprint's guard applies it before any view runs, so
a view never checks a role itself, and a new route missing from the table is refused to all
but admins (and fails the role matrix test) until it is given an entry.

Admins may do everything. Recruiters work on the jobs and applications of the departments an
admin gives them; anything of another department answers 404, so its ids are not confirmed.
Viewers read and change nothing; they download resumes and file answers only when granted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import render_template
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import ColumnElement
from werkzeug.exceptions import NotFound
from wtforms import BooleanField, StringField
from wtforms.validators import Length

from app.extensions import db
from app.models import Application, Job, User

SIGNED_IN = "signed_in"  # the start page, signing out, one's own account and second factor
VIEW_APPLICATIONS = "view_applications"
DOWNLOAD_FILES = "download_files"
RETRY_DELIVERIES = "retry_deliveries"
ERASE = "erase"
MANAGE_ERASURES = "manage_erasures"
VIEW_JOBS = "view_jobs"
EDIT_JOBS = "edit_jobs"
VIEW_LIBRARY = "view_library"
MANAGE_LIBRARY = "manage_library"
VIEW_EMBED = "view_embed"
VIEW_OUTBOX = "view_outbox"
RESEND_MAIL = "resend_mail"
MANAGE_INTEGRATIONS = "manage_integrations"
MANAGE_USERS = "manage_users"
SETTINGS = "settings"
AUDIT = "audit"  # read and export the audit log

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "admin": frozenset(
        {
            SIGNED_IN,
            VIEW_APPLICATIONS,
            DOWNLOAD_FILES,
            RETRY_DELIVERIES,
            ERASE,
            MANAGE_ERASURES,
            VIEW_JOBS,
            EDIT_JOBS,
            VIEW_LIBRARY,
            MANAGE_LIBRARY,
            VIEW_EMBED,
            VIEW_OUTBOX,
            RESEND_MAIL,
            MANAGE_INTEGRATIONS,
            MANAGE_USERS,
            SETTINGS,
            AUDIT,
        }
    ),
    "recruiter": frozenset(
        {
            SIGNED_IN,
            VIEW_APPLICATIONS,
            DOWNLOAD_FILES,
            RETRY_DELIVERIES,
            ERASE,
            VIEW_JOBS,
            EDIT_JOBS,
            VIEW_LIBRARY,
            VIEW_EMBED,
        }
    ),
    "viewer": frozenset({SIGNED_IN, VIEW_APPLICATIONS, VIEW_JOBS, VIEW_LIBRARY, VIEW_EMBED}),
}


@dataclass(frozen=True)
class Needs:
    """The permission a page needs to be read (GET) and, if different, to be sent (POST)."""

    read: str
    send: str = ""

    def for_method(self, method: str) -> str:
        return self.read if method in ("GET", "HEAD") else (self.send or self.read)


ENDPOINTS: dict[str, Needs] = {
    # Signing in and one's own account
    "admin.login": Needs(SIGNED_IN),
    "admin.logout": Needs(SIGNED_IN),
    "admin.index": Needs(SIGNED_IN),
    "admin.account": Needs(SIGNED_IN),
    "admin.set_up_two_factor": Needs(SIGNED_IN),
    "admin.turn_off_two_factor": Needs(SIGNED_IN),
    "admin.new_recovery_codes": Needs(SIGNED_IN),
    "admin.sign_out_everywhere": Needs(SIGNED_IN),
    # Applications and their deliveries
    "admin.applications": Needs(VIEW_APPLICATIONS),
    "admin.export_applications": Needs(VIEW_APPLICATIONS),
    "admin.application": Needs(VIEW_APPLICATIONS),
    "admin.resume": Needs(DOWNLOAD_FILES),
    "admin.answer_file": Needs(DOWNLOAD_FILES),
    "admin.retry": Needs(RETRY_DELIVERIES),
    "admin.retry_applications": Needs(RETRY_DELIVERIES),
    "admin.resume_target": Needs(MANAGE_INTEGRATIONS),
    # Erasure
    "admin.erase_application": Needs(ERASE),
    "admin.erasures": Needs(MANAGE_ERASURES),
    "admin.erasure_done": Needs(MANAGE_ERASURES),
    # Jobs and their questions
    "admin.jobs": Needs(VIEW_JOBS),
    "admin.job_preview": Needs(VIEW_JOBS),
    "admin.job_edit": Needs(VIEW_JOBS, EDIT_JOBS),
    "admin.job_new": Needs(EDIT_JOBS),
    "admin.description_preview": Needs(EDIT_JOBS),
    "admin.job_publish": Needs(EDIT_JOBS),
    "admin.job_unpublish": Needs(EDIT_JOBS),
    "admin.job_close": Needs(EDIT_JOBS),
    "admin.job_reopen": Needs(EDIT_JOBS),
    "admin.job_duplicate": Needs(EDIT_JOBS),
    "admin.job_delete": Needs(EDIT_JOBS),
    "admin.question_add": Needs(EDIT_JOBS),
    "admin.question_add_from_library": Needs(EDIT_JOBS),
    "admin.question_edit": Needs(VIEW_JOBS, EDIT_JOBS),
    "admin.question_delete": Needs(EDIT_JOBS),
    "admin.ats_refresh": Needs(MANAGE_INTEGRATIONS),
    # The question library (shared by every department)
    "admin.library": Needs(VIEW_LIBRARY),
    "admin.library_question_add": Needs(MANAGE_LIBRARY),
    "admin.library_question_edit": Needs(VIEW_LIBRARY, MANAGE_LIBRARY),
    "admin.library_question_delete": Needs(MANAGE_LIBRARY),
    "admin.library_set_add": Needs(MANAGE_LIBRARY),
    "admin.library_set_edit": Needs(VIEW_LIBRARY, MANAGE_LIBRARY),
    "admin.library_set_delete": Needs(MANAGE_LIBRARY),
    # Embedding, mail
    "admin.embed_snippets": Needs(VIEW_EMBED),
    "admin.outbox": Needs(VIEW_OUTBOX),
    "admin.send_message_again": Needs(RESEND_MAIL),
    # Users
    "admin.users": Needs(MANAGE_USERS),
    "admin.invite_user": Needs(MANAGE_USERS),
    "admin.user_access": Needs(MANAGE_USERS),
    "admin.resend_invite": Needs(MANAGE_USERS),
    "admin.revoke_invite": Needs(MANAGE_USERS),
    "admin.change_role": Needs(MANAGE_USERS),
    "admin.deactivate_user": Needs(MANAGE_USERS),
    "admin.reactivate_user": Needs(MANAGE_USERS),
    "admin.sign_out_user": Needs(MANAGE_USERS),
    "admin.reset_two_factor": Needs(MANAGE_USERS),
    "admin.security": Needs(MANAGE_USERS),
    "admin.audit_log": Needs(AUDIT),
    "admin.audit_export": Needs(AUDIT),
    "admin.settings_index": Needs(SETTINGS),
    "admin.settings_branding": Needs(SETTINGS),
    "admin.settings_embed": Needs(SETTINGS),
    "admin.settings_ats": Needs(SETTINGS),
    "admin.settings_ats_test": Needs(SETTINGS),
    "admin.settings_consent": Needs(SETTINGS),
    "admin.settings_consent_save": Needs(SETTINGS),
    "admin.settings_notifications": Needs(SETTINGS),
}


def permissions_of(user: Any) -> frozenset[str]:
    """The role's permissions; a viewer granted downloads may also download files."""
    granted = ROLE_PERMISSIONS.get(getattr(user, "role", ""), frozenset())
    if getattr(user, "can_download", False):
        granted |= {DOWNLOAD_FILES}
    return granted


def may(user: Any, permission: str) -> bool:
    return permission in permissions_of(user)


def permitted(user: Any, endpoint: str | None, method: str) -> bool:
    """Whether the role may use this endpoint with this method. An endpoint the table does
    not know is an admin's only."""
    needs = ENDPOINTS.get(endpoint or "")
    if needs is None:
        return getattr(user, "role", None) == "admin"
    return may(user, needs.for_method(method))


def departments_of(user: Any) -> frozenset[str] | None:
    """The departments whose jobs the user works on; None for all of them (admins, viewers)."""
    if getattr(user, "role", None) != "recruiter":
        return None
    return frozenset(user.departments or ())


def visible_jobs(user: Any) -> list[ColumnElement[bool]]:
    """WHERE clauses that keep only the jobs the user may see, for any query joining Job:
    nothing for admins and viewers, the recruiter's departments otherwise."""
    departments = departments_of(user)
    if departments is None:
        return []
    return [Job.department.in_(sorted(departments))]


def in_scope(user: Any, view_args: Mapping[str, Any]) -> bool:
    """Whether the job or application a URL names is one the user may see. A missing one is
    left to the view, which answers 404 as it would for anyone."""
    departments = departments_of(user)
    if departments is None:
        return True
    if "job_id" in view_args:
        job = db.session.get(Job, view_args["job_id"])
        return job is None or job.department in departments
    if "application_id" in view_args:
        application = db.session.get(Application, view_args["application_id"])
        return application is None or application.job.department in departments
    return True


def department_refused(user: Any, department: str | None) -> str | None:
    """Why a recruiter may not put a job in this department (one not theirs), else None."""
    departments = departments_of(user)
    if departments is None or (department or "") in departments:
        return None
    return gettext(
        "Choose one of your departments: %(departments)s.", departments=", ".join(sorted(departments))
    )


def guard(user: User, endpoint: str | None, method: str, view_args: Mapping[str, Any]) -> Any:
    """The answer for a request the user may not make (a 403 page, or 404 for an object of
    another department), or None to let the view run."""
    if not permitted(user, endpoint, method):
        return render_template("errors/forbidden.html"), 403
    if not in_scope(user, view_args):
        raise NotFound()
    return None


class AccessForm(FlaskForm):
    """What an admin gives a user on the Users page: a recruiter's departments, and whether a
    viewer may download resumes and file answers."""

    departments = StringField(_l("Departments"), validators=[Length(max=2000)])
    can_download = BooleanField(_l("May download resumes and files"))

    def department_list(self) -> list[str]:
        """The comma-separated departments, trimmed, each once, in the order typed."""
        names = (name.strip()[:120] for name in (self.departments.data or "").split(","))
        return list(dict.fromkeys(name for name in names if name))
