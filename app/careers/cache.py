"""A short-lived cache of public pages (listing, job page, sitemap), shared by every web process.

Public job pages are the same for every visitor reading one language and carry no session or
form token, so their rendered bytes (one copy per language) are kept for a few seconds
(PAGE_CACHE_SECONDS) in Flask-Caching's cache: Redis when one is configured, this process's
memory otherwise. A change to a job or its questions, made in admin or by a job sync in a
worker, bumps a version every page key carries, so every process stops serving the old pages
at once.

The cache only saves work: a Redis that does not answer makes pages render fresh, never fail.
"""

from __future__ import annotations

import functools
import logging
import secrets
from itertools import chain

from flask import Response, current_app, has_app_context, request
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.extensions import cache
from app.i18n import current_language
from app.models import Job, Question
from app.shared import StoreDown

log = logging.getLogger(__name__)

VERSION_KEY = "pages:version"


def _version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        version = secrets.token_hex(4)
        cache.add(VERSION_KEY, version, timeout=0)  # add: a version another process set wins
        version = cache.get(VERSION_KEY) or version
    return str(version)


def clear_page_cache() -> None:
    """Every process drops the pages it would serve: their keys name the old version."""
    try:
        cache.set(VERSION_KEY, secrets.token_hex(4), timeout=0)
    except StoreDown:
        log.warning("page cache unreachable; public pages may be stale for up to their TTL")


def cached_page(view):
    """Serve a recent rendering of this public page; only clean 200 answers are kept."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        ttl = int(float(current_app.config.get("PAGE_CACHE_SECONDS", 0)))
        if ttl <= 0:
            return view(*args, **kwargs)
        try:
            key = f"page:{_version()}:{current_language()}:{request.full_path}"
            hit = cache.get(key)
        except StoreDown:
            log.warning("page cache unreachable; rendering the page fresh")
            return view(*args, **kwargs)
        if hit is not None:
            body, mimetype, status = hit
            return Response(body, status=status, mimetype=mimetype)
        response = current_app.make_response(view(*args, **kwargs))
        if (
            response.status_code == 200
            and "Set-Cookie" not in response.headers
            and not response.direct_passthrough
        ):
            try:
                cache.set(key, (response.get_data(), response.mimetype, response.status_code), timeout=ttl)
            except StoreDown:
                log.warning("page cache unreachable; page not kept")
        return response

    return wrapper


@event.listens_for(Session, "before_flush")
def _note_page_changes(session, _context, _instances) -> None:
    if any(isinstance(obj, (Job, Question)) for obj in chain(session.new, session.dirty, session.deleted)):
        session.info["public_pages_changed"] = True


@event.listens_for(Session, "after_commit")
def _drop_stale_pages(session) -> None:
    if session.info.pop("public_pages_changed", False) and has_app_context():
        clear_page_cache()
