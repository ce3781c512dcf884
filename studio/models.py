"""The studio's tables, SQLAlchemy 2.x typed: the core ones here, the features' in `studio/tables/`,
all exported from this module so the schema is one import (and one metadata) wherever it is used.

The shape follows DESIGN.md's data picture. Timestamps are stored as timezone-aware UTC.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

# The features' tables are re-exported: every caller imports the schema from here.
from studio.tables.base import Base, TimestampMixin, UTCDateTime, utcnow  # noqa: F401
from studio.tables.batches import (  # noqa: F401
    Batch,
    BatchAttempt,
    BatchRow,
    Budget,
    ModelPrice,
    ProviderSlot,
    QueueWorker,
    UsageRecord,
)
from studio.tables.grounding import (  # noqa: F401
    BrandVoice,
    BrandVoiceVersion,
    Claim,
    DraftPassage,
    Source,
    SourceChunk,
)
from studio.tables.images import DraftImage  # noqa: F401
from studio.tables.prompts import PromptVersion  # noqa: F401
from studio.tables.writing import DraftAlternative, DraftOutline, DraftSection, ReviseTurn  # noqa: F401


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
    # The prompt version it was written with (studio.prompts); None: written before versions
    # existed, by hand, or with the built-in templates.
    prompt_version_id: Mapped[int | None] = mapped_column(ForeignKey("prompt_versions.id"), default=None, index=True)
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
    # Per publishing field, who set it and from what: {"excerpt": {"by": "derived" | "model" |
    # "person", "basis": <what the text gave for it then>, "stale": bool}}. studio.publishing.
    # derivation reads and writes it; a field absent here follows the text.
    field_state: Mapped[dict[str, Any]] = mapped_column(default=dict)

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
    # generated | edited | suggestion_applied | revised_by_instruction | critic_pass | partial |
    # restored_attempt
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
    # The text of an attempt that did not become a revision: a regeneration that failed or was
    # stopped leaves the draft's text as it was and keeps its fragment here (viewable, restorable).
    attempt_text: Mapped[str | None] = mapped_column(Text, default=None, deferred=True)
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
    # body, title, slug, excerpt, meta_description, tags, categories (offsets are into it)
    field: Mapped[str] = mapped_column(String(24), default="body")
    advice: Mapped[str] = mapped_column(Text, default="")
    acknowledge: Mapped[str] = mapped_column(String(32), default="")

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
