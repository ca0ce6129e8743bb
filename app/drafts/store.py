"""Drafts in the database and their files in storage.

A draft's files live in their own folder (DRAFT_FOLDER), apart from held uploads (a day) and
applications' files: a draft keeps them for its whole life. When the draft's form is opened
again, each file is copied back into the held folder, so the form treats it as a file kept from
an earlier attempt and the draft's own copy stays until the draft goes.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, inspect, or_, select, update
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from app.drafts.links import MAIL_KIND, secret_hash
from app.intake.form import HONEYPOT, ApplyFormBase
from app.intake.submit import HELD_FOLDER, Upload
from app.intake.uploads import CheckedFile
from app.models import Draft, Job, OutboxMessage
from app.storage import Storage

log = logging.getLogger(__name__)

DRAFT_FOLDER = "drafts"
ORPHAN_FILE_TTL = timedelta(days=1)  # a draft's file that no draft names after a day never will
# Not kept: what belongs to one rendering of the form, and the consent, given when it is sent.
NOT_KEPT = frozenset(
    {
        "csrf_token",
        "submission_key",
        HONEYPOT,
        "draft",
        "consent",
        "future_consent",
        "update_of",
        "embed_token",
    }
)
MAX_VALUE = 20_000  # characters of one value, the longest field's limit
MAX_VALUES = 50  # values of one field (a multiple choice)
MAX_SECRET = 100
LINK_FORGOTTEN = "(This message held the link to a saved application. The link is not kept once sent.)"


def form_values(form: ApplyFormBase, sent: MultiDict) -> dict[str, list[str]]:
    """What the candidate typed into each of the form's own fields, as sent, unchecked:
    a draft keeps what is not valid yet too."""
    kept: dict[str, list[str]] = {}
    for field in form:
        name = field.name
        if name in NOT_KEPT or name.startswith("held_") or field.type == "FileField":
            continue
        values = [value[:MAX_VALUE] for value in sent.getlist(name)[:MAX_VALUES] if value]
        if values:
            kept[name] = values
    return kept


def formdata(draft: Draft) -> MultiDict:
    """The draft's values as a browser would send them, to fill the form with."""
    return MultiDict([(name, value) for name, values in draft.typed.items() for value in values])


def find_draft(session: Session, secret: str | None) -> Draft | None:
    if not secret or len(secret) > MAX_SECRET:
        return None
    return session.scalar(select(Draft).where(Draft.secret_hash == secret_hash(secret)))


def live_draft(session: Session, secret: str | None, now: datetime) -> Draft | None:
    """The draft the secret names while it lasts; an expired one waits for the sweep."""
    draft = find_draft(session, secret)
    return draft if draft is not None and draft.expires_at > now else None


@dataclass(frozen=True)
class Kept:
    """A draft added or changed in the session, not committed. `secret` is its link's;
    `dropped` are the files it no longer names, to remove once the commit went through."""

    draft: Draft
    secret: str
    dropped: list[str]


def keep(
    session: Session,
    storage: Storage,
    job: Job,
    *,
    secret: str | None,
    fresh_secret: str,
    email: str,
    language: str,
    values: dict[str, list[str]],
    files: Mapping[str, CheckedFile | None],
    now: datetime,
    keep_for: timedelta,
) -> Kept:
    """Update the live draft of this job that `secret` names (a form opened from a draft), else
    start one under `fresh_secret`. A file field left empty keeps the draft's file."""
    draft = live_draft(session, secret, now)
    if draft is None or draft.job_id != job.id or secret is None:
        secret = fresh_secret
        draft = Draft(job=job, secret_hash=secret_hash(secret), files={}, created_at=now)
        session.add(draft)
    stored = dict(draft.files)
    dropped = []
    for name, checked in files.items():
        if checked is None:
            continue
        if name in stored:
            dropped.append(stored[name]["key"])
        stored[name] = _store_file(storage, checked)
    draft.email = email
    draft.language = language
    draft.typed = values
    draft.files = stored
    draft.updated_at = now
    draft.expires_at = now + keep_for
    return Kept(draft, secret, dropped)


def _store_file(storage: Storage, checked: CheckedFile) -> dict[str, Any]:
    upload = checked.upload
    if upload.held_key:
        key = storage.move(upload.held_key, DRAFT_FOLDER)
    else:
        key = storage.save(upload.content(), folder=DRAFT_FOLDER)
    return {
        "key": key,
        "name": upload.filename,
        "type": upload.content_type,
        "size": upload.size,
        "sha": upload.sha256,
        "fmt": checked.format,
    }


def reopened_files(storage: Storage, draft: Draft) -> dict[str, CheckedFile | None]:
    """A copy of each of the draft's files in the held folder, for the form opened from it."""
    files: dict[str, CheckedFile | None] = {}
    for name, info in draft.files.items():
        if not storage.exists(info["key"]):
            continue
        key = storage.save(storage.read(info["key"]), folder=HELD_FOLDER)
        upload = Upload(info["name"], info["type"], info["size"], info["sha"], held_key=key)
        files[name] = CheckedFile(upload, info["fmt"])
    return files


@dataclass(frozen=True)
class Claimed:
    """A draft deleted in the session with the application sent from it, and its files."""

    draft: Draft
    keys: list[str]


def claim(session: Session, secret: str | None, job: Job) -> Claimed | None:
    """The draft the sent form was opened from, deleted in the session: the commit that stores
    the application deletes it too, and a failed one keeps it."""
    draft = find_draft(session, secret)
    if draft is None or draft.job_id != job.id:
        return None
    keys = file_keys([draft])
    session.delete(draft)
    return Claimed(draft, keys)


def remove_claimed_files(storage: Storage, claimed: Claimed | None) -> None:
    """After the commit: the files of a draft whose deletion was committed; none otherwise."""
    if claimed is None:
        return
    state = inspect(claimed.draft)
    if state.was_deleted and state.detached:
        remove_files(storage, claimed.keys)


def drop_drafts_of(session: Session, email: str) -> list[str]:
    """Delete in the session every draft saved under `email` and the messages carrying their
    links: the candidate asked for their data to go, and a draft is theirs as surely as the
    application (its link only reaches that address). The keys of the drafts' files, to remove
    once the caller's commit went through."""
    address = email.strip().lower()
    drafts = list(session.scalars(select(Draft).where(Draft.email == address)))
    keys = file_keys(drafts)
    for draft in drafts:
        session.delete(draft)
    session.execute(
        delete(OutboxMessage)
        .where(OutboxMessage.kind == MAIL_KIND, func.lower(OutboxMessage.to_address) == address)
        .execution_options(synchronize_session=False)
    )
    return keys


def file_keys(drafts: Iterable[Draft]) -> list[str]:
    return [info["key"] for draft in drafts for info in draft.files.values()]


def remove_files(storage: Storage, keys: Iterable[str]) -> None:
    for key in keys:
        storage.delete(key)


def forget_sent_links(session: Session, *, now: datetime, keep_for: timedelta) -> int:
    """The outbox keeps a message whole, so that every attempt sends the same one; a draft's
    message holds its link, which the database must not keep beyond that: once the message
    is sent, or its draft's time is up, its body is replaced by a note. The number forgotten."""
    result = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.kind == MAIL_KIND,
            OutboxMessage.text_body != LINK_FORGOTTEN,
            or_(OutboxMessage.status == "sent", OutboxMessage.created_at <= now - keep_for),
        )
        .values(text_body=LINK_FORGOTTEN, html_body=LINK_FORGOTTEN)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return int(getattr(result, "rowcount", 0) or 0)


def remove_expired(session: Session, storage: Storage, *, now: datetime) -> int:
    """Delete drafts past their time, rows first and then their files, and the draft files a
    crashed save left that no draft names. The number of drafts removed."""
    expired = list(session.scalars(select(Draft).where(Draft.expires_at <= now)))
    keys = file_keys(expired)
    for draft in expired:
        session.delete(draft)
    session.commit()
    remove_files(storage, keys)
    named = set(file_keys(session.scalars(select(Draft))))
    cutoff = (now - ORPHAN_FILE_TTL).replace(tzinfo=UTC).timestamp()
    remove_files(storage, [key for key in storage.older_than(DRAFT_FOLDER, cutoff) if key not in named])
    if expired:
        log.info("removed %d expired drafts", len(expired))
    return len(expired)
