"""Full-text search over drafts' titles and current text.

SQLite: FTS5 (migration 0002). PostgreSQL: its own text search over a GIN expression index.
Anything else: a portable LIKE fallback.
"""

from __future__ import annotations

import re

from sqlalchemy import ColumnElement, Integer, func, literal_column, or_, select, text
from sqlalchemy.orm import Session

from studio.models import Draft, DraftSearch

_WORD = re.compile(r"\w+", re.UNICODE)
_PG_CONFIG = literal_column("'simple'::regconfig")


def index_draft(session: Session, draft: Draft) -> None:
    body = draft.current_revision.body if draft.current_revision is not None else ""
    row = session.get(DraftSearch, draft.id)
    if row is None:
        session.add(DraftSearch(draft_id=draft.id, title=draft.title or "", body=body))
    elif row.title != (draft.title or "") or row.body != body:
        row.title = draft.title or ""
        row.body = body


def fts_query(terms: str) -> str | None:
    """A safe FTS5 query: every word must appear (as a prefix of a word), nothing else is syntax."""
    words = _WORD.findall(terms)
    if not words:
        return None
    return " ".join(f'"{w}"*' for w in words[:12])


def matching_ids(session: Session, terms: str) -> ColumnElement[bool] | None:
    """A condition on Draft.id selecting drafts whose title or text match `terms`."""
    words = _WORD.findall(terms)
    if not words:
        return None
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        sub = (
            text("SELECT rowid AS draft_id FROM draft_search_fts WHERE draft_search_fts MATCH :q")
            .bindparams(q=fts_query(terms))
            .columns(draft_id=Integer)
            .subquery()
        )
        return Draft.id.in_(select(sub.c.draft_id))
    if dialect == "postgresql":
        # The config and separator are SQL literals, not bind parameters, so the expression is
        # the GIN index's own (migration 0002) even in a prepared statement's generic plan.
        vector = func.to_tsvector(_PG_CONFIG, DraftSearch.title + literal_column("' '") + DraftSearch.body)
        query = func.to_tsquery(_PG_CONFIG, " & ".join(f"{w}:*" for w in words[:12]))
        return Draft.id.in_(select(DraftSearch.draft_id).where(vector.op("@@")(query)))
    conditions = [
        or_(DraftSearch.title.ilike(f"%{w}%"), DraftSearch.body.ilike(f"%{w}%")) for w in words[:12]
    ]
    return Draft.id.in_(select(DraftSearch.draft_id).where(*conditions))
