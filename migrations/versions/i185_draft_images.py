"""Image prompts, alt text and chosen images per draft slot (hero and sections)

Revision ID: i185_draft_images
Revises: i182_prompt_versions
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from studio.models import UTCDateTime

revision = "i185_draft_images"
down_revision = "i182_prompt_versions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "draft_images",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draft_id", sa.Integer(), sa.ForeignKey("drafts.id", name="fk_draft_images_draft_id_drafts"), nullable=False),
        sa.Column("slot", sa.String(40), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("heading", sa.String(300), nullable=False),
        sa.Column("prompt", sa.Text(), nullable=False),
        sa.Column("alt_text", sa.Text(), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("chosen_file", sa.String(500), nullable=False),
        sa.Column("chosen_url", sa.String(1000), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), sa.ForeignKey("users.id", name="fk_draft_images_updated_by_id_users"), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_draft_images"),
        sa.UniqueConstraint("draft_id", "slot", name="uq_draft_images_draft_id_slot"),
    )
    op.create_index("ix_draft_images_draft_id", "draft_images", ["draft_id"])


def downgrade() -> None:
    op.drop_index("ix_draft_images_draft_id", table_name="draft_images")
    op.drop_table("draft_images")
