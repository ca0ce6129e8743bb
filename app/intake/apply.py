"""Taking an application from the apply form: the flow the careers page and the embed share.

It checks the form and its files, holds each good file while the candidate fixes the rest (a
browser cannot refill a file input), and submits. It renders nothing: each blueprint shows the
outcome in its own layout and sends the candidate to its own thank-you page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode

from flask import Flask
from flask_babel import gettext
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage

from app.drafts import store as drafts
from app.i18n import file_formats
from app.intake import demographics
from app.intake.form import HONEYPOT, ApplyFormBase, held_field_name, normalise_phone, question_field_name
from app.intake.post import EXTENSION as POST_EXTENSION
from app.intake.post import Post
from app.intake.submit import NewApplication, find_by_submission_key, recent_application, submit
from app.intake.uploads import (
    CheckedFile,
    HeldFiles,
    UploadRejected,
    read_upload,
    too_large_message,
)
from app.models import Application, Job, Question
from app.privacy.consents import Wording, wordings
from app.resume.service import cached_result
from app.settings import current as current_settings
from app.storage import Storage, storage_for

log = logging.getLogger(__name__)

UPDATE_WINDOW = timedelta(days=30)  # a second application to one job within this is an update
ATTRIBUTION_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "src", "referrer")

Files = dict[str, CheckedFile | None]


@dataclass(frozen=True)
class Intake:
    """What taking an application needs, passed in rather than reached for."""

    session: Session
    storage: Storage
    held: HeldFiles
    enqueue: Callable[[int], None]
    target: str
    max_upload_bytes: int
    consents: Mapping[str, Wording]  # by purpose, as the candidate reads them
    post: Post | None = None  # the mail an application sends; None: none is sent

    @classmethod
    def for_app(cls, app: Flask, session: Session) -> Intake:
        config = app.config
        storage = storage_for(app)
        return cls(
            session=session,
            storage=storage,
            held=HeldFiles(storage, config["SECRET_KEY"]),
            enqueue=app.extensions["careers.tasks"].enqueue_delivery,
            target=current_settings().ats_kind,
            max_upload_bytes=config["MAX_UPLOAD_BYTES"],
            consents=wordings(),  # as the candidate read them, in their language
            post=app.extensions.get(POST_EXTENSION),
        )


@dataclass(frozen=True)
class Taken:
    """The application is stored, now or by an earlier send of the same form. `public_id` is None
    when nothing was stored on purpose: a bot filled the honeypot and is thanked all the same."""

    public_id: str | None


@dataclass(frozen=True)
class ToFix:
    """The form goes back to the candidate with its errors; `files` are its checked files, held.
    `status` is 413 when a file was over the size limit, else 422."""

    files: Files
    status: int = 422


@dataclass(frozen=True)
class AppliedBefore:
    """This browser sent an application to the job with this email lately: the form goes back
    (files held) to ask whether to send this one as an update of `earlier`."""

    files: Files
    earlier: Application


def take_application(
    intake: Intake,
    job: Job,
    form: ApplyFormBase,
    uploads: Mapping[str, FileStorage],
    *,
    now: datetime,
    sent_here: Collection[str] = (),
) -> Taken | ToFix | AppliedBefore:
    """Store the application the form describes, or say what the candidate must fix first.

    A second application by the same email to the same job within UPDATE_WINDOW is never a
    silent second one: it is stored as an update of the earlier, and when this browser sent the
    earlier one (`sent_here`, its public ids) the candidate is asked first. A browser that did
    not is told nothing about it, so no one learns from the form who applied where.
    """
    if form[HONEYPOT].data:
        log.info("honeypot filled on job %s; nothing stored", job.id)
        return Taken(None)
    key = form.submission_key.data or ""
    earlier = find_by_submission_key(intake.session, key) if key else None
    if earlier is not None:
        return Taken(earlier.public_id)
    valid = form.validate()
    files = collect_files(intake, job, form, uploads)
    if not valid or any(form[name].errors for name in files) or not key:
        hold_files(intake.held, form, files)
        return ToFix(files, fix_status(intake, form, files))
    new = new_application(intake, job, form, files)
    earlier = recent_application(intake.session, job, new.email, now - UPDATE_WINDOW)
    if earlier is not None and earlier.public_id in sent_here and form.update_of.data != earlier.public_id:
        hold_files(intake.held, form, files)
        form.update_of.data = earlier.public_id
        return AppliedBefore(files, earlier)
    new.update_of = earlier.public_id if earlier is not None else None
    draft = drafts.claim(intake.session, form.draft.data, job)  # goes with the application's commit
    application = submit(
        intake.session, intake.storage, intake.enqueue, new, target=intake.target, post=intake.post
    )
    drafts.remove_claimed_files(intake.storage, draft)
    return Taken(application.public_id)


def check_again(intake: Intake, job: Job, form: ApplyFormBase, uploads: Mapping[str, FileStorage]) -> ToFix:
    """The form as the candidate sent it, checked and its files held, with nothing stored: for a
    form that must be sent again (its token expired)."""
    form.validate()
    files = collect_files(intake, job, form, uploads)
    hold_files(intake.held, form, files)
    return ToFix(files, fix_status(intake, form, files))


def fix_status(intake: Intake, form: ApplyFormBase, files: Files) -> int:
    """413 when a file was refused for its size (the form still comes back), else 422."""
    too_large = too_large_message(intake.max_upload_bytes)
    return 413 if any(too_large in form[name].errors for name in files) else 422


def new_application(intake: Intake, job: Job, form: ApplyFormBase, files: Files) -> NewApplication:
    resume = checked.upload if (checked := files.get("resume")) else None
    processing = intake.consents["processing"]
    return NewApplication(
        job=job,
        submission_key=form.submission_key.data,
        first_name=form.first_name.data.strip(),
        last_name=form.last_name.data.strip(),
        email=form.email.data.strip().lower(),
        phone=normalise_phone(form.phone.data or "", job.country or None),
        url=(form.url.data or "").strip(),
        location=(form.location.data or "").strip(),
        cover_letter=form.cover_letter.data or "",
        resume=resume,
        answers=collect_answers(job, form, files),
        # the autofill call usually parsed this file already; otherwise the worker parses it
        parsed=cached_result(intake.session, resume.sha256) if resume else None,
        consent_text=processing.text,
        consent_version=processing.version,
        consent_language=processing.language,
        consent_months=processing.months,
        future_consent=intake.consents["future"] if form.future_consent.data else None,
        attribution=parse_attribution(form.utm.data),
        demographics=demographics.collect(job, form),
    )


def hold_files(held: HeldFiles, form: ApplyFormBase, files: Files) -> None:
    """Keep each checked file under a signed token, so the candidate never picks it again."""
    for name, checked in files.items():
        if checked is not None:
            form[held_field_name(name)].data = held.hold(checked)


def file_questions(job: Job) -> list[Question]:
    return [q for q in job.questions if q.kind == "file"]


def collect_files(intake: Intake, job: Job, form: ApplyFormBase, uploads: Mapping[str, FileStorage]) -> Files:
    """Each file field's checked file (a new upload, or the one held from the last attempt)."""
    required = {"resume": job.resume_required}
    required.update({question_field_name(q): q.required for q in file_questions(job)})
    files: Files = {}
    for name, needed in required.items():
        field = form[name]
        try:
            checked = read_upload(uploads.get(name), intake.max_upload_bytes)
        except UploadRejected as exc:
            field.errors = list(field.errors) + [str(exc)]
            checked = None
        if checked is None and not field.errors:
            checked = intake.held.take(form[held_field_name(name)].data)
        if checked is None and needed and not field.errors:
            field.errors = list(field.errors) + [missing_file_message(name, str(field.label.text))]
        files[name] = checked
    return files


def missing_file_message(name: str, label: str) -> str:
    """The error names the question, as the summary above the form shows it alone."""
    if name == "resume":
        return gettext("Attach your resume (%(formats)s).", formats=file_formats())
    return gettext("Attach a file for “%(label)s” (%(formats)s).", label=label, formats=file_formats())


def collect_answers(job: Job, form: ApplyFormBase, files: Files) -> list[tuple[Question, Any]]:
    answers: list[tuple[Question, Any]] = []
    for question in job.questions:
        name = question_field_name(question)
        if question.kind == "file":
            checked = files.get(name)
            if checked is not None:
                answers.append((question, checked.upload))
            continue
        value = form[name].data
        if value in (None, "", []):
            continue
        if question.kind == "yes_no":
            value = value == "yes"
        answers.append((question, value))
    return answers


def attribution_from(args: Mapping[str, str], referrer: str | None) -> str:
    """Where the candidate came from, as the form's hidden `utm` field carries it."""
    pairs = [(k, args[k][:200]) for k in ATTRIBUTION_KEYS if args.get(k)]
    if "referrer" not in args and referrer:
        pairs.append(("referrer", referrer[:200]))
    return urlencode(pairs)


def parse_attribution(raw: str | None) -> dict[str, str]:
    return {k: v[:200] for k, v in parse_qsl(raw or "") if k in ATTRIBUTION_KEYS}
