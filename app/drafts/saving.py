"""Saving the apply form as a draft: only a valid email is asked for, and the form's token
and the files' content are checked as for sending; the rest is kept as typed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage, MultiDict

from app.drafts import store
from app.drafts.links import new_secret
from app.intake.apply import Files, Intake, ToFix, file_questions, fix_status, hold_files
from app.intake.form import HONEYPOT, ApplyFormBase, held_field_name, question_field_name
from app.intake.uploads import UploadRejected, read_upload
from app.models import Job


@dataclass(frozen=True)
class Saved:
    """The draft is saved and its link is on its way to `email`, working until `expires_at`."""

    email: str
    expires_at: datetime


def save_draft(
    intake: Intake,
    job: Job,
    form: ApplyFormBase,
    uploads: Mapping[str, FileStorage],
    sent: MultiDict,
    *,
    secret: str,
    language: str,
    now: datetime,
    keep_for: timedelta,
) -> Saved | ToFix:
    """Keep the form as a draft (a new one under `secret`, or the one it was opened from) and
    queue the email with its link, in one commit; or send the form back to fix the email.
    `sent` is the form as the browser sent it."""
    email = (form.email.data or "").strip().lower()
    if form[HONEYPOT].data:  # a bot: thanked all the same, nothing stored or sent
        return Saved(email, now + keep_for)
    valid = valid_for_draft(form)
    files = draft_files(intake, job, form, uploads)
    if not valid or any(form[name].errors for name in files):
        hold_files(intake.held, form, files)
        return ToFix(files, fix_status(intake, form, files))
    kept = store.keep(
        intake.session,
        intake.storage,
        job,
        secret=form.draft.data,
        fresh_secret=secret,
        email=email,
        language=language,
        values=store.form_values(form, sent),
        files=files,
        now=now,
        keep_for=keep_for,
    )
    mail = intake.post.queue_draft(intake.session, kept.draft, kept.secret) if intake.post else []
    commit(intake.session)
    store.remove_files(intake.storage, kept.dropped)
    if intake.post is not None:
        intake.post.wake(mail)
    return Saved(email, kept.draft.expires_at)


def save_posted(
    app: Flask,
    session: Session,
    job: Job,
    form: ApplyFormBase,
    uploads: Mapping[str, FileStorage],
    sent: MultiDict,
    *,
    language: str,
    now: datetime,
) -> Saved | ToFix:
    """`save_draft` for a form just posted (careers page or embed): a fresh secret, should this
    save start a draft, and the configured life of a draft."""
    return save_draft(
        Intake.for_app(app, session),
        job,
        form,
        uploads,
        sent,
        secret=new_secret(),
        language=language,
        now=now,
        keep_for=timedelta(days=int(app.config["DRAFT_DAYS"])),
    )


def commit(session: Session) -> None:
    try:
        session.commit()
    except BaseException:
        session.rollback()
        raise


def valid_for_draft(form: ApplyFormBase) -> bool:
    """The email, and the form's CSRF token where forms carry one; every field checked reports
    its own error."""
    checks = [form.email] + ([form["csrf_token"]] if "csrf_token" in form else [])
    return all([field.validate(form) for field in checks])


def draft_files(intake: Intake, job: Job, form: ApplyFormBase, uploads: Mapping[str, FileStorage]) -> Files:
    """Each file field's checked file, a new upload or the one held; none is required."""
    files: Files = {}
    for name in ["resume"] + [question_field_name(q) for q in file_questions(job)]:
        field = form[name]
        try:
            checked = read_upload(uploads.get(name), intake.max_upload_bytes)
        except UploadRejected as exc:
            field.errors = list(field.errors) + [str(exc)]
            checked = None
        if checked is None and not field.errors:
            checked = intake.held.take(form[held_field_name(name)].data)
        files[name] = checked
    return files
