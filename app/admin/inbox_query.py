"""What the inbox shows: search, filters, sort and paging read from the query string, and the
SQL they make, shared by the page, the CSV export and the bulk retry of "all failed".

Everything lives in the query string so that a view of the inbox can be bookmarked or sent to a
colleague. A delivery waiting on a paused target is stored as pending; here it reads "paused",
both when shown and when filtered on.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from flask_login import current_user
from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import Session, contains_eager

from app.admin.roles import visible_jobs
from app.intake.listing import MAX_PAGE
from app.models import Application, Delivery, Integration, Job

SORTS = ("received", "name", "job", "status")
PER_PAGE = (25, 50, 100)
NO_SOURCE = "-"  # the source filter's value for applications that came with no source
RECENT_SOURCES = 2000  # the source menu lists the channels of this many latest applications

# What each status means to HR, in words: the badge is never told by its colour alone.
STATUS_WORDS = {
    "pending": "Waiting to send",
    "in_progress": "Sending now",
    "delivered": "Delivered",
    "already_in_ats": "Already in the ATS",
    "failed": "Failed",
    "needs_review": "Needs review",
    "paused": "Paused",
}
STATUS_ORDER = ("failed", "needs_review", "paused", "pending", "in_progress", "delivered", "already_in_ats")
STATUS_RANK = {status: rank for rank, status in enumerate(STATUS_ORDER)}
RETRYABLE = ("failed", "needs_review")


@dataclass(frozen=True)
class InboxQuery:
    q: str = ""
    job: int | None = None
    department: str = ""
    status: str = ""
    source: str = ""
    received_from: date | None = None
    received_to: date | None = None
    sort: str = "received"
    order: str = "desc"
    page: int = 1
    per_page: int = PER_PAGE[0]

    @classmethod
    def from_args(cls, args: Mapping[str, Any]) -> InboxQuery:
        sort = args.get("sort", "received")
        per_page = _int(args.get("per_page")) or PER_PAGE[0]
        return cls(
            q=str(args.get("q", "")).strip()[:100],
            job=_int(args.get("job")),
            department=str(args.get("department", "")).strip()[:120],
            status=args.get("status", "") if args.get("status") in STATUS_WORDS else "",
            source=str(args.get("source", "")).strip()[:200],
            received_from=_date(args.get("from")),
            received_to=_date(args.get("to")),
            sort=sort if sort in SORTS else "received",
            order="asc" if args.get("order") == "asc" else "desc",
            page=min(max(1, _int(args.get("page")) or 1), MAX_PAGE),
            per_page=per_page if per_page in PER_PAGE else PER_PAGE[0],
        )

    def args(self, **changes: Any) -> dict[str, Any]:
        """The query string of this view with `changes`, defaults left out to keep links short."""
        values = {
            "q": self.q,
            "job": self.job,
            "department": self.department,
            "status": self.status,
            "source": self.source,
            "from": self.received_from.isoformat() if self.received_from else None,
            "to": self.received_to.isoformat() if self.received_to else None,
            "sort": self.sort,
            "order": self.order,
            "page": self.page,
            "per_page": self.per_page,
        }
        values.update(changes)
        defaults = {"sort": "received", "order": "desc", "page": 1, "per_page": PER_PAGE[0]}
        return {k: v for k, v in values.items() if v not in ("", None) and defaults.get(k) != v}

    def sorted_by(self, column: str) -> dict[str, Any]:
        """Link arguments for a column header: that column, flipping the order if it is current."""
        if column == self.sort:
            return self.args(order="asc" if self.order == "desc" else "desc", page=1)
        return self.args(sort=column, order="desc" if column == "received" else "asc", page=1)

    def with_status(self, status: str) -> InboxQuery:
        return replace(self, status=status)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def paused_targets(session: Session) -> dict[str, Integration]:
    """The paused integrations by kind: their deliveries read "paused", with the reason."""
    rows = session.scalars(select(Integration).where(Integration.paused.is_(True)))
    return {row.kind: row for row in rows}


def shown_status(delivery: Delivery, paused: Collection[str]) -> str:
    if delivery.status == "pending" and delivery.target in paused:
        return "paused"
    return delivery.status


def source_of():
    """The channel an application came through: its utm_source, else its src tag."""
    return func.coalesce(
        func.nullif(Application.attribution["utm_source"].as_string(), ""),
        func.nullif(Application.attribution["src"].as_string(), ""),
    )


def matching(query: InboxQuery, paused: Collection[str]) -> Select[Application]:
    """Applications matching the search and filters, with their delivery and job, in order."""
    statement = (
        select(Application)
        .join(Application.delivery)
        .join(Application.job)
        .options(contains_eager(Application.delivery), contains_eager(Application.job))
    )
    return statement.where(*conditions(query, paused)).order_by(*order(query))


def conditions(query: InboxQuery, paused: Collection[str]) -> list[Any]:
    """The WHERE clauses of the search and filters, within the jobs the signed-in user may see;
    they name Delivery and Job, joined by the caller."""
    found: list[Any] = visible_jobs(current_user)
    if query.q:
        like = "%" + query.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        full_name = Application.first_name + " " + Application.last_name
        found.append(
            or_(*(column.ilike(like, escape="\\") for column in (full_name, Application.email, Job.title)))
        )
    if query.job:
        found.append(Application.job_id == query.job)
    if query.department:
        found.append(Job.department == query.department)
    if query.status:
        found.append(_status_condition(query.status, paused))
    if query.source == NO_SOURCE:
        found.append(source_of().is_(None))
    elif query.source:
        found.append(source_of() == query.source)
    if query.received_from:
        found.append(Application.created_at >= datetime.combine(query.received_from, time()))
    if query.received_to:
        day_after = datetime.combine(query.received_to + timedelta(days=1), time())
        found.append(Application.created_at < day_after)
    return found


def _status_condition(status: str, paused: Collection[str]) -> Any:
    waiting_on_paused = and_(Delivery.status == "pending", Delivery.target.in_(list(paused)))
    if status == "paused":
        return waiting_on_paused
    if status == "pending":
        return and_(Delivery.status == "pending", Delivery.target.not_in(list(paused)))
    return Delivery.status == status


def order(query: InboxQuery) -> list[Any]:
    """ORDER BY for the chosen sort, ending with the id so that paging is stable."""
    by_sort: dict[str, list[Any]] = {
        "received": [Application.created_at],
        "name": [func.lower(Application.first_name), func.lower(Application.last_name)],
        "job": [func.lower(Job.title), Application.job_id],  # two jobs of one title stay apart
        "status": [case(STATUS_RANK, value=Delivery.status, else_=len(STATUS_RANK))],
    }
    columns = list(by_sort[query.sort])
    if query.sort != "received":
        columns.append(Application.created_at)  # within one name, job or status: by arrival
    direction = (lambda c: c.asc()) if query.order == "asc" else (lambda c: c.desc())
    return [direction(c) for c in columns] + [direction(Application.id)]
