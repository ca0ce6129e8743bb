"""Which jobs take applications, and the search over them that the careers pages and the embed show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select

from app.extensions import db
from app.models import Job

MAX_PAGE = 10_000  # beyond any real listing; a larger number would overflow the SQL offset


@dataclass(frozen=True)
class ListingQuery:
    q: str = ""
    department: str = ""
    location: str = ""
    remote: bool = False
    page: int = 1

    @classmethod
    def from_args(cls, args) -> ListingQuery:
        return cls(
            q=args.get("q", "").strip()[:100],
            department=args.get("department", "").strip(),
            location=args.get("location", "").strip(),
            remote=args.get("remote") in ("1", "on", "true"),
            page=min(max(1, args.get("page", 1, type=int) or 1), MAX_PAGE),
        )

    def args(self, **changes) -> dict:
        values = {
            "q": self.q,
            "department": self.department,
            "location": self.location,
            "remote": "1" if self.remote else "",
            "page": self.page,
        }
        values.update(changes)
        return {k: v for k, v in values.items() if v not in ("", None, 1) or k == "page" and v != 1}


def open_jobs(now: datetime):
    """The jobs that take applications at `now`: Job.is_open, as a query."""
    return select(Job).where(Job.is_open(now))


def search(query: ListingQuery, per_page: int, now: datetime):
    statement = open_jobs(now)
    if query.q:
        like = f"%{query.q}%"
        statement = statement.where(
            or_(
                Job.title.ilike(like),
                Job.department.ilike(like),
                Job.location.ilike(like),
                Job.description_html.ilike(like),
            )
        )
    if query.department:
        statement = statement.where(Job.department == query.department)
    if query.location:
        statement = statement.where(Job.location == query.location)
    if query.remote:
        statement = statement.where(Job.remote.is_(True))
    statement = statement.order_by(Job.date_posted.desc(), Job.id.desc())
    return db.paginate(statement, page=query.page, per_page=per_page, error_out=False)


def facet(column, now: datetime) -> list[str]:
    rows = db.session.scalars(open_jobs(now).with_only_columns(column).distinct().order_by(column))
    return [value for value in rows if value]
