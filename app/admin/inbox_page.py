"""One page of the inbox, the duplicates among its rows, and the choices of its filter menus."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from flask_login import current_user
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, joinedload

from app.admin.inbox_query import NO_SOURCE, RECENT_SOURCES, InboxQuery, conditions, order, source_of
from app.admin.roles import visible_jobs
from app.models import Application, Job


@dataclass(frozen=True)
class Page:
    """One page of the inbox and the count of everything the filters match."""

    items: list[Application]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def first(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.items else 0

    @property
    def last(self) -> int:
        return self.first + len(self.items) - 1 if self.items else 0

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def page_of(session: Session, query: InboxQuery, paused: Collection[str]) -> Page:
    """The page in two steps: the ids of its rows, sorted on narrow rows (a sort over every
    column of thousands of applications is what makes a big inbox slow), then those rows."""
    where = conditions(query, paused)
    ids = list(
        session.scalars(
            select(Application.id)
            .join(Application.delivery)
            .join(Application.job)
            .where(*where)
            .order_by(*order(query))
            .limit(query.per_page)
            .offset((query.page - 1) * query.per_page)
        )
    )
    rows = session.scalars(
        select(Application)
        .where(Application.id.in_(ids))
        .options(joinedload(Application.delivery), joinedload(Application.job))
    ).unique()
    by_id = {row.id: row for row in rows}
    return Page([by_id[i] for i in ids], _count(session, query, where), query.page, query.per_page)


def _count(session: Session, query: InboxQuery, where: list[Any]) -> int:
    """Joins only what the filters need: every application has one delivery and one job."""
    statement = select(func.count(Application.id))
    if query.status:
        statement = statement.join(Application.delivery)
    if query.q or query.department or visible_jobs(current_user):
        statement = statement.join(Application.job)
    return session.scalar(statement.where(*where)) or 0


def duplicates_among(session: Session, applications: Sequence[Application]) -> dict[int, list[Application]]:
    """For each application, the others with the same email (in any case) on the same job,
    oldest first: one indexed lookup for a whole page."""
    keys = {(a.job_id, a.email.lower()) for a in applications}
    if not keys:
        return {}
    pairs = [and_(Application.job_id == job, func.lower(Application.email) == email) for job, email in keys]
    statement = select(Application).where(or_(*pairs)).order_by(Application.created_at, Application.id)
    by_key: dict[tuple[int, str], list[Application]] = {}
    for row in session.scalars(statement):
        by_key.setdefault((row.job_id, row.email.lower()), []).append(row)
    return {
        a.id: [other for other in by_key.get((a.job_id, a.email.lower()), []) if other.id != a.id]
        for a in applications
    }


def filter_choices(session: Session, selected_source: str = "") -> dict[str, list[Any]]:
    """The values the filter menus offer: jobs, teams, and the sources of the latest
    applications (a scan of them all is too slow at volume; campaigns come and go anyway),
    with the selected source kept even when it is older."""
    scope = visible_jobs(current_user)
    recent = (
        select(source_of().label("source"))
        .join(Application.job)
        .where(*scope)
        .order_by(Application.created_at.desc())
        .limit(RECENT_SOURCES)
    )
    found = recent.subquery().c.source
    sources = set(session.scalars(select(found).where(found.is_not(None)).distinct()))
    if selected_source and selected_source != NO_SOURCE:
        sources.add(selected_source)
    teams = select(Job.department).where(Job.department != "", *scope).distinct().order_by(Job.department)
    return {
        "jobs": list(session.scalars(select(Job).where(*scope).order_by(Job.title))),
        "departments": list(session.scalars(teams)),
        "sources": sorted(sources, key=str.lower),
    }
