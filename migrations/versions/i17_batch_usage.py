"""Batches from a spreadsheet (rows, attempts, workers, provider slots), model usage, prices, budgets

Revision ID: i17_batch_usage
Revises: i14_review_inbox
Create Date: 2026-11-26

The job queue itself (Huey's tables or keys) is not part of this schema: it lives in its own
SQLite file, Redis, or tables Huey creates in PostgreSQL (see docs/batch.md). These tables are
the studio's record of what each row is doing, which the queue only delivers.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from studio.models import UTCDateTime

revision = "i17_batch_usage"
down_revision = "i16_voices_sources"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "batches",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("owner_id", sa.Integer(), sa.ForeignKey("users.id", name="fk_batches_owner_id_users"), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("concurrency", sa.Integer(), nullable=False),
        sa.Column("auto_submit", sa.Boolean(), nullable=False),
        sa.Column("provider", sa.String(32), nullable=False),
        sa.Column("model", sa.String(120), nullable=False),
        sa.Column("estimated_cost", sa.Float(), nullable=True),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_batches"),
    )
    op.create_index("ix_batches_owner_id", "batches", ["owner_id"])
    op.create_index("ix_batches_created_at", "batches", ["created_at"])
    op.create_index("ix_batches_status", "batches", ["status"])

    op.create_table(
        "batch_rows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), sa.ForeignKey("batches.id", name="fk_batch_rows_batch_id_batches"), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("brief", sa.JSON(), nullable=False),
        sa.Column("publish_date", UTCDateTime(), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("draft_id", sa.Integer(), sa.ForeignKey("drafts.id", name="fk_batch_rows_draft_id_drafts"), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("dispatched_at", UTCDateTime(), nullable=True),
        sa.Column("task_id", sa.String(64), nullable=True),
        sa.Column("not_before", UTCDateTime(), nullable=True),
        sa.Column("worker", sa.String(120), nullable=True),
        sa.Column("lease_until", UTCDateTime(), nullable=True),
        sa.Column("started_at", UTCDateTime(), nullable=True),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_batch_rows"),
        sa.UniqueConstraint("batch_id", "number", name="uq_batch_rows_batch_number"),
    )
    op.create_index("ix_batch_rows_batch_state", "batch_rows", ["batch_id", "state"])
    op.create_index("ix_batch_rows_state_lease", "batch_rows", ["state", "lease_until"])
    op.create_index("ix_batch_rows_draft_id", "batch_rows", ["draft_id"])

    op.create_table(
        "batch_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("row_id", sa.Integer(), sa.ForeignKey("batch_rows.id", name="fk_batch_attempts_row_id_batch_rows"), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("worker", sa.String(120), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("partial_text", sa.Text(), nullable=False),
        sa.Column("retry_after_s", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_batch_attempts"),
    )
    op.create_index("ix_batch_attempts_row_id", "batch_attempts", ["row_id"])

    op.create_table(
        "queue_workers",
        sa.Column("id", sa.String(120), nullable=False),
        sa.Column("host", sa.String(120), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("concurrency", sa.Integer(), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("seen_at", UTCDateTime(), nullable=False),
        sa.Column("stopped_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_queue_workers"),
    )

    op.create_table(
        "provider_slots",
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("holder", sa.String(200), nullable=True),
        sa.Column("lease_until", UTCDateTime(), nullable=True),
        sa.Column("cooldown_until", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("name", "slot", name="pk_provider_slots"),
    )

    op.create_table(
        "usage_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("provider", sa.String(32), nullable=False),
        sa.Column("endpoint", sa.String(200), nullable=False),
        sa.Column("model", sa.String(120), nullable=False),
        sa.Column("feature", sa.String(32), nullable=False),
        sa.Column("person_id", sa.Integer(), sa.ForeignKey("users.id", name="fk_usage_records_person_id_users"), nullable=True),
        sa.Column("batch_id", sa.Integer(), sa.ForeignKey("batches.id", name="fk_usage_records_batch_id_batches"), nullable=True),
        sa.Column("prompt_tokens", sa.Integer(), nullable=False),
        sa.Column("completion_tokens", sa.Integer(), nullable=False),
        sa.Column("tokens_source", sa.String(16), nullable=False),
        sa.Column("cost", sa.Float(), nullable=True),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("duration_ms", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_usage_records"),
    )
    op.create_index("ix_usage_records_created_at", "usage_records", ["created_at"])
    op.create_index("ix_usage_records_feature", "usage_records", ["feature"])
    op.create_index("ix_usage_records_batch_id", "usage_records", ["batch_id"])
    op.create_index("ix_usage_records_person_time", "usage_records", ["person_id", "created_at"])
    op.create_index("ix_usage_records_model_time", "usage_records", ["model", "created_at"])

    op.create_table(
        "model_prices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("model", sa.String(120), nullable=False),
        sa.Column("input_per_million", sa.Float(), nullable=False),
        sa.Column("output_per_million", sa.Float(), nullable=False),
        sa.Column("any_server", sa.Boolean(), nullable=False),
        sa.Column("updated_by", sa.Integer(), sa.ForeignKey("users.id", name="fk_model_prices_updated_by_users"), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_model_prices"),
        sa.UniqueConstraint("model", name="uq_model_prices_model"),
    )

    op.create_table(
        "budgets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(16), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", name="fk_budgets_user_id_users"), nullable=True),
        sa.Column("monthly", sa.Float(), nullable=False),
        sa.Column("hard", sa.Boolean(), nullable=False),
        sa.Column("updated_by", sa.Integer(), sa.ForeignKey("users.id", name="fk_budgets_updated_by_users"), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_budgets"),
        sa.UniqueConstraint("scope", "user_id", name="uq_budgets_scope_user"),
    )


def downgrade() -> None:
    for table in ("budgets", "model_prices", "usage_records", "provider_slots", "queue_workers",
                  "batch_attempts", "batch_rows", "batches"):
        op.drop_table(table)
