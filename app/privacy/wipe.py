"""Deleting one application's personal data from this service: its row (with answers,
demographic answers, delivery and mail, which go with it) and every file it stored."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.models import Application
from app.storage import Storage


def stored_keys(application: Application) -> list[str]:
    """The storage keys of the resume and of every file answer."""
    keys = [application.resume_key] if application.resume_key else []
    for answer in application.answers:
        if isinstance(answer.value, dict) and answer.value.get("file_key"):
            keys.append(str(answer.value["file_key"]))
    return keys


def wipe_application(session: Session, storage: Storage, application: Application) -> None:
    """Delete the application and its files. Files go after the commit, so a failed commit
    leaves a whole application; a failed file delete leaves a file no row names, which the
    caller may retry by key (and the orphan sweep removes after a day). The caller owns logging (ids only)."""
    keys = stored_keys(application)
    session.delete(application)
    session.commit()
    for key in keys:
        storage.delete(key)
