"""The studio's tables, SQLAlchemy 2.x typed.

The shape follows DESIGN.md's data picture. Timestamps are stored as timezone-aware UTC.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

# A naming convention keeps constraint names stable across SQLite and PostgreSQL, so Alembic
# migrations generated on one apply on the other.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """Always hands back aware UTC datetimes; SQLite would otherwise drop the zone."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON,
        list[Any]: JSON,
        bytes: LargeBinary,
    }


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class User(TimestampMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    # Comma-separated role names; a person may hold several (marketer, editor, admin).
    roles_csv: Mapped[str] = mapped_column(String(120), default="marketer")
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(default=None)
    last_login_at: Mapped[datetime | None] = mapped_column(default=None)
    # Optional. Exports name the author by it (WordPress post_author, HubSpot authorEmail) and
    # the inbox's e-mails go to it when the workspace has SMTP settings.
    email: Mapped[str | None] = mapped_column(String(254), default=None)
    # The person's own choice: False keeps their inbox in the app only.
    email_notifications: Mapped[bool] = mapped_column(Boolean, default=True)

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(r for r in self.roles_csv.split(",") if r)

    @property
    def label(self) -> str:
        return self.display_name or self.name


class Draft(TimestampMixin, Base):
    __tablename__ = "drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)

    # The brief, kept whole so a failed run can be retried exactly.
    content_type: Mapped[str] = mapped_column(String(16), index=True)
    topic: Mapped[str] = mapped_column(Text)
    audience: Mapped[str] = mapped_column(Text, default="")
    keywords: Mapped[list[Any]] = mapped_column(default=list)
    tone: Mapped[str] = mapped_column(String(32), default="professional")
    formality: Mapped[int] = mapped_column(Integer, default=3)
    temperature: Mapped[float] = mapped_column(Float, default=0.7)
    target_words: Mapped[int] = mapped_column(Integer, default=600)
    language: Mapped[str] = mapped_column(String(16), default="en")
    # The brand voice the draft was written in, at the version it had then (brand_voice_versions).
    voice_id: Mapped[int | None] = mapped_column(ForeignKey("brand_voices.id"), default=None)
    voice_version: Mapped[int | None] = mapped_column(Integer, default=None)
    # The knowledge sources the brief picked; search_sources: search every source instead.
    source_ids: Mapped[list[Any]] = mapped_column(default=list)
    search_sources: Mapped[bool] = mapped_column(Boolean, default=False)
    # A localised draft points at the approved draft it was localised from.
    localised_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("drafts.id", use_alter=True, name="fk_drafts_localised_from_id_drafts"), default=None, index=True
    )

    status: Mapped[str] = mapped_column(String(24), default="draft", index=True)
    # The queue filters on one of these and counts per status; each index covers both.
    __table_args__ = (
        Index("ix_drafts_status_updated", "status", "updated_at"),
        Index("ix_drafts_type_status_updated", "content_type", "status", "updated_at"),
        Index("ix_drafts_verdict_status_updated", "check_verdict", "status", "updated_at"),
        Index("ix_drafts_author_status_updated", "author_id", "status", "updated_at"),
    )
    # True while the text is a partial result of a failed or interrupted generation.
    incomplete: Mapped[bool] = mapped_column(Boolean, default=False)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    # Optimistic lock: every action names the version it saw.
    version: Mapped[int] = mapped_column(Integer, default=1)
    # The verdict of the current revision's latest check, kept here so the queue can filter on it.
    check_verdict: Mapped[str | None] = mapped_column(String(16), default=None, index=True)
    submitted_at: Mapped[datetime | None] = mapped_column(default=None)
    # The reviewer who has the draft: assigned by an editor or claimed. Data on the draft, not a
    # status; it stays after the decision (who reviewed it) and a resubmission goes back to them.
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None, index=True)
    assigned_at: Mapped[datetime | None] = mapped_column(default=None)

    # Publishing fields, proposed by the writer and edited by people.
    title: Mapped[str] = mapped_column(Text, default="")
    slug: Mapped[str] = mapped_column(String(200), default="")
    excerpt: Mapped[str] = mapped_column(Text, default="")
    meta_description: Mapped[str] = mapped_column(String(400), default="")
    tags: Mapped[list[Any]] = mapped_column(default=list)
    categories: Mapped[list[Any]] = mapped_column(default=list)
    publish_date: Mapped[datetime | None] = mapped_column(default=None)
    publish_status: Mapped[str] = mapped_column(String(16), default="draft")

    current_revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("revisions.id", use_alter=True, name="fk_drafts_current_revision_id_revisions"),
        default=None,
    )

    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    revisions: Mapped[list[Revision]] = relationship(
        back_populates="draft",
        foreign_keys="Revision.draft_id",
        order_by="Revision.number",
    )
    current_revision: Mapped[Revision | None] = relationship(
        foreign_keys=[current_revision_id], post_update=True
    )

    __mapper_args__ = {"version_id_col": version}


class Revision(Base):
    __tablename__ = "revisions"
    __table_args__ = (UniqueConstraint("draft_id", "number", name="uq_revisions_draft_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    # The body as the sanitised HTML an export writes (studio.export.render_html), made when the
    # revision is saved; html_version names the renderer + allowlist that made it, so an export
    # renders again when those changed (or when the revision has no stored HTML).
    body_html: Mapped[str | None] = mapped_column(Text, default=None, deferred=True)
    html_version: Mapped[str | None] = mapped_column(String(64), default=None)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # generated | edited | suggestion_applied | revised_by_instruction | partial
    reason: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    draft: Mapped[Draft] = relationship(back_populates="revisions", foreign_keys=[draft_id])
    author: Mapped[User | None] = relationship()


class DraftSearch(Base):
    """Title and current text per draft, for full-text search (FTS5 on SQLite, tsvector on
    PostgreSQL, LIKE elsewhere). Kept in step by studio.search.index_draft."""

    __tablename__ = "draft_search"

    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id"), primary_key=True, autoincrement=False)
    title: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")


class Generation(Base):
    __tablename__ = "generations"

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id"), index=True)
    revision_id: Mapped[int | None] = mapped_column(ForeignKey("revisions.id"), default=None)
    provider: Mapped[str] = mapped_column(String(32))
    model: Mapped[str] = mapped_column(String(120))
    # Exactly what went to the provider (temperature absent when the model rejects it).
    parameters: Mapped[dict[str, Any]] = mapped_column(default=dict)
    prompt_messages: Mapped[list[Any]] = mapped_column(default=list)
    prompt_tokens: Mapped[int | None] = mapped_column(Integer, default=None)
    completion_tokens: Mapped[int | None] = mapped_column(Integer, default=None)
    total_tokens: Mapped[int | None] = mapped_column(Integer, default=None)
    time_to_first_token_ms: Mapped[float | None] = mapped_column(Float, default=None)
    total_time_ms: Mapped[float | None] = mapped_column(Float, default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    error_detail: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CheckReport(Base):
    __tablename__ = "check_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id"), index=True)
    verdict: Mapped[str] = mapped_column(String(16), index=True)
    backends: Mapped[list[Any]] = mapped_column(default=list)
    signals: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    findings: Mapped[list[Finding]] = relationship(
        back_populates="report", order_by="Finding.start", cascade="all, delete-orphan"
    )


class Finding(Base):
    __tablename__ = "findings"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("check_reports.id"), index=True)
    category: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(64))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    severity: Mapped[str] = mapped_column(String(8))
    score: Mapped[float | None] = mapped_column(Float, default=None)
    suggestions: Mapped[list[Any]] = mapped_column(default=list)
    rule: Mapped[str] = mapped_column(String(120), default="")
    note: Mapped[str] = mapped_column(Text, default="")

    report: Mapped[CheckReport] = relationship(back_populates="findings")


class Comment(Base):
    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User] = relationship()


class AuditEvent(Base):
    """Append-only: no service updates or deletes these rows."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_draft_time", "draft_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    actor_name: Mapped[str] = mapped_column(String(64), default="")
    action: Mapped[str] = mapped_column(String(40), index=True)
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("drafts.id"), default=None)
    from_status: Mapped[str | None] = mapped_column(String(24), default=None)
    to_status: Mapped[str | None] = mapped_column(String(24), default=None)
    comment: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)


class ExportBatch(Base):
    __tablename__ = "export_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    preset: Mapped[str] = mapped_column(String(32))
    row_count: Mapped[int] = mapped_column(Integer)
    checksum: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(200))
    # Deferred: a list of past exports must not read every file.
    content: Mapped[bytes | None] = mapped_column(default=None, deferred=True)
    # "gzip" when content is the file compressed; None: the file as it is (exports made before
    # early versions of the studio). size: the file's own length in bytes.
    content_encoding: Mapped[str | None] = mapped_column(String(16), default=None)
    size: Mapped[int | None] = mapped_column(BigInteger, default=None)

    items: Mapped[list[ExportItem]] = relationship(back_populates="batch")


class ExportItem(Base):
    __tablename__ = "export_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("export_batches.id"), index=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id"), index=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id"))
    slug: Mapped[str] = mapped_column(String(200), index=True)

    batch: Mapped[ExportBatch] = relationship(back_populates="items")


class Notification(Base):
    """One entry of a person's inbox (studio.inbox): something happened that concerns them."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_recipient_read", "recipient_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # studio.inbox.rules.KINDS: assigned, changes_requested, approved, rejected, exported, comment
    kind: Mapped[str] = mapped_column(String(32))
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("drafts.id"), default=None, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    actor_name: Mapped[str] = mapped_column(String(120), default="")
    # The sentence the person reads, written when it happened ("Dana Editor approved …").
    message: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[str] = mapped_column(Text, default="")  # a comment, a reason: quoted below it
    read_at: Mapped[datetime | None] = mapped_column(default=None)
    # E-mail of this entry: None (not to be sent), pending, sent, failed.
    email_status: Mapped[str | None] = mapped_column(String(16), default=None, index=True)
    email_error: Mapped[str] = mapped_column(Text, default="")


class WorkspaceSetting(Base):
    """A workspace setting an admin changed in the app (studio.workspace); a setting without a
    row takes its value from the environment."""

    __tablename__ = "workspace_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)


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


class Batch(Base):  # a spreadsheet of briefs written as one job per row (studio.batch)

    __tablename__ = "batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    filename: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(16), default="running", index=True)  # running|cancelled|finished
    concurrency: Mapped[int] = mapped_column(Integer, default=4)
    auto_submit: Mapped[bool] = mapped_column(Boolean, default=False)
    provider: Mapped[str] = mapped_column(String(32), default="")
    model: Mapped[str] = mapped_column(String(120), default="")
    estimated_cost: Mapped[float | None] = mapped_column(Float, default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)

    rows: Mapped[list[BatchRow]] = relationship(back_populates="batch", order_by="BatchRow.number")


class BatchRow(Base):  # one row of a batch: its brief, its state and the draft it became

    __tablename__ = "batch_rows"
    __table_args__ = (
        UniqueConstraint("batch_id", "number", name="uq_batch_rows_batch_number"),
        Index("ix_batch_rows_batch_state", "batch_id", "state"),
        Index("ix_batch_rows_state_lease", "state", "lease_until"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"))
    number: Mapped[int] = mapped_column(Integer)  # the row's line in the file (the header is line 1)
    brief: Mapped[dict[str, Any]] = mapped_column(default=dict)
    publish_date: Mapped[datetime | None] = mapped_column(default=None)
    state: Mapped[str] = mapped_column(String(16), default="queued")  # studio.batch.rules.RowState
    error: Mapped[str | None] = mapped_column(Text, default=None)
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("drafts.id"), default=None, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    dispatched_at: Mapped[datetime | None] = mapped_column(default=None)  # sent to the queue
    task_id: Mapped[str | None] = mapped_column(String(64), default=None)
    not_before: Mapped[datetime | None] = mapped_column(default=None)
    worker: Mapped[str | None] = mapped_column(String(120), default=None)  # writing it, its claim held
    lease_until: Mapped[datetime | None] = mapped_column(default=None)  # until then without a heartbeat
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    batch: Mapped[Batch] = relationship(back_populates="rows")


class BatchAttempt(Base):  # one try at a row; a failed or lost try keeps the text that had arrived

    __tablename__ = "batch_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    row_id: Mapped[int] = mapped_column(ForeignKey("batch_rows.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    worker: Mapped[str] = mapped_column(String(120), default="")
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(default=None)
    outcome: Mapped[str] = mapped_column(String(16), default="running")  # done|retrying|failed|lost|…
    error: Mapped[str | None] = mapped_column(Text, default=None)
    partial_text: Mapped[str] = mapped_column(Text, default="")
    retry_after_s: Mapped[float | None] = mapped_column(Float, default=None)


class QueueWorker(Base):  # a running `python -m studio worker`, seen by its heartbeat

    __tablename__ = "queue_workers"

    id: Mapped[str] = mapped_column(String(120), primary_key=True)
    host: Mapped[str] = mapped_column(String(120))
    pid: Mapped[int] = mapped_column(Integer)
    concurrency: Mapped[int] = mapped_column(Integer, default=1)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    stopped_at: Mapped[datetime | None] = mapped_column(default=None)


class ProviderSlot(Base):  # one of a provider's call slots shared by every worker (leased)

    __tablename__ = "provider_slots"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    slot: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    holder: Mapped[str | None] = mapped_column(String(200), default=None)
    lease_until: Mapped[datetime | None] = mapped_column(default=None)
    cooldown_until: Mapped[datetime | None] = mapped_column(default=None)  # slot 0: the provider's Retry-After


class UsageRecord(Base):
    """One model call: who, what for, which model, tokens and cost (studio.usage)."""

    __tablename__ = "usage_records"
    __table_args__ = (
        Index("ix_usage_records_person_time", "person_id", "created_at"),
        Index("ix_usage_records_model_time", "model", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    provider: Mapped[str] = mapped_column(String(32))
    endpoint: Mapped[str] = mapped_column(String(200), default="")
    model: Mapped[str] = mapped_column(String(120))
    feature: Mapped[str] = mapped_column(String(32), index=True)  # studio.usage.context.FEATURES
    person_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("batches.id"), default=None, index=True)
    prompt_tokens: Mapped[int] = mapped_column(Integer, default=0)
    completion_tokens: Mapped[int] = mapped_column(Integer, default=0)
    tokens_source: Mapped[str] = mapped_column(String(16), default="reported")  # reported|counted|estimated
    cost: Mapped[float | None] = mapped_column(Float, default=None)  # US dollars then; None: no price known
    ok: Mapped[bool] = mapped_column(Boolean, default=True)
    duration_ms: Mapped[float | None] = mapped_column(Float, default=None)


class ModelPrice(Base):
    """An admin's price for a model, in US dollars per million tokens (defaults live in code)."""

    __tablename__ = "model_prices"

    id: Mapped[int] = mapped_column(primary_key=True)
    model: Mapped[str] = mapped_column(String(120), unique=True)
    input_per_million: Mapped[float] = mapped_column(Float)
    output_per_million: Mapped[float] = mapped_column(Float)
    any_server: Mapped[bool] = mapped_column(Boolean, default=False)  # also for servers other than OpenAI's
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Budget(Base):
    """A monthly spending limit for one person or for the workspace (user_id NULL)."""

    __tablename__ = "budgets"
    __table_args__ = (UniqueConstraint("scope", "user_id", name="uq_budgets_scope_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(16))  # person | workspace
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    monthly: Mapped[float] = mapped_column(Float)
    hard: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
