"""queue indexes: filter column + status + updated_at, so counts and pages are index-only

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_drafts_type_status_updated": ["content_type", "status", "updated_at"],
    "ix_drafts_verdict_status_updated": ["check_verdict", "status", "updated_at"],
    "ix_drafts_author_status_updated": ["author_id", "status", "updated_at"],
}


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.create_index(name, "drafts", columns)
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ANALYZE drafts")


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="drafts")
