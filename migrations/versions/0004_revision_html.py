"""revisions.body_html (the sanitised HTML, rendered when a revision is saved); export files stored gzip-compressed

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23

An export reads it instead of rendering every post again. ``html_version`` names the renderer
and allowlist that produced it; an export renders again when it differs from the running one's
(and for revisions saved before this migration, which have neither).

``export_batches.content_encoding`` is ``gzip`` for files stored compressed (a 10,000-post CSV
is ~76 MB, ~15 MB compressed), NULL for files stored as they are; ``size`` is the file's own size.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("revisions") as batch:
        batch.add_column(sa.Column("body_html", sa.Text(), nullable=True))
        batch.add_column(sa.Column("html_version", sa.String(length=64), nullable=True))
    with op.batch_alter_table("export_batches") as batch:
        batch.add_column(sa.Column("content_encoding", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("size", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("export_batches") as batch:
        batch.drop_column("size")
        batch.drop_column("content_encoding")
    with op.batch_alter_table("revisions") as batch:
        batch.drop_column("html_version")
        batch.drop_column("body_html")
