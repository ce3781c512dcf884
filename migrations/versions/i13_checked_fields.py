"""Checked publishing fields, their provenance, acknowledgements, kept regeneration attempts.

Revision ID: i13_checked_fields
Revises: i14_review_inbox
Create Date: 2026-11-26

* ``findings.field``: where a finding is (``body`` or a publishing field); ``advice``: what to do
  when no replacement is safe; ``acknowledge``: the acknowledgement an approval needs for it.
* ``drafts.field_state``: per publishing field, who set it (derived, model, person) and from
  what, so a body edit derives the fields again unless a person set them, and marks a
  person-set field whose source changed as "may be out of date".
* ``generations.attempt_text``: the fragment of a regeneration that failed or was stopped; the
  draft's text stays as it was.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "i13_checked_fields"
down_revision = "i14_review_inbox"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("findings") as batch:
        batch.add_column(sa.Column("field", sa.String(length=24), nullable=False, server_default="body"))
        batch.add_column(sa.Column("advice", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("acknowledge", sa.String(length=32), nullable=False, server_default=""))
    with op.batch_alter_table("drafts") as batch:
        batch.add_column(sa.Column("field_state", sa.JSON(), nullable=False, server_default="{}"))
    with op.batch_alter_table("generations") as batch:
        batch.add_column(sa.Column("attempt_text", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("generations") as batch:
        batch.drop_column("attempt_text")
    with op.batch_alter_table("drafts") as batch:
        batch.drop_column("field_state")
    with op.batch_alter_table("findings") as batch:
        batch.drop_column("acknowledge")
        batch.drop_column("advice")
        batch.drop_column("field")
