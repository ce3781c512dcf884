"""The editorial workflow's rules, pure: statuses, the transition table, who may edit, and which
actions a person has on a draft. No database: these take plain values (anything with ``status``
and ``author_id`` for a draft; anything with ``id``, ``roles`` and ``disabled`` for a person), so
the services, the pages and the tests ask the same tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal

from studio.accounts.permissions import can


class DraftStatus(StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    EXPORTED = "exported"

    @property
    def label(self) -> str:
        """What a person reads: "In review"."""
        return _LABELS[self]

    @property
    def phrase(self) -> str:
        """For sentences: "Draft 7 is waiting for changes"."""
        return _PHRASES[self]


_LABELS = {
    DraftStatus.DRAFT: "Draft",
    DraftStatus.IN_REVIEW: "In review",
    DraftStatus.CHANGES_REQUESTED: "Changes requested",
    DraftStatus.APPROVED: "Approved",
    DraftStatus.REJECTED: "Rejected",
    DraftStatus.EXPORTED: "Exported",
}
_PHRASES = {
    DraftStatus.DRAFT: "not yet submitted",
    DraftStatus.IN_REVIEW: "in review",
    DraftStatus.CHANGES_REQUESTED: "waiting for changes",
    DraftStatus.APPROVED: "approved",
    DraftStatus.REJECTED: "rejected",
    DraftStatus.EXPORTED: "exported",
}
STATUSES: tuple[DraftStatus, ...] = tuple(DraftStatus)


def status_label(status: str) -> str:
    """The label of a stored status; an unknown value is shown as it is."""
    try:
        return DraftStatus(status).label
    except ValueError:
        return str(status)


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[DraftStatus]
    target: DraftStatus
    permission: str
    participle: str  # for messages: "cannot be sent back for changes"
    # May run on many drafts at once (review.bulk): only actions whose sole per-draft rule is the
    # source status. Submit runs the checks and approve weighs their verdict per draft.
    bulk: bool = False
    comment_required: str | None = None  # the refusal when no comment is given


_S = DraftStatus

# The one table of allowed transitions. Anything not here is refused.
TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition("submit", frozenset({_S.DRAFT, _S.CHANGES_REQUESTED}), _S.IN_REVIEW, "draft.submit",
                   "submitted for review"),
        Transition("approve", frozenset({_S.IN_REVIEW}), _S.APPROVED, "review.approve", "approved"),
        Transition("request_changes", frozenset({_S.IN_REVIEW}), _S.CHANGES_REQUESTED, "review.request_changes",
                   "sent back for changes", bulk=True,
                   comment_required="Say what needs to change: a comment is required when requesting changes."),
        Transition("reject", frozenset({_S.IN_REVIEW}), _S.REJECTED, "review.reject", "rejected", bulk=True,
                   comment_required="Give a reason: a comment is required when rejecting."),
        Transition("export", frozenset({_S.APPROVED, _S.EXPORTED}), _S.EXPORTED, "export.run", "exported",
                   bulk=True),
        # The author takes a submission back while nobody has started reviewing it
        # (withdraw_refusal); it is a draft again, theirs to change.
        Transition("withdraw", frozenset({_S.IN_REVIEW}), _S.DRAFT, "draft.withdraw", "withdrawn from review"),
        # Not a button: what changing a field that ships does to an approved draft
        # (publishing.service.update_publishing). The editor approves what will ship.
        Transition("reopen", frozenset({_S.APPROVED, _S.EXPORTED}), _S.IN_REVIEW, "draft.edit_any",
                   "sent back to review"),
    )
}  # fmt: skip

#: The editor's decisions on a draft in review, in the order the page offers them.
DECISIONS: tuple[str, ...] = ("approve", "request_changes", "reject")
DECISION_LABELS = {"approve": "Approve", "request_changes": "Request changes", "reject": "Reject"}

# Statuses in which a draft can be given to a reviewer: while it waits for a decision, and while
# its author revises it (the resubmission then goes back to the same reviewer).
ASSIGNABLE = frozenset({_S.IN_REVIEW, _S.CHANGES_REQUESTED})

# Statuses in which the text may still change, and who may change it then.
EDITABLE_BY_AUTHOR = frozenset({_S.DRAFT, _S.CHANGES_REQUESTED})
EDITABLE_BY_EDITOR = frozenset({_S.DRAFT, _S.IN_REVIEW, _S.CHANGES_REQUESTED})

Part = Literal["text", "fields"]


def edit_refusal(draft: Any, person: Any, part: Part = "text") -> str | None:
    """None when ``person`` may change ``draft``'s text (``part="text"``) or its publishing fields
    (``part="fields"``) now; otherwise why not, in words.

    Text: the author while it is theirs to change (draft, changes requested); an editor also while
    it is in review. Publishing fields: the author in the same statuses; an editor in every
    status but rejected (fixing a slug or a publish date before exporting is their job).
    """
    status = DraftStatus(draft.status)
    own = draft.author_id == person.id
    if part == "fields":
        if can(person, "draft.edit_any"):
            if status is _S.REJECTED:
                return "This draft was rejected; its publishing fields can no longer be changed."
            return None
        if own and can(person, "draft.edit_own"):
            if status in EDITABLE_BY_AUTHOR:
                return None
            return f"This draft is {status.label.lower()}; only an editor can change its publishing fields now."
        return "Only the author or an editor can change this draft's publishing fields."
    if own and can(person, "draft.edit_own") and status in EDITABLE_BY_AUTHOR:
        return None
    if can(person, "draft.edit_any") and status in EDITABLE_BY_EDITOR:
        return None
    if not own and not can(person, "draft.edit_any"):
        return "Only the author or an editor can change this draft."
    if status is _S.IN_REVIEW:
        return "This draft is in review; an editor may edit it, or wait for their decision."
    return f"This draft is {status.label.lower()}; its text can no longer be changed."


def can_edit(draft: Any, person: Any, part: Part = "text") -> bool:
    return edit_refusal(draft, person, part) is None


def review_started(draft: Any, reviewer_activity: bool = False) -> bool:
    """Has a reviewer started on ``draft``? Yes once it has a reviewer (assigned or claimed), or
    once someone other than the author edited or commented on it since it was submitted."""
    return getattr(draft, "assignee_id", None) is not None or reviewer_activity


def withdraw_refusal(draft: Any, person: Any, *, started: bool) -> str | None:
    """None when ``person`` may take ``draft`` back from review now; otherwise why not."""
    status = DraftStatus(draft.status)
    if draft.author_id != person.id or not can(person, "draft.withdraw"):
        return "Only the author can withdraw a draft from review."
    if status is not _S.IN_REVIEW:
        return f"This draft is {status.label.lower()}, not in review: there is nothing to withdraw."
    if started:
        return ("A reviewer has started on this draft, so it can no longer be withdrawn. "
                "Ask them to send it back with a request for changes.")
    return None


def assignment_refusal(draft: Any, person: Any, assignee: Any | None, *,
                       allow_self_approval: bool = False) -> str | None:
    """None when ``person`` may give ``draft`` to ``assignee`` (None: take it from whoever has
    it); otherwise why not. An editor assigns; the reviewer must be an active editor other than
    the author (who may not approve their own draft)."""
    status = DraftStatus(draft.status)
    if not can(person, "review.assign"):
        return "Only editors can assign drafts to reviewers."
    if status not in ASSIGNABLE:
        return f"This draft is {status.label.lower()}; only drafts in review or waiting for changes get a reviewer."
    if assignee is None:
        return None
    if not can(assignee, "review.claim"):
        return f"{getattr(assignee, 'label', 'This person')} is not an active editor, so they cannot review drafts."
    if assignee.id == draft.author_id and not allow_self_approval:
        return "The author cannot review their own draft; choose another editor."
    return None


def available_actions(
    draft: Any, person: Any, *, allow_self_approval: bool = False, reviewer_activity: bool = False
) -> tuple[str, ...]:
    """The workflow actions ``person`` has on ``draft`` now, as TRANSITIONS keys (plus "edit",
    "comment", and the reviewer's "claim", "assign", "unassign"): what the draft view offers.
    ``reviewer_activity``: someone other than the author acted on it since it was submitted.
    The services check the same rules again."""
    status = DraftStatus(draft.status)
    own = draft.author_id == person.id
    actions: list[str] = []
    if can_edit(draft, person):
        actions.append("edit")
    submit = TRANSITIONS["submit"]
    if status in submit.sources and (
        (own and can(person, submit.permission)) or can(person, "draft.edit_any")
    ):
        actions.append("submit")
    for action in DECISIONS:
        spec = TRANSITIONS[action]
        if status in spec.sources and can(person, spec.permission):
            if action == "approve" and own and not allow_self_approval:
                continue
            actions.append(action)
    if withdraw_refusal(draft, person, started=review_started(draft, reviewer_activity)) is None:
        actions.append("withdraw")
    assignee = getattr(draft, "assignee_id", None)
    if assignment_refusal(draft, person, None) is None:
        if status is _S.IN_REVIEW and assignee is None and can(person, "review.claim") and (
            not own or allow_self_approval
        ):
            actions.append("claim")
        actions.append("assign")
        if assignee is not None:
            actions.append("unassign")
    if own or can(person, "review.comment"):
        actions.append("comment")
    return tuple(actions)
