"""What pages and the CLI read about the writing workspace: plain dataclasses."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from studio.writing.outline import writing_order


@dataclass(frozen=True)
class SectionView:
    id: int
    position: int
    kind: str
    heading: str
    intent: str
    points: list[str]
    words: int
    status: str  # pending | done
    text: str
    summary: str
    covered: list[str]
    prompt_tokens: int | None

    @property
    def done(self) -> bool:
        return self.status == "done"


@dataclass(frozen=True)
class OutlineView:
    draft_id: int
    draft_version: int
    title: str
    sections: list[SectionView]
    repetition: list[dict[str, Any]] = field(default_factory=list)

    @property
    def next_pending(self) -> int | None:
        """The first section a Retry writes (body first, then introduction and conclusion)."""
        for i in writing_order(self.sections):
            if not self.sections[i].done:
                return i
        return None

    @property
    def finished(self) -> bool:
        return all(s.done for s in self.sections)

    def as_outline_json(self) -> list[dict[str, Any]]:
        return [{"heading": s.heading, "points": list(s.points)} for s in self.sections]

    def as_sections_json(self) -> list[dict[str, Any]]:
        return [{"heading": s.heading, "text": s.text} for s in self.sections if s.done]


@dataclass(frozen=True)
class AlternativeView:
    id: int
    batch: int
    position: int
    kind: str
    temperature: float | None
    approach: str
    body: str
    words: int
    reading_ease: float | None
    error: str | None
    kept: bool
    created_at: datetime


@dataclass(frozen=True)
class TurnView:
    number: int
    instruction: str
    section: int | None
    reply: str
    revision_before: int | None
    revision_after: int | None
    error: str | None
    undone: bool
    prompt_tokens: int | None
    author: str
    created_at: datetime


@dataclass(frozen=True)
class ReviseResult:
    """One revise turn done: the new revision, the draft's text and version, the diff's sides."""

    turn: int
    revision: int
    text: str
    draft_version: int
    before: str
    prompt_tokens: int

    def as_dict(self) -> dict[str, Any]:
        return {"turn": self.turn, "revision": self.revision, "text": self.text, "draft_version": self.draft_version,
                "prompt_tokens": self.prompt_tokens}
