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
    field: str = "body"
    advice: str = ""
    acknowledge: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "field": self.field, "category": self.category, "label": self.label,
            "start": self.start, "end": self.end, "text": self.text, "severity": self.severity,
            "score": self.score, "suggestions": list(self.suggestions), "rule": self.rule,
            "note": self.note, "advice": self.advice, "acknowledge": self.acknowledge,
        }  # fmt: skip


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
    id: int | None = None
    # The fragment of a regeneration that failed or was stopped (the draft kept its text).
    attempt_text: str | None = None


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
    # Publishing fields set by hand whose source text changed since ("may be out of date").
    stale_fields: list[str] = field(default_factory=list)
    # What approving needs ticked (checks.policy.ACKNOWLEDGEMENTS keys), from the latest report.
    acknowledgements: list[str] = field(default_factory=list)
    checked_at: datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        """The JSON of ``python -m studio drafts show --json``."""
        pub = dict(self.publishing)
        when = pub.get("publish_date")
        pub["publish_date"] = when.isoformat() if when is not None else None
        return {
            "id": self.id,
            "status": self.status,
            "incomplete": self.incomplete,
            "version": self.version,
            "revision": self.revision,
            "body": self.body,
            **{k: pub[k] for k in ("title", "slug", "excerpt", "meta_description", "tags", "categories",
                                   "publish_status", "publish_date", "language")},
            "stale_fields": list(self.stale_fields),
            "report": None if self.verdict is None else {
                "verdict": self.verdict,
                "checked_at": self.checked_at.isoformat() if self.checked_at else None,
                "acknowledgements": list(self.acknowledgements),
                "backends": [dict(b) for b in self.backends],
                "findings": [f.as_dict() for f in self.findings],
            },
        }  # fmt: skip


@dataclass
class GenerationOutcome:
    """What one generation run ended with, as the CLI's JSON and the New draft page show it."""

    draft_id: int
    draft_version: int
    revision_number: int | None
    status: str
    incomplete: bool
    text: str
    provider: str
    model: str
    provider_label: str
    temperature: float | None
    error: str | None = None
    time_to_first_token_ms: float | None = None
    total_time_ms: float | None = None
    usage: dict[str, int] = field(default_factory=dict)
    #: Where the brief and the text were written when the database could not take them.
    recovery_file: str | None = None
    # The brand voice's match score of the text ({"score", "features"}), and the passages cited.
    voice_match: dict[str, Any] | None = None
    citations: list[dict[str, Any]] = field(default_factory=list)
    # A failed or stopped regeneration: the draft's text stayed as it was (this revision), and the
    # fragment is kept as attempt ``attempt_id``.
    kept_revision: int | None = None
    attempt_id: int | None = None
    # The critic pass's outcome (studio.critic.service.CriticOutcome.as_dict()) when one ran;
    # then `text` is the text after it.
    critic: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "draft_id": self.draft_id,
            "status": self.status,
            "incomplete": self.incomplete,
            "revision": self.revision_number,
            "text": self.text,
            "provider": self.provider,
            "provider_label": self.provider_label,
            "model": self.model,
            "temperature": self.temperature,
            "error": self.error,
            "time_to_first_token_ms": self.time_to_first_token_ms,
            "total_time_ms": self.total_time_ms,
            "usage": self.usage,
            "recovery_file": self.recovery_file,
            "voice_match": self.voice_match,
            "citations": self.citations,
            "kept_revision": self.kept_revision,
            "attempt_id": self.attempt_id,
            "critic": self.critic,
        }
