"""Comments on a draft: the author and editors talk here."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from studio.accounts.permissions import require
from studio.audit.service import record
from studio.drafting.service import get_draft
from studio.inbox.service import notify
from studio.models import Comment
from studio.review.service import ReviewError
from studio.validation import storable

COMMENT_MAX_CHARS = 5000


def add_comment(session: Session, draft_id: int, actor: Any, body: str) -> Comment:
    draft = get_draft(session, draft_id, actor)
    if draft.author_id != actor.id:
        require(actor, "review.comment")
    body = storable(body or "", "The comment", "comment").strip()
    if not body:
        raise ReviewError("The comment is empty.")
    if len(body) > COMMENT_MAX_CHARS:
        raise ReviewError(f"The comment is {len(body):,} characters; the limit is 5,000.")
    comment = Comment(draft_id=draft.id, author_id=actor.id, body=body)
    session.add(comment)
    record(session, actor, "review.comment", draft_id=draft.id, comment=body)
    session.flush()
    notify(session, "comment", draft, actor, detail=body)
    return comment


def comments(session: Session, draft_id: int, actor: Any) -> list[Comment]:
    get_draft(session, draft_id, actor)
    return list(
        session.scalars(
            select(Comment).where(Comment.draft_id == draft_id).order_by(Comment.created_at, Comment.id)
        )
    )

