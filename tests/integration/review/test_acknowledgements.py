"""Approving what the checks warned about: every warned category ticked, all missing steps named
at once, the ticks kept in the audit trail."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from studio.db import session_scope
from studio.drafting.brief import Brief
from studio.drafting.service import add_revision, create_draft
from studio.models import AuditEvent, Draft
from studio.review import service as review
from studio.review.service import ReviewError


def submitted(engine, author, body: str) -> tuple[int, int]:
    with session_scope(engine) as s:
        d = create_draft(s, Brief.create(content_type="blog", topic="Funds", target_words=100), author)
        add_revision(s, d, body, author, "generated")
        s.flush()
        review.submit(s, d.id, author, d.version)
        return d.id, d.version


def test_a_blocked_draft_with_warnings_names_every_missing_step_at_once(engine, people):
    draft_id, v = submitted(engine, people.marketer, "# Funds\n\nDouble your money. Mail bob.smith@gmail.com.\n")
    with session_scope(engine) as s, pytest.raises(ReviewError) as caught:
        review.approve(s, draft_id, people.editor, v)
    message = str(caught.value)
    assert "write why in the override reason" in message and "(contact)" in message
    with session_scope(engine) as s, pytest.raises(ReviewError, match="Unknown acknowledgement lawyers"):
        review.approve(s, draft_id, people.editor, v, override_reason="Quoting a scam.", acknowledged=["lawyers"])
    with session_scope(engine) as s:
        review.approve(s, draft_id, people.editor, v, override_reason="Quoting a scam.", acknowledged=["contact"])
    with session_scope(engine) as s:
        assert s.get(Draft, draft_id).status == "approved"
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "review.approve")).one()
        assert event.data["override_reason"] == "Quoting a scam." and event.data["acknowledged"] == ["contact"]


def test_a_clean_draft_needs_no_tick(engine, people):
    draft_id, v = submitted(engine, people.marketer, "# Funds\n\nA calm note about planning.\n")
    with session_scope(engine) as s:
        review.approve(s, draft_id, people.editor, v, manual_review_confirmed=True)
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "review.approve")).one()
        assert "acknowledged" not in event.data
