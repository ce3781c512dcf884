"""What pages read about drafts: plain dataclasses, never ORM objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class DraftRow:
    """One draft in a list."""

    id: int
    title: str
    content_type: str
    status: str
    incomplete: bool
    updated_at: datetime
    author: str
    version: int


@dataclass(frozen=True)
class SavedRevision:
    """What a person sees after saving text: the revision's number and the draft's new version."""

    number: int
    draft_version: int


@dataclass(frozen=True)
class FindingView:
    id: int
    category: str
    label: str
    start: int
    end: int
    text: str
    severity: str
    score: float | None
    suggestions: list[str]
    note: str
    rule: str


@dataclass(frozen=True)
class RevisionView:
    number: int
    reason: str
    created_at: datetime
    body: str
    note: str
    author: str


@dataclass(frozen=True)
class CommentView:
    author: str
    created_at: datetime
    body: str


@dataclass(frozen=True)
class EventView:
    created_at: datetime
    actor: str
    action: str
    from_status: str | None
    to_status: str | None
    comment: str


@dataclass(frozen=True)
class GenerationView:
    provider: str
    model: str
    created_at: datetime
    time_to_first_token_ms: float | None
    total_time_ms: float | None
    prompt_tokens: int | None
    completion_tokens: int | None
    error: str | None
    parameters: dict[str, Any]
    prompt_messages: list[dict[str, Any]]


@dataclass(frozen=True)
class ReviewNote:
    """A reviewer's word on a draft: who, when, what they wrote."""

    by: str
    at: datetime
    comment: str


@dataclass(frozen=True)
class ReviewState:
    """Where a draft stands in review, as its author and its reviewer read it."""

    status: str
    status_label: str  # "In review"
    summary: str  # "Dana Editor is reviewing it."
    holder: str  # who has it now, in words: "Dana Editor", "You", "No reviewer yet"
    reviewer: str  # the assigned reviewer's name, "" when nobody has it
    reviewer_id: int | None
    latest_request: ReviewNote | None  # the newest request for changes
    decision: ReviewNote | None  # approved or rejected: by whom, why
    withdraw_refusal: str | None  # why the viewer cannot withdraw it now (None: they can)


@dataclass(frozen=True)
class DraftDetail:
    """One draft opened, with everything the draft view shows and what the person may do."""

    id: int
    title: str
    status: str
    incomplete: bool
    last_error: str | None
    version: int
    author_id: int | None
    author: str
    body: str
    revision: int | None
    brief: dict[str, Any]
    publishing: dict[str, Any]
    actions: tuple[str, ...]  # review.rules.available_actions
    edit_refusal: str | None  # why the text cannot be edited now, or None
    fields_refusal: str | None  # why the publishing fields cannot be edited now, or None
    verdict: str | None = None
    backends: list[dict[str, Any]] = field(default_factory=list)
    signals: dict[str, Any] = field(default_factory=dict)
    findings: list[FindingView] = field(default_factory=list)
    revisions: list[RevisionView] = field(default_factory=list)
    comments: list[CommentView] = field(default_factory=list)
    timeline: list[EventView] = field(default_factory=list)
    generations: list[GenerationView] = field(default_factory=list)
    review: ReviewState | None = None
