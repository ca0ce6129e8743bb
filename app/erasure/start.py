"""What the candidate's and HR's erasure pages share: finding the application a status link
names, and starting its erasure with the app's storage, mail and queue."""

from __future__ import annotations

import logging

from flask import Flask
from sqlalchemy.orm import Session

from app import audit
from app.erasure.flow import Requester, start_erasure
from app.erasure.letters import Letters
from app.extensions import db_session
from app.intake.post import EXTENSION as POST_EXTENSION
from app.intake.status_links import application_for_status_token
from app.models import Application, Erasure, utcnow
from app.storage import storage_for

log = logging.getLogger(__name__)


def application_for_token(session: Session, secret_key: str, token: str) -> Application | None:
    """The application a genuine status link names, while it exists; None for any other."""
    named = application_for_status_token(secret_key, token)
    if named is None:
        return None
    application = session.get(Application, named[0])
    return application if application is not None and application.public_id == named[1] else None


def erase_now(app: Flask, application: Application, requester: Requester) -> Erasure:
    """Wipe the application here and queue its erasure in the ATS (after the lease of a worker
    that held its delivery). The queue only wakes the worker: the sweep finds the row anyway.
    Raises AlreadyErased when another request was first."""
    letters = Letters(app.extensions[POST_EXTENSION])
    now = utcnow()
    audit.record(
        "erasure_requested",
        obj_kind="application",
        obj_id=application.id,
        actor=None if requester.kind == "hr" else requester.kind,
        detail=f"by {requester.kind}",
    )
    erasure, mail = start_erasure(
        db_session(), storage_for(app), application, requester, letters=letters, now=now
    )
    letters.wake(mail)
    if erasure.status == "pending":
        delay = (erasure.not_before - now).total_seconds() if erasure.not_before else None
        try:
            app.extensions["careers.tasks"].enqueue_erasure(erasure.id, delay=delay)
        except Exception:  # the row is the truth: the sweep finds it again
            log.warning("queue unavailable; erasure %s waits for the sweep", erasure.id, exc_info=True)
    return erasure
