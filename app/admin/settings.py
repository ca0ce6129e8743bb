"""Settings in the browser, for admins only: branding, embed origins, the ATS connection (with
a connection test), consent texts and HR recipients. Every save is recorded by key."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.admin import bp
from app.admin.forms import ActionForm
from app.ats.base import AtsError, AuthError, RetryableError
from app.ats.registry import VENDORS, build_adapter
from app.colors import DEFAULTS as COLOUR_DEFAULTS
from app.extensions import db_session
from app.models import User, utcnow
from app.settings import SettingsKeyError, current, forget, record_change, store
from app.settings.branding import MAX_LOGO_BYTES, LogoRefused, check_logo, contrast_warnings
from app.settings.changes import recent_changes
from app.settings.forms import (
    AtsForm,
    BrandingForm,
    ConsentForm,
    EmbedForm,
    RecipientsForm,
    normal_theme,
    options_text,
)

SHOWN_PER_LIST = 10


def admin_only(view: Callable) -> Callable:
    """Settings change what every candidate and HR user sees: only the admin role may."""

    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if getattr(current_user, "role", None) != "admin":
            abort(403)
        return view(*args, **kwargs)

    return guarded


def page(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    return render_template(template, changes=recent_changes(db_session()), **context), status


def commit_changes(values: Mapping[str, Any], also: list[str] | None = None) -> list[str]:
    """Save the values that differ from those in force, plus the keys `also` already written
    to the session (a file, a secret), in one commit with the record of the keys changed."""
    site = current()
    changed = [key for key, value in values.items() if site.value(key) != value]
    store.save(db_session(), {key: values[key] for key in changed}, now=utcnow())
    keys = changed + (also or [])
    if not keys:
        flash("Nothing changed.")
        return keys
    user = current_user._get_current_object()
    record_change(db_session(), user if isinstance(user, User) else None, keys, now=utcnow())
    db_session().commit()
    forget()
    flash("Saved. The change is in effect from the next page or delivery.")
    return keys


@bp.get("/settings")
@admin_only
def settings_index():
    return redirect(url_for("admin.settings_branding"))


@bp.route("/settings/branding", methods=["GET", "POST"])
@admin_only
def settings_branding():
    site = current()
    theme = {**COLOUR_DEFAULTS, **site.theme}
    form = BrandingForm(
        data=None
        if request.method == "POST"
        else {"company_name": site.company_name, "home_intro": site.home_intro, **theme}
    )
    if form.validate_on_submit():
        try:
            save_logo(form)
        except LogoRefused as exc:
            form.logo.errors = [str(exc)]
        else:
            for warning in contrast_warnings(form.accent.data, form.bg.data):
                flash(warning)
            values = {
                store.COMPANY_NAME: form.company_name.data.strip(),
                store.HOME_INTRO: (form.home_intro.data or "").strip(),
                store.THEME: form.theme() if form.theme() != normal_theme(theme) else site.value(store.THEME),
            }
            commit_changes(values, also=[store.LOGO] if logo_changed(form) else [])
            return redirect(url_for("admin.settings_branding"))
    status = 400 if form.errors else 200
    return page("admin/settings_branding.html", status, form=form, logo=site.logo)


def logo_changed(form: BrandingForm) -> bool:
    return bool(form.remove_logo.data or (form.logo.data and form.logo.data.filename))


def save_logo(form: BrandingForm) -> None:
    """Add the new logo (or its removal) to the session; LogoRefused says why a file is not taken."""
    if form.remove_logo.data:
        store.remove(db_session(), store.LOGO)
        return
    upload = form.logo.data
    if upload and upload.filename:
        logo = check_logo(upload.read(MAX_LOGO_BYTES + 1))  # one byte more: "too large" is seen
        meta = {"digest": logo.digest, "content_type": logo.content_type}
        store.save_file(db_session(), store.LOGO, logo.data, meta, now=utcnow())


@bp.route("/settings/embed", methods=["GET", "POST"])
@admin_only
def settings_embed():
    site = current()
    form = EmbedForm(data=None if request.method == "POST" else {"origins": "\n".join(site.embed_origins)})
    if form.validate_on_submit():
        commit_changes({store.EMBED_ORIGINS: form.checked})
        return redirect(url_for("admin.settings_embed"))
    return page("admin/settings_embed.html", 400 if form.errors else 200, form=form)


@bp.route("/settings/ats", methods=["GET", "POST"])
@admin_only
def settings_ats():
    site = current()
    saved = ats_without_secrets(site)
    form = AtsForm(
        data=None
        if request.method == "POST"
        else {
            "kind": saved.get("kind", "local"),
            "base_url": saved.get("base_url", ""),
            "options": options_text(saved),
        }
    )
    form.kind.choices = [(kind, kind) for kind in VENDORS]
    if form.validate_on_submit() and save_ats(form):
        return redirect(url_for("admin.settings_ats"))
    kind = form.kind.data or saved.get("kind", "local")
    return page(
        "admin/settings_ats.html",
        400 if form.errors else 200,
        form=form,
        secrets_set=site.secrets_set(kind),
        report=None,
    )


def ats_without_secrets(site: store.SiteSettings) -> dict[str, Any]:
    """The connection as the form shows it: saved, else configured, credentials left out."""
    raw = site.value(store.ATS) or {"kind": "local"}
    return {k: v for k, v in raw.items() if k not in store.SECRET_FIELDS}


def save_ats(form: AtsForm) -> bool:
    """Save the connection and any credentials typed; False with the reason on the form when
    the settings cannot make a connection or secrets cannot be sealed."""
    kind = form.kind.data
    settings = {"kind": kind, **({"base_url": form.base_url.data.strip()} if form.base_url.data else {})}
    settings.update(form.parsed)
    secrets = form.secrets()
    try:
        in_force = current().ats()
        kept = {
            f: in_force[f] for f in store.SECRET_FIELDS if in_force.get("kind") == kind and in_force.get(f)
        }
        build_adapter({**settings, **kept, **secrets})
        for name, secret in secrets.items():
            key = store.secret_key_name(kind, name)
            store.save_secret(
                db_session(), key, secret, settings_key=current_app.config["SETTINGS_KEY"], now=utcnow()
            )
    except SettingsKeyError as exc:
        db_session().rollback()
        getattr(form, next(iter(secrets), "token")).errors = [str(exc)]
        return False
    except (ValueError, TypeError, KeyError) as exc:
        db_session().rollback()
        form.kind.errors = [f"These settings do not make a {kind} connection: {exc}"]
        return False
    commit_changes({store.ATS: settings}, also=[store.secret_key_name(kind, name) for name in secrets])
    return True


@dataclass
class ConnectionReport:
    kind: str
    jobs: list[str] = field(default_factory=list)
    job_count: int = 0
    stages_of: str = ""
    stages: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    error: str = ""


@bp.post("/settings/ats/test")
@admin_only
def settings_ats_test():
    if not ActionForm().validate_on_submit():
        abort(400)
    site = current()
    report = try_connection(site)
    saved = ats_without_secrets(site)
    shown = AtsForm(
        formdata=None,
        data={
            "kind": saved.get("kind", "local"),
            "base_url": saved.get("base_url", ""),
            "options": options_text(saved),
        },
    )
    shown.kind.choices = [(kind, kind) for kind in VENDORS]
    return page(
        "admin/settings_ats.html",
        200,
        form=shown,
        secrets_set=site.secrets_set(str(saved.get("kind", "local"))),
        report=report,
    )


def try_connection(site: store.SiteSettings) -> ConnectionReport:
    """Run the lookups a delivery starts with against the connection in force."""
    try:
        settings = site.ats()
    except SettingsKeyError as exc:
        return ConnectionReport(kind="?", error=str(exc))
    report = ConnectionReport(kind=str(settings.get("kind", "local")))
    try:
        adapter = build_adapter(settings)
        jobs = adapter.list_jobs()
        report.job_count = len(jobs)
        report.jobs = [job.title for job in jobs[:SHOWN_PER_LIST]]
        if jobs:
            report.stages_of = jobs[0].title
            report.stages = [stage.name for stage in adapter.stages(jobs[0])]
        report.sources = [source.name for source in adapter.sources()][:SHOWN_PER_LIST]
    except (ValueError, TypeError, KeyError) as exc:
        report.error = f"The settings do not make a connection: {exc}"
    except AtsError as exc:
        report.error = explain(exc)
    return report


def explain(error: AtsError) -> str:
    if isinstance(error, AuthError):
        return (
            f"The ATS refused the credentials (HTTP {error.status}). "
            f"Enter a new token or key and save. ({error})"
        )
    if isinstance(error, RetryableError):
        return f"The ATS could not be reached or is busy; try again in a moment. ({error})"
    return f"The ATS refused the request. Check the address and settings. ({error})"


@bp.get("/settings/consent")
@admin_only
def settings_consent():
    return page("admin/settings_consent.html", forms=consent_forms())


def consent_forms(posted: str | None = None) -> dict[str, ConsentForm]:
    site = current()
    forms = {}
    for kind in store.CONSENT_KINDS:
        consent = site.consent(kind)
        data = None if kind == posted else {"text": consent.text, "version": consent.version}
        forms[kind] = ConsentForm(prefix=kind, data=data, formdata=request.form if kind == posted else None)
    return forms


@bp.post("/settings/consent/<kind>")
@admin_only
def settings_consent_save(kind: str):
    if kind not in store.CONSENT_KINDS:
        abort(404)
    forms = consent_forms(posted=kind)
    form = forms[kind]
    if form.validate():
        value = {"text": form.text.data.strip(), "version": form.version.data.strip()}
        commit_changes({store.CONSENT_PREFIX + kind: value})
        return redirect(url_for("admin.settings_consent"))
    return page("admin/settings_consent.html", 400, forms=forms)


@bp.route("/settings/notifications", methods=["GET", "POST"])
@admin_only
def settings_notifications():
    site = current()
    form = RecipientsForm(
        data=None if request.method == "POST" else {"recipients": "\n".join(site.hr_recipients)}
    )
    if form.validate_on_submit():
        commit_changes({store.HR_RECIPIENTS: form.addresses})
        return redirect(url_for("admin.settings_notifications"))
    return page("admin/settings_notifications.html", 400 if form.errors else 200, form=form)
