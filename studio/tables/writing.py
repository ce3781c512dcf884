"""Long-form outlines and sections, variants written beside a draft, and the revise conversation (studio.writing).

Part of the one schema `studio.models` exports; kept apart so no module grows past the
layout's size limit."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from studio.tables.base import Base, utcnow


class DraftOutline(Base):
    """A long-form draft's plan: its title and the state of the run that writes it.

    The sections (headings, intent, points, and what has been written of each) are rows of
    `DraftSection`; together they are the outline the marketer edits and the state a Retry
    continues from.
    """

    __tablename__ = "draft_outlines"

    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id"), primary_key=True, autoincrement=False)
    title: Mapped[str] = mapped_column(Text, default="")
    # Repeated sentences and ideas across sections, as findings (studio.writing.repetition).
    repetition: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    sections: Mapped[list[DraftSection]] = relationship(
        order_by="DraftSection.position", cascade="all, delete-orphan"
    )


class DraftSection(Base):
    """One section of a long-form outline and, once written, its text, summary and points made."""

    __tablename__ = "draft_sections"

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("draft_outlines.draft_id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    # intro | body | conclusion
    kind: Mapped[str] = mapped_column(String(16), default="body")
    heading: Mapped[str] = mapped_column(Text, default="")
    intent: Mapped[str] = mapped_column(Text, default="")
    points: Mapped[list[Any]] = mapped_column(default=list)
    words: Mapped[int] = mapped_column(Integer, default=200)
    # pending | done
    status: Mapped[str] = mapped_column(String(16), default="pending")
    text: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    covered: Mapped[list[Any]] = mapped_column(default=list)
    # Tokens of the prompt that wrote it (our count), so the window's size can be read later.
    prompt_tokens: Mapped[int | None] = mapped_column(Integer, default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class DraftAlternative(Base):
    """A variant written beside the kept text: a whole draft, or a headline or an introduction."""

    __tablename__ = "draft_alternatives"

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id"), index=True)
    # One click on "Write variants" makes one batch; its variants are compared with each other.
    batch: Mapped[int] = mapped_column(Integer, default=1)
    position: Mapped[int] = mapped_column(Integer, default=0)
    # full | headline | intro
    kind: Mapped[str] = mapped_column(String(16), default="full")
    # None when the model takes no temperature; `approach` then says how the variants differ.
    temperature: Mapped[float | None] = mapped_column(Float, default=None)
    approach: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    words: Mapped[int] = mapped_column(Integer, default=0)
    reading_ease: Mapped[float | None] = mapped_column(Float, default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    kept: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReviseTurn(Base):
    """One instruction in a draft's revise conversation and what came of it."""

    __tablename__ = "revise_turns"
    __table_args__ = (UniqueConstraint("draft_id", "number", name="uq_revise_turns_draft_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    instruction: Mapped[str] = mapped_column(Text)
    # None: the whole draft; otherwise the section's number (0 = the introduction).
    section: Mapped[int | None] = mapped_column(Integer, default=None)
    reply: Mapped[str] = mapped_column(Text, default="")
    revision_before: Mapped[int | None] = mapped_column(Integer, default=None)
    revision_after: Mapped[int | None] = mapped_column(Integer, default=None)
    # The running summary of the conversation up to and including this turn.
    summary: Mapped[str] = mapped_column(Text, default="")
    prompt_tokens: Mapped[int | None] = mapped_column(Integer, default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    undone: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
