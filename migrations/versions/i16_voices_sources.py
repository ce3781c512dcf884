"""Brand voices (with versions), knowledge sources and their passages, the passages a draft was
written from, the claim ledger; drafts record their voice and version, their sources and the
draft they were localised from

Revision ID: i16_voices_sources
Revises: i14_review_inbox
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "i16_voices_sources"
down_revision = "i15_writing"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "brand_voices",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("profile", sa.JSON(), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("excerpts", sa.JSON(), nullable=False),
        sa.Column("samples", sa.JSON(), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("users.id", name="fk_brand_voices_created_by_id_users")),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.UniqueConstraint("name", name="uq_brand_voices_name"),
    )
    op.create_table(
        "brand_voice_versions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("voice_id", sa.Integer(), sa.ForeignKey("brand_voices.id", name="fk_brand_voice_versions_voice_id_brand_voices"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("profile", sa.JSON(), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("excerpts", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("users.id", name="fk_brand_voice_versions_created_by_id_users")),
        sa.Column("created_at", _TS, nullable=False),
        sa.UniqueConstraint("voice_id", "version", name="uq_brand_voice_versions_voice_version"),
    )
    op.create_index("ix_brand_voice_versions_voice_id", "brand_voice_versions", ["voice_id"])
    op.create_table(
        "sources",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("url", sa.Text()),
        sa.Column("filename", sa.String(255)),
        sa.Column("media_type", sa.String(120), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("chars", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("users.id", name="fk_sources_created_by_id_users")),
        sa.Column("created_at", _TS, nullable=False),
    )
    op.create_index("ix_sources_archived", "sources", ["archived"])
    op.create_table(
        "source_chunks",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("source_id", sa.Integer(), sa.ForeignKey("sources.id", name="fk_source_chunks_source_id_sources"), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("embedding", sa.JSON()),
        sa.Column("embedding_model", sa.String(120)),
        sa.UniqueConstraint("source_id", "ordinal", name="uq_source_chunks_source_ordinal"),
    )
    op.create_index("ix_source_chunks_source_id", "source_chunks", ["source_id"])
    op.create_table(
        "draft_passages",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("draft_id", sa.Integer(), sa.ForeignKey("drafts.id", name="fk_draft_passages_draft_id_drafts"), nullable=False),
        sa.Column("label", sa.String(16), nullable=False),
        sa.Column("source_id", sa.Integer(), sa.ForeignKey("sources.id", name="fk_draft_passages_source_id_sources")),
        sa.Column("chunk_id", sa.Integer(), sa.ForeignKey("source_chunks.id", name="fk_draft_passages_chunk_id_source_chunks")),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("url", sa.Text()),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("score", sa.Float()),
        sa.UniqueConstraint("draft_id", "label", name="uq_draft_passages_draft_label"),
    )
    op.create_index("ix_draft_passages_draft_id", "draft_passages", ["draft_id"])
    op.create_table(
        "claims",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("draft_id", sa.Integer(), sa.ForeignKey("drafts.id", name="fk_claims_draft_id_drafts"), nullable=False),
        sa.Column("revision_id", sa.Integer(), sa.ForeignKey("revisions.id", name="fk_claims_revision_id_revisions"), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("kinds", sa.JSON(), nullable=False),
        sa.Column("support", sa.String(16), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("label", sa.String(16)),
        sa.Column("source_id", sa.Integer(), sa.ForeignKey("sources.id", name="fk_claims_source_id_sources")),
        sa.Column("passage", sa.Text(), nullable=False),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
    )
    op.create_index("ix_claims_draft_id", "claims", ["draft_id"])
    op.create_index("ix_claims_revision_id", "claims", ["revision_id"])
    if op.get_bind().dialect.name == "sqlite":
        # ALTER TABLE … ADD COLUMN … REFERENCES keeps the table (a batch copy would drop and
        # recreate drafts, which the rows that point at it forbid while foreign keys are on).
        for column in (
            "voice_id INTEGER REFERENCES brand_voices (id)",
            "voice_version INTEGER",
            "source_ids JSON NOT NULL DEFAULT '[]'",
            "search_sources BOOLEAN NOT NULL DEFAULT 0",
            "localised_from_id INTEGER REFERENCES drafts (id)",
        ):
            op.execute(f"ALTER TABLE drafts ADD COLUMN {column}")
    else:
        with op.batch_alter_table("drafts") as batch:
            batch.add_column(sa.Column("voice_id", sa.Integer(), nullable=True))
            batch.add_column(sa.Column("voice_version", sa.Integer(), nullable=True))
            batch.add_column(sa.Column("source_ids", sa.JSON(), nullable=False, server_default="[]"))
            batch.add_column(sa.Column("search_sources", sa.Boolean(), nullable=False, server_default=sa.false()))
            batch.add_column(sa.Column("localised_from_id", sa.Integer(), nullable=True))
            batch.create_foreign_key("fk_drafts_voice_id_brand_voices", "brand_voices", ["voice_id"], ["id"])
            batch.create_foreign_key("fk_drafts_localised_from_id_drafts", "drafts", ["localised_from_id"], ["id"])
    op.create_index("ix_drafts_localised_from_id", "drafts", ["localised_from_id"])


def downgrade() -> None:
    op.drop_index("ix_drafts_localised_from_id", table_name="drafts")
    sqlite = op.get_bind().dialect.name == "sqlite"
    with op.batch_alter_table("drafts", recreate="always" if sqlite else "auto") as batch:
        if not sqlite:
            batch.drop_constraint("fk_drafts_localised_from_id_drafts", type_="foreignkey")
            batch.drop_constraint("fk_drafts_voice_id_brand_voices", type_="foreignkey")
        batch.drop_column("localised_from_id")
        batch.drop_column("search_sources")
        batch.drop_column("source_ids")
        batch.drop_column("voice_version")
        batch.drop_column("voice_id")
    for table in ("claims", "draft_passages", "source_chunks", "sources", "brand_voice_versions", "brand_voices"):
        op.drop_table(table)
