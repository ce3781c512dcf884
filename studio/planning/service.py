"""The calendar's data: the drafts someone may see, with a publish date in the weeks shown."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from studio.accounts.permissions import can
from studio.errors import PermissionDenied
from studio.models import Draft, User
from studio.planning.calendar import STAGES, Piece, Week, monday_of, weeks

MAX_WEEKS = 12


def calendar(session: Session, actor: Any, start: date, count: int = 4, *, mine_only: bool = False) -> list[Week]:
    fresh = session.get(User, actor.id)
    if fresh is None or fresh.disabled:
        raise PermissionDenied("Please sign in first.")
    count = max(1, min(int(count), MAX_WEEKS))
    first = monday_of(start)
    since = datetime.combine(first, time.min, tzinfo=timezone.utc)
    until = since + timedelta(weeks=count)
    stmt = (
        select(Draft.id, Draft.title, Draft.topic, Draft.status, Draft.publish_date, Draft.incomplete, User.name)
        .join(User, User.id == Draft.author_id, isouter=True)
        .where(Draft.publish_date >= since, Draft.publish_date < until, Draft.status.in_(list(STAGES)))
    )  # fmt: skip
    if mine_only or not can(fresh, "draft.view_all"):
        stmt = stmt.where(Draft.author_id == fresh.id)
    pieces = [Piece(i, title or topic[:80], status, when, author or "", incomplete)
              for i, title, topic, status, when, incomplete, author in session.execute(stmt)]  # fmt: skip
    return weeks(pieces, first, count)
