"""Brand voices, knowledge sources and their passages, and the claim ledger (studio.voices, studio.sources, studio.claims).

Part of the one schema `studio.models` exports; kept apart so no module grows past the
layout's size limit."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from studio.tables.base import Base, TimestampMixin, utcnow


class BrandVoice(TimestampMixin, Base):
    """A workspace's voice: samples, the profile measured from them, the rules, a description.

    Every change makes a new version (BrandVoiceVersion keeps each one), so a draft records the
    voice it was written in exactly as it was then.
    """

    __tablename__ = "brand_voices"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(16), default="en")
    profile: Mapped[dict[str, Any]] = mapped_column(default=dict)
    rules: Mapped[dict[str, Any]] = mapped_column(default=dict)
    excerpts: Mapped[list[Any]] = mapped_column(default=list)
    # [{"name": file name or "Pasted sample n", "text": ...}]; deferred: lists never need them.
    samples: Mapped[list[Any]] = mapped_column(default=list, deferred=True)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)


class BrandVoiceVersion(Base):
    __tablename__ = "brand_voice_versions"
    __table_args__ = (UniqueConstraint("voice_id", "version", name="uq_brand_voice_versions_voice_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    voice_id: Mapped[int] = mapped_column(ForeignKey("brand_voices.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(16), default="en")
    profile: Mapped[dict[str, Any]] = mapped_column(default=dict)
    rules: Mapped[dict[str, Any]] = mapped_column(default=dict)
    excerpts: Mapped[list[Any]] = mapped_column(default=list)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Source(Base):
    """A knowledge source: an uploaded file, pasted text or a fetched page, as extracted text."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(16))  # upload | paste | url
    url: Mapped[str | None] = mapped_column(Text, default=None)
    filename: Mapped[str | None] = mapped_column(String(255), default=None)
    media_type: Mapped[str] = mapped_column(String(120), default="")
    text: Mapped[str] = mapped_column(Text, deferred=True)
    chars: Mapped[int] = mapped_column(Integer, default=0)
    language: Mapped[str] = mapped_column(String(16), default="")
    archived: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    chunks: Mapped[list[SourceChunk]] = relationship(back_populates="source", order_by="SourceChunk.ordinal")


class SourceChunk(Base):
    __tablename__ = "source_chunks"
    __table_args__ = (UniqueConstraint("source_id", "ordinal", name="uq_source_chunks_source_ordinal"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), index=True)
    ordinal: Mapped[int] = mapped_column(Integer)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    # The vector from STUDIO_EMBEDDINGS_MODEL (named in embedding_model), when semantic search is on.
    embedding: Mapped[list[Any] | None] = mapped_column(JSON, default=None, deferred=True)
    embedding_model: Mapped[str | None] = mapped_column(String(120), default=None)

    source: Mapped[Source] = relationship(back_populates="chunks")


class DraftPassage(Base):
    """A passage the writer was given for a draft, under the id it cites ("S2")."""

    __tablename__ = "draft_passages"
    __table_args__ = (UniqueConstraint("draft_id", "label", name="uq_draft_passages_draft_label"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id"), index=True)
    label: Mapped[str] = mapped_column(String(16))
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"), default=None)
    chunk_id: Mapped[int | None] = mapped_column(ForeignKey("source_chunks.id"), default=None)
    title: Mapped[str] = mapped_column(String(300), default="")
    url: Mapped[str | None] = mapped_column(Text, default=None)
    text: Mapped[str] = mapped_column(Text)
    score: Mapped[float | None] = mapped_column(Float, default=None)


class Claim(Base):
    """One statement of a revision that needs support (the claim ledger), and what supports it."""

    __tablename__ = "claims"

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id"), index=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id"), index=True)
    ordinal: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(24))
    kinds: Mapped[list[Any]] = mapped_column(default=list)
    support: Mapped[str] = mapped_column(String(16))  # supported | partly | unsupported
    score: Mapped[float] = mapped_column(Float, default=0.0)
    label: Mapped[str | None] = mapped_column(String(16), default=None)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"), default=None)
    passage: Mapped[str] = mapped_column(Text, default="")
    method: Mapped[str] = mapped_column(String(16), default="rules")
    note: Mapped[str] = mapped_column(Text, default="")
