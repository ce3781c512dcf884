"""reviewers on drafts, people's e-mail, the inbox, workspace settings kept in the database

Revision ID: i14_review_inbox
Revises: 0004
Create Date: 2026-11-26

- ``drafts.assignee_id`` / ``assigned_at``: the reviewer who has the draft (assigned or claimed).
- ``users.email`` (optional) and ``users.email_notifications`` (the person's own choice).
- ``notifications``: each person's inbox, and the state of its e-mail.
- ``workspace_settings``: settings an admin changed in the app; a missing row means the
  environment's value.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "i14_review_inbox"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # SQLite adds a column with a REFERENCES clause in place when its default is NULL;
        # batch mode would copy the whole drafts table (and every row) for it.
        op.execute("ALTER TABLE drafts ADD COLUMN assignee_id INTEGER REFERENCES users (id)")
    else:
        op.add_column(
            "drafts",
            sa.Column("assignee_id", sa.Integer(),
                      sa.ForeignKey("users.id", name="fk_drafts_assignee_id_users"), nullable=True),
        )  # fmt: skip
    op.add_column("drafts", sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_drafts_assignee_id", "drafts", ["assignee_id"])
    op.add_column("users", sa.Column("email", sa.String(length=254), nullable=True))
    op.add_column(
        "users",
        sa.Column("email_notifications", sa.Boolean(), nullable=False, server_default=sa.true()),
    )
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("recipient_id", sa.Integer(), sa.ForeignKey("users.id", name="fk_notifications_recipient_id_users"),
                  nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("draft_id", sa.Integer(), sa.ForeignKey("drafts.id", name="fk_notifications_draft_id_drafts"),
                  nullable=True),
        sa.Column("actor_id", sa.Integer(), sa.ForeignKey("users.id", name="fk_notifications_actor_id_users"),
                  nullable=True),
        sa.Column("actor_name", sa.String(length=120), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("email_status", sa.String(length=16), nullable=True),
        sa.Column("email_error", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_notifications"),
    )  # fmt: skip
    op.create_index("ix_notifications_recipient_read", "notifications", ["recipient_id", "read_at"])
    op.create_index("ix_notifications_draft_id", "notifications", ["draft_id"])
    op.create_index("ix_notifications_email_status", "notifications", ["email_status"])
    op.create_table(
        "workspace_settings",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(),
                  sa.ForeignKey("users.id", name="fk_workspace_settings_updated_by_id_users"), nullable=True),
        sa.PrimaryKeyConstraint("key", name="pk_workspace_settings"),
    )  # fmt: skip


def downgrade() -> None:
    op.drop_table("workspace_settings")
    op.drop_index("ix_notifications_email_status", table_name="notifications")
    op.drop_index("ix_notifications_draft_id", table_name="notifications")
    op.drop_index("ix_notifications_recipient_read", table_name="notifications")
    op.drop_table("notifications")
    op.drop_index("ix_drafts_assignee_id", table_name="drafts")
    # Dropped in place (SQLite 3.35+ too, a column-level REFERENCES included): batch mode would
    # copy users and drafts into new tables, which the rows of other tables refer to.
    for table, column in (("users", "email_notifications"), ("users", "email"), ("drafts", "assigned_at"),
                          ("drafts", "assignee_id")):
        if op.get_bind().dialect.name == "sqlite":
            try:
                op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
            except sa.exc.OperationalError:
                # A later downgrade rebuilt the table in batch mode, which writes its foreign keys
                # as table constraints: SQLite drops such a column only by copying the table.
                with op.batch_alter_table(table) as batch:
                    batch.drop_column(column)
        else:
            op.drop_column(table, column)
