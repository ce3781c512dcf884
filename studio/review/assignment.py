"""Who reviews a draft: an editor assigns a reviewer or claims the draft themselves.

The reviewer is data on the draft (``Draft.assignee_id``), not a status: the rules of who may be
given a draft are ``rules.assignment_refusal``; every change is one audit row, and the person
who is given a draft by someone else finds it in their inbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from studio.accounts.permissions import authorize, can
from studio.audit.service import record
from studio.config import get_settings
from studio.drafting.service import check_version, get_draft
from studio.errors import NotFound, PermissionDenied
from studio.inbox.service import notify
from studio.models import AuditEvent, Draft, User, utcnow
from studio.review.rules import DraftStatus, assignment_refusal

# Actions by someone other than the author that mean a reviewer has started on a submission.
REVIEWER_ACTIONS = (
    "draft.edited", "draft.suggestion_applied", "draft.publishing_updated", "review.comment",
    "review.assign", "review.claim", "review.unassign",
)  # fmt: skip


@dataclass(frozen=True)
class Reviewer:
    """An editor who can be given drafts, for the assign list."""

    id: int
    label: str


def reviewers(session: Session, actor: Any) -> list[Reviewer]:
    """Every active editor, by name."""
    authorize(session, actor, "review.assign")
    users = session.scalars(select(User).where(User.disabled.is_(False)).order_by(User.display_name, User.name))
    return [Reviewer(u.id, u.label) for u in users if can(u, "review.claim")]


def reviewer_activity(session: Session, draft: Draft) -> bool:
    """Has anyone but the author edited, commented on or taken the draft since it was submitted?"""
    if draft.submitted_at is None:
        return False
    return bool(
        session.scalar(
            select(
                exists().where(
                    AuditEvent.draft_id == draft.id,
                    AuditEvent.created_at >= draft.submitted_at,
                    AuditEvent.action.in_(REVIEWER_ACTIONS),
                    AuditEvent.actor_id.is_distinct_from(draft.author_id),
                )
            )
        )
    )


def assign(
    session: Session, draft_id: int, actor: Any, assignee_id: int | None, expected_version: int | None
) -> Draft:
    """Give the draft to ``assignee_id`` (None: to nobody). Editors only; the reviewer must be an
    active editor other than the author."""
    actor = authorize(session, actor, "review.assign")
    draft = get_draft(session, draft_id, actor)
    check_version(session, draft, expected_version)
    assignee = None
    if assignee_id is not None:
        assignee = session.get(User, assignee_id)
        if assignee is None:
            raise NotFound("That reviewer does not exist.")
    refusal = assignment_refusal(draft, actor, assignee, allow_self_approval=get_settings().studio_allow_self_approval)
    if refusal is not None:
        raise PermissionDenied(refusal)
    if draft.assignee_id == assignee_id:
        return draft
    previous = session.get(User, draft.assignee_id) if draft.assignee_id is not None else None
    _set(draft, assignee)
    if assignee is None:
        record(session, actor, "review.unassign", draft_id=draft.id,
               comment=f"{previous.label if previous else 'The reviewer'} no longer reviews this draft",
               data={"previous": previous.name if previous else None})  # fmt: skip
        return draft
    record(
        session, actor, "review.assign", draft_id=draft.id, comment=f"Assigned to {assignee.label}",
        data={"assignee": assignee.name, "assignee_id": assignee.id,
              "previous": previous.name if previous else None},
    )  # fmt: skip
    if assignee.id != actor.id:
        notify(session, "assigned", draft, actor)
    return draft


def claim(session: Session, draft_id: int, actor: Any, expected_version: int | None) -> Draft:
    """The editor takes a draft in review that nobody has yet."""
    actor = authorize(session, actor, "review.claim")
    draft = get_draft(session, draft_id, actor)
    check_version(session, draft, expected_version)
    if draft.status != DraftStatus.IN_REVIEW:
        raise PermissionDenied(
            f"This draft is {DraftStatus(draft.status).label.lower()}; only a draft in review can be claimed."
        )
    if draft.assignee_id == actor.id:
        return draft
    if draft.assignee_id is not None:
        holder = session.get(User, draft.assignee_id)
        raise PermissionDenied(
            f"{holder.label if holder else 'Another editor'} already reviews this draft; "
            "an editor can reassign it."
        )
    if draft.author_id == actor.id and not get_settings().studio_allow_self_approval:
        raise PermissionDenied("You wrote this draft, so another editor must review it.")
    _set(draft, actor)
    record(session, actor, "review.claim", draft_id=draft.id, comment=f"{actor.label} reviews this draft",
           data={"assignee": actor.name, "assignee_id": actor.id})  # fmt: skip
    return draft


def unassign(session: Session, draft_id: int, actor: Any, expected_version: int | None) -> Draft:
    return assign(session, draft_id, actor, None, expected_version)


def _set(draft: Draft, assignee: User | None) -> None:
    draft.assignee_id = assignee.id if assignee is not None else None
    draft.assigned_at = utcnow() if assignee is not None else None
