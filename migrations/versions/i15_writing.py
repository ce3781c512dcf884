"""writing workspace: long-form outlines and sections, variants kept as alternatives, revise turns

Revision ID: i15_writing
Revises: i14_review_inbox
Create Date: 2026-11-26

draft_outlines / draft_sections: a long-form draft's plan (title, sections with intent and points)
and what has been written of each section (text, rolling summary, points made), so an interrupted
run continues at the first unfinished section. draft_alternatives: variants written beside the
kept text (whole drafts, headlines, introductions). revise_turns: the revise-by-instruction
conversation of a draft, one row per instruction, with the running summary of older turns.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import studio.models


revision = 'i15_writing'
down_revision = 'i13_checked_fields'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('draft_alternatives',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=False),
    sa.Column('batch', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('temperature', sa.Float(), nullable=True),
    sa.Column('approach', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('words', sa.Integer(), nullable=False),
    sa.Column('reading_ease', sa.Float(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('kept', sa.Boolean(), nullable=False),
    sa.Column('created_at', studio.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['draft_id'], ['drafts.id'], name=op.f('fk_draft_alternatives_draft_id_drafts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_draft_alternatives'))
    )
    with op.batch_alter_table('draft_alternatives', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_draft_alternatives_draft_id'), ['draft_id'], unique=False)

    op.create_table('draft_outlines',
    sa.Column('draft_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('repetition', sa.JSON(), nullable=False),
    sa.Column('created_at', studio.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', studio.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['draft_id'], ['drafts.id'], name=op.f('fk_draft_outlines_draft_id_drafts')),
    sa.PrimaryKeyConstraint('draft_id', name=op.f('pk_draft_outlines'))
    )
    op.create_table('revise_turns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('instruction', sa.Text(), nullable=False),
    sa.Column('section', sa.Integer(), nullable=True),
    sa.Column('reply', sa.Text(), nullable=False),
    sa.Column('revision_before', sa.Integer(), nullable=True),
    sa.Column('revision_after', sa.Integer(), nullable=True),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('prompt_tokens', sa.Integer(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('undone', sa.Boolean(), nullable=False),
    sa.Column('created_at', studio.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_revise_turns_author_id_users')),
    sa.ForeignKeyConstraint(['draft_id'], ['drafts.id'], name=op.f('fk_revise_turns_draft_id_drafts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_revise_turns')),
    sa.UniqueConstraint('draft_id', 'number', name='uq_revise_turns_draft_number')
    )
    with op.batch_alter_table('revise_turns', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_revise_turns_draft_id'), ['draft_id'], unique=False)

    op.create_table('draft_sections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('heading', sa.Text(), nullable=False),
    sa.Column('intent', sa.Text(), nullable=False),
    sa.Column('points', sa.JSON(), nullable=False),
    sa.Column('words', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('covered', sa.JSON(), nullable=False),
    sa.Column('prompt_tokens', sa.Integer(), nullable=True),
    sa.Column('updated_at', studio.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['draft_id'], ['draft_outlines.draft_id'], name=op.f('fk_draft_sections_draft_id_draft_outlines')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_draft_sections'))
    )
    with op.batch_alter_table('draft_sections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_draft_sections_draft_id'), ['draft_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('draft_sections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_draft_sections_draft_id'))

    op.drop_table('draft_sections')
    with op.batch_alter_table('revise_turns', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_revise_turns_draft_id'))

    op.drop_table('revise_turns')
    op.drop_table('draft_outlines')
    with op.batch_alter_table('draft_alternatives', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_draft_alternatives_draft_id'))

    op.drop_table('draft_alternatives')
