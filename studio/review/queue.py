"""The review queue: filtered, searched and paged, with counts per status."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from studio.accounts.permissions import require
from studio.models import Draft, User
from studio.review.rules import STATUSES
from studio.search import matching_ids

SORTS = {
    "updated_desc": (Draft.updated_at.desc(), Draft.id.desc()),
    "updated_asc": (Draft.updated_at.asc(), Draft.id.asc()),
    "created_desc": (Draft.created_at.desc(), Draft.id.desc()),
    "title": (Draft.title.asc(), Draft.id.asc()),
}


@dataclass(frozen=True)
class QueueFilter:
    statuses: tuple[str, ...] = ("in_review",)
    content_type: str | None = None
    author: str | None = None
    verdict: str | None = None
    older_than_days: int | None = None
    newer_than_days: int | None = None
    search: str = ""
    sort: str = "updated_asc"
    page: int = 1
    page_size: int = 25
    # Who reviews it: "me" (the person asking), "nobody" (not assigned yet), None (anyone).
    reviewer: str | None = None


@dataclass(frozen=True)
class QueueRow:
    id: int
    title: str
    content_type: str
    status: str
    verdict: str | None
    author: str
    updated_at: datetime
    version: int
    reviewer: str = ""  # who has it ("" when nobody does yet)
    reviewer_id: int | None = None


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    total: int
    counts: dict[str, int]
    page: int
    pages: int


def queue(session: Session, actor: Any, f: QueueFilter, *, now: datetime | None = None) -> QueuePage:
    require(actor, "draft.view_all")
    now = now or datetime.now(timezone.utc)
    conditions = []
    if f.content_type:
        conditions.append(Draft.content_type == f.content_type)
    if f.author:
        conditions.append(Draft.author_id == select(User.id).where(User.name == f.author).scalar_subquery())
    if f.verdict:
        conditions.append(Draft.check_verdict == f.verdict)
    if f.older_than_days is not None:
        conditions.append(Draft.updated_at <= now - timedelta(days=f.older_than_days))
    if f.newer_than_days is not None:
        conditions.append(Draft.updated_at >= now - timedelta(days=f.newer_than_days))
    if f.reviewer == "me":
        conditions.append(Draft.assignee_id == actor.id)
    elif f.reviewer == "nobody":
        conditions.append(Draft.assignee_id.is_(None))
    if f.search.strip():
        match = matching_ids(session, f.search)
        if match is not None:
            conditions.append(match)

    counts = dict(
        session.execute(select(Draft.status, func.count()).where(*conditions).group_by(Draft.status)).all()
    )
    status_condition = [Draft.status.in_(f.statuses)] if f.statuses else []
    total = sum(counts.get(s, 0) for s in f.statuses) if f.statuses else sum(counts.values())
    page_size = max(1, min(f.page_size, 200))
    pages = max(1, -(-total // page_size))
    page = max(1, min(f.page, pages))
    order = SORTS.get(f.sort, SORTS["updated_asc"])
    # The page's ids come from the index alone; only those rows are then read and joined.
    # Joining and reading every matching row before sorting would dominate on a large queue.
    page_ids = (
        select(Draft.id)
        .where(*conditions, *status_condition)
        .order_by(*order)
        .limit(page_size)
        .offset((page - 1) * page_size)
    )
    reviewer = aliased(User)
    stmt = (
        select(Draft.id, Draft.title, Draft.topic, Draft.content_type, Draft.status, Draft.check_verdict,
               User.name, Draft.updated_at, Draft.version, reviewer.display_name, reviewer.name,
               Draft.assignee_id)
        .join(User, User.id == Draft.author_id, isouter=True)
        .join(reviewer, reviewer.id == Draft.assignee_id, isouter=True)
        .where(Draft.id.in_(page_ids.scalar_subquery()))
        .order_by(*order)
    )
    rows = [
        QueueRow(id=r[0], title=r[1] or r[2][:80], content_type=r[3], status=r[4], verdict=r[5],
                 author=r[6] or "", updated_at=r[7], version=r[8], reviewer=r[9] or r[10] or "",
                 reviewer_id=r[11])
        for r in session.execute(stmt)
    ]
    return QueuePage(rows=rows, total=total, counts={s: counts.get(s, 0) for s in STATUSES}, page=page, pages=pages)
