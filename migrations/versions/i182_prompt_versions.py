"""Prompt versions per content type; drafts name the version they were written with

Revision ID: i182_prompt_versions
Revises: i17_batch_usage
Create Date: 2026-11-26

Version 1 of each content type is seeded with the built-in templates
(`studio.drafting.prompts`), live, so drafts are written exactly as before until an editor adds
and tests another version.
"""

from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

from studio.drafting.brief import CONTENT_TYPES
from studio.drafting.prompts import default_human, default_system
from studio.models import UTCDateTime

revision = "i182_prompt_versions"
down_revision = "i17_batch_usage"
branch_labels = None
depends_on = None


def upgrade() -> None:
    versions = op.create_table(
        "prompt_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(16), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(120), nullable=False),
        sa.Column("system", sa.Text(), nullable=False),
        sa.Column("human", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("share", sa.Float(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("users.id", name="fk_prompt_versions_created_by_id_users"), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("promoted_at", UTCDateTime(), nullable=True),
        sa.Column("retired_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_prompt_versions"),
        sa.UniqueConstraint("content_type", "number", name="uq_prompt_versions_content_type_number"),
    )
    op.create_index("ix_prompt_versions_content_type", "prompt_versions", ["content_type"])
    now = datetime.now(timezone.utc)
    op.bulk_insert(versions, [
        {"content_type": t, "number": 1, "label": "Built-in", "system": default_system(t), "human": default_human(),
         "status": "live", "share": 0.0, "note": "The studio's built-in prompt.", "created_by_id": None,
         "created_at": now, "promoted_at": now, "retired_at": None}
        for t in CONTENT_TYPES
    ])  # fmt: skip
    if op.get_bind().dialect.name == "sqlite":
        # ALTER TABLE … ADD COLUMN … REFERENCES keeps the table (a batch copy would drop and
        # recreate drafts, which the rows that point at it forbid while foreign keys are on).
        op.execute("ALTER TABLE drafts ADD COLUMN prompt_version_id INTEGER REFERENCES prompt_versions (id)")
    else:
        with op.batch_alter_table("drafts") as batch:
            batch.add_column(sa.Column("prompt_version_id", sa.Integer(), nullable=True))
            batch.create_foreign_key("fk_drafts_prompt_version_id_prompt_versions", "prompt_versions",
                                     ["prompt_version_id"], ["id"])  # fmt: skip
    op.create_index("ix_drafts_prompt_version_id", "drafts", ["prompt_version_id"])


def downgrade() -> None:
    op.drop_index("ix_drafts_prompt_version_id", table_name="drafts")
    sqlite = op.get_bind().dialect.name == "sqlite"
    with op.batch_alter_table("drafts", recreate="always" if sqlite else "auto") as batch:
        if not sqlite:
            batch.drop_constraint("fk_drafts_prompt_version_id_prompt_versions", type_="foreignkey")
        batch.drop_column("prompt_version_id")
    op.drop_table("prompt_versions")
