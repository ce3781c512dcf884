"""Batches of briefs on the job queue, model usage and its prices and budgets (studio.batch, studio.usage).

Part of the one schema `studio.models` exports; kept apart so no module grows past the
layout's size limit."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from studio.tables.base import Base, utcnow


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
