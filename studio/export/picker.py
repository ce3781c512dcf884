"""The drafts the Export page offers: approved ones (and exported ones when asked), with when each
was approved and last exported, and anything that would stop it from exporting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from studio.accounts.permissions import authorize
from studio.content import title_from_markdown
from studio.export.rows import ExportError, row_from_values
from studio.models import AuditEvent, Draft, ExportBatch, ExportItem, User

EXPORT_PERMISSION = "export.run"
EXPORTABLE_STATUSES = ("approved",)
RE_EXPORTABLE_STATUSES = ("approved", "exported")




@dataclass(frozen=True)
class ExportCandidate:
    id: int
    title: str  # the title the export will use ("" when there is none: see `problem`)
    content_type: str
    status: str
    author: str
    approved_at: datetime | None
    last_exported_at: datetime | None
    revision_number: int | None
    version: int
    slug: str
    publish_status: str
    publish_date: datetime | None
    problem: str | None = None  # why this draft would be refused, in words


def _day_start(value: date | datetime) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)
    return datetime.combine(value, time(0), tzinfo=timezone.utc)


def _until(value: date | datetime) -> datetime:
    """An exclusive upper bound: a datetime as given, a date up to the end of that day."""
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)
    if value >= date.max:  # the last day there is: no day after it to stop before
        return datetime.max.replace(tzinfo=timezone.utc)
    return datetime.combine(value + timedelta(days=1), time(0), tzinfo=timezone.utc)


def _approved_at_subquery() -> Any:
    return (
        select(AuditEvent.draft_id, func.max(AuditEvent.created_at).label("approved_at"))
        .where(AuditEvent.action == "review.approve")
        .group_by(AuditEvent.draft_id)
        .subquery()
    )


def _exported_at_subquery() -> Any:
    return (
        select(ExportItem.draft_id, func.max(ExportBatch.created_at).label("exported_at"))
        .join(ExportBatch, ExportBatch.id == ExportItem.batch_id)
        .group_by(ExportItem.draft_id)
        .subquery()
    )


def exportable(
    session: Session,
    actor: User,
    *,
    since: date | datetime | None = None,
    until: date | datetime | None = None,
    content_type: str | None = None,
    include_exported: bool = False,
    limit: int | None = None,
) -> list[ExportCandidate]:
    """Approved drafts (and exported ones when ``include_exported``), oldest approval first.

    ``since``/``until`` filter on when the draft was approved: ``since`` inclusive, ``until``
    exclusive for a datetime and inclusive of the whole day for a date.
    """
    authorize(session, actor, EXPORT_PERMISSION)
    statuses = RE_EXPORTABLE_STATUSES if include_exported else EXPORTABLE_STATUSES
    approved = _approved_at_subquery()
    exported = _exported_at_subquery()
    when = func.coalesce(approved.c.approved_at, Draft.updated_at)
    stmt = (
        select(Draft, User, approved.c.approved_at, exported.c.exported_at)
        .join(User, User.id == Draft.author_id, isouter=True)
        .join(approved, approved.c.draft_id == Draft.id, isouter=True)
        .join(exported, exported.c.draft_id == Draft.id, isouter=True)
        .where(Draft.status.in_(statuses))
        .options(selectinload(Draft.current_revision))
        .order_by(when.asc(), Draft.id.asc())
    )
    if content_type:
        stmt = stmt.where(Draft.content_type == content_type)
    if since is not None:
        stmt = stmt.where(when >= _day_start(since))
    if until is not None:
        stmt = stmt.where(when < _until(until))
    if limit is not None:
        stmt = stmt.limit(limit)
    out: list[ExportCandidate] = []
    for draft, author, approved_at, exported_at in session.execute(stmt):
        revision = draft.current_revision
        body = revision.body if revision is not None else ""
        title = (draft.title or "").strip() or title_from_markdown(body)
        problem = None
        try:
            if revision is None:
                raise ExportError(f"Draft {draft.id} has no text to export.")
            row_from_values(draft, revision_number=revision.number, body=body)
        except ExportError as exc:
            problem = str(exc)
        out.append(
            ExportCandidate(
                id=draft.id,
                title=title,
                content_type=draft.content_type,
                status=draft.status,
                author=author.label if author is not None else "",
                approved_at=approved_at,
                last_exported_at=exported_at,
                revision_number=revision.number if revision is not None else None,
                version=draft.version,
                slug=draft.slug or "",
                publish_status=draft.publish_status or "draft",
                publish_date=draft.publish_date,
                problem=problem,
            )
        )
    return out


