"""Where a draft stands in review, in words: for the author (who has it now, the latest request
for changes) and for the reviewer. Pure: built from the draft's columns and its timeline."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from studio.drafting.schemas import EventView, ReviewNote, ReviewState
from studio.review.rules import DraftStatus


def _latest(events: Sequence[EventView], action: str) -> ReviewNote | None:
    for e in reversed(events):
        if e.action == action:
            return ReviewNote(by=e.actor, at=e.created_at, comment=e.comment)
    return None


def review_state(
    draft: Any, viewer_id: int | None, *, author: str, reviewer: str, events: Sequence[EventView],
    withdraw_refusal: str | None,
) -> ReviewState:  # fmt: skip
    """``events``: the draft's timeline, oldest first, with people's names as labels."""
    status = DraftStatus(draft.status)
    reviewer_id = getattr(draft, "assignee_id", None)
    you_review = reviewer_id is not None and reviewer_id == viewer_id
    you_wrote = draft.author_id == viewer_id
    author_words = "you" if you_wrote else author
    request = _latest(events, "review.request_changes")
    decision = None
    if status is DraftStatus.DRAFT:
        holder = "You" if you_wrote else author
        summary = "Not submitted yet: it goes to the review queue when it is submitted."
        moves = [e.action for e in events if e.action in ("review.submit", "review.withdraw")]
        if moves and moves[-1] == "review.withdraw":
            summary = "Withdrawn from review: change it and submit it again when it is ready."
    elif status is DraftStatus.IN_REVIEW:
        if reviewer_id is None:
            holder = "No reviewer yet"
            summary = "Waiting for an editor to pick it up."
        else:
            holder = "You" if you_review else reviewer
            summary = "You are reviewing it." if you_review else f"{reviewer} is reviewing it."
    elif status is DraftStatus.CHANGES_REQUESTED:
        holder = "You" if you_wrote else author
        by = request.by if request else "An editor"
        summary = f"{by} requested changes: it is back with {author_words} to revise and resubmit."
    elif status in (DraftStatus.APPROVED, DraftStatus.REJECTED):
        decision = _latest(events, f"review.{'approve' if status is DraftStatus.APPROVED else 'reject'}")
        by = decision.by if decision else "An editor"
        holder = "Editors (export)" if status is DraftStatus.APPROVED else "Nobody: the review is over"
        summary = (f"{by} approved it; an editor exports it to the CMS." if status is DraftStatus.APPROVED
                   else f"{by} rejected it.")  # fmt: skip
    else:
        decision = _latest(events, "review.approve")
        holder = "Nobody: it was exported"
        summary = (f"{decision.by} approved it and it was exported: the CMS has it." if decision
                   else "Exported: the CMS has it.")  # fmt: skip
    return ReviewState(
        status=status.value, status_label=status.label, summary=summary, holder=holder, reviewer=reviewer,
        reviewer_id=reviewer_id, latest_request=request, decision=decision, withdraw_refusal=withdraw_refusal,
    )  # fmt: skip
