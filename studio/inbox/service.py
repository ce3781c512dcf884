"""Inbox entries: written by the workflow's services in their own transaction, read by the
person they are for.

An entry is written when something happens that concerns someone else (``rules.KINDS`` and
``rules.recipients`` say what and to whom). When the workspace has SMTP settings and the person
an e-mail address (and has not turned e-mail off), the entry is also marked for e-mail, sent by
``mail`` once the transaction has committed: a rolled-back action sends nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from studio.accounts.permissions import authorize, can
from studio.audit.service import record
from studio.config import Settings, get_settings
from studio.inbox import mail
from studio.inbox.rules import exported_sentence, kind_label, recipients, sentence
from studio.inbox.schemas import Inbox, InboxItem
from studio.models import Draft, Notification, User, utcnow

DEFAULT_LIMIT = 100


def _email_status(user: User, settings: Settings) -> str | None:
    if mail.mail_configured(settings) and user.email and user.email_notifications:
        return "pending"
    return None


def _actor_label(actor: Any) -> str:
    return getattr(actor, "label", None) or getattr(actor, "name", None) or "The studio"


def notify(
    session: Session, kind: str, draft: Any, actor: Any, *, detail: str = "", settings: Settings | None = None
) -> list[Notification]:
    """One entry of ``kind`` about ``draft`` for each of its recipients (never the actor)."""
    ids = recipients(kind, draft, actor)
    if not ids:
        return []
    settings = settings or get_settings()
    title = (getattr(draft, "title", "") or "").strip() or getattr(draft, "topic", "")
    who = _actor_label(actor)
    made = []
    for user in session.scalars(select(User).where(User.id.in_(ids), User.disabled.is_(False))):
        made.append(
            Notification(
                recipient_id=user.id, kind=kind, draft_id=draft.id, actor_id=getattr(actor, "id", None),
                actor_name=who[:120], message=sentence(kind, who, title), detail=(detail or "").strip(),
                email_status=_email_status(user, settings), email_error="",
            )
        )  # fmt: skip
    return _add(session, made)


def notify_exported(
    session: Session, actor: Any, batch_id: int, drafts: Iterable[tuple[int, int | None, str]],
    *, settings: Settings | None = None,
) -> list[Notification]:
    """One entry per author for an export: naming the draft when it was their only one, else
    how many of theirs went (an export of thousands writes one entry per author, not per draft).
    ``drafts``: (draft id, author id, title)."""
    by_author: dict[int, list[tuple[int, str]]] = defaultdict(list)
    actor_id = getattr(actor, "id", None)
    for draft_id, author_id, title in drafts:
        if author_id is not None and author_id != actor_id:
            by_author[author_id].append((draft_id, title))
    if not by_author:
        return []
    settings = settings or get_settings()
    who = _actor_label(actor)
    made = []
    for user in session.scalars(select(User).where(User.id.in_(list(by_author)), User.disabled.is_(False))):
        theirs = by_author[user.id]
        one = len(theirs) == 1
        made.append(
            Notification(
                recipient_id=user.id, kind="exported", draft_id=theirs[0][0] if one else None, actor_id=actor_id,
                actor_name=who[:120],
                message=sentence("exported", who, theirs[0][1]) if one else exported_sentence(who, len(theirs), batch_id),
                detail="", email_status=_email_status(user, settings), email_error="",
            )
        )  # fmt: skip
    return _add(session, made)


def _add(session: Session, made: Sequence[Notification]) -> list[Notification]:
    if not made:
        return []
    session.add_all(made)
    session.flush()
    if any(n.email_status == "pending" for n in made):
        mail.deliver_after_commit(session)
    return list(made)


# --------------------------------------------------------------------------------------------
# Reading


def _opens_in(person: User, n: Notification, author_id: int | None) -> str | None:
    if n.draft_id is None:
        return None
    if author_id == person.id and can(person, "draft.edit_own"):
        return "my_drafts"
    if can(person, "draft.view_all"):
        return "review_queue"
    return None


def inbox(session: Session, actor: Any, *, limit: int = DEFAULT_LIMIT) -> Inbox:
    """The person's entries, newest first, with how many are unread."""
    person = authorize(session, actor, "inbox.read")
    rows = session.execute(
        select(Notification, Draft.author_id)
        .join(Draft, Draft.id == Notification.draft_id, isouter=True)
        .where(Notification.recipient_id == person.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(limit)
    ).all()
    total = session.scalar(select(func.count()).where(Notification.recipient_id == person.id)) or 0
    return Inbox(
        items=[
            InboxItem(
                id=n.id, kind=n.kind, label=kind_label(n.kind), created_at=n.created_at, draft_id=n.draft_id,
                message=n.message, detail=n.detail, read=n.read_at is not None,
                opens_in=_opens_in(person, n, author_id), email=n.email_status,
            )  # fmt: skip
            for n, author_id in rows
        ],
        unread=_unread(session, person.id),
        total=int(total),
        email=person.email,
        email_notifications=bool(person.email_notifications),
        mail_configured=mail.mail_configured(get_settings()),
    )


def _unread(session: Session, person_id: int) -> int:
    stmt = select(func.count()).where(Notification.recipient_id == person_id, Notification.read_at.is_(None))
    return int(session.scalar(stmt) or 0)


def unread_count(session: Session, actor: Any) -> int:
    """How many entries the person has not read (the sidebar's count)."""
    person = authorize(session, actor, "inbox.read")
    return _unread(session, person.id)


def mark_read(session: Session, actor: Any, ids: Iterable[int] | None = None) -> int:
    """Mark the person's entries ``ids`` (None: all of them) as read; returns how many changed.
    Someone else's entries are never touched."""
    person = authorize(session, actor, "inbox.read")
    stmt = (
        update(Notification)
        .where(Notification.recipient_id == person.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    if ids is not None:
        wanted = [int(i) for i in ids]
        if not wanted:
            return 0
        stmt = stmt.where(Notification.id.in_(wanted))
    return int(session.execute(stmt.execution_options(synchronize_session=False)).rowcount or 0)


def mark_draft_read(session: Session, actor: Any, draft_id: int) -> int:
    """Opening a draft reads every entry about it."""
    person = authorize(session, actor, "inbox.read")
    stmt = (
        update(Notification)
        .where(Notification.recipient_id == person.id, Notification.read_at.is_(None),
               Notification.draft_id == draft_id)
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )  # fmt: skip
    return int(session.execute(stmt).rowcount or 0)


def set_email_notifications(session: Session, actor: Any, enabled: bool) -> bool:
    """The person's own choice: their inbox by e-mail too, or in the app only."""
    person = authorize(session, actor, "inbox.read")
    if person.email_notifications != bool(enabled):
        person.email_notifications = bool(enabled)
        record(session, person, "user.email_notifications",
               comment=f"E-mail of the inbox turned {'on' if enabled else 'off'} by {person.name}",
               data={"user": person.name, "user_id": person.id, "enabled": bool(enabled)})  # fmt: skip
    return person.email_notifications
