"""Prompt versions per content type (studio.prompts).

Part of the one schema `studio.models` exports; kept apart so no module grows past the
layout's size limit. A draft names the version it was written with (`drafts.prompt_version_id`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from studio.tables.base import Base, utcnow


class PromptVersion(Base):  # one version of a content type's prompt templates

    __tablename__ = "prompt_versions"
    __table_args__ = (UniqueConstraint("content_type", "number", name="uq_prompt_versions_content_type_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    content_type: Mapped[str] = mapped_column(String(16), index=True)
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, … within its content type
    label: Mapped[str] = mapped_column(String(120), default="")
    system: Mapped[str] = mapped_column(Text)  # the system prompt's template
    human: Mapped[str] = mapped_column(Text)  # the brief message's template
    # live (one per content type: the default) | candidate | retired (studio.prompts.rules)
    status: Mapped[str] = mapped_column(String(16), default="candidate")
    share: Mapped[float] = mapped_column(Float, default=0.0)  # of new drafts, while under test
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    promoted_at: Mapped[datetime | None] = mapped_column(default=None)
    retired_at: Mapped[datetime | None] = mapped_column(default=None)
