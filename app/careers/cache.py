"""A short-lived in-process cache of public pages (listing, job page, sitemap).

Public job pages are the same for every visitor and carry no session or form token, so each
process keeps its rendered bytes for a few seconds (PAGE_CACHE_SECONDS). A change made in admin
clears this process's cache at once; other processes catch up within the TTL.
"""

from __future__ import annotations

import functools
import threading
import time
from collections import OrderedDict
from itertools import chain

from flask import Response, current_app, has_app_context, request
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.models import Job, Question

MAX_ENTRIES = 512


class PageCache:
    def __init__(self, clock=time.monotonic) -> None:
        self._entries: OrderedDict[str, tuple[float, bytes, str, int]] = OrderedDict()
        self._lock = threading.Lock()
        self._clock = clock

    def get(self, key: str):
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry[0] < self._clock():
                return None
            self._entries.move_to_end(key)
            return entry

    def put(self, key: str, ttl: float, body: bytes, mimetype: str, status: int) -> None:
        with self._lock:
            self._entries[key] = (self._clock() + ttl, body, mimetype, status)
            self._entries.move_to_end(key)
            while len(self._entries) > MAX_ENTRIES:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def page_cache():
    return current_app.extensions.setdefault("careers.page_cache", PageCache())


def clear_page_cache() -> None:
    page_cache().clear()


def cached_page(view):
    """Serve a recent rendering of this public page; only clean 200 answers are kept."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        ttl = float(current_app.config.get("PAGE_CACHE_SECONDS", 0))
        if ttl <= 0:
            return view(*args, **kwargs)
        key = request.full_path
        cache = page_cache()
        hit = cache.get(key)
        if hit is not None:
            return Response(hit[1], status=hit[3], mimetype=hit[2])
        response = current_app.make_response(view(*args, **kwargs))
        if (
            response.status_code == 200
            and "Set-Cookie" not in response.headers
            and not response.direct_passthrough
        ):
            cache.put(key, ttl, response.get_data(), response.mimetype, response.status_code)
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
